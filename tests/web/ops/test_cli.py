"""The ops commands as the lead mounts them: ``shien backup`` / ``shien restore``."""

from __future__ import annotations

import typer
from sqlalchemy import text
from typer.testing import CliRunner

from matcher.feedback import record
from web.db import make_engine, migrate
from web.ops.cli import ops_cli

runner = CliRunner()


def shien() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(ops_cli)  # the lead's one-liner in web/cli.py
    return app


def count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT count(*) FROM feedback_event")).scalar_one()
    engine.dispose()
    return value


def test_backup_and_restore_commands_round_trip_a_sqlite_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    migrate(engine)
    record(engine, "some_program", "saved")
    engine.dispose()
    done = runner.invoke(shien(), ["backup", str(tmp_path / "b.sqlite"), "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "sqlite-online-backup" in done.output
    engine = make_engine(url)
    record(engine, "other_program", "saved")
    engine.dispose()
    assert count(url) == 2
    done = runner.invoke(shien(), ["restore", str(tmp_path / "b.sqlite"), "--database-url", url, "--yes"])
    assert done.exit_code == 0, done.output
    assert count(url) == 1


def test_restore_asks_first_and_refuses_a_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert runner.invoke(shien(), ["restore", str(tmp_path / "none"), "--database-url", url]).exit_code == 2
    (tmp_path / "b.json").write_text("{}")
    asked = runner.invoke(shien(), ["restore", str(tmp_path / "b.json"), "--database-url", url], input="n\n")
    assert asked.exit_code == 1 and "Replace every row" in asked.output

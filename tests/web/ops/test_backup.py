"""shien backup / shien restore: every row comes back, on SQLite and PostgreSQL, by each method."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import Engine

from matcher.feedback import record
from programs.store import load_current_programs
from tests.builders import program
from tests.web.ops.conftest import publish
from web.ops.backup import BackupError, backup, pg_tools_available, restore


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    metadata = MetaData()
    metadata.reflect(bind=engine)
    with engine.connect() as connection:
        return {name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                for name, table in metadata.tables.items()}


def naive(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    def plain(value):  # type: ignore[no-untyped-def]
        return value.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(value, dt.datetime) and value.tzinfo else value

    return {name: [tuple(map(plain, row)) for row in rows] for name, rows in tables.items()}


def some_data(engine: Engine) -> None:
    publish(engine)
    record(engine, "ops_alpha", "applied", {"prefecture": "宮城県", "employees": 3}, position=1)
    record(engine, "ops_beta", "saved")


def schema_of(engine: Engine) -> str | None:
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar()


@pytest.mark.parametrize("fmt", ["auto", "json"])
def test_backup_then_restore_gives_back_every_row(engine: Engine, tmp_path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    if fmt == "auto" and engine.dialect.name == "postgresql" and not pg_tools_available():
        pytest.skip("pg_dump not on PATH")
    some_data(engine)
    before = snapshot(engine)
    assert before["feedback_event"] and before["program"]
    result = backup(engine, tmp_path / "backup.bin", fmt=fmt, schema=schema_of(engine))
    expected_method = {"auto": {"sqlite": "sqlite-online-backup", "postgresql": "pg_dump"}[engine.dialect.name],
                       "json": "json"}[fmt]
    assert result.method == expected_method

    publish(engine, [program(id="ops_gamma")])  # life goes on after the backup …
    record(engine, "ops_gamma", "opened")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM feedback_event WHERE program_id = 'ops_alpha'"))
    assert snapshot(engine) != before

    restore(engine, result.path)  # … and the restore brings back the moment of the backup
    assert snapshot(engine) == before
    version, programs = load_current_programs(engine)
    assert version is not None and [p.id for p in programs] == ["ops_alpha", "ops_beta"]
    record(engine, "ops_alpha", "opened")  # ids continue after the restored rows


def test_a_json_backup_moves_data_from_sqlite_to_postgresql(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web.db import make_engine, migrate

    if engine.dialect.name != "postgresql":
        pytest.skip("the target is PostgreSQL")
    sqlite = make_engine(f"sqlite:///{tmp_path / 'from.db'}")
    migrate(sqlite)
    some_data(sqlite)
    restore(engine, backup(sqlite, tmp_path / "move.json", fmt="json").path)
    assert naive(snapshot(engine)) == naive(snapshot(sqlite))  # SQLite keeps no time zone
    sqlite.dispose()


def test_a_file_that_is_no_backup_is_refused(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="not a SQLite file"):
        restore(engine, junk)

"""shien refresh: sweep the (fake) Jグランツ API, stage, show the diff, publish only when asked;
a sweep that fails halfway leaves the live files and the served catalog exactly as they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from programs.store import load_current_programs
from tests.fakes.jgrants_sample import five_imported_eight_served, sample_calls
from tests.fakes.jgrants_server import FakeJGrants
from web.db import make_engine
from web.ops.cli import ops_cli

AS_OF = "2026-08-01"
runner = CliRunner()


def shien() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(ops_cli)
    return app


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return sample_calls()


@pytest.fixture
def setup(records, tmp_path):  # type: ignore[no-untyped-def]
    """A live directory holding the first five calls; the API now has eight, one of them changed."""
    live = tmp_path / "catalog" / "jgrants"
    fake = FakeJGrants(five_imported_eight_served(records, live, dt.date.fromisoformat(AS_OF)))
    fake.start()
    yield fake, live, tmp_path
    fake.stop()


def refresh(fake: FakeJGrants, live: Path, tmp_path: Path, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(shien(), ["refresh", "--base-url", fake.base_url, "--keyword", "補助", "--live", str(live),
                                   "--staging", str(tmp_path / "staging"), "--as-of", AS_OF, "--delay", "0",
                                   "--backoff", "0", "--retries", "1", "--catalog-dir", str(live.parent),
                                   "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}", *extra])


def files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def test_refresh_stages_and_shows_the_diff_without_touching_the_live_catalog(setup, records) -> None:  # type: ignore[no-untyped-def]
    fake, live, tmp_path = setup
    before = files(live)
    done = refresh(fake, live, tmp_path)
    assert done.exit_code == 0, done.output
    assert "3 new, 1 changed" in done.output
    assert f"changed  jgrants-{records[1]['id']}: " in done.output
    assert "shien refresh-publish" in done.output
    assert files(live) == before
    assert (tmp_path / "staging" / f"jgrants-{records[7]['id']}.yaml").exists()
    assert not (tmp_path / "db.sqlite").exists()  # nothing published


def test_refresh_with_publish_swaps_the_files_in_and_publishes_a_version(setup, records) -> None:  # type: ignore[no-untyped-def]
    fake, live, tmp_path = setup
    done = refresh(fake, live, tmp_path, "--publish")
    assert done.exit_code == 0, done.output
    assert "published catalog version 1: 8 programs" in done.output
    assert len(list(live.glob("jgrants-*.yaml"))) == 8 and not (tmp_path / "staging").exists()
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    version, programs = load_current_programs(engine)
    engine.dispose()
    assert version is not None and len(programs) == 8


def test_an_admin_publishes_a_staged_run_after_review(setup) -> None:  # type: ignore[no-untyped-def]
    fake, live, tmp_path = setup
    assert refresh(fake, live, tmp_path).exit_code == 0
    done = runner.invoke(shien(), ["refresh-publish", "--live", str(live), "--staging", str(tmp_path / "staging"),
                                   "--catalog-dir", str(live.parent),
                                   "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    assert done.exit_code == 0, done.output
    assert "3 new, 1 changed" in done.output and "published catalog version 1: 8 programs" in done.output


def test_a_500_in_the_middle_of_the_sweep_changes_nothing(setup, records) -> None:  # type: ignore[no-untyped-def]
    fake, live, tmp_path = setup
    before = files(live)
    fake.fail_next[f"/v1/public/subsidies/id/{records[6]['id']}"] = [500, 500, 500]
    done = refresh(fake, live, tmp_path, "--publish")
    assert done.exit_code == 1
    assert "HTTP 500" in done.output and "nothing was staged or published" in done.output
    assert files(live) == before
    assert not (tmp_path / "staging").exists() and not (tmp_path / "db.sqlite").exists()
    assert any(path.endswith(records[7]["id"]) for path in fake.requests)  # the sweep went on past the 500


def test_a_catalog_that_fails_to_publish_puts_the_previous_files_back(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake, live, tmp_path = setup
    before = files(live)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("programs.refresh.publish_catalog", broken)
    done = refresh(fake, live, tmp_path, "--publish")
    assert done.exit_code == 1 and "previous files and catalog version stay" in done.output
    assert files(live) == before


def test_refresh_publish_reads_its_directories_from_settings_and_refuses_an_invalid_run(setup, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web.settings import get_settings

    fake, live, tmp_path = setup
    staging = tmp_path / "staging"
    assert refresh(fake, live, tmp_path).exit_code == 0
    (staging / "jgrants-broken.yaml").write_text("id: jgrants-broken\nname: 壊れた公募\nkind: nonsense\n", encoding="utf-8")
    before = files(live)
    monkeypatch.setenv("SHIEN_REFRESH_LIVE_DIR", str(live))
    monkeypatch.setenv("SHIEN_REFRESH_STAGING_DIR", str(staging))
    get_settings.cache_clear()
    try:
        done = runner.invoke(shien(), ["refresh-publish", "--catalog-dir", str(live.parent),
                                       "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 1 and "3 new, 1 changed" in done.output
    assert "previous files and catalog version stay" in done.output and "jgrants-broken.yaml:3: kind:" in done.output
    assert files(live) == before

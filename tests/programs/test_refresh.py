"""Publishing a staged Jグランツ run (the one implementation behind ``shien refresh-publish`` and the console):
all or nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from programs import refresh
from programs.refresh import RefreshRefused, publish_staged, stage_jgrants, staged_catalog_problems
from programs.store import load_current_programs
from tests.fakes.jgrants_sample import five_imported_eight_served, sample_calls

AS_OF = dt.date(2026, 8, 1)
BROKEN = "id: jgrants-broken\nname: 壊れた公募\nkind: nonsense\n"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return sample_calls()


def staged_run(records: list[dict], root: Path) -> tuple[Path, Path, Path]:
    """A catalog root whose jgrants directory holds five calls, and a staged run with eight, one changed."""
    catalog = root / "catalog"
    live, staging = catalog / "jgrants", root / "staging" / "jgrants"
    stage_jgrants(five_imported_eight_served(records, live, AS_OF), live, staging, AS_OF, source="test")
    return catalog, live, staging


def files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def test_a_valid_staged_run_is_swapped_in_and_published(engine: Engine, records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalog, live, staging = staged_run(records, tmp_path)
    published = publish_staged(engine, staging, live, [catalog])
    assert published.program_count == 8 and len(published.result.added) == 8
    assert not staging.exists() and len(list(live.glob("jgrants-*.yaml"))) == 8
    version, programs = load_current_programs(engine)
    assert version is not None and version.id == published.result.version_id and version.source == f"refresh:{live}"


def test_an_invalid_staged_run_is_refused_before_anything_moves(engine: Engine, records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalog, live, staging = staged_run(records, tmp_path)
    first = publish_staged(engine, staging, live, [catalog])
    catalog, live, staging = staged_run(records, tmp_path / "again")
    (staging / "jgrants-broken.yaml").write_text(BROKEN, encoding="utf-8")
    before = files(live)
    with pytest.raises(RefreshRefused) as refused:
        publish_staged(engine, staging, live, [catalog])
    assert any(p.startswith("jgrants-broken.yaml:3: kind:") for p in refused.value.problems)
    assert files(live) == before and staging.exists()  # the run stays staged for the admin to look at
    version, _ = load_current_programs(engine)
    assert version is not None and version.id == first.result.version_id


def test_a_failure_after_the_swap_puts_the_previous_files_back(engine: Engine, records, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, live, staging = staged_run(records, tmp_path)
    before = files(live)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(refresh, "publish_catalog", broken)
    with pytest.raises(RefreshRefused) as refused:
        publish_staged(engine, staging, live, [catalog])
    assert refused.value.problems == ["RuntimeError: database went away"]
    assert files(live) == before
    assert load_current_programs(engine) == (None, [])


def test_nothing_staged_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(RefreshRefused) as refused:
        publish_staged(engine, tmp_path / "staging", tmp_path / "live", [tmp_path])
    assert refused.value.problems == [f"nothing staged in {tmp_path / 'staging'}"]


def test_staged_problems_name_the_file_line_and_field(records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, staging = staged_run(records, tmp_path)
    assert staged_catalog_problems(staging) == []
    (staging / "jgrants-broken.yaml").write_text(BROKEN, encoding="utf-8")
    assert "jgrants-broken.yaml:1: summary: Field required" in staged_catalog_problems(staging)


def test_staged_names_are_read_from_the_staged_files(records, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, staging = staged_run(records, tmp_path)
    new = f"jgrants-{records[7]['id']}"
    (staging / "jgrants-broken.yaml").write_text(":\n  - [", encoding="utf-8")
    names = refresh.staged_names(staging, [new, "jgrants-broken", "jgrants-missing"])
    assert list(names) == [new] and names[new]

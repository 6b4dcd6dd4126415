"""Catalog storage on SQLite and PostgreSQL: versions, atomic publishing, round trip."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from programs import store
from programs.catalog import Catalog
from programs.store import load_current_programs, publish_catalog, version_history


def test_publish_then_read_back_the_same_programs(engine: Engine, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    subset = catalog_programs[:40]
    result = publish_catalog(engine, subset, Catalog(subset).content_hash, source="test")
    version, programs = load_current_programs(engine)
    assert version is not None and version.id == result.version_id
    assert sorted(p.id for p in programs) == sorted(p.id for p in subset)
    by_id = {p.id: p for p in programs}
    for original in subset:
        assert by_id[original.id] == original  # every field, the rule included, survives storage


def test_a_second_version_records_what_changed(engine: Engine, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    first, second = catalog_programs[:3], catalog_programs[1:4]
    publish_catalog(engine, first, "a")
    changed = second[0].model_copy(update={"summary": "要約を書き換えました。"})
    result = publish_catalog(engine, [changed, *second[1:]], "b")
    assert result.added == [second[2].id]
    assert result.removed == [first[0].id]
    assert result.changed == [changed.id]
    history = version_history(engine)
    assert [v.is_current for v in history] == [True, False]
    assert store.current_program_names(engine) == {p.id: p.name for p in [changed, *second[1:]]}


def test_a_publish_that_fails_halfway_keeps_the_previous_version(engine: Engine, catalog_programs,  # type: ignore[no-untyped-def]
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    publish_catalog(engine, catalog_programs[:5], "good")

    def broken_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk went away")

    monkeypatch.setattr(store, "_rows", broken_rows)
    with pytest.raises(RuntimeError):
        publish_catalog(engine, catalog_programs[:10], "bad")
    version, programs = load_current_programs(engine)
    assert version is not None and version.content_hash == "good"
    assert len(programs) == 5


def _stored_versions(engine: Engine) -> set[int]:
    with Session(engine) as session:
        return set(session.exec(select(store.ProgramRecord.version_id).distinct()).all())


def test_old_versions_lose_their_programs_but_keep_their_history(engine: Engine, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    publishes = store.KEEP_VERSIONS + 3
    for n in range(publishes):
        publish_catalog(engine, catalog_programs[n:n + 2], f"v{n}", source=f"run {n}")
    history = version_history(engine, limit=50)
    assert [v.content_hash for v in history] == [f"v{n}" for n in reversed(range(publishes))]
    assert [v.is_current for v in history] == [True] + [False] * (publishes - 1)
    assert _stored_versions(engine) == {v.id for v in history[:store.KEEP_VERSIONS]}
    first = json.loads(history[-1].summary)
    assert first["added"] == sorted(p.id for p in catalog_programs[0:2])
    third = json.loads(history[-3].summary)  # its programs are gone, what changed in it is not
    assert third == {"added": [catalog_programs[3].id], "removed": [catalog_programs[1].id], "changed": []}
    version, programs = load_current_programs(engine)
    assert version is not None and version.content_hash == f"v{publishes - 1}" and len(programs) == 2

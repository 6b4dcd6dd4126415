"""Migrations: from an empty database to head, and down and up again through every revision, on
SQLite and PostgreSQL; at head the schema is exactly what the models declare."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import web.models  # noqa: F401 - every table on the metadata
import web.ops.models  # noqa: F401 - until web/models.py imports it (the lead's wiring)
import web.partners.models  # noqa: F401 - until web/models.py imports the partner tables (the lead's wiring)
from tests.conftest import _pg_engine
from web.db import alembic_config, make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path, postgres_reason) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    yield from _pg_engine(postgres_reason)


def run(engine: Engine, action: str, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revisions_in_order() -> list[tuple[str, str]]:
    """(revision, the one before it or "base") from the first to head; one head, one line."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    chain = list(reversed(list(script.walk_revisions())))
    return [(r.revision, r.down_revision or "base") for r in chain]  # type: ignore[misc]


def test_every_revision_upgrades_downgrades_and_upgrades_again(empty_engine: Engine) -> None:
    for revision, before in revisions_in_order():
        run(empty_engine, "upgrade", revision)
        assert current(empty_engine) == revision
        tables_up = set(inspect(empty_engine).get_table_names())
        run(empty_engine, "downgrade", before)
        assert current(empty_engine) == (None if before == "base" else before)
        run(empty_engine, "upgrade", revision)
        assert set(inspect(empty_engine).get_table_names()) == tables_up
    run(empty_engine, "downgrade", "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    run(empty_engine, "upgrade", "head")


def test_at_head_the_schema_is_what_the_models_declare(empty_engine: Engine) -> None:
    run(empty_engine, "upgrade", "head")
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = [d for d in compare_metadata(context, SQLModel.metadata)
                       if not (isinstance(d, tuple) and d[0] in ("remove_index", "add_index"))]
    assert differences == []

"""Shared fixtures: databases (SQLite always; PostgreSQL when reachable, required in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from web.db import make_engine, migrate

PG_URL = os.environ.get("SHIEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_available() -> str | None:
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return _postgres_available()


def _pg_engine(reason: str | None) -> Iterator[Engine]:
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires PostgreSQL: {reason}")
        pytest.skip(reason)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    from sqlmodel import create_engine

    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_pre_ping=True)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _engine(kind: str, directory, reason: str | None) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    if kind == "sqlite":
        eng = make_engine(f"sqlite:///{directory / 'test.db'}")
        migrate(eng)
        yield eng
        eng.dispose()
        return
    for eng in _pg_engine(reason):
        migrate(eng)
        yield eng


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path, postgres_reason) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A migrated, empty database: SQLite in a temp dir, and PostgreSQL in a throw-away schema."""
    yield from _engine(request.param, tmp_path, postgres_reason)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_engine(request: pytest.FixtureRequest, tmp_path_factory, postgres_reason) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """The same, shared by the tests of one module (for read-only tests over a published catalog)."""
    yield from _engine(request.param, tmp_path_factory.mktemp("db"), postgres_reason)


@pytest.fixture(scope="session")
def catalog_programs():  # type: ignore[no-untyped-def]
    """The packaged catalog, loaded once."""
    from programs.loader import load_programs

    return load_programs()

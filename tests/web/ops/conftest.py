"""An app built the way the lead will wire it: create_app, then ops.install."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from tests.builders import program
from web import ops
from web.app import create_app
from web.settings import Settings

PROGRAMS = [program(id="ops_alpha", name="テスト補助金A"), program(id="ops_beta", name="テスト補助金B",
                                                              rule={"fact": "employees", "op": "le", "value": 20})]


def publish(engine: Engine, programs=PROGRAMS) -> int:  # type: ignore[no-untyped-def]
    catalog = Catalog(list(programs))
    return publish_catalog(engine, programs, catalog.content_hash, source="test").version_id


def ops_app(engine: Engine, tmp_path) -> FastAPI:  # type: ignore[no-untyped-def]
    app = create_app(Settings(environment="test", database_url="sqlite://", ranker_model=tmp_path / "none.skops"),
                     engine=engine)
    ops.install(app)
    return app


@pytest.fixture
def client(engine: Engine, tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    publish(engine)
    with TestClient(ops_app(engine, tmp_path), raise_server_exceptions=False) as test_client:
        yield test_client

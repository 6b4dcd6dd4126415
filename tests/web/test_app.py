"""reload_catalog: a running worker switches to the database's current catalog version (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web import app as web_app
from web.app import create_app, reload_catalog
from web.settings import Settings


def publish(engine: Engine, programs: list) -> int:  # type: ignore[type-arg]
    return publish_catalog(engine, programs, Catalog(programs).content_hash, source="test").version_id


def test_a_worker_serves_a_newly_published_version_after_reload(engine: Engine, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    first, later = catalog_programs[:20], catalog_programs[20:25]
    publish(engine, first)
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get(f"/api/v1/programs/{later[0].id}").status_code == 404
        assert reload_catalog(app) is False  # nothing new
        version = publish(engine, first + later)
        assert client.get(f"/api/v1/programs/{later[0].id}").status_code == 404  # not until the worker reloads
        assert reload_catalog(app) is True
        assert client.get(f"/api/v1/programs/{later[0].id}").json()["name"] == later[0].name
        assert client.get("/readyz").json()["catalog_version"].startswith(f"{version}:")
        assert reload_catalog(app) is False


def test_a_catalog_that_cannot_be_loaded_leaves_the_served_one(engine: Engine, catalog_programs,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    publish(engine, catalog_programs[:20])
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        publish(engine, catalog_programs[:25])

        def broken(engine: Engine) -> None:
            raise RuntimeError("a stored program no longer validates")

        monkeypatch.setattr(web_app, "load_catalog", broken)
        assert reload_catalog(app) is False
        assert client.get("/readyz").json()["programs"] == 20
        assert client.get(f"/api/v1/programs/{catalog_programs[0].id}").status_code == 200


def test_without_a_published_catalog_the_app_starts_and_is_not_ready(engine: Engine) -> None:
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert reload_catalog(app) is False
        assert client.get("/readyz").status_code == 503

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


def test_every_running_worker_switches_to_a_version_published_elsewhere(tmp_path, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    """Two uvicorn workers; `shien catalog load` (here: publish_catalog) in another process; no restart."""
    import time

    import httpx

    from tests.web.partners.server import api_server, prepared_database
    from web.db import make_engine

    first, later = catalog_programs[:20], catalog_programs[20:22]
    database = prepared_database(tmp_path, first)
    with api_server(database, tmp_path / "server.log", workers=2, env={"SHIEN_CATALOG_CHECK_SECONDS": "1", "SHIEN_PARTNERS_ANONYMOUS_PER_MINUTE": "100000"}) as url:
        with httpx.Client(base_url=url) as client:
            assert client.get(f"/api/v1/programs/{later[0].id}").status_code == 404
            engine = make_engine(database)
            version = publish(engine, first + later)
            engine.dispose()
            deadline, answers = time.monotonic() + 30, []
            while time.monotonic() < deadline:
                answers = [client.get(f"/api/v1/programs/{later[0].id}").status_code for _ in range(10)]
                if answers == [200] * 10:
                    break
                time.sleep(0.5)
            assert answers == [200] * 10  # both workers, without a restart
            assert all(client.get("/readyz").json()["catalog_version"].startswith(f"{version}:") for _ in range(6))

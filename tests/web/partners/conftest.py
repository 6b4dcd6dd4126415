"""The app as the lead will wire it: create_app, then web.partners.install, over a published catalog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.app import create_app
from web.partners import install
from web.partners.config import PartnerSettings
from web.settings import Settings

HERE = Path(__file__).resolve().parent
BANK_PROGRAMS = HERE / "bank_programs"
ADMIN_TOKEN = "test-admin-token"


def build_app(engine: Engine, **partner_settings: object) -> FastAPI:
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    settings = PartnerSettings(**{"admin_token": ADMIN_TOKEN, **partner_settings})  # type: ignore[arg-type]
    return install(app, settings)


@pytest.fixture()
def published(engine: Engine, catalog_programs) -> Engine:  # type: ignore[no-untyped-def]
    publish_catalog(engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    return engine


@pytest.fixture()
def client(published: Engine) -> Iterator[TestClient]:
    with TestClient(build_app(published), raise_server_exceptions=False) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

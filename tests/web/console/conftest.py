"""The console over a migrated database with the packaged catalog (SQLite, and PostgreSQL when present).

The app is built here (create_app, then ``install`` and the router) until the lead wires the console in.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.app import create_app
from web.console import install, router
from web.console.db import unit_of_work
from web.console.service import create_account
from web.settings import Settings

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_serial = itertools.count(1)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def console_app(engine: Engine):  # type: ignore[no-untyped-def]
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        install(app)
        app.include_router(router)
    return app


@pytest.fixture(scope="module")
def console_env(module_engine: Engine, catalog_programs):  # type: ignore[no-untyped-def]
    publish_catalog(module_engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    app = console_app(module_engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield app, module_engine, client


@pytest.fixture
def engine_of(console_env) -> Engine:  # type: ignore[no-untyped-def]
    return console_env[1]


@pytest.fixture
def browser_like(console_env) -> Iterator[Callable[[], TestClient]]:  # type: ignore[no-untyped-def]
    """Fresh clients (own cookies) on the same app."""
    made: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(console_env[0], raise_server_exceptions=False, follow_redirects=False)
        made.append(client)
        return client

    yield make


def make_account(engine: Engine, *, office: str = "宮城県", role: str = "advisor", name: str = "佐藤 花子",
                 password: str = PASSWORD) -> str:
    email = f"user{next(_serial)}-{role}@example.jp"
    with unit_of_work(engine) as db:
        create_account(db, email=email, name=name, password=password, role=role, office=office)
    return email


def login(client: TestClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/console/login")
    return client.post("/console/login", data={"csrf_token": csrf_of(page.text), "email": email,
                                                "password": password})


@pytest.fixture
def advisor(engine_of: Engine, browser_like) -> TestClient:  # type: ignore[no-untyped-def]
    """A signed-in advisor of 宮城県."""
    client = browser_like()
    response = login(client, make_account(engine_of))
    assert response.status_code == 303
    return client


def create_client(client: TestClient, name: str = "株式会社みやぎ精工", **fields: object) -> int:
    form = client.get("/console/clients/new")
    data = {"csrf_token": csrf_of(form.text), "name": name, "contact": "代表 山田",
            "prefecture": "宮城県", "industry": "E", "employees": "25", "capital_yen": "1000", **fields}
    response = client.post("/console/clients/new", data=data)
    assert response.status_code == 303, response.text[:2000]
    return int(response.headers["location"].rsplit("/", 1)[-1])

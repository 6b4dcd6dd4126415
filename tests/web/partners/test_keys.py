"""API keys: shown once, stored hashed, sent as Bearer; no key is anonymous, a bad or revoked key is a 401."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from tests.web.partners.conftest import ADMIN_TOKEN, bearer
from web.partners.keys import create_key, revoke_key
from web.partners.models import PartnerKey

PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 20, "capital_yen": 10_000_000}


def test_a_key_is_stored_as_its_sha256_digest_never_the_token(engine: Engine) -> None:
    row, token = create_key(engine, "demo-bank")
    assert token.startswith("smk_") and len(token) >= 40
    with Session(engine) as session:
        stored = session.exec(select(PartnerKey)).one()
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.digest, stored.prefix, stored.id}


def test_without_a_key_the_api_answers_on_the_anonymous_limit(client: TestClient) -> None:
    response = client.get("/api/v1/questions")
    assert response.status_code == 200
    assert int(response.headers["ratelimit-limit"]) == 120


def test_a_valid_key_is_accepted_and_a_bad_or_revoked_one_is_a_401_problem(client: TestClient, published: Engine) -> None:
    row, token = create_key(published, "demo-bank", per_minute=50)
    ok = client.post("/api/v1/recommendations", json={"profile": PROFILE, "limit": 3}, headers=bearer(token))
    assert ok.status_code == 200 and ok.headers["ratelimit-limit"] == "50"
    for headers in (bearer("smk_not-a-key"), bearer("nonsense"), {"Authorization": "Basic abc"}):
        bad = client.get("/api/v1/questions", headers=headers)
        assert bad.status_code == 401
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["errors"][0]["field"] == "Authorization"
    revoke_key(published, row.id)
    revoked = client.get("/api/v1/questions", headers=bearer(token))
    assert revoked.status_code == 401 and revoked.json()["detail_en"].startswith("The API key is not valid")


def test_the_admin_routes_create_list_and_revoke_keys_behind_the_admin_guard(client: TestClient) -> None:
    assert client.get("/admin/partners").status_code == 403
    admin = bearer(ADMIN_TOKEN)
    created = client.post("/admin/partners/keys", json={"partner": "sendai-cci", "origins": ["https://cci.example"]},
                          headers=admin)
    assert created.status_code == 201
    key_id, token = created.json()["id"], created.json()["token"]
    listed = client.get("/admin/partners", headers=admin).json()["keys"]
    assert [k["id"] for k in listed] == [key_id] and "token" not in listed[0]
    assert client.get("/api/v1/questions", headers=bearer(token)).status_code == 200
    assert client.post(f"/admin/partners/keys/{key_id}/revoke", headers=admin).json()["revoked"] is True
    assert client.get("/api/v1/questions", headers=bearer(token)).status_code == 401


def test_a_console_system_admin_session_may_use_the_admin_routes(client: TestClient, published: Engine) -> None:
    from tests.web.console.conftest import csrf_of, login, make_account

    login(client, make_account(published, role="office_admin"))
    assert client.get("/admin/partners").status_code == 403  # signed in, but not a system admin
    login(client, make_account(published, role="system_admin"))
    assert client.get("/admin/partners").json() == {"keys": []}
    body = {"partner": "sendai-cci", "origins": ["https://cci.example"]}
    assert client.post("/admin/partners/keys", json=body).status_code == 403  # a change needs the CSRF token
    csrf = csrf_of(client.get("/console").text)
    created = client.post("/admin/partners/keys", json=body, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201 and created.json()["token"].startswith("smk_")
    client.post("/console/logout", data={"csrf_token": csrf})
    assert client.get("/admin/partners").status_code == 403


def test_the_command_creates_lists_and_revokes_keys(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web.partners.cli import partners_cli
    from web.settings import get_settings

    monkeypatch.setenv("SHIEN_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    if engine.dialect.name != "sqlite":  # the command opens its own engine on the URL; the test schema is per engine
        return
    try:
        runner = CliRunner()
        created = runner.invoke(partners_cli, ["create-key", "--partner", "miyagi-pref", "--prefecture", "宮城県",
                                               "--origins", "https://pref.miyagi.example", "--per-minute", "30"])
        assert created.exit_code == 0, created.output
        token = created.output.strip().splitlines()[-1]
        assert token.startswith("smk_")
        listed = runner.invoke(partners_cli, ["list-keys"])
        assert "miyagi-pref" in listed.output and token not in listed.output
        key_id = listed.output.split()[0]
        assert runner.invoke(partners_cli, ["revoke-key", key_id]).exit_code == 0
        assert "revoked" in runner.invoke(partners_cli, ["list-keys"]).output
        bad = runner.invoke(partners_cli, ["create-key", "--partner", "x", "--prefecture", "Miyagi"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()


def test_a_key_revoked_elsewhere_stops_working_in_every_worker_within_seconds(tmp_path, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    """Two uvicorn workers have read the key; the admin revokes it from another process (the command)."""
    import time

    import httpx

    from tests.web.partners.server import api_server, prepared_database
    from web.db import make_engine
    from web.partners.keys import KEY_TTL

    database = prepared_database(tmp_path, catalog_programs[:20])
    engine = make_engine(database)
    row, token = create_key(engine, "demo-bank", per_minute=100_000)
    with api_server(database, tmp_path / "server.log", workers=2) as url, \
            httpx.Client(base_url=url, headers=bearer(token)) as client:
        assert [client.get("/api/v1/questions").status_code for _ in range(8)] == [200] * 8
        revoke_key(engine, row.id)
        revoked_at = time.monotonic()
        time.sleep(KEY_TTL + 0.5)
        assert [client.get("/api/v1/questions").status_code for _ in range(8)] == [401] * 8
        assert time.monotonic() - revoked_at < KEY_TTL + 5
    engine.dispose()

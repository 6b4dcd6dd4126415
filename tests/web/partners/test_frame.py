"""The widget in an iframe: its same-origin calls are accepted by the gate with the key, a foreign origin is
still refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.partners.conftest import bearer
from web.partners.keys import create_key, revoke_key

BANK = "https://bank.example"
PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 20}


def test_the_frames_own_calls_are_accepted_with_its_key_and_a_foreign_origin_is_refused(
        client: TestClient, published: Engine) -> None:
    _, token = create_key(published, "demo-bank", origins=[BANK])
    body = {"profile": PROFILE, "limit": 3}
    ours = client.post("/api/v1/recommendations", json=body, headers=bearer(token) | {"Origin": "http://testserver"})
    assert ours.status_code == 200 and ours.json()["results"]
    assert "access-control-allow-origin" not in ours.headers  # same origin: the browser needs no CORS
    for foreign in ("https://evil.example", "http://testserver:8080", "http://testserver.evil.example", "null"):
        refused = client.post("/api/v1/recommendations", json=body, headers=bearer(token) | {"Origin": foreign})
        assert refused.status_code == 403, foreign
        assert "access-control-allow-origin" not in refused.headers
    row, gone = create_key(published, "old-bank")
    revoke_key(published, row.id)
    assert client.post("/api/v1/recommendations", json=body,
                       headers=bearer(gone) | {"Origin": "http://testserver"}).status_code == 401

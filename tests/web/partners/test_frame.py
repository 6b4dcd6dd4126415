"""The widget in an iframe: framed only by the key's own sites, themed from checked values, and its same-origin
calls accepted by the gate with the key while a foreign origin is still refused."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.partners.conftest import bearer
from web.partners import frame
from web.partners.keys import create_key, revoke_key

BANK = "https://bank.example"
BANK_WWW = "https://www.bank.example:8443"
PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 20}


def _policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    directives = (d.strip().partition(" ") for d in response.headers["content-security-policy"].split(";"))
    return {name: value for name, _, value in directives}


def test_only_the_keys_own_sites_may_frame_the_widget_page(client: TestClient, published: Engine) -> None:
    _, token = create_key(published, "demo-bank", origins=[BANK, BANK_WWW])
    page = client.get("/widget/frame", params={"key": token})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert _policy(page)["frame-ancestors"] == f"{BANK} {BANK_WWW}"
    assert _policy(page)["script-src"] == "'self'"
    assert page.headers["referrer-policy"] == "no-referrer"  # the URL holds the key
    assert f'<script src="/widget.js" data-key="{token}"' in page.text and '<html lang="ja">' in page.text
    _, no_sites = create_key(published, "server-only")
    assert _policy(client.get("/widget/frame", params={"key": no_sites}))["frame-ancestors"] == "'none'"


def test_the_theme_is_checked_and_escaped(client: TestClient, published: Engine) -> None:
    _, token = create_key(published, "demo-bank", origins=[BANK])
    themed = client.get("/widget/frame", params={
        "key": token, "color": "#8A2BE2", "logo": "https://bank.example/logo.png?v=1&size=s",
        "title": "七十七の<b>支援策</b>\"診断\"", "limit": "8", "questions": "prefecture,employees"}).text
    assert 'data-color="#8A2BE2"' in themed and 'data-logo="https://bank.example/logo.png?v=1&amp;size=s"' in themed
    assert 'data-title="七十七の&lt;b&gt;支援策&lt;/b&gt;&#34;診断&#34;"' in themed
    assert "<title>七十七の&lt;b&gt;支援策&lt;/b&gt;&#34;診断&#34;｜支援策マッチ</title>" in themed
    assert 'data-limit="8"' in themed and 'data-questions="prefecture,employees"' in themed
    hostile = client.get("/widget/frame", params={
        "key": token, "color": "red;}</style><script>alert(1)</script>", "logo": "javascript:alert(1)",
        "title": '"><script>alert(1)</script>', "limit": "x", "questions": "a\"><script>"}).text
    assert "<script>alert(1)" not in hostile and "javascript:" not in hostile
    assert f'data-color="{frame.DEFAULT_COLOR}"' in hostile and "data-logo" not in hostile
    assert 'data-limit="5"' in hostile and "data-questions" not in hostile


@pytest.mark.parametrize(("value", "expected"), [
    ("#0b6e4f", "#0b6e4f"), ("#FFF", "#FFF"), ("#0b6e4f80", "#0b6e4f80"), ("#12345", frame.DEFAULT_COLOR),
    ("0b6e4f", frame.DEFAULT_COLOR), ("#0b6e4f;x:y", frame.DEFAULT_COLOR), (None, frame.DEFAULT_COLOR)])
def test_a_colour_is_a_hex_colour_or_the_default(value: str | None, expected: str) -> None:
    assert frame.theme_color(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("https://bank.example/logo.png", "https://bank.example/logo.png"), ("http://cci.example/l.svg", "http://cci.example/l.svg"),
    ("javascript:alert(1)", None), ("data:image/png;base64,AAAA", None), ("//bank.example/logo.png", None),
    ("/logo.png", None), ("https://bank.example/a b.png", None), ("https:///nohost.png", None), ("", None)])
def test_a_logo_is_an_http_url_or_none(value: str, expected: str | None) -> None:
    assert frame.logo_url(value) == expected


def test_an_unknown_or_revoked_key_gets_a_japanese_error_page_nobody_may_frame(client: TestClient,
                                                                               published: Engine) -> None:
    row, token = create_key(published, "demo-bank", origins=[BANK])
    revoke_key(published, row.id)
    for params in ({"key": token}, {"key": "smk_not-a-key"}, {}):
        refused = client.get("/widget/frame", params=params)
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
        assert _policy(refused)["frame-ancestors"] == "'none'"
        assert "この診断は表示できません" in refused.text and "キーが正しくないか、使えなくなっています" in refused.text
        assert "widget.js" not in refused.text


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


def test_the_demo_page_shows_the_script_and_the_iframe(client: TestClient, published: Engine) -> None:
    _, token = create_key(published, "demo-bank", origins=["http://testserver"])
    demo = client.get("/widget/demo", params={"key": token, "color": "#8a2be2"}).text
    assert 'src="http://testserver/widget.js"' in demo and f'data-key="{token}"' in demo
    frame_src = html.unescape(demo.split('<iframe id="shien-frame"', 1)[1].split('src="', 1)[1].split('"', 1)[0])
    assert frame_src.startswith("http://testserver/widget/frame?key=") and "color=%238a2be2" in frame_src
    assert client.get(frame_src).status_code == 200

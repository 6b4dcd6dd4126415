"""The partner API keys page (/console/partners): system admins only; a new token is shown once and works
against the API; revoking (after a confirmation) makes it a 401; bad input comes back as the form."""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from web.partners.keys import create_key
from web.partners.models import Partner, PartnerKey

from .conftest import csrf_of, login, make_account

PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 20, "capital_yen": 10_000_000}
TOKEN = re.compile(r'id="new-token"[^>]*value="(smk_[^"]+)"')
_names = itertools.count(1)


def partner_name() -> str:
    return f"みやぎ銀行{next(_names)}"


@pytest.fixture
def system_admin(engine_of: Engine, browser_like) -> TestClient:  # type: ignore[no-untyped-def]
    client = browser_like()
    assert login(client, make_account(engine_of, role="system_admin", office="東京都", name="管理 一郎")).status_code == 303
    return client


def key_form(client: TestClient, **fields: str) -> dict[str, str]:
    page = client.get("/console/partners")
    assert page.status_code == 200
    return {"csrf_token": csrf_of(page.text), "partner": partner_name(), "origins": "https://www.miyagi-bank.example",
            "per_minute": "30", "per_day": "1,000", "prefecture": "宮城県", **fields}


def create(client: TestClient, **fields: str) -> tuple[str, str]:
    """(key id, token) of a key made through the page."""
    made = client.post("/console/partners/keys", data=key_form(client, **fields))
    assert made.status_code == 200, made.text[:2000]
    token = TOKEN.search(made.text)
    assert token, "the new token is not on the page"
    key_id = re.search(r"のAPIキーを発行しました（(k_[0-9a-f]+)）", made.text)
    assert key_id
    return key_id.group(1), token.group(1)


def recommend(client: TestClient, token: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/recommendations", json={"profile": PROFILE, "limit": 3},
                       headers={"Authorization": f"Bearer {token}"})


def key_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(PartnerKey)).all())


def test_a_new_token_is_shown_once_and_works_against_the_api(system_admin: TestClient) -> None:
    made = system_admin.post("/console/partners/keys", data=key_form(system_admin, partner="仙台商工会議所"))
    assert made.status_code == 200
    assert "このトークンは、この画面で一度だけ表示します" in made.text
    token = TOKEN.search(made.text).group(1)  # type: ignore[union-attr]
    answer = recommend(system_admin, token)
    assert answer.status_code == 200 and answer.headers["ratelimit-limit"] == "30"
    again = system_admin.get("/console/partners")
    assert "仙台商工会議所" in again.text and token[:10] in again.text
    assert token not in again.text and "一度だけ表示します" not in again.text
    audit = system_admin.get("/console/audit")
    assert "APIキーの発行" in audit.text and "仙台商工会議所" in audit.text


def test_the_list_shows_each_keys_limits_origins_and_last_weeks_requests(system_admin: TestClient) -> None:
    name = partner_name()
    key_id, token = create(system_admin, partner=name, per_minute="2", per_day="5,000",
                           origins="https://Bank.example/\nhttps://widget.bank.example:8443")
    for _ in range(3):
        recommend(system_admin, token)  # the third is over 2 a minute: refused
    page = system_admin.get("/console/partners").text
    row = page[page.index(f"<td>{key_id}<br>"):]
    row = row[:row.index("</tr>")]
    assert "https://bank.example<br>https://widget.bank.example:8443" in row
    assert "<td>1分 2件<br>1日 5,000件</td>" in row
    assert re.search(r"<td>令和\d+年（20\d\d年）\d+月\d+日 \d\d:\d\d</td>", row)
    assert "有効<br>" in row and "<td>応答 2件<br>上限超過 1件</td>" in row
    assert "宮城県" in page[page.index(name):]


def test_revoking_asks_first_then_the_key_gets_401(system_admin: TestClient) -> None:
    key_id, token = create(system_admin)
    confirm = system_admin.get(f"/console/partners/keys/{key_id}/revoke")
    assert confirm.status_code == 200 and "失効させますか" in confirm.text and "元に戻すことはできません" in confirm.text
    tampered = system_admin.post(f"/console/partners/keys/{key_id}/revoke", data={"csrf_token": "forged"})
    assert tampered.status_code == 400 and "有効期限" in tampered.text
    assert recommend(system_admin, token).status_code == 200
    done = system_admin.post(f"/console/partners/keys/{key_id}/revoke", data={"csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 200 and f"APIキー {key_id} を失効させました" in done.text
    assert recommend(system_admin, token).status_code == 401
    assert "すでに失効しています" in system_admin.get(f"/console/partners/keys/{key_id}/revoke").text
    assert "APIキーの失効" in system_admin.get("/console/audit").text


@pytest.mark.parametrize("key_id", ["k_00000000", "k_%00", "x" * 300])
def test_an_unknown_key_is_not_found(system_admin: TestClient, key_id: str) -> None:
    assert system_admin.get(f"/console/partners/keys/{key_id}/revoke").status_code == 404
    token = csrf_of(system_admin.get("/console/partners").text)
    missing = system_admin.post(f"/console/partners/keys/{key_id}/revoke", data={"csrf_token": token})
    assert missing.status_code == 404 and "見つかりません" in missing.text


@pytest.mark.parametrize(("fields", "says"), [
    ({"origins": "https://ok.example\nbank.example\nhttps://bank.example/widget"},
     "「bank.example」「https://bank.example/widget」はオリジンとして使えません"),
    ({"origins": "javascript:alert(1)"}, "「javascript:alert(1)」はオリジンとして使えません"),
    ({"origins": "https://bank\x00.example\nhttps://bank .example"}, "はオリジンとして使えません"),
    ({"partner": ""}, "パートナー名を80文字以内で入力してください"),
    ({"partner": "銀行\x00"}, "使えない文字"),
    ({"per_minute": "0"}, "1分あたりの上限は1から1,000,000までの整数で入力してください"),
    ({"per_day": "たくさん"}, "1日あたりの上限は1から100,000,000までの整数で入力してください"),
    ({"prefecture": "大阪"}, "都道府県は一覧から選んでください"),
])
def test_bad_input_gives_the_form_back_with_a_message(system_admin: TestClient, engine_of: Engine,
                                                      fields: dict[str, str], says: str) -> None:
    before = key_count(engine_of)
    data = key_form(system_admin, **fields)
    answer = system_admin.post("/console/partners/keys", data=data)
    assert answer.status_code == 422 and says in answer.text
    assert not TOKEN.search(answer.text)
    if data["partner"].isprintable():
        assert f'value="{data["partner"]}"' in answer.text  # what was typed is kept
    assert key_count(engine_of) == before


def test_a_form_without_its_csrf_token_changes_nothing(system_admin: TestClient, engine_of: Engine) -> None:
    before = key_count(engine_of)
    data = key_form(system_admin)
    answer = system_admin.post("/console/partners/keys", data={**data, "csrf_token": "forged"})
    assert answer.status_code == 400 and "有効期限" in answer.text and not TOKEN.search(answer.text)
    assert key_count(engine_of) == before


def test_only_system_admins_see_or_use_the_page(engine_of: Engine, browser_like, system_admin: TestClient) -> None:  # type: ignore[no-untyped-def]
    row, token = create_key(engine_of, partner_name())
    assert "パートナーのAPIキー" in system_admin.get("/console").text
    anonymous = browser_like()
    assert anonymous.get("/console/partners").headers["location"] == "/console/login"
    for role in ("advisor", "office_admin"):
        client = browser_like()
        login(client, make_account(engine_of, role=role))
        home = client.get("/console")
        assert "パートナーのAPIキー" not in home.text and "/console/partners" not in home.text
        for path in ("/console/partners", f"/console/partners/keys/{row.id}/revoke"):
            denied = client.get(path)
            assert denied.status_code == 403 and "システム管理者だけ" in denied.text
        csrf = csrf_of(home.text)
        before = key_count(engine_of)
        made = client.post("/console/partners/keys", data={"csrf_token": csrf, "partner": "勝手な銀行",
                                                           "per_minute": "10", "per_day": "10"})
        revoked = client.post(f"/console/partners/keys/{row.id}/revoke", data={"csrf_token": csrf})
        assert made.status_code == 403 and revoked.status_code == 403
        assert key_count(engine_of) == before
        assert client.get("/admin/partners").status_code == 403
    assert recommend(system_admin, token).status_code == 200
    with Session(engine_of) as session:
        assert session.exec(select(Partner).where(Partner.name == "勝手な銀行")).first() is None

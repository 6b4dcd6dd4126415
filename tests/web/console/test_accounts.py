"""Signing in and out: argon2 hashes, CSRF, lockout after repeated failures, expiry, roles."""

from __future__ import annotations

import time

from sqlmodel import Session, select

from web.console import auth
from web.console.models import ConsoleAccount

from .conftest import PASSWORD, csrf_of, login, make_account


def test_passwords_are_stored_as_argon2_hashes(engine_of):
    email = make_account(engine_of)
    with Session(engine_of) as db:
        account = db.exec(select(ConsoleAccount).where(ConsoleAccount.email == email)).one()
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_console_pages_need_a_login(browser_like):
    client = browser_like()
    for path in ("/console", "/console/clients/new", "/console/reports", "/console/clients/1"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_sign_in_then_out(engine_of, browser_like):
    client = browser_like()
    response = login(client, make_account(engine_of, name="高橋 一郎"))
    assert response.status_code == 303
    home = client.get("/console")
    assert home.status_code == 200 and "高橋 一郎" in home.text and "ログアウト" in home.text
    out = client.post("/console/logout", data={"csrf_token": csrf_of(home.text)})
    assert out.status_code == 303
    assert client.get("/console").status_code == 303


def test_wrong_password_says_so_without_saying_which(engine_of, browser_like):
    client = browser_like()
    email = make_account(engine_of)
    wrong = login(client, email, "not the password")
    unknown = login(client, "nobody@example.jp", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "メールアドレスかパスワードが違います" in response.text


def test_login_without_csrf_token_is_refused(engine_of, browser_like):
    client = browser_like()
    email = make_account(engine_of)
    client.get("/console/login")
    response = client.post("/console/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400 and "有効期限" in response.text
    assert client.get("/console").status_code == 303


def test_five_failures_lock_the_account_even_for_the_right_password(engine_of, browser_like):
    client = browser_like()
    email = make_account(engine_of)
    for _ in range(auth.MAX_FAILURES):
        assert login(client, email, "guessing-wrong").status_code == 401
    locked = login(client, email, PASSWORD)
    assert locked.status_code == 429 and "15分間" in locked.text
    assert client.get("/console").status_code == 303


def test_idle_session_expires(engine_of, browser_like, monkeypatch):
    client = browser_like()
    login(client, make_account(engine_of))
    assert client.get("/console").status_code == 200
    later = time.time() + auth.IDLE + 5
    monkeypatch.setattr(auth.time, "time", lambda: later)
    assert client.get("/console").status_code == 303


def test_an_advisor_cannot_open_admin_pages(advisor):
    for path in ("/console/audit", "/console/accounts"):
        response = advisor.get(path)
        assert response.status_code == 403 and "拠点管理者だけ" in response.text


def test_office_admin_adds_an_advisor_to_their_office_only(engine_of, browser_like):
    admin = browser_like()
    login(admin, make_account(engine_of, role="office_admin", office="宮城県"))
    page = admin.get("/console/accounts")
    assert page.status_code == 200
    token = csrf_of(page.text)
    added = admin.post("/console/accounts", data={"csrf_token": token, "name": "新人 太郎", "email": "new1@example.jp",
                                                  "role": "advisor", "office": "宮城県", "password": "long enough pw"})
    assert added.status_code == 200 and "新人 太郎さんのアカウントを作りました" in added.text
    elsewhere = admin.post("/console/accounts", data={"csrf_token": token, "name": "他県 次郎", "email": "x@example.jp",
                                                      "role": "advisor", "office": "東京都", "password": "long enough pw"})
    assert elsewhere.status_code == 403 and "ほかの拠点" in elsewhere.text
    short = admin.post("/console/accounts", data={"csrf_token": token, "name": "短い", "email": "s@example.jp",
                                                  "role": "advisor", "office": "宮城県", "password": "short"})
    assert short.status_code == 422 and "10文字以上" in short.text

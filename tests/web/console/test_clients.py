"""Clients as an advisor notices them: every fact shown, unknowns marked, bad input back in the form,
an owner's case imported by its link, and nothing of another 拠点 visible or changeable."""

from __future__ import annotations

from sqlmodel import Session, select

from web.console.models import AuditEntry, Client
from web.site import cases

from .conftest import create_client, csrf_of, login, make_account


def test_create_then_find_the_client(advisor):
    client_id = create_client(advisor, name="株式会社検索テスト工業")
    page = advisor.get(f"/console/clients/{client_id}")
    assert page.status_code == 200
    assert "株式会社検索テスト工業" in page.text and "対象" in page.text
    assert "25人" in page.text and "1,000万円" in page.text
    found = advisor.get("/console", params={"q": "検索テスト"})
    assert f"/console/clients/{client_id}" in found.text
    assert "株式会社検索テスト工業" not in advisor.get("/console", params={"q": "存在しない名前"}).text


def test_profile_form_shows_every_fact_and_which_unknowns_matter_now(advisor):
    client_id = create_client(advisor, name="有限会社未確認")
    form = advisor.get(f"/console/clients/{client_id}/edit")
    for label in ("都道府県", "業種コード", "資本金", "従業員数", "設立日", "賃上げ率", "投資予定額", "取得済みの認定",
                  "大企業の出資比率", "経営課題"):
        assert label in form.text
    assert "未確認" in form.text
    assert "いま確認すると" in form.text and "件が決まります" in form.text
    page = advisor.get(f"/console/clients/{client_id}")
    assert "いま確認すると判定が進む項目" in page.text


def test_bad_numbers_come_back_in_the_form_with_a_message(advisor):
    form = advisor.get("/console/clients/new")
    response = advisor.post("/console/clients/new", data={
        "csrf_token": csrf_of(form.text), "name": "株式会社入力ミス", "employees": "二十五", "capital_yen": "-5",
        "founded_on": "2020-13-45", "industry": "ZZ"})
    assert response.status_code == 422
    assert "従業員数は整数で入力してください" in response.text
    assert "設立日は 2025-04-01 のような日付" in response.text
    assert 'value="二十五"' in response.text  # what was typed stays in the field
    assert "株式会社入力ミス" in response.text


def test_out_of_range_values_get_the_engines_message(advisor):
    form = advisor.get("/console/clients/new")
    response = advisor.post("/console/clients/new", data={
        "csrf_token": csrf_of(form.text), "name": "株式会社範囲外", "capital_yen": "-5", "industry": "ZZ"})
    assert response.status_code == 422
    assert "資本金は0以上" in response.text or "業種コード" in response.text


def test_edit_keeps_unknown_as_unknown_and_saves_changes(advisor):
    client_id = create_client(advisor, name="株式会社編集前")
    form = advisor.get(f"/console/clients/{client_id}/edit")
    response = advisor.post(f"/console/clients/{client_id}/edit", data={
        "csrf_token": csrf_of(form.text), "name": "株式会社編集後", "prefecture": "宮城県", "employees": "40",
        "certifications": ["keieiryoku_kojo"], "purposes": ["__none__"]})
    assert response.status_code == 303
    page = advisor.get(f"/console/clients/{client_id}")
    assert "株式会社編集後" in page.text and "40人" in page.text and "経営力向上計画の認定" in page.text
    assert "該当なし" in page.text  # purposes: known to be none


def test_form_without_csrf_token_changes_nothing(advisor, engine_of):
    client_id = create_client(advisor, name="株式会社CSRF")
    response = advisor.post(f"/console/clients/{client_id}/edit", data={"name": "乗っ取り"})
    assert response.status_code == 422 and "有効期限" in response.text
    with Session(engine_of) as db:
        assert db.get(Client, client_id).name == "株式会社CSRF"


def test_names_are_escaped(advisor):
    client_id = create_client(advisor, name="<script>alert(1)</script>商店")
    page = advisor.get(f"/console/clients/{client_id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


def test_import_an_owners_case_by_its_link(advisor, engine_of):
    case = cases.open_case(engine_of)
    cases.save_answers(engine_of, case.token, {"prefecture": "宮城県", "industry": "E", "employees": 12,
                                               "capital_yen": None})
    form = advisor.get("/console/clients/import")
    response = advisor.post("/console/clients/import", data={
        "csrf_token": csrf_of(form.text), "link": f"http://127.0.0.1:8000/c/{case.token}", "name": "合同会社取込"})
    assert response.status_code == 303
    page = advisor.get(response.headers["location"])
    assert "合同会社取込" in page.text and "公開サイトの回答から取り込み" in page.text and "12人" in page.text
    bad = advisor.post("/console/clients/import", data={
        "csrf_token": csrf_of(form.text), "link": "http://127.0.0.1:8000/c/not-a-real-token-at-all", "name": "X"})
    assert bad.status_code == 422 and "見つかりませんでした" in bad.text


def test_another_office_cannot_read_or_change_a_client(advisor, engine_of, browser_like):
    client_id = create_client(advisor, name="株式会社宮城だけの秘密")
    tokyo = browser_like()
    login(tokyo, make_account(engine_of, office="東京都", name="東京 の人"))
    listing = tokyo.get("/console", params={"q": "宮城だけの秘密"})
    assert f"/console/clients/{client_id}" not in listing.text and "当てはまる相談先はありません" in listing.text
    token = csrf_of(listing.text)
    attempts = [
        tokyo.get(f"/console/clients/{client_id}"),
        tokyo.get(f"/console/clients/{client_id}/edit"),
        tokyo.get(f"/console/clients/{client_id}/whatif", params={"employees": "10"}),
        tokyo.post(f"/console/clients/{client_id}/edit", data={"csrf_token": token, "name": "書き換え"}),
        tokyo.post(f"/console/clients/{client_id}/outcomes",
                   data={"csrf_token": token, "program_id": "x", "outcome": "applied"}),
        tokyo.post(f"/console/clients/{client_id}/consultations/new", data={"csrf_token": token, "held_on": "2026-01-05"}),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert "宮城だけの秘密" not in response.text
    missing = tokyo.get("/console/clients/99999999")
    assert missing.status_code == 404 and missing.text == attempts[0].text  # same page: existence does not leak
    with Session(engine_of) as db:
        assert db.get(Client, client_id).name == "株式会社宮城だけの秘密"


def test_views_and_changes_are_in_the_audit_log(advisor, engine_of, browser_like):
    client_id = create_client(advisor, name="株式会社監査対象")
    advisor.get(f"/console/clients/{client_id}")
    with Session(engine_of) as db:
        actions = [e.action for e in db.exec(select(AuditEntry).where(AuditEntry.client_id == client_id)).all()]
    assert actions[:2] == ["create", "view"]
    admin = browser_like()
    login(admin, make_account(engine_of, role="office_admin", name="拠点 管理"))
    log = admin.get("/console/audit")
    assert log.status_code == 200 and "株式会社監査対象" in log.text and "閲覧" in log.text and "登録" in log.text
    tokyo_admin = browser_like()
    login(tokyo_admin, make_account(engine_of, role="office_admin", office="東京都"))
    assert "株式会社監査対象" not in tokyo_admin.get("/console/audit").text

"""During the hour: what-if beside the results, consultations with history, outcomes that become feedback
events, compare, the handout (HTML and PDF), and the 拠点's report with its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from sqlmodel import Session, select

from matcher.feedback import FeedbackEvent, judgements_from_events, load_events
from web.console.models import Outcome

from .conftest import create_client, csrf_of

PROGRAM = re.compile(r'name="program_id" value="([^"]+)"')


def programs_on(page_text: str) -> list[str]:
    return list(dict.fromkeys(PROGRAM.findall(page_text)))


def test_what_if_shows_programs_that_move_and_the_new_estimate(advisor):
    client_id = create_client(advisor, name="株式会社試算")
    response = advisor.get(f"/console/clients/{client_id}/whatif", params={
        "employees": "400", "capital_yen": "50000", "planned_investment_yen": "3000",
        "planned_wage_increase_pct": "3", "certifications": ["keieiryoku_kojo"]})
    assert response.status_code == 200
    assert "試算の結果" in response.text and "従業員数を400人に" in response.text
    assert "判定が変わる制度" in response.text and "→" in response.text
    assert "支援額の目安" in response.text


def test_what_if_with_bad_input_says_what_is_wrong(advisor):
    client_id = create_client(advisor, name="株式会社試算ミス")
    response = advisor.get(f"/console/clients/{client_id}/whatif", params={"employees": "たくさん",
                                                                           "as_of": "2026-02-30"})
    assert response.status_code == 422
    assert "従業員数は整数で入力してください" in response.text and "基準日は" in response.text
    assert "試算の結果" not in response.text


def test_what_if_as_of_date(advisor):
    client_id = create_client(advisor, name="株式会社基準日")
    response = advisor.get(f"/console/clients/{client_id}/whatif", params={"as_of": "2027-04-01"})
    assert response.status_code == 200 and "令和9年（2027年）4月1日" in response.text


def test_outcome_becomes_an_advisor_feedback_event(advisor, engine_of):
    client_id = create_client(advisor, name="株式会社結果記録")
    page = advisor.get(f"/console/clients/{client_id}")
    program_id = programs_on(page.text)[0]
    before = len(load_events(engine_of))
    response = advisor.post(f"/console/clients/{client_id}/outcomes", data={
        "csrf_token": csrf_of(page.text), "program_id": program_id, "outcome": "adopted"})
    assert response.status_code == 303
    shown = advisor.get(f"/console/clients/{client_id}")
    assert "採択された" in shown.text
    events = load_events(engine_of)
    assert len(events) == before + 1
    event = events[-1]
    assert (event.program_id, event.event, event.source) == (program_id, "adopted", "advisor")
    assert '"employees": 25' in (event.profile or "")
    judged = [j for j in judgements_from_events([event])]
    assert judged and judged[0].grade == 3
    with Session(engine_of) as db:
        row = db.exec(select(Outcome).where(Outcome.client_id == client_id)).one()
        assert db.get(FeedbackEvent, row.feedback_event_id).program_id == program_id


def test_bad_outcome_changes_nothing(advisor, engine_of):
    client_id = create_client(advisor, name="株式会社不正結果")
    page = advisor.get(f"/console/clients/{client_id}")
    before = len(load_events(engine_of))
    bad = advisor.post(f"/console/clients/{client_id}/outcomes", data={
        "csrf_token": csrf_of(page.text), "program_id": programs_on(page.text)[0], "outcome": "won-the-lottery"})
    unknown = advisor.post(f"/console/clients/{client_id}/outcomes", data={
        "csrf_token": csrf_of(page.text), "program_id": "no-such-program", "outcome": "applied"})
    assert bad.status_code == 422 and "結果（申請した" in bad.text
    assert unknown.status_code == 422 and "制度が見つかりません" in unknown.text
    assert len(load_events(engine_of)) == before


def _consult(advisor, client_id: int, held_on: str = "2026-05-12", **extra: object):  # type: ignore[no-untyped-def]
    form = advisor.get(f"/console/clients/{client_id}/consultations/new")
    programs = re.findall(r'name="programs" value="([^"]+)"', form.text)
    data = {"csrf_token": csrf_of(form.text), "held_on": held_on, "themes": ["設備投資", "賃上げ"],
            "notes": "FAXでの受注を減らしたい。", "programs": programs[:3], "agreed": programs[:2],
            "next_steps": "見積もりを2社から取る。", **extra}
    return advisor.post(f"/console/clients/{client_id}/consultations/new", data=data), programs


def test_consultation_is_kept_in_the_clients_history_and_makes_a_handout(advisor):
    client_id = create_client(advisor, name="株式会社相談記録", planned_investment_yen="2000")
    response, programs = _consult(advisor, client_id)
    assert response.status_code == 303
    page = advisor.get(f"/console/clients/{client_id}")
    assert "令和8年（2026年）5月12日" in page.text and "FAXでの受注を減らしたい。" in page.text
    assert "見積もりを2社から取る。" in page.text and "設備投資、賃上げ" in page.text
    consultation_id = re.search(r"/console/consultations/(\d+)/handout", page.text).group(1)
    handout = advisor.get(f"/console/consultations/{consultation_id}/handout")
    assert handout.status_code == 200
    assert "ご相談のまとめ" in handout.text and "株式会社相談記録 様" in handout.text
    assert "進めることにした制度" in handout.text and "締切" in handout.text and "申し込み方" in handout.text
    assert "宮城県よろず支援拠点" in handout.text and "見積もりを2社から取る。" in handout.text
    assert "@page" in advisor.get("/static/console.css").text  # A4 print rules
    pdf = advisor.get(f"/console/consultations/{consultation_id}/handout.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"HeiseiKakuGo-W5" in pdf.content


def test_consultation_with_a_bad_date_comes_back(advisor):
    client_id = create_client(advisor, name="株式会社日付ミス")
    response, _ = _consult(advisor, client_id, held_on="5月12日")
    assert response.status_code == 422 and "相談日は 2025-04-01 のような日付" in response.text
    assert "FAXでの受注を減らしたい。" in response.text  # the notes typed are not lost


def test_compare_two_to_four_programs(advisor):
    client_id = create_client(advisor, name="株式会社比較")
    ids = programs_on(advisor.get(f"/console/clients/{client_id}").text)[:3]
    page = advisor.get(f"/console/clients/{client_id}/compare", params={"p": ids})
    assert page.status_code == 200
    for row in ("条件", "金額", "締切", "手間", "組み合わせ"):
        assert f'<th scope="row">{row}</th>' in page.text
    one = advisor.get(f"/console/clients/{client_id}/compare", params={"p": ids[:1]})
    assert one.status_code == 422 and "2〜4件選んでください" in one.text


def test_report_counts_consultations_themes_and_outcomes_with_csv(advisor):
    client_id = create_client(advisor, name="株式会社集計")
    _consult(advisor, client_id, held_on="2025-03-03")
    _consult(advisor, client_id, held_on="2025-03-20")
    report = advisor.get("/console/reports", params={"year": "2025"})
    assert report.status_code == 200
    assert "2025-03" in report.text and "設備投資" in report.text
    exported = advisor.get("/console/reports.csv", params={"year": "2025"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["区分", "項目", "件数"]
    assert ["月別相談件数", "2025-03", "2"] in rows
    assert any(r[0] == "相談テーマ" and r[1] == "設備投資" and int(r[2]) >= 2 for r in rows)
    assert any(r[0] == "制度" for r in rows)
    assert dt.date.today().year  # the default year is this year

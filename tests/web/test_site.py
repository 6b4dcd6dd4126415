"""The owner's site, as an owner would notice it: questions one at a time, 分からない that costs nothing,
results grouped with reasons, answers in place, a link to come back, search, program pages, print."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.app import create_app
from web.ops import alert_routes
from web.settings import Settings
from web.site import cases, questionnaire
from web.site import routes as site_routes
from web.site.questionnaire import START

from .site_helpers import answer, asked_field, case_token, csrf_of, start_case

KB = 1024


@pytest.fixture(scope="module")
def app_and_engine(module_engine: Engine, catalog_programs):  # type: ignore[no-untyped-def]
    publish_catalog(module_engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=module_engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield app, module_engine, client


@pytest.fixture
def owner(app_and_engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A browser with no cookies yet."""
    client = app_and_engine[2]
    client.cookies.clear()
    yield client
    client.cookies.clear()


@pytest.fixture
def engine_of(app_and_engine) -> Engine:  # type: ignore[no-untyped-def]
    return app_and_engine[1]


def stored_answers(owner: TestClient, engine: Engine) -> dict:
    case = cases.find_case(engine, case_token(owner))
    assert case is not None
    return case.answers


def small_maker(owner: TestClient, **overrides: object) -> None:
    """A small manufacturer in 宮城県 answers the first questions."""
    start_case(owner)
    answers: dict[str, dict] = {
        "prefecture": {"value": "宮城県"}, "industry": {"value": "E"}, "employees": {"value": "25"},
        "capital_yen": {"value": "1000"}, "purposes": {"value": ["equipment"]}, "challenges": {"unknown": True},
    }
    answers.update(overrides)  # type: ignore[arg-type]
    for field, data in answers.items():
        assert answer(owner, field, **data).status_code == 303, field


# --- pages and markup ------------------------------------------------------------------------------


def test_home_page_says_what_it_is_and_offers_start_and_search(owner: TestClient) -> None:
    page = owner.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<html lang="ja">' in html and 'href="#main"' in html
    assert re.search(r'<form method="post" action="/start".*?はじめる</button>', html, re.S)
    assert 'action="/programs"' in html and 'name="csrf_token"' in html


def test_starting_opens_a_case_and_asks_the_prefecture_first(owner: TestClient, engine_of: Engine) -> None:
    response = start_case(owner)
    assert response.status_code == 303 and response.headers["location"] == "/q"
    page = owner.get("/q")
    assert "<legend><h1>本社はどの都道府県にありますか？</h1></legend>" in page.text
    assert re.search(r'<button type="submit" class="primary">次へ</button>', page.text)
    assert re.search(r'<button type="submit" name="unknown" value="1">分からない</button>', page.text)
    assert '<a href="/results">結果を見る</a>' in page.text
    assert re.search(r'<label for="q-prefecture">', page.text)


def test_the_first_questions_come_in_order_and_answers_are_kept_on_the_server(owner: TestClient,
                                                                              engine_of: Engine) -> None:
    start_case(owner)
    seen = []
    for field, data in [("prefecture", {"value": "宮城県"}), ("industry", {"value": "E0971"}),
                        ("employees", {"value": "１２"}), ("capital_yen", {"value": "1,000"})]:
        page = owner.get("/q")
        seen.append(asked_field(page))
        response = owner.post("/q", data={"csrf_token": csrf_of(page.text), "field": field, **data})
        assert response.status_code == 303
    assert seen == list(START[:4])
    assert stored_answers(owner, engine_of) == {"prefecture": "宮城県", "industry": "E0971", "employees": 12,
                                                 "capital_yen": 10_000_000}


def test_wakaranai_keeps_the_field_unknown_and_is_not_held_against_the_owner(owner: TestClient,
                                                                            engine_of: Engine) -> None:
    small_maker(owner, employees={"unknown": True}, capital_yen={"unknown": True})
    answers = stored_answers(owner, engine_of)
    assert answers["employees"] is None and answers["capital_yen"] is None
    assert questionnaire.profile_of(answers).employees is None
    results = owner.get("/results").text
    assert re.search(r"常時働いている従業員は何人ですか？</dt><dd>分からない", results)
    # a program for small businesses is left to check (?), never ruled out (✗) for the unknown headcount
    program = owner.get("/programs/jizokuka_hojokin").text
    assert 'aria-label="確認が必要"' in program
    assert not re.search(r'aria-label="条件を満たさない">✗</span> [^<]*従業員', program)


def test_the_industry_is_found_from_everyday_words_and_asked_when_unclear(owner: TestClient,
                                                                          engine_of: Engine) -> None:
    start_case(owner)
    answer(owner, "prefecture", value="宮城県")
    page = answer(owner, "industry", industry_q="パン屋")
    assert page.status_code == 200
    assert 'value="I5863"' in page.text and 'value="E0971"' in page.text
    assert "店でパンを焼いて、その店で売っている" in page.text and "いちばん近いもの" in page.text
    assert answer(owner, "industry", value="E0971").status_code == 303
    assert stored_answers(owner, engine_of)["industry"] == "E0971"
    answer(owner, "industry", industry_q="税理士")  # one clear meaning: taken as it is
    assert stored_answers(owner, engine_of)["industry"] == "L7242"


def test_industry_suggestions_come_as_a_fragment_for_the_search_as_you_type(owner: TestClient) -> None:
    fragment = owner.get("/industries", params={"q": "パン"}).text
    assert "<html" not in fragment
    assert 'value="I5863"' in fragment and 'value="E0971"' in fragment
    assert "見つかりませんでした" in owner.get("/industries", params={"q": "ｚｚｚ"}).text


def test_after_the_first_questions_it_asks_what_decides_the_most_programs(app_and_engine, owner: TestClient,
                                                                          engine_of: Engine) -> None:
    app = app_and_engine[0]
    small_maker(owner, employees={"unknown": True})
    answers = stored_answers(owner, engine_of)
    result = app.state.matcher.recommend(questionnaire.profile_of(answers), limit=20)
    best = questionnaire.open_fields(result, answers)[0]
    assert asked_field(owner.get("/q")) == best
    ranked = {q.field: q.decides for q in result.next_questions}
    assert all(ranked[best] >= ranked[f] for f in questionnaire.open_fields(result, answers))


def test_it_stops_asking_and_shows_results_when_nothing_more_would_change_the_top(owner: TestClient,
                                                                                 engine_of: Engine) -> None:
    small_maker(owner)
    asked = 0
    while True:
        page = owner.get("/q")
        if page.status_code == 303 or "/results" in str(page.url):
            break
        asked += 1
        assert asked <= questionnaire.MAX_QUESTIONS
        owner.post("/q", data={"csrf_token": csrf_of(page.text), "field": asked_field(page), "unknown": "1"})
    assert len(stored_answers(owner, engine_of)) <= questionnaire.MAX_QUESTIONS
    assert owner.get("/q", follow_redirects=False).headers["location"] == "/results"


# --- results ---------------------------------------------------------------------------------------


def sections(html: str) -> dict[str, str]:
    parts = re.split(r'<h2 id="[a-z]+-h">', html)
    return {part.split("</h2>", 1)[0]: part for part in parts[1:]}


def test_results_are_grouped_with_reasons_amounts_deadlines_and_the_local_desk(owner: TestClient) -> None:
    small_maker(owner)
    page = owner.get("/results")
    assert page.status_code == 200
    parts = sections(page.text)
    for heading in ("対象になりそうな制度", "確認が必要な制度", "あと一歩の制度", "まずやること", "相談窓口"):
        assert heading in parts, heading
    eligible = parts["対象になりそうな制度"]
    assert 'href="/programs/monozukuri_hojokin"' in eligible
    assert '<span class="mark ok" role="img" aria-label="条件を満たす">✓</span>' in eligible
    assert re.search(r"令和\d+年（20\d\d年）|締切は公表資料に書かれていません", eligible)
    assert "申し込み方" in eligible and "出典：" in eligible
    assert 'aria-label="確認が必要">?</span>' in parts["確認が必要な制度"]
    assert "こうすれば使えるかもしれません" in parts["あと一歩の制度"]
    assert "宮城県よろず支援拠点" in parts["相談窓口"]
    assert re.search(r'href="/results/print">印刷用ページ</a>', page.text)
    assert re.search(r"/c/[A-Za-z0-9_\-]{20,}", page.text)


def test_a_jgrants_call_shows_its_attribution(owner: TestClient) -> None:
    page = owner.get("/programs", params={"q": "Jグランツ"}).text + owner.get("/programs/jgrants-a0W2x000003QZLqEAO").text
    assert "出典：Jグランツ（jGrants）" in page


def test_a_yokakunin_question_is_answered_in_place_and_brings_the_owner_back_to_the_card(
        owner: TestClient, engine_of: Engine) -> None:
    small_maker(owner, employees={"unknown": True}, capital_yen={"unknown": True})
    page = owner.get("/results").text
    parts = sections(page)
    form = re.search(r'<form method="post" action="/results/answer".*?</form>', parts["確認が必要な制度"], re.S)
    assert form and "<legend>" in form.group(0)
    program = re.search(r'name="program" value="([^"]+)"', form.group(0)).group(1)
    field = re.search(r'name="field" value="([^"]+)"', form.group(0)).group(1)
    response = owner.post("/results/answer", data={"csrf_token": csrf_of(page), "program": program, "field": field,
                                                   "unknown": "1"})
    assert response.status_code == 303 and response.headers["location"] == f"/results#{program}"
    assert field in stored_answers(owner, engine_of)
    bad = owner.post("/results/answer", data={"csrf_token": csrf_of(page), "program": program,
                                              "field": "employees", "value": "たくさん"})
    assert bad.status_code == 422 and "数字で入力してください" in bad.text and 'id="results"' not in bad.text[:0]


def test_the_resume_link_opens_the_case_on_another_device(app_and_engine, owner: TestClient) -> None:
    small_maker(owner)
    token = case_token(owner)
    owner.cookies.clear()  # another phone, or the advisor's PC
    response = owner.get(f"/c/{token}")
    assert response.status_code == 303 and response.headers["location"] == "/results"
    assert "宮城県よろず支援拠点" in owner.get("/results").text
    fresh = start_case(owner)
    assert fresh.status_code == 303
    empty = case_token(owner)
    owner.cookies.clear()
    assert owner.get(f"/c/{empty}").headers["location"] == "/q"


@pytest.mark.parametrize("token", ["nope", "x" * 30, "a.b-c", "%3Cscript%3E" + "a" * 30])
def test_a_bad_case_link_gets_the_start_page_with_a_message(owner: TestClient, token: str) -> None:
    response = owner.get(f"/c/{token}")
    assert response.status_code == 404
    assert "このリンクの回答は見つかりませんでした" in response.text and "はじめる" in response.text


def test_the_print_view_is_an_a4_handout_without_navigation(owner: TestClient) -> None:
    small_maker(owner)
    page = owner.get("/results/print")
    assert page.status_code == 200
    assert "<nav" not in page.text and 'class="print"' in page.text
    assert "対象になりそうな制度" in page.text and "宮城県よろず支援拠点" in page.text
    css = owner.get("/static/site.css").text
    assert "@page{size:A4" in css


# --- browsing --------------------------------------------------------------------------------------


def test_search_finds_programs_by_plain_words(owner: TestClient) -> None:
    page = owner.get("/programs", params={"q": "省エネ"})
    assert page.status_code == 200
    assert re.search(r"\d+件見つかりました", page.text)
    assert re.search(r'<a href="/programs/[^"]+">[^<]*省エネ', page.text)
    filtered = owner.get("/programs", params={"q": "よろず支援拠点", "kind": "consultation",
                                               "prefecture": "宮城県"}).text
    assert "宮城県よろず支援拠点" in filtered and "愛知県よろず支援拠点" not in filtered


def test_search_with_tampered_filters_says_so_instead_of_failing(owner: TestClient) -> None:
    page = owner.get("/programs", params={"kind": "<x>", "prefecture": "Tokyo", "page": "9" * 50})
    assert page.status_code == 422
    assert "選べない条件が指定されていた" in page.text and "<x>" not in page.text


def test_a_program_page_explains_the_program_and_with_a_case_judges_it(owner: TestClient) -> None:
    page = owner.get("/programs/monozukuri_hojokin")
    assert page.status_code == 200
    assert "ものづくり補助金" in page.text and "出典" in page.text and "締切" in page.text and "申し込み方" in page.text
    small_maker(owner)
    judged = owner.get("/programs/monozukuri_hojokin").text
    assert "あなたの回答で判定しました" in judged and 'aria-label="条件を満たす"' in judged
    missing = owner.get("/programs/no-such-program")
    assert missing.status_code == 404 and "見つかりません" in missing.text and "<html" in missing.text


# --- bad input -------------------------------------------------------------------------------------


def test_a_post_without_a_valid_csrf_token_gets_the_form_back(owner: TestClient, engine_of: Engine) -> None:
    start = owner.post("/start", data={"csrf_token": "forged"})
    assert start.status_code == 400 and "はじめる" in start.text and "有効期限" in start.text
    start_case(owner)
    response = owner.post("/q", data={"csrf_token": "forged", "field": "prefecture", "value": "宮城県"})
    assert response.status_code == 400
    assert "有効期限" in response.text and "<legend><h1>本社はどの都道府県にありますか？</h1></legend>" in response.text
    assert owner.post("/q", data={"field": "prefecture", "value": "宮城県"}).status_code == 400
    assert "prefecture" not in stored_answers(owner, engine_of)
    assert owner.post("/results/answer", data={"csrf_token": "x", "field": "employees", "value": "3"}).status_code == 400


@pytest.mark.parametrize(("field", "data", "message"), [
    ("prefecture", {"value": "Tokyo"}, "選択肢にない答え"),
    ("prefecture", {}, "選択肢から選ぶか"),
    ("employees", {"value": "9" * 5000}, "数が大きすぎます"),
    ("employees", {"value": "99999999999"}, "以下にしてください"),
    ("employees", {"value": "-3"}, "以上にしてください"),
    ("employees", {"value": "二十人"}, "数字で入力してください"),
    ("capital_yen", {"value": "1" + "0" * 20}, "金額が大きすぎる"),
    ("purposes", {"value": ["equipment", "hack"]}, "選択肢にない答え"),
    ("industry", {"value": "Z999"}, "業種の候補から選び直して"),
    ("industry", {"industry_q": "ｚｚｚｚ"}, "見つかりませんでした"),
    ("founded_on", {"value": "2020-02-31"}, "ありえない日付"),
    ("planning_to_found", {"value": "maybe"}, "「はい」か「いいえ」"),
])
def test_bad_or_tampered_answers_get_the_question_back_with_a_message(owner: TestClient, engine_of: Engine,
                                                                      field: str, data: dict, message: str) -> None:
    start_case(owner)
    response = answer(owner, field, **data)
    assert response.status_code == 422
    assert message in response.text and 'role="alert"' not in response.text or message in response.text
    assert f'name="field" value="{field}"' in response.text
    assert field not in stored_answers(owner, engine_of)


def test_an_answer_to_a_question_that_does_not_exist_is_refused_politely(owner: TestClient) -> None:
    start_case(owner)
    page = owner.get("/q")
    response = owner.post("/q", data={"csrf_token": csrf_of(page.text), "field": "is_admin", "value": "1"})
    assert response.status_code == 422 and "この質問には答えられません" in response.text


def test_pages_without_a_case_send_the_owner_to_the_start(owner: TestClient) -> None:
    for path in ("/q", "/results", "/results/print"):
        page = owner.get(path)
        assert page.status_code == 200 and "はじめる" in page.text and "回答" in page.text


def test_what_the_owner_wrote_is_shown_escaped(owner: TestClient) -> None:
    small_maker(owner, challenges={"value": '<script>alert("x")</script>FAXで受注'})
    results = owner.get("/results").text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;FAXで受注" in results
    assert "<script>alert" not in results
    search = owner.get("/programs", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in search


# --- size and speed --------------------------------------------------------------------------------


def test_every_page_is_under_100_kb(owner: TestClient) -> None:
    small_maker(owner)
    for path in ("/", "/q?field=purposes", "/results", "/results/print", "/programs", "/programs?q=補助金",
                 "/programs/monozukuri_hojokin", "/industries?q=パン", "/static/site.css", "/static/site.js"):
        page = owner.get(path)
        assert page.status_code == 200, path
        assert len(page.content) < 100 * KB, (path, len(page.content))
    start_case(owner)  # the longest list: nothing known, every card waiting on a question
    for field in START:
        answer(owner, field, unknown=True)
    assert len(owner.get("/results").content) < 100 * KB
    answer(owner, "purposes", value=["equipment"])  # and with one answer, the 「お知らせ」 form lists every card too
    page = owner.get("/results")
    assert page.text.count('name="watch"') == site_routes.RESULT_LIMIT and len(page.content) < 100 * KB, len(page.content)


def test_the_results_page_renders_quickly(owner: TestClient) -> None:
    small_maker(owner)
    owner.get("/results")
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        assert owner.get("/results").status_code == 200
        timings.append(time.perf_counter() - began)
    assert sorted(timings)[2] < 0.5  # the target is 150 ms on the server (see docs/performance.md); CI is slower


# --- the contract ----------------------------------------------------------------------------------


def test_every_route_of_the_site_is_in_the_site_contract() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "site-contract.md").read_text(encoding="utf-8")
    documented = {(method, re.sub(r"\{[^}]*\}", "{}", path))
                  for method, path in re.findall(r"`(GET|POST) (/[^`?\s]*)", doc)}
    for router in (site_routes.router, alert_routes.router):
        for route in router.routes:
            for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
                assert (method, re.sub(r"\{[^}]*\}", "{}", route.path)) in documented, (method, route.path)

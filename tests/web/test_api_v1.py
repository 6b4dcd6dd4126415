"""The partner API v1 on SQLite and PostgreSQL: verdicts with reasons, and problem+json for bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.app import create_app
from web.settings import Settings

PROGRAM = "chusho_toshi_sokushin_zeisei"
SMALL_MAKER = {
    "as_of": "2022-06-01", "industry": "E", "legal_form": "kabushiki", "capital_yen": 10_000_000, "employees": 20,
    "large_company_share_pct": 0, "largest_large_company_share_pct": 0, "avg_taxable_income_yen": 30_000_000,
}


@pytest.fixture(scope="module")
def client(module_engine: Engine, catalog_programs) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    publish_catalog(module_engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=module_engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_eligibility_gives_each_programs_verdict_with_reasons_and_sources(client: TestClient) -> None:
    response = client.post("/api/v1/eligibility", json={"profile": SMALL_MAKER, "program_ids": [PROGRAM]})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["program"]["id"] == PROGRAM and result["program"]["kind"] == "tax"
    assert (result["status"], result["status_label"]) == ("eligible", "対象")
    [reason] = result["reasons"]
    assert reason["outcome"] == "pass"
    assert "租税特別措置法上の中小企業者に当たります" in reason["text"]
    assert (reason["source"]["document"], reason["source"]["line"]) == ("003_98a7ad4e509f988b.txt", 2217)
    assert {p["name"] for p in reason["parameters"]} >= {"tax_sme.max_capital_yen"}


def test_unknown_facts_make_a_program_undetermined_and_are_named(client: TestClient) -> None:
    profile = {k: v for k, v in SMALL_MAKER.items() if k not in ("large_company_share_pct", "largest_large_company_share_pct")}
    result = client.post("/api/v1/eligibility", json={"profile": profile, "program_ids": [PROGRAM]}).json()["results"][0]
    assert result["status"] == "undetermined"
    assert set(result["missing_facts"]) == {"large_company_share_pct", "largest_large_company_share_pct"}


def test_recommendations_leave_out_ineligible_programs_and_rank_by_score(client: TestClient) -> None:
    body = client.post("/api/v1/recommendations", json={"profile": SMALL_MAKER, "limit": 50}).json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses and "ineligible" not in statuses
    assert all(n["status"] == "ineligible" and n["near_misses"] for n in body["near_misses"])
    assert body["counts"]["eligible"] >= 1
    assert body["catalog_version"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": {"employees": "many"}}, "profile.employees"),
        ({"profile": {"prefecture": "Tokyo"}}, "profile.prefecture"),
        ({"profile": {}, "limit": 0}, "limit"),
        ({}, "profile"),
        ({"profile": {"certifications": ["nope"]}}, "profile.certifications"),
    ],
)
def test_a_malformed_profile_gets_a_422_problem_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    response = client.post("/api/v1/recommendations", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    fields = {e["field"]: e for e in problem["errors"]}
    assert field in fields
    assert fields[field]["message"] and fields[field]["message_en"]


def test_unknown_program_ids_are_a_422_not_a_500(client: TestClient) -> None:
    response = client.post("/api/v1/eligibility", json={"profile": {}, "program_ids": ["no_such_program"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "program_ids"


def test_a_body_that_is_not_json_gets_a_422(client: TestClient) -> None:
    response = client.post("/api/v1/recommendations", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["programs"] >= 1


def test_without_a_loaded_catalog_the_api_says_so_with_503(engine: Engine) -> None:
    app = create_app(Settings(environment="test", database_url="sqlite://"), engine=engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post("/api/v1/recommendations", json={"profile": {}})
        assert response.status_code == 503
        assert c.get("/readyz").status_code == 503


def test_program_search_finds_by_japanese_words_and_paginates(client: TestClient) -> None:
    body = client.get("/api/v1/programs", params={"q": "投資促進", "per_page": 5}).json()
    assert body["total"] >= 1 and body["per_page"] == 5
    assert any(r["id"] == PROGRAM for r in body["results"])
    assert body["results"][0]["score"] >= body["results"][-1]["score"]


def test_program_search_filters_by_kind(client: TestClient) -> None:
    body = client.get("/api/v1/programs", params={"kind": "tax", "per_page": 100}).json()
    assert body["total"] >= 1 and {r["kind"] for r in body["results"]} == {"tax"}


def test_program_search_rejects_an_unknown_prefecture_with_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/programs", params={"prefecture": "Tokyo"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "prefecture"


def test_program_detail_gives_every_field_the_rule_in_words_and_sources(client: TestClient) -> None:
    body = client.get(f"/api/v1/programs/{PROGRAM}").json()
    assert body["document"]["benefits"][0]["type"] == "depreciation"
    assert body["rule"]["children"][0]["text"] == "租税特別措置法上の中小企業者であること"
    assert body["sources"][0]["document"] == "003_98a7ad4e509f988b.txt"
    assert body["relations"][0]["type"] == "modifies"


def test_an_unknown_program_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/programs/does_not_exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_question_bank_lets_every_question_be_answered_unknown(client: TestClient) -> None:
    questions = client.get("/api/v1/questions").json()["questions"]
    fields = [q["field"] for q in questions]
    assert fields[:3] == ["prefecture", "industry", "employees"]
    assert all(q["allows_unknown"] for q in questions)
    assert "宮城県" in [o["value"] for o in questions[0]["options"]]


def test_feedback_is_recorded_and_bad_events_are_refused(client: TestClient) -> None:
    response = client.post("/api/v1/feedback", json={"program_id": PROGRAM, "event": "applied",
                                                     "profile": SMALL_MAKER, "position": 3})
    assert response.status_code == 201 and response.json()["recorded"] is True
    assert client.post("/api/v1/feedback", json={"program_id": PROGRAM, "event": "liked"}).status_code == 422
    unknown = client.post("/api/v1/feedback", json={"program_id": "nope", "event": "opened"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "program_id"


def test_recommendations_read_the_owners_words_and_say_which_ranker_ordered_them(client: TestClient) -> None:
    profile = SMALL_MAKER | {"challenges": "FAXで受注していて人が足りません"}
    body = client.post("/api/v1/recommendations", json={"profile": profile}).json()
    assert set(body["inferred_purposes"]) >= {"dx", "hiring"}
    assert body["ranker"] == "fallback"


def test_everyday_words_give_the_industries_to_choose_from(client: TestClient) -> None:
    body = client.get("/api/v1/industries", params={"q": "パン屋"}).json()
    assert [c["code"] for c in body["choices"]][:3] == ["I5863", "E0971", "I5864"]  # the plain meanings first
    assert body["choices"][0]["hint"] == "店でパンを焼いて、その店で売っている"
    assert client.get("/api/v1/industries", params={"q": "ｿﾌﾄ開発"}).json()["choices"][0]["code"] == "G3911"
    assert client.get("/api/v1/industries", params={"q": "zzzz"}).json()["choices"] == []
    empty = client.get("/api/v1/industries", params={"q": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "query.q"

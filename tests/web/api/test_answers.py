"""A question asked again is answered from the worker's cache, never across catalogs, days or partner views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from matcher.recommend import Matcher
from tests.builders import catalog, program
from web.api.answers import Answer, AnswerCache
from web.api.schemas import RecommendationRequest
from web.app import create_app
from web.settings import Settings

MAKER = {"profile": {"prefecture": "宮城県", "industry": "E", "employees": 20, "capital_yen": 10_000_000}}
FIRST = [program(id="alpha_hojokin", name="アルファ補助金", rule={"fact": "employees", "op": "le", "value": 50})]


@pytest.fixture
def client(engine: Engine, tmp_path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    app = create_app(Settings(environment="test", database_url="sqlite://", ranker_model=tmp_path / "none.skops"),
                     engine=engine)
    with TestClient(app) as c:
        serve(app, FIRST)
        yield c


def serve(app, programs) -> None:  # type: ignore[no-untyped-def]
    """What loading a catalog version does to a worker: a new catalog, and a new matcher over it."""
    app.state.catalog = catalog(*programs)
    app.state.matcher = Matcher(app.state.catalog)


def _ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return [r["program"]["id"] for r in response.json()["results"]]


def test_the_same_question_gets_the_same_answer_and_is_counted_each_time(client: TestClient) -> None:
    first = client.post("/api/v1/recommendations", json=MAKER)
    again = client.post("/api/v1/recommendations", json={"profile": dict(reversed(MAKER["profile"].items()))})
    assert again.content == first.content and again.headers["content-type"] == "application/json"
    answers: AnswerCache = client.app.state.answers  # type: ignore[attr-defined]
    assert (answers.misses, answers.hits) == (1, 1)
    metrics = client.get("/metrics").text
    assert 'shien_verdicts_total{status="eligible"} 2.0' in metrics  # served twice, counted twice


def test_a_new_catalog_is_never_answered_from_the_old_ones_cache(client: TestClient) -> None:
    assert _ids(client.post("/api/v1/recommendations", json=MAKER)) == ["alpha_hojokin"]
    newer = [*FIRST, program(id="beta_hojokin", name="ベータ補助金", rule={"fact": "employees", "op": "le", "value": 50})]
    serve(client.app, newer)
    assert sorted(_ids(client.post("/api/v1/recommendations", json=MAKER))) == ["alpha_hojokin", "beta_hojokin"]


def test_a_different_question_is_computed_afresh(client: TestClient) -> None:
    assert _ids(client.post("/api/v1/recommendations", json=MAKER)) == ["alpha_hojokin"]
    bigger = {"profile": MAKER["profile"] | {"employees": 80}}
    assert _ids(client.post("/api/v1/recommendations", json=bigger)) == []


def test_answers_are_for_their_day_and_the_cache_keeps_within_its_bytes() -> None:
    cache, matcher, asked = AnswerCache(max_bytes=1_000), Matcher(catalog(*FIRST)), []
    request = RecommendationRequest.model_validate(MAKER)

    def compute(size: int) -> Answer:
        asked.append(size)
        return Answer(b"x" * size, ("eligible",))

    monday, tuesday = dt.date(2026, 12, 7), dt.date(2026, 12, 8)
    cache.answer(matcher, request, lambda: compute(300), today=monday)
    cache.answer(matcher, request, lambda: compute(300), today=monday)
    cache.answer(matcher, request, lambda: compute(300), today=tuesday)
    assert asked == [300, 300]  # asked again on Tuesday: deadlines and windows move with the day
    other = RecommendationRequest.model_validate({"profile": {"employees": 3}})
    cache.answer(matcher, other, lambda: compute(5_000), today=monday)  # larger than the whole cache: not kept
    cache.answer(matcher, other, lambda: compute(5_000), today=monday)
    assert asked == [300, 300, 5_000, 5_000]

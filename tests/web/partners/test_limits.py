"""Per-key rate limit and daily quota: counted in the database, so they hold across worker processes."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.web.partners.conftest import bearer, build_app
from web.db import make_engine
from web.partners.keys import create_key
from web.partners.limits import consume, usage

NOON = dt.datetime(2026, 11, 22, 3, 0, 30, tzinfo=dt.UTC)  # 12:00:30 JST


def test_the_request_over_the_minute_limit_gets_429_with_retry_after(client: TestClient, published: Engine) -> None:
    _, token = create_key(published, "demo-bank", per_minute=3)
    codes = [client.get("/api/v1/questions", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/questions", headers=bearer(token))
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["scope"] == "minute" and refused.json()["detail_en"]


def test_the_daily_quota_resets_at_midnight_in_japan(engine: Engine) -> None:
    assert [consume(engine, "k_day", 100, 2, NOON).allowed for _ in range(3)] == [True, True, False]
    refused = consume(engine, "k_day", 100, 2, NOON)
    assert refused.scope == "day" and refused.reset_seconds == 12 * 3600 - 30 + 1
    tomorrow = NOON + dt.timedelta(hours=12)  # 00:00:30 JST the next day
    assert consume(engine, "k_day", 100, 2, tomorrow).allowed


def test_usage_counts_served_and_refused_requests_per_key_per_day(engine: Engine) -> None:
    for _ in range(4):
        consume(engine, "k_use", 3, 100, NOON)
    assert usage(engine, ["k_use"], today=NOON.date()) == [
        {"key_id": "k_use", "date": "2026-11-22", "requests": 3, "rejected": 1}]


def test_the_partner_reads_its_own_usage_as_json(client: TestClient, published: Engine) -> None:
    row, token = create_key(published, "demo-bank", per_minute=100, per_day=1000)
    client.get("/api/v1/questions", headers=bearer(token))
    body = client.get("/api/v1/usage", headers=bearer(token)).json()
    assert (body["key_id"], body["per_day"]) == (row.id, 1000)
    assert body["days"][0]["requests"] == 2  # the questions, and this request itself
    anonymous = client.get("/api/v1/usage")
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["field"] == "Authorization"


def test_two_engines_on_one_database_share_the_limit(engine: Engine) -> None:
    other = make_engine(engine.url.render_as_string(hide_password=False)) if engine.dialect.name == "sqlite" else engine
    with ThreadPoolExecutor(8) as pool:
        decisions = list(pool.map(lambda i: consume((engine, other)[i % 2], "k_two", 25, 1000, NOON), range(40)))
    assert sum(d.allowed for d in decisions) == 25


def _hammer(url: str, n: int, barrier) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect():
        pass
    barrier.wait(60)  # both processes begin together
    allowed = sum(consume(engine, "k_proc", 30, 10_000, NOON).allowed for _ in range(n))
    engine.dispose()
    return allowed


def test_two_worker_processes_share_the_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from web.db import migrate

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(make_engine(url))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        barrier = manager.Barrier(2)
        allowed = pool.starmap(_hammer, [(url, 40, barrier), (url, 40, barrier)])
    assert sum(allowed) == 30 and all(a > 0 for a in allowed)


def test_the_anonymous_limit_is_shared_and_set_by_settings(published: Engine) -> None:
    with TestClient(build_app(published, anonymous_per_minute=2), raise_server_exceptions=False) as c:
        codes = [c.get("/healthz").status_code] + [c.get("/api/v1/questions").status_code for _ in range(3)]
    assert codes == [200, 200, 200, 429]  # health is not counted

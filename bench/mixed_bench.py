"""A mixed load on two workers over PostgreSQL for 60 s: throughput, latency and errors (target: no errors).

What owners, partners and searchers do at once, in these proportions (per 20 requests):

- 3 the landing page (``GET /``)
- 4 a questionnaire page (``GET /q``, the next question for an owner's case, chosen by the engine)
- 2 a results page (``GET /results`` for an owner's case)
- 6 ``POST /api/v1/recommendations`` with a partner key (every company different)
- 3 ``GET /api/v1/programs?q=…`` (search)
- 2 ``GET /programs?q=…`` (the site's search page)

The owners are 400 cases saved beforehand (half with three answers, half with a full profile), each with its own
session cookie, as after opening their resume link. The database is a fresh PostgreSQL database ``shien_bench``
on 127.0.0.1:5432 with the packaged catalog; the key's limits are high enough not to refuse anything.
Load: wrk, 16 connections, one thread (bench/load.py).

Run: .venv/bin/python -m bench.mixed_bench [--seconds 60] [--connections 16] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import text

from bench import load
from bench.profiles import distinct_profiles

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DB = "shien_bench"
SEARCH_WORDS = ["省エネ", "事業承継", "IT導入", "設備投資", "創業", "海外展開", "賃上げ", "資金繰り", "人材育成", "販路開拓"]
MIX = ["/"] * 3 + ["q"] * 4 + ["results"] * 2 + ["api"] * 6 + ["search"] * 3 + ["site-search"] * 2


def fresh_database() -> str:
    from web.db import make_engine

    admin = make_engine(ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{BENCH_DB}"


def prepare(url: str) -> tuple[str, list[str]]:
    """Migrate, publish the catalog, make a key and the owners' cases; returns the key and the case tokens."""
    from programs.catalog import Catalog
    from programs.loader import load_programs
    from programs.store import publish_catalog
    from web.db import make_engine, migrate
    from web.partners.keys import create_key
    from web.site.cases import open_case, save_answers

    engine = make_engine(url)
    migrate(engine)
    programs = load_programs()
    publish_catalog(engine, programs, Catalog(programs).content_hash, source="bench")
    _, token = create_key(engine, "bench", per_minute=10_000_000, per_day=1_000_000_000)
    tokens = []
    for i, profile in enumerate(distinct_profiles(400, seed=3)):
        case = open_case(engine)
        short = {k: profile[k] for k in ("prefecture", "industry", "employees")}
        save_answers(engine, case.token, short if i % 2 else profile)
        tokens.append(case.token)
    engine.dispose()
    return token, tokens


def session_cookies(base_url: str, tokens: list[str]) -> list[str]:
    """Each owner's session cookie, as set when they open their resume link."""
    cookies = []
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        for token in tokens:
            client.cookies.clear()
            response = client.get(f"/c/{token}")
            cookies.append(f"shien_session={response.cookies['shien_session']}")
    return cookies


def mixed_requests(api_token: str, cookies: list[str], n: int = 20_000) -> list[load.Request]:
    owners, words = itertools.cycle(cookies), itertools.cycle(SEARCH_WORDS)
    companies = iter(distinct_profiles(n, seed=4))
    api_headers = (("Content-Type", "application/json"), ("Authorization", f"Bearer {api_token}"))
    made: list[load.Request] = []
    for kind in itertools.islice(itertools.cycle(MIX), n):
        if kind == "/":
            made.append(load.Request("GET", "/"))
        elif kind in ("q", "results"):
            made.append(load.Request("GET", f"/{kind}", (("Cookie", next(owners)),)))
        elif kind == "api":
            body = json.dumps({"profile": next(companies), "limit": 20}, ensure_ascii=False)
            made.append(load.Request("POST", "/api/v1/recommendations", api_headers, body))
        elif kind == "search":
            made.append(load.Request("GET", f"/api/v1/programs?q={quote(next(words))}", api_headers[1:]))
        else:
            made.append(load.Request("GET", f"/programs?q={quote(next(words))}"))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 s")
    args = parser.parse_args()
    seconds = 10 if args.quick else args.seconds
    if load.wrk_missing("the mixed load"):
        return
    try:
        url = fresh_database()
    except Exception as exc:  # noqa: BLE001 - any failure: no PostgreSQL to measure against
        print(f"PostgreSQL not reachable at {ADMIN_URL} ({exc.__class__.__name__}): skipping the mixed load",
              file=sys.stderr)
        return

    from tests.web.partners.server import api_server

    api_token, tokens = prepare(url)
    log = Path(tempfile.mkdtemp(prefix="mixed-bench-")) / "server.log"
    with api_server(url, log, app="web.main:app", workers=args.workers) as base:
        requests = mixed_requests(api_token, session_cookies(base, tokens))
        load.run(base, requests[-200:], seconds=3, connections=args.connections)  # warm-up
        figures = load.run(base, requests, seconds=seconds, connections=args.connections)
    print(f"mixed load, {args.workers} workers, PostgreSQL, wrk: {args.connections} connections, {seconds:g} s")
    print(f"{'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    print(f"{figures.requests:>9} {figures.rps:>8.0f} {figures.p50_ms:>8.1f} {figures.p99_ms:>8.1f} "
          f"{figures.errors:>7}  (target: 0 errors)")


if __name__ == "__main__":
    main()

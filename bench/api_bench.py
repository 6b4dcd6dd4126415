"""Throughput and latency of ``POST /api/v1/recommendations`` over loopback, beside the ceiling.

8 connections for 20 s (``--seconds``) from wrk (bench/load.py) against uvicorn with 1 and 2 workers, with a
partner key (so key check, rate-limit counting and usage are included), on a fresh SQLite database with the
packaged catalog. Three servers per worker count:

- the ceiling: a bare FastAPI endpoint that validates the same profile and returns a fixed list;
- the API with every request a different company (20,000 distinct profiles, none asked twice), so every
  answer is computed by the engine;
- the API asked again for 50 companies (answers served from the per-worker answer cache after the first).

Each server is started fresh (empty caches) and warmed for 3 s with other profiles than the measured ones.
wrk takes one thread of the two cores; the workers share what is left.

Run: .venv/bin/python -m bench.api_bench [--seconds 20] [--connections 8] [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from bench import load
from bench.profiles import distinct_profiles
from rules.profile import CompanyProfile

PATH = "/api/v1/recommendations"
FIXED = [{"program": {"id": f"p{i}", "name": "固定の制度"}, "status": "eligible", "score": 1.0} for i in range(20)]


class Body(BaseModel):
    profile: CompanyProfile
    limit: int = 20


bare_app = FastAPI()


@bare_app.post(PATH)
async def fixed_list(body: Body) -> dict[str, Any]:
    return {"results": FIXED}


@bare_app.get("/readyz")
async def ready() -> dict[str, bool]:
    return {"ready": True}


def requests_for(profiles: list[dict[str, object]], token: str | None) -> list[load.Request]:
    headers = [("Content-Type", "application/json")] + ([("Authorization", f"Bearer {token}")] if token else [])
    return [load.Request("POST", PATH, tuple(headers), json.dumps({"profile": p, "limit": 20}, ensure_ascii=False))
            for p in profiles]


def measure(url: str, warm: list[load.Request], measured: list[load.Request], seconds: float,
            connections: int) -> load.Figures:
    load.run(url, warm, seconds=3, connections=connections)
    return load.run(url, measured, seconds=seconds, connections=connections)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="5 s per run")
    args = parser.parse_args()
    seconds = 5 if args.quick else args.seconds
    if load.wrk_missing("the API figures"):
        return

    from programs.loader import load_programs
    from tests.web.partners.server import api_server, prepared_database
    from web.db import make_engine
    from web.partners.keys import create_key

    directory = Path(tempfile.mkdtemp(prefix="api-bench-"))
    database = prepared_database(directory, load_programs())
    engine = make_engine(database)
    _, token = create_key(engine, "bench", per_minute=10_000_000, per_day=1_000_000_000)
    engine.dispose()
    distinct = distinct_profiles(20_050, seed=1)
    warm_profiles, measured_profiles, repeated = distinct[:50], distinct[50:], distinct_profiles(50, seed=2)
    runs = [("ceiling: bare FastAPI, fixed list", "bench.api_bench:bare_app", None, measured_profiles),
            ("API, every company new", "web.main:app", token, measured_profiles),
            ("API, 50 companies asked again", "web.main:app", token, repeated)]
    print(f"POST {PATH}, wrk: {args.connections} connections, 1 thread, {seconds:g} s, loopback")
    print(f"{'server':<36} {'workers':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for workers in (1, 2):
        rps: dict[str, float] = {}
        for name, app, key, profiles in runs:
            warm = requests_for(repeated if profiles is repeated else warm_profiles, key)
            log = directory / f"{workers}-{len(rps)}.log"
            with api_server(database, log, app=app, workers=workers) as url:
                figures = measure(url, warm, requests_for(profiles, key), seconds, args.connections)
            rps[name] = figures.rps
            print(f"{name:<36} {workers:>7} {figures.rps:>8.0f} {figures.p50_ms:>8.1f} {figures.p99_ms:>8.1f} "
                  f"{figures.errors:>6}", flush=True)
        ceiling = rps[runs[0][0]]
        for name, *_ in runs[1:]:
            print(f"{'':<36} {workers:>7} {name}: {100 * rps[name] / ceiling:.0f}% of the ceiling (target ≥ 50%)")


if __name__ == "__main__":
    main()

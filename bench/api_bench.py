"""Throughput and latency of ``POST /api/v1/recommendations`` over loopback, beside the ceiling.

8 concurrent clients for 20 s (``--seconds``) against uvicorn with 1 and 2 workers, with a partner key (so
key lookup, rate-limit counting and usage are included), on a fresh SQLite database with the packaged
catalog; beside the same for a bare FastAPI endpoint that validates a profile and returns a fixed list.
Load generator: an asyncio client (httpx.AsyncClient, keep-alive, one connection per client) in this
process. On a 2-core machine it shares the cores with the server, so every figure, the ceiling included,
is lower than a separate load machine would show; the ratio is the figure to read.

Run: .venv/bin/python -m bench.api_bench [--seconds 20] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from rules.profile import CompanyProfile

PROFILE = {"prefecture": "宮城県", "industry": "E09", "employees": 25, "capital_yen": 10_000_000,
           "legal_form": "kabushiki", "purposes": ["equipment", "dx"], "planned_investment_yen": 12_000_000}
FIXED = [{"program": {"id": f"p{i}", "name": "固定の制度"}, "status": "eligible", "score": 1.0} for i in range(20)]


class Body(BaseModel):
    profile: CompanyProfile
    limit: int = 20


bare_app = FastAPI()


@bare_app.post("/api/v1/recommendations")
async def fixed_list(body: Body) -> dict[str, Any]:
    return {"results": FIXED}


@bare_app.get("/readyz")
async def ready() -> dict[str, bool]:
    return {"ready": True}


async def _client(url: str, headers: dict[str, str], until: float, latencies: list[float], errors: list[int]) -> None:
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        body = {"profile": PROFILE, "limit": 20}
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            response = await client.post("/api/v1/recommendations", json=body)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                errors.append(response.status_code)


async def _load(url: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[int] = []
    await asyncio.gather(*[_client(url, headers, time.perf_counter() + 1, [], []) for _ in range(clients)])  # warm-up
    start = time.perf_counter()
    await asyncio.gather(*[_client(url, headers, start + seconds, latencies, errors) for _ in range(clients)])
    elapsed = time.perf_counter() - start
    cuts = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000,
            "requests": len(latencies), "errors": len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="3 s per run")
    args = parser.parse_args()
    seconds = 3 if args.quick else args.seconds

    from programs.loader import load_programs
    from tests.web.partners.server import api_server, prepared_database
    from web.db import make_engine
    from web.partners.keys import create_key

    directory = Path(tempfile.mkdtemp(prefix="api-bench-"))
    database = prepared_database(directory, load_programs())
    engine = make_engine(database)
    _, token = create_key(engine, "bench", per_minute=10_000_000, per_day=1_000_000_000)
    engine.dispose()
    key = {"Authorization": f"Bearer {token}"}
    print(f"POST /api/v1/recommendations, {args.clients} clients, {seconds:g} s, loopback, httpx asyncio client")
    print(f"{'server':<34} {'workers':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    figures: dict[tuple[str, int], dict[str, float]] = {}
    for workers in (1, 2):
        for name, app, headers in (("bare FastAPI, fixed list (ceiling)", "bench.api_bench:bare_app", {}),
                                   ("/api/v1/recommendations (key)", "web.partners.asgi:app", key)):
            with api_server(database, directory / f"{workers}-{app.split(':')[-1]}.log", app=app, workers=workers) as url:
                result = asyncio.run(_load(url, headers, args.clients, seconds))
            figures[(name, workers)] = result
            print(f"{name:<34} {workers:>7} {result['rps']:>8.0f} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f} "
                  f"{result['errors']:>6.0f}", flush=True)
        api = figures[("/api/v1/recommendations (key)", workers)]["rps"]
        ceiling = figures[("bare FastAPI, fixed list (ceiling)", workers)]["rps"]
        print(f"{'':<34} {workers:>7} API at {100 * api / ceiling:.0f}% of the ceiling (target ≥ 50%)")


if __name__ == "__main__":
    main()

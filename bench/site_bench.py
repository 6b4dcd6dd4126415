"""Server render time of the owner's results page and the size of each page (target: < 150 ms, < 100 KB).

    python -m bench.site_bench
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from programs.catalog import Catalog
from programs.loader import load_programs
from programs.store import publish_catalog
from tests.web.site_helpers import answer, start_case
from web.app import create_app
from web.db import make_engine, migrate
from web.settings import Settings

OWNERS = {
    "small maker in 宮城県, all answered": {"prefecture": {"value": "宮城県"}, "industry": {"value": "E"},
                                         "employees": {"value": "25"}, "capital_yen": {"value": "1000"},
                                         "purposes": {"value": ["equipment"]},
                                         "challenges": {"value": "FAXで受注している。人が足りない"}},
    "nothing known (every answer 分からない)": {f: {"unknown": True} for f in
                                            ("prefecture", "industry", "employees", "capital_yen", "purposes",
                                             "challenges")},
}
PAGES = ["/", "/q?field=purposes", "/results", "/results/print", "/programs", "/programs?q=補助金",
         "/programs/monozukuri_hojokin", "/industries?q=パン", "/static/site.css", "/static/site.js"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        programs = load_programs()
        publish_catalog(engine, programs, Catalog(programs).content_hash, source="bench")
        settings = Settings(environment="test", database_url="sqlite://", log_level="warning")
        app = create_app(settings, engine=engine)
        with TestClient(app, follow_redirects=False) as client:
            for label, answers in OWNERS.items():
                start_case(client)
                for field, data in answers.items():
                    answer(client, field, **data)
                client.get("/results")
                timings = []
                for _ in range(30):
                    began = time.perf_counter()
                    client.get("/results")
                    timings.append((time.perf_counter() - began) * 1000)
                print(f"{label}: GET /results median {statistics.median(timings):.1f} ms, "
                      f"p90 {sorted(timings)[26]:.1f} ms")
                for path in PAGES:
                    print(f"  {path}: {len(client.get(path).content) / 1024:.1f} KB")


if __name__ == "__main__":
    main()

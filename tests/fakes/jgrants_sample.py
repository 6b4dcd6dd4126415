"""Real Jグランツ calls from ../shared/data for refresh tests: five already in the catalog, eight now served."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from programs.importers.jgrants import import_jgrants

SUBSIDIES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "jgrants" / "subsidies.jsonl"


def sample_calls(n: int = 8) -> list[dict]:
    """The first ``n`` calls with 補助 in their title (the test is skipped without ../shared)."""
    if not SUBSIDIES.exists():
        pytest.skip(f"{SUBSIDIES} not present")
    rows = [json.loads(line) for line in SUBSIDIES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "補助" in (r.get("title") or "")][:n]


def five_imported_eight_served(records: list[dict], live: Path, as_of: dt.date) -> list[dict]:
    """Import the first five calls into ``live``; return what the API serves now: all eight, the second changed."""
    import_jgrants(records[:5], live, as_of, source="test")
    served = copy.deepcopy(records)
    served[1]["subsidy_max_limit"] = (served[1].get("subsidy_max_limit") or 0) + 1_000_000
    return served

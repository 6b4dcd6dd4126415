"""Small keyword-only builders for test data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from programs.catalog import Catalog
from programs.schema import Program

SOURCE = {"document": "004_25da525713403037.txt", "line": 10}


def program(*, id: str, kind: str = "subsidy", rule: dict | None = None, purposes: list[str] | None = None,
            family: str | None = None, windows: list[tuple[dt.date | None, dt.date | None]] | None = None,
            prefectures: list[str] | None = None, relations: list[dict] | None = None,
            benefits: list[dict] | None = None, summary: str = "テスト用の制度です。", name: str | None = None,
            status: str = "unknown", **extra: Any) -> Program:
    return Program.model_validate({
        "id": id,
        "name": name or id,
        "kind": kind,
        "summary": summary,
        "sources": [SOURCE],
        "eligibility": rule or {"is": "is_sme"},
        "purposes": purposes or [],
        "family": family,
        "prefectures": prefectures or [],
        "windows": [{"start": s, "end": e, "source": SOURCE} for s, e in windows or []],
        "relations": [{"source": SOURCE, **r} for r in relations or []],
        "benefits": [{"source": SOURCE, **b} for b in benefits or []],
        "status": status,
        **extra,
    })


def catalog(*programs: Program) -> Catalog:
    return Catalog(list(programs))

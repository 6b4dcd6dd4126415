"""A partner's view of the catalog: its prefecture's programs first, and its own programs merged in.

Verdicts never change: a view only adds the partner's own programs (validated like the catalog) and
re-orders what the rules allow, by a ranker that lifts the partner's programs above the rest. Views are
built once per worker and partner, and rebuilt when the catalog or the partner's programs change.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matcher.ranker import Ranker
from matcher.recommend import Matcher
from programs.catalog import Catalog
from programs.loader import CatalogError, CatalogIssue, LoadedProgram, check_references, load_programs
from programs.schema import Program
from web.partners.keys import Caller

PARTNER_BOOST = 1000.0  # larger than any ranking score: the partner's programs come first, in their own order


@dataclass
class BoostedRanker:
    """The base ranker's score, plus a constant for the partner's programs (verdicts are untouched)."""

    base: Ranker
    lifted: np.ndarray  # bool per catalog program

    @property
    def name(self) -> str:
        return self.base.name

    def score(self, features: np.ndarray) -> np.ndarray:
        return self.base.score(features) + PARTNER_BOOST * self.lifted


def load_partner_programs(directory: Path, catalog: list[Program]) -> list[Program]:
    """A partner's program set: validated exactly like the catalog, ids new, relations resolving into both."""
    own = load_programs([directory], partial=True)
    taken = {p.id for p in catalog}
    issues = [CatalogIssue(str(directory), "id", None, f"id {p.id!r} is already a catalog program")
              for p in own if p.id in taken]
    merged = [LoadedProgram(p, "catalog", 0) for p in catalog] + [LoadedProgram(p, str(directory), 0) for p in own]
    issues += check_references(merged)
    if issues:
        raise CatalogError(issues)
    return own


def documents_of(programs: list[Program]) -> list[dict[str, Any]]:
    return [p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in programs]


def _fingerprint(caller: Caller) -> str:
    raw = json.dumps([caller.prefecture, caller.programs], sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


class PartnerViews:
    """Per-worker cache of partner matchers over one base matcher."""

    def __init__(self) -> None:
        self._views: dict[tuple[int, str, str | None], Matcher] = {}
        self._lock = threading.Lock()

    def matcher_for(self, base: Matcher, caller: Caller | None) -> Matcher:
        if caller is None or caller.anonymous or not (caller.prefecture or caller.has_programs):
            return base
        key = (caller.partner_id or 0, _fingerprint(caller), base.catalog.version)
        view = self._views.get(key)
        if view is None:
            with self._lock:
                view = self._views.get(key) or self._build(base, caller)
                self._views = {k: v for k, v in self._views.items() if k[0] != key[0]} | {key: view}
        return view

    def _build(self, base: Matcher, caller: Caller) -> Matcher:
        own = [Program.model_validate(doc) for doc in caller.programs]
        catalog = base.catalog
        if own:
            catalog = Catalog(base.catalog.programs + own, params=base.catalog.params,
                              version=f"{base.catalog.version}+{caller.partner}")
        ids = {p.id for p in own}
        if caller.prefecture:
            ids |= {p.id for p in catalog.programs_for_prefecture(caller.prefecture)}
        lifted = np.array([p.id in ids for p in catalog.programs], dtype=float)
        view = Matcher(catalog, BoostedRanker(base.ranker, lifted))  # its own text index: more programs
        if not own:
            view = base.with_ranker(BoostedRanker(base.ranker, lifted))
        view.warm()
        return view


def caller_of(request: Any) -> Caller | None:
    return getattr(request.state, "caller", None)

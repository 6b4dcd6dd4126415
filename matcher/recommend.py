"""Recommendations: which programs to show a company, in what order, and what to ask next.

Ranking orders what the rules allow; it never turns an ineligible program into a recommendation.
Ineligible programs appear only as near misses, labelled as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from programs.catalog import Catalog
from programs.verdict import Verdict
from rules.analysis import MissingFactRank, rank_missing_facts
from rules.compile import ELIGIBLE, INELIGIBLE, UNDETERMINED
from rules.profile import CompanyProfile

DEFAULT_LIMIT = 20
NEAR_MISS_LIMIT = 10
QUESTION_SAMPLE = 300  # undetermined programs examined for the next questions


@dataclass
class Recommendation:
    verdict: Verdict
    score: float


@dataclass
class RecommendationSet:
    results: list[Recommendation]
    near_misses: list[Verdict]
    next_questions: list[MissingFactRank]
    counts: dict[str, int] = field(default_factory=dict)
    as_of: dt.date | None = None


def _score(catalog: Catalog, statuses: np.ndarray, profile: CompanyProfile) -> np.ndarray:
    """Deterministic order: eligible above undetermined, then purpose overlap, then regional programs."""
    score = np.where(statuses == ELIGIBLE, 2.0, np.where(statuses == UNDETERMINED, 1.0, -np.inf))
    wanted = set(profile.purposes or [])
    for i, program in enumerate(catalog.programs):
        if not np.isfinite(score[i]):
            continue
        if wanted:
            score[i] += 0.3 * len(wanted.intersection(program.purposes)) / len(wanted)
        if profile.prefecture and profile.prefecture in program.prefectures:
            score[i] += 0.1
    return score


def recommend(catalog: Catalog, profile: CompanyProfile, limit: int = DEFAULT_LIMIT,
              kinds: list[str] | None = None, today: dt.date | None = None) -> RecommendationSet:
    ctx = catalog.context(profile, today)
    statuses = catalog.statuses(ctx)
    usable = np.array([p.applicable and (not kinds or p.kind in kinds) for p in catalog.programs], dtype=bool)
    score = np.where(usable, _score(catalog, statuses, profile), -np.inf)
    order = [i for i in np.argsort(-score, kind="stable") if np.isfinite(score[i])][:limit]
    results = [Recommendation(catalog.judge(catalog.programs[i], ctx), float(score[i])) for i in order]
    undetermined = [i for i in np.nonzero((statuses == UNDETERMINED) & usable)[0]][:QUESTION_SAMPLE]
    missing = [catalog.judge(catalog.programs[i], ctx).missing_facts for i in undetermined]
    near: list[Verdict] = []
    for i in np.nonzero((statuses == INELIGIBLE) & usable)[0]:
        verdict = catalog.judge(catalog.programs[i], ctx, with_near_misses=True)
        if verdict.near_misses:
            near.append(verdict)
        if len(near) >= NEAR_MISS_LIMIT:
            break
    counts = {
        "eligible": int(((statuses == ELIGIBLE) & usable).sum()),
        "undetermined": int(((statuses == UNDETERMINED) & usable).sum()),
        "ineligible": int(((statuses == INELIGIBLE) & usable).sum()),
    }
    return RecommendationSet(results, near, rank_missing_facts(missing), counts, ctx.as_of)

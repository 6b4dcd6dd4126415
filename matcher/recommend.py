"""Recommendations: which programs to show a company, in what order, what to ask next, and a plan.

Ranking orders what the rules allow; it never turns an ineligible program into a recommendation.
Ineligible programs appear only as near misses, labelled as such. Siblings of one program (枠, 公募回)
are grouped under their best entry, and the list mixes kinds (a subsidy, the tax measure for the same
investment, a loan, the desk to talk to) without letting one kind flood it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matcher.features import ProfileSignals, feature_matrix
from matcher.plan import PlanStep, build_plan
from matcher.ranker import FallbackRanker, Ranker
from matcher.table import KIND_IDS, ProgramTable
from programs.catalog import Catalog, Evaluation
from programs.verdict import Verdict
from rules.analysis import MissingFactRank
from rules.compile import ELIGIBLE, INELIGIBLE, UNDETERMINED
from rules.facts import FactContext
from rules.profile import CompanyProfile

DEFAULT_LIMIT = 20
NEAR_MISS_LIMIT = 8
NEAR_MISS_CANDIDATES = 16
KIND_PENALTY = 0.12  # per program of the same kind already placed above
DESK_SLOT = 8  # the prefecture's よろず支援拠点 is placed no lower than this
ORDER_WINDOW = 2000  # candidates sorted in full when choosing the top (families need more than the top 20)
_matcher_ids = itertools.count(1)


@dataclass
class Recommendation:
    verdict: Verdict
    score: float
    siblings: list[str] = field(default_factory=list)


@dataclass
class RecommendationSet:
    results: list[Recommendation]
    near_misses: list[Verdict]
    next_questions: list[MissingFactRank]
    plan: list[PlanStep]
    counts: dict[str, int]
    as_of: dt.date
    inferred_purposes: dict[str, list[str]] = field(default_factory=dict)
    ranker: str = "fallback"

    def statuses(self) -> tuple[str, ...]:
        """The verdict of every program shown: the results, then the near misses."""
        return tuple(r.verdict.status for r in self.results) + tuple(v.status for v in self.near_misses)


@dataclass
class Scored:
    """Everything computed for one company over the whole catalog."""

    ctx: FactContext
    evaluation: Evaluation
    signals: ProfileSignals
    features: np.ndarray
    score: np.ndarray  # -inf: not recommendable (ineligible, closed, or not applicable)


@dataclass
class Matcher:
    """A catalog with what ranking needs precomputed; one per loaded catalog (per worker)."""

    catalog: Catalog
    ranker: Ranker = field(default_factory=FallbackRanker)
    text_scorer: Callable[[str], np.ndarray] | None = None  # default: the catalog's character n-gram index
    # Names this matcher's answers (its catalog, ranker and text method) for caches of them: a new matcher,
    # a new id, so nothing cached for another catalog or ranker can be served for this one.
    uid: int = field(default_factory=lambda: next(_matcher_ids), compare=False)

    @cached_property
    def table(self) -> ProgramTable:
        return ProgramTable.build(self.catalog)

    def with_ranker(self, ranker: Ranker) -> Matcher:
        """The same catalog, arrays and text method, ordered by another ranker."""
        other = Matcher(self.catalog, ranker, self.text_scorer)
        if "table" in self.__dict__:
            other.__dict__["table"] = self.__dict__["table"]  # cached_property: share the built arrays
        return other

    def text_scores(self, text: str | None) -> np.ndarray:
        if not text:
            return np.zeros(self.table.n)
        return (self.text_scorer or self.catalog.search_index.scores)(text)

    def warm(self) -> None:
        _ = self.catalog.compiled, self.catalog.search_index, self.table, self.catalog.unknown_index

    def score(self, profile: CompanyProfile, today: dt.date | None = None) -> Scored:
        """Status, features and ranking score of every program for the company."""
        ctx = self.catalog.context(profile, today)
        evaluation = self.catalog.evaluate(ctx)
        signals = ProfileSignals.of(profile, ctx.value("size_class"))
        text = self.text_scores(profile.challenges)
        features = feature_matrix(self.table, signals, evaluation.statuses, evaluation.unknown_counts, text, ctx.as_of)
        state, _ = self.table.open_and_deadline(ctx.as_of)
        usable = self.table.applicable & (evaluation.statuses != INELIGIBLE) & (state != -1)
        score = np.where(usable, self.ranker.score(features), -np.inf)
        return Scored(ctx, evaluation, signals, features, score)

    def recommend(self, profile: CompanyProfile, limit: int = DEFAULT_LIMIT, kinds: list[str] | None = None,
                  today: dt.date | None = None) -> RecommendationSet:
        scored = self.score(profile, today)
        score, statuses, ctx = scored.score, scored.evaluation.statuses, scored.ctx
        if kinds:
            score = np.where(np.isin(self.table.kind, [KIND_IDS.index(k) for k in kinds]), score, -np.inf)
        order, siblings = self._order(score, limit)
        results = [Recommendation(self.catalog.judge(self.catalog.programs[i], ctx), float(score[i]),
                                  siblings.get(i, [])) for i in order]
        questions = [MissingFactRank(f, d, n) for f, d, n in scored.evaluation.field_ranking(np.isfinite(score))]
        counts = {name: int(((statuses == code) & self.table.applicable).sum())
                  for name, code in (("eligible", ELIGIBLE), ("undetermined", UNDETERMINED), ("ineligible", INELIGIBLE))}
        return RecommendationSet(
            results=results,
            near_misses=self._near_misses(scored.evaluation, ctx, kinds),
            next_questions=questions,
            plan=build_plan(self.catalog, results, set(profile.certifications or [])),
            counts=counts,
            as_of=ctx.as_of,
            inferred_purposes=scored.signals.inferred_words,
            ranker=self.ranker.name,
        )

    def _order(self, score: np.ndarray, limit: int) -> tuple[list[int], dict[int, list[str]]]:
        """Best per family, then a greedy pass that spreads kinds, then the local desk kept in view."""
        finite = np.nonzero(np.isfinite(score))[0]
        if len(finite) > ORDER_WINDOW:  # only the best few thousand can reach the top: sort those
            finite = finite[np.argpartition(-score[finite], ORDER_WINDOW)[:ORDER_WINDOW]]
        ranked = finite[np.argsort(-score[finite], kind="stable")]
        families = self.table.family[ranked]
        _, first = np.unique(families, return_index=True)
        best = ranked[np.sort(first)]  # each family's best entry, best first
        pool = best[: max(limit * 4, 40)]
        chosen = self._spread_kinds(pool, score[pool], limit)
        chosen = self._keep_desk_in_view(chosen, score, limit)
        return chosen, self._siblings(chosen, ranked, families)

    def _spread_kinds(self, pool: np.ndarray, scores: np.ndarray, limit: int) -> list[int]:
        """Greedy: the best entry after lowering each by KIND_PENALTY per program of its kind already chosen."""
        kinds = self.table.kind[pool]
        placed = np.zeros(len(KIND_IDS), dtype=np.float64)
        left = np.ones(len(pool), dtype=bool)
        chosen: list[int] = []
        while left.any() and len(chosen) < limit:
            pick = int(np.argmax(np.where(left, scores - KIND_PENALTY * placed[kinds], -np.inf)))
            chosen.append(int(pool[pick]))
            left[pick] = False
            placed[kinds[pick]] += 1
        return chosen

    def _siblings(self, chosen: list[int], ranked: np.ndarray, families: np.ndarray) -> dict[int, list[str]]:
        """The other ranked members of each chosen entry's family, best first (only families with several)."""
        chosen_families = self.table.family[chosen]
        in_chosen = ranked[np.isin(families, chosen_families)]
        members: dict[int, list[int]] = {}
        for j, family in zip(in_chosen.tolist(), self.table.family[in_chosen].tolist(), strict=True):
            members.setdefault(family, []).append(j)
        siblings = {i: [self.catalog.programs[j].id for j in members.get(int(f), []) if j != i]
                    for i, f in zip(chosen, chosen_families.tolist(), strict=True)}
        return {i: s for i, s in siblings.items() if s}

    def _keep_desk_in_view(self, chosen: list[int], score: np.ndarray, limit: int) -> list[int]:
        desks = np.nonzero(self.table.yorozu & np.isfinite(score))[0]
        if not len(desks) or int(desks[0]) in chosen[:DESK_SLOT] or limit < DESK_SLOT:
            return chosen
        desk = int(desks[0])
        rest = [i for i in chosen if i != desk]
        return (rest[: DESK_SLOT - 1] + [desk] + rest[DESK_SLOT - 1:])[:limit]

    def _near_misses(self, evaluation: Evaluation, ctx: FactContext, kinds: list[str] | None) -> list[Verdict]:
        """Ineligible programs that one or two changeable facts would open, best prospects first."""
        candidates = evaluation.near_miss_candidates()
        keep = self.table.applicable[candidates]
        if kinds:
            keep &= np.isin(self.table.kind[candidates], [KIND_IDS.index(k) for k in kinds])
        candidates = candidates[keep]
        prior = self.table.documents[candidates] + self.table.rate[candidates]
        ordered = [int(i) for i in candidates[np.argsort(-prior, kind="stable")][:NEAR_MISS_CANDIDATES]]
        found: list[Verdict] = []
        for i in ordered:
            verdict = self.catalog.judge(self.catalog.programs[i], ctx, with_near_misses=True)
            if verdict.near_misses:
                found.append(verdict)
            if len(found) >= NEAR_MISS_LIMIT:
                break
        return found


def recommend(catalog: Catalog, profile: CompanyProfile, limit: int = DEFAULT_LIMIT,
              kinds: list[str] | None = None, today: dt.date | None = None) -> RecommendationSet:
    """Convenience for callers without a long-lived Matcher (CLI, tests)."""
    return Matcher(catalog).recommend(profile, limit, kinds, today)

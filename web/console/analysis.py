"""The engine's answers for a client, as the console shows them: results, what-if, comparison, handout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from matcher.plan import build_plan, total_estimate
from matcher.recommend import Matcher, Recommendation, RecommendationSet
from programs.verdict import Verdict
from rules import text
from rules.compile import ELIGIBLE, INELIGIBLE, UNDETERMINED
from rules.profile import CompanyProfile
from web.site import views as site_views

STATUS_LABEL = {"eligible": "対象", "undetermined": "要確認", "ineligible": "対象外"}
CODE_LABEL = {ELIGIBLE: "対象", UNDETERMINED: "要確認", INELIGIBLE: "対象外"}
RESULT_LIMIT = 20
MOVED_SHOWN = 40


def total_text(results: list[Recommendation]) -> str | None:
    total = total_estimate(results)
    if total is None:
        return None
    return (f"{text.yen_ja(total.min_yen)}〜{text.yen_ja(total.max_yen)}" if total.min_yen
            else f"最大{text.yen_ja(total.max_yen)}")


@dataclass
class Move:
    program_id: str
    name: str
    before: str
    after: str
    amount: str | None


@dataclass
class WhatIf:
    changes: list[str]
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    total_before: str | None
    total_after: str | None
    moves: list[Move]
    more: int = 0
    after: RecommendationSet | None = None


def what_if(matcher: Matcher, profile: CompanyProfile, changed: CompanyProfile, changes: list[str],
            base: RecommendationSet) -> WhatIf:
    """Which programs move between 対象 / 要確認 / 対象外, and how the estimate changes."""
    before, after = matcher.score(profile), matcher.score(changed)
    applicable = matcher.table.applicable
    moved = np.nonzero(applicable & (before.evaluation.statuses != after.evaluation.statuses))[0]
    rank = {"対象": 0, "要確認": 1, "対象外": 2}
    moves = []
    for i in moved[:MOVED_SHOWN * 3]:
        program = matcher.catalog.programs[int(i)]
        verdict = matcher.catalog.judge(program, after.ctx)
        amount, _ = site_views.amount_text(verdict.benefit_estimate, program)
        moves.append(Move(program.id, program.name, CODE_LABEL[int(before.evaluation.statuses[i])],
                          CODE_LABEL[int(after.evaluation.statuses[i])], amount))
    moves.sort(key=lambda m: (rank[m.after], m.name))
    alt = matcher.recommend(changed, limit=RESULT_LIMIT)
    return WhatIf(changes, base.counts, alt.counts, total_text(base.results), total_text(alt.results),
                  moves[:MOVED_SHOWN], max(0, len(moved) - MOVED_SHOWN), alt)


@dataclass
class CompareColumn:
    card: site_views.ProgramCard
    status: str
    conditions: list[site_views.Reason]
    benefits: list[str]
    effort: str
    relations: list[str] = field(default_factory=list)


def compare(matcher: Matcher, profile: CompanyProfile, ids: list[str]) -> list[CompareColumn]:
    """Two to four programs side by side for this client, with how they combine with each other."""
    ctx = matcher.catalog.context(profile)
    verdicts = matcher.catalog.judge_ids(ids, ctx)
    chosen = {v.program.id for v in verdicts}
    names = {v.program.id: v.program.name for v in verdicts}
    columns = []
    for v in verdicts:
        program = v.program
        relations = [_relation_line(r.type, names[r.program], r.text) for r in program.relations
                     if r.program in chosen and r.program != program.id]
        columns.append(CompareColumn(site_views.card(v), STATUS_LABEL.get(v.status, v.status),
                                     [site_views.reason(r) for r in v.reasons],
                                     [b.text for b in program.benefits] or ["公表資料に金額の記載がありません"],
                                     _effort(v), relations))
    return columns


RELATION_WORDS = {"excludes": "併用できません", "requires": "の取得が前提です", "bonus": "があると加点されます",
                  "modifies": "で支援内容が変わります", "succeeds": "の後継です"}


def _relation_line(kind: str, other: str, note: str) -> str:
    return f"「{other}」{RELATION_WORDS.get(kind, '')}（{note}）"


def _effort(verdict: Verdict) -> str:
    """How much work applying takes, from what the catalog knows: route, prerequisites and conditions."""
    steps = [site_views.how_to_apply(verdict.program)]
    if verdict.requires:
        steps.append(f"事前に必要な認定・計画が{len(verdict.requires)}件あります")
    unknown = len(verdict.missing_facts)
    if unknown:
        steps.append(f"確認が必要な条件が{unknown}件あります")
    return "。".join(s.rstrip("。") for s in steps) + "。"


@dataclass
class HandoutProgram:
    card: site_views.ProgramCard
    why: list[str]
    status: str


@dataclass
class Handout:
    programs: list[HandoutProgram]
    plan: list[str]
    total: str | None
    desk: site_views.ProgramCard | None
    as_of: str


def handout(matcher: Matcher, profile: CompanyProfile, ids: list[str], office: str) -> Handout:
    """The programs agreed, why (the conditions met), amounts, deadlines, the plan and whom to contact."""
    ctx = matcher.catalog.context(profile)
    verdicts = matcher.catalog.judge_ids(ids, ctx)
    recs = [Recommendation(v, 0.0) for v in verdicts]
    plan = build_plan(matcher.catalog, recs, set(profile.certifications or []))
    programs = [HandoutProgram(site_views.card(v), [r.text for r in v.reasons if r.outcome == "pass"][:5],
                               STATUS_LABEL.get(v.status, v.status)) for v in verdicts]
    desk = site_views.desk_for(matcher.catalog, profile.prefecture or office, {})
    return Handout(programs, [step.text for step in plan[:6]], total_text(recs), desk, text.date_ja(ctx.as_of))


def today() -> dt.date:
    return dt.date.today()

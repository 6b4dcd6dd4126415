"""A program's verdict for a company: status, reasons, what is missing, bonuses, prerequisites,
a benefit estimate, and whether it is open on ``as_of``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from programs.schema import Benefit, Program, Relation, Window
from rules import text
from rules.analysis import NearMiss, evaluate_rule, near_misses
from rules.facts import FactContext
from rules.tree import PASS, ClauseResult, EvalContext
from rules.vocabulary import CERTIFICATIONS


@dataclass
class BenefitEstimate:
    min_yen: int | None
    max_yen: int | None
    basis: str
    basis_en: str

    def as_dict(self) -> dict[str, Any]:
        return {"min_yen": self.min_yen, "max_yen": self.max_yen, "basis": self.basis, "basis_en": self.basis_en}


@dataclass
class Verdict:
    program: Program
    status: str
    reasons: list[ClauseResult]
    missing_facts: list[str]
    bonuses: list[Relation] = field(default_factory=list)
    requires: list[Relation] = field(default_factory=list)
    benefit_estimate: BenefitEstimate | None = None
    deadline: dt.date | None = None
    open: bool | None = None
    near_misses: list[NearMiss] = field(default_factory=list)
    root: ClauseResult | None = None


def _window_state(windows: list[Window], as_of: dt.date) -> tuple[bool | None, dt.date | None]:
    """Open now? and the deadline that matters (the current window's end, else the next one's)."""
    if not windows:
        return None, None
    current = [w for w in windows if (w.start is None or w.start <= as_of) and (w.end is None or as_of <= w.end)]
    if current:
        ends = [w.end for w in current if w.end]
        return True, (min(ends) if ends else None)
    upcoming = sorted((w for w in windows if w.start and w.start > as_of), key=lambda w: w.start or as_of)
    if upcoming:
        return False, upcoming[0].end
    return False, None


def open_state(program: Program, as_of: dt.date) -> tuple[bool | None, dt.date | None]:
    """Whether the program takes applications on ``as_of`` and its deadline.

    Unknown (None) when the sources give no window; closed when it has ended or its period is over.
    """
    if program.period and program.period.end and program.period.end < as_of:
        return False, None
    if program.status in ("ended", "succeeded") and not program.windows:
        return False, None
    if not program.windows and program.period:
        period = program.period
        started = period.start is None or period.start <= as_of
        return (started if period.start or period.end else None), period.end
    return _window_state(program.windows, as_of)


def _relation_applies(relation: Relation, ctx: EvalContext, held: list[str] | None) -> bool:
    if relation.when is not None:
        return relation.when.evaluate(ctx).outcome == PASS  # type: ignore[attr-defined]
    if relation.certification:
        return held is not None and relation.certification in held
    return False


def estimate_benefit(program: Program, ctx: EvalContext) -> BenefitEstimate | None:
    """A range from the program's rate and cap and the company's planned investment or headcount."""
    applicable = [b for b in program.benefits if b.when is None or b.when.evaluate(ctx).outcome == PASS]  # type: ignore[attr-defined]
    estimates = [e for e in (_estimate_one(b, ctx) for b in applicable) if e is not None]
    if not estimates:
        return None
    low = min((e.min_yen for e in estimates if e.min_yen is not None), default=None)
    high = max((e.max_yen for e in estimates if e.max_yen is not None), default=None)
    return BenefitEstimate(low, high, "／".join(e.basis for e in estimates), " / ".join(e.basis_en for e in estimates))


def _estimate_one(benefit: Benefit, ctx: EvalContext) -> BenefitEstimate | None:
    profile = ctx.facts.profile
    if benefit.type == "grant" and benefit.rate and profile.planned_investment_yen is not None:
        raw = int(profile.planned_investment_yen * benefit.rate)
        capped = min(raw, benefit.max_yen) if benefit.max_yen else raw
        rate = benefit.rate_text or f"{benefit.rate:.0%}"
        cap = f"（上限{text.yen_ja(benefit.max_yen)}）" if benefit.max_yen else ""
        basis = f"投資予定額{text.yen_ja(profile.planned_investment_yen)}×補助率{rate}{cap}"
        basis_en = f"planned investment {text.yen_en(profile.planned_investment_yen)} × rate {rate}"
        return BenefitEstimate(0 if benefit.min_yen else capped, capped, basis, basis_en)
    if benefit.type in ("tax_credit", "tax_deduction") and benefit.credit_pct and profile.planned_investment_yen:
        amount = int(profile.planned_investment_yen * benefit.credit_pct / 100)
        basis = f"投資予定額{text.yen_ja(profile.planned_investment_yen)}×{text.number_ja(benefit.credit_pct)}%（法人税額の上限あり）"
        return BenefitEstimate(0, amount, basis, f"investment × {benefit.credit_pct}% (capped by tax due)")
    if benefit.basis == "employees" and benefit.per_unit_yen and profile.employees is not None:
        amount = benefit.per_unit_yen * profile.employees
        amount = min(amount, benefit.max_yen) if benefit.max_yen else amount
        return BenefitEstimate(0, amount, f"従業員{profile.employees}人×{text.yen_ja(benefit.per_unit_yen)}",
                               f"{profile.employees} employees × {text.yen_en(benefit.per_unit_yen)}")
    if benefit.max_yen:
        basis = f"上限{text.yen_ja(benefit.max_yen)}（{benefit.text}）"
        return BenefitEstimate(benefit.min_yen, benefit.max_yen, basis, f"up to {text.yen_en(benefit.max_yen)}")
    return None


def judge(program: Program, ctx: FactContext, with_near_misses: bool = False) -> Verdict:
    """The full verdict of one program for one company (the reference, explained path)."""
    local = program.local_parameters()
    rv = evaluate_rule(program.rule(), ctx, local, program.primary_source())
    ectx = EvalContext(ctx, local, program.primary_source())
    held = ctx.profile.certifications
    bonuses = [r for r in program.relations if r.type in ("bonus", "modifies") and _relation_applies(r, ectx, held)]
    requires = [
        r for r in program.relations
        if r.type == "requires" and r.certification and (held is None or r.certification not in held)
    ]
    is_open, deadline = open_state(program, ctx.as_of)
    misses = (near_misses(program.rule(), ctx, local, evaluated=rv.root)
              if with_near_misses and rv.status == "ineligible" else [])
    return Verdict(
        program=program,
        status=rv.status,
        reasons=rv.reasons,
        missing_facts=rv.missing_facts,
        bonuses=bonuses,
        requires=requires,
        benefit_estimate=estimate_benefit(program, ectx),
        deadline=deadline,
        open=is_open,
        near_misses=misses,
        root=rv.root,
    )


def certification_label(cert_id: str) -> str:
    return CERTIFICATIONS[cert_id].ja if cert_id in CERTIFICATIONS else cert_id

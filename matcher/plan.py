"""A plan: which certification or plan to obtain first to unlock which programs before which deadline,
which recommended programs combine, which exclude each other, and the total support in view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from programs.catalog import Catalog
from programs.verdict import certification_label
from rules import text

if TYPE_CHECKING:
    from matcher.recommend import Recommendation


@dataclass
class PlanStep:
    kind: str  # obtain | bonus | combine | exclusive
    label: str
    text: str
    unlocks: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    certification: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "text": self.text, "unlocks": self.unlocks,
                "deadline": self.deadline, "certification": self.certification}


@dataclass
class TotalEstimate:
    min_yen: int
    max_yen: int
    programs: list[str]
    basis: str


def _earliest(dates: list[dt.date | None]) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def _prerequisites(catalog: Catalog, results: list[Recommendation]) -> list[PlanStep]:
    steps: dict[str, PlanStep] = {}
    for rec in results:
        for relation in rec.verdict.requires:
            key = relation.certification or relation.program or ""
            label = certification_label(key) if relation.certification else (
                catalog.by_id[key].name if key in catalog.by_id else key)
            step = steps.setdefault(key, PlanStep("obtain", label, "", certification=relation.certification))
            step.unlocks.append(rec.verdict.program.id)
            step.deadline = _earliest([step.deadline, rec.verdict.deadline])
    for step in steps.values():
        unique = list(dict.fromkeys(catalog.by_id[p].name for p in step.unlocks))  # siblings share a name
        names = "、".join(unique[:3])
        more = f"など{len(unique)}件" if len(unique) > 3 else ""
        by = f"（{text.date_ja(step.deadline)}の締切より前に）" if step.deadline else ""
        step.text = f"まず「{step.label}」を取得すると、{names}{more}に申し込めます{by}。"
    return sorted(steps.values(), key=lambda s: (-len(s.unlocks), s.deadline or dt.date.max))


def _bonuses(catalog: Catalog, results: list[Recommendation], held: set[str]) -> list[PlanStep]:
    steps: dict[str, PlanStep] = {}
    for rec in results:
        for relation in rec.verdict.program.relations:
            cert = relation.certification
            if relation.type != "bonus" or not cert or cert in held:
                continue
            step = steps.setdefault(cert, PlanStep("bonus", certification_label(cert), "", certification=cert))
            step.unlocks.append(rec.verdict.program.id)
    for step in steps.values():
        names = "、".join(list(dict.fromkeys(catalog.by_id[p].name for p in step.unlocks))[:3])
        step.text = f"「{step.label}」があると、{names}の審査で加点などの優遇があります。"
    return sorted(steps.values(), key=lambda s: -len(s.unlocks))


def _links(catalog: Catalog, results: list[Recommendation]) -> list[PlanStep]:
    shown = {rec.verdict.program.id for rec in results}
    steps = []
    for rec in results:
        program = rec.verdict.program
        for relation in program.relations:
            other = relation.program
            if other not in shown or other == program.id:
                continue
            if relation.type == "excludes":
                steps.append(PlanStep("exclusive", f"{program.name} / {catalog.by_id[other].name}",
                                      f"「{program.name}」と「{catalog.by_id[other].name}」は併用できません。{relation.text}",
                                      [program.id, other]))
            elif relation.type in ("requires", "bonus", "modifies"):
                steps.append(PlanStep("combine", f"{program.name} + {catalog.by_id[other].name}",
                                      f"「{catalog.by_id[other].name}」と組み合わせて使えます。{relation.text}",
                                      [program.id, other]))
    return steps


def build_plan(catalog: Catalog, results: list[Recommendation], held: set[str]) -> list[PlanStep]:
    """Prerequisites first (by how many programs they unlock), then combinations, then 加点 to collect."""
    return _prerequisites(catalog, results) + _links(catalog, results) + _bonuses(catalog, results, held)


def total_estimate(results: list[Recommendation]) -> TotalEstimate | None:
    """Sum of the estimated support of the recommended programs that have one (exclusive pairs: the larger)."""
    excluded: set[str] = set()
    ids = {rec.verdict.program.id for rec in results}
    for rec in results:
        for relation in rec.verdict.program.relations:
            if relation.type == "excludes" and relation.program in ids and rec.verdict.program.id not in excluded:
                excluded.add(relation.program)  # type: ignore[arg-type]
    counted = [rec for rec in results if rec.verdict.benefit_estimate and rec.verdict.program.id not in excluded
               and rec.verdict.benefit_estimate.max_yen]
    if not counted:
        return None
    low = sum((rec.verdict.benefit_estimate.min_yen or 0) for rec in counted)  # type: ignore[union-attr]
    high = sum((rec.verdict.benefit_estimate.max_yen or 0) for rec in counted)  # type: ignore[union-attr]
    return TotalEstimate(low, high, [rec.verdict.program.id for rec in counted],
                         "金額の目安がある制度の合計です（併用できないものは大きい方だけを数えています）。")

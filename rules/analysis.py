"""From one rule tree: the verdict, what is missing, near misses and what-if.

``evaluate_rule`` is the plain (reference) evaluator; the compiled catalog must agree with it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rules import text
from rules.facts import FACTS, NUMBER, FactContext
from rules.parameters import ParameterSet
from rules.profile import CompanyProfile
from rules.tree import (
    FAIL,
    PASS,
    UNKNOWN,
    ClauseResult,
    Compare,
    EvalContext,
    HasCertification,
    Is,
    NodeBase,
    Range,
    Source,
)
from rules.vocabulary import CERTIFICATIONS

ELIGIBLE, INELIGIBLE, UNDETERMINED = "eligible", "ineligible", "undetermined"
STATUS_OF_OUTCOME = {PASS: ELIGIBLE, FAIL: INELIGIBLE, UNKNOWN: UNDETERMINED}
STATUS_JA = {ELIGIBLE: "対象", INELIGIBLE: "対象外", UNDETERMINED: "要確認"}

# Facts a company can change by acting (hiring, investing, obtaining a plan), so a miss on them is "near".
_ACTIONABLE_SIZE_FACTS = {"is_sme", "is_small_business", "is_sme_tax", "is_sme_or_deemed", "is_chuken"}
_FIXED_NUMERIC_FACTS = {"as_of", "founded_on", "years_since_founding"}


@dataclass
class NearMiss:
    """A failed condition that, if met, would make the program eligible (or leave it to check)."""

    changes: list[ClauseResult]
    outcome_after: str
    text: str
    text_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "conditions": [c.condition for c in self.changes],
            "would_be": STATUS_OF_OUTCOME[self.outcome_after],
            "text": self.text,
            "text_en": self.text_en,
        }


@dataclass
class RuleVerdict:
    status: str
    root: ClauseResult
    missing_facts: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[ClauseResult]:
        return self.root.leaves()


def evaluate_rule(rule: NodeBase, ctx: FactContext, local_params: ParameterSet | None = None,
                  default_source: Source | None = None) -> RuleVerdict:
    root = rule.evaluate(EvalContext(ctx, local_params, default_source))
    return RuleVerdict(STATUS_OF_OUTCOME[root.outcome], root, list(root.missing))


def _actionable(result: ClauseResult) -> bool:
    node = result.node
    if isinstance(node, HasCertification):
        return True
    if isinstance(node, Is):
        return node.is_ in _ACTIONABLE_SIZE_FACTS
    if isinstance(node, Compare | Range):
        return FACTS[node.fact].kind == NUMBER and node.fact not in _FIXED_NUMERIC_FACTS
    return False


def near_misses(rule: NodeBase, ctx: FactContext, local_params: ParameterSet | None = None,
                max_changes: int = 2, evaluated: ClauseResult | None = None) -> list[NearMiss]:
    """Failed, changeable conditions whose meeting (one, or else two together) would lift the verdict.

    ``evaluated``: the rule's result for ``ctx`` when the caller has it already (it is not evaluated again).
    """
    root = evaluated or rule.evaluate(EvalContext(ctx, local_params))
    if root.outcome != FAIL:
        return []
    failing = [leaf for leaf in root.leaves() if leaf.outcome == FAIL and _actionable(leaf) and _close_enough(leaf)]
    found: list[NearMiss] = []
    for size in range(1, max_changes + 1):
        for combo in itertools.combinations(failing, size):
            trial = EvalContext(ctx, local_params, overrides={id(c.node): True for c in combo})
            after = rule.evaluate(trial).outcome
            if after != FAIL:
                found.append(_near_miss(list(combo), after))
        if found:
            return found
    return found


NEAR_GAP = 0.25  # a numeric threshold is "near" when the company is within 25% of it


def _close_enough(result: ClauseResult) -> bool:
    """A numeric condition counts as one step away only when the gap is small relative to the threshold."""
    node = result.node
    if not isinstance(node, Compare):
        return True
    limit, actual = _threshold(result), result.facts.get(node.fact)
    if limit is None or not isinstance(actual, int | float) or limit == 0:
        return True
    return abs(actual - limit) <= NEAR_GAP * abs(limit)


def _near_miss(changes: list[ClauseResult], after: str) -> NearMiss:
    verdict = "対象になります" if after == PASS else "対象になる可能性があります（ほかの条件は要確認）"
    verdict_en = "it would qualify" if after == PASS else "it could qualify (other conditions to check)"
    gaps = "".join(_gap_ja(c) for c in changes)
    if len(changes) == 1 and isinstance(changes[0].node, HasCertification):
        names = "又は".join(CERTIFICATIONS[c].ja for c in changes[0].node.ids())
        ja = f"{names}を受ければ{verdict}。"
    elif len(changes) == 1:
        ja = f"{_plain(changes[0])}なら{verdict}。{gaps}"
    else:
        ja = "と".join(f"「{_plain(c)}」" for c in changes) + f"を満たせば{verdict}。{gaps}"
    en = f"If {' and '.join(c.condition_en for c in changes)}, {verdict_en}."
    return NearMiss(changes, after, ja, en)


def _plain(result: ClauseResult) -> str:
    return result.condition.removesuffix("であること").removesuffix("こと")


def _gap_ja(result: ClauseResult) -> str:
    """（今は350人、差は50人） for a numeric threshold; nothing otherwise."""
    node = result.node
    if not isinstance(node, Compare):
        return ""
    limit, actual = _threshold(result), result.facts.get(node.fact)
    if limit is None or not isinstance(actual, int | float):
        return ""
    unit = FACTS[node.fact].unit
    gap = abs(actual - limit)
    shown = text.yen_ja(gap) if unit == "yen" else text.value_ja(gap, unit)
    return f"（今は{text.value_ja(actual, unit)}、差は{shown}）"


def _threshold(result: ClauseResult) -> float | None:
    node = result.node
    if isinstance(node, Compare):
        if node.param is not None:
            return result.params[0].value if result.params else None
        return float(node.value) if isinstance(node.value, int | float) else None
    return None


def what_if(rule: NodeBase, profile: CompanyProfile, changes: dict[str, Any],
            local_params: ParameterSet | None = None) -> tuple[RuleVerdict, RuleVerdict]:
    """The verdict before and after changing some facts of the profile."""
    before = evaluate_rule(rule, FactContext(profile), local_params)
    after = evaluate_rule(rule, FactContext(profile.with_changes(**changes)), local_params)
    return before, after


@dataclass(frozen=True)
class MissingFactRank:
    """A profile field, how many undecided programs would be decided by it alone, and how many it touches."""

    field: str
    decides: int
    involved: int

    def as_dict(self) -> dict[str, Any]:
        label = FACTS[self.field].label if self.field in FACTS else self.field
        return {"field": self.field, "label": label, "decides": self.decides, "involved": self.involved}


def rank_missing_facts(missing_per_program: Iterable[Sequence[str]]) -> list[MissingFactRank]:
    """Rank unknown profile fields by how many undecided programs each would decide.

    A field *decides* a program when it is the only unknown left there; it is *involved* when it is one
    of several. Ties go to the field involved in more programs.
    """
    decides: Counter[str] = Counter()
    involved: Counter[str] = Counter()
    for missing in missing_per_program:
        unique = set(missing)
        for name in unique:
            involved[name] += 1
        if len(unique) == 1:
            decides[next(iter(unique))] += 1
    ranked = [MissingFactRank(name, decides[name], involved[name]) for name in involved]
    return sorted(ranked, key=lambda r: (-r.decides, -r.involved, r.field))


__all__ = [
    "ELIGIBLE",
    "INELIGIBLE",
    "UNDETERMINED",
    "MissingFactRank",
    "NearMiss",
    "RuleVerdict",
    "evaluate_rule",
    "near_misses",
    "rank_missing_facts",
    "what_if",
]

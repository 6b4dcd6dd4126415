"""Run the readable cases that ship with each program (profile → expected status, reasons, bonuses)."""

from __future__ import annotations

from dataclasses import dataclass

from programs.schema import Case, Program
from programs.verdict import judge
from rules.facts import FactContext
from rules.profile import CompanyProfile


@dataclass(frozen=True)
class CaseFailure:
    program: str
    case: str
    problem: str

    def __str__(self) -> str:
        return f"{self.program} / {self.case}: {self.problem}"


def check_case(program: Program, case: Case) -> list[str]:
    """What is wrong with one case's outcome; an empty list when it holds."""
    profile = CompanyProfile.model_validate(case.profile)
    verdict = judge(program, FactContext(profile))
    problems = []
    if verdict.status != case.status:
        reasons = " / ".join(r.text for r in verdict.reasons)
        problems.append(f"expected {case.status}, got {verdict.status} ({reasons})")
    texts = [r.text for r in verdict.reasons] + [r.condition for r in verdict.reasons]
    problems += [f"no reason mentions {want!r}" for want in case.reasons if not any(want in t for t in texts)]
    bonus_texts = [b.text for b in verdict.bonuses]
    problems += [f"no bonus mentions {want!r}" for want in case.bonuses if not any(want in t for t in bonus_texts)]
    return problems


def run_cases(programs: list[Program]) -> tuple[int, list[CaseFailure]]:
    count, failures = 0, []
    for program in programs:
        for case in program.cases:
            count += 1
            failures += [CaseFailure(program.id, case.name, p) for p in check_case(program, case)]
    return count, failures

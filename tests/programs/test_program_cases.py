"""Every program's readable cases (profile → expected status, reasons, bonuses), one test each."""

from __future__ import annotations

import pytest

from programs.cases import check_case
from programs.loader import load_programs

PROGRAMS = load_programs()
CASES = [(p, c) for p in PROGRAMS for c in p.cases]


@pytest.mark.parametrize(("program", "case"), CASES, ids=[f"{p.id}: {c.name}" for p, c in CASES])
def test_program_case(program, case) -> None:  # type: ignore[no-untyped-def]
    assert check_case(program, case) == []


def test_every_program_with_a_stated_condition_has_cases() -> None:
    stated = [p for p in PROGRAMS if p.applicable and p.rule().TAG != "unstated" and not p.id.startswith(("jgrants-",))
              and not p.id.startswith(("yorozu-", "hosho-"))]
    without = [p.id for p in stated if not p.cases]
    assert without == []

"""What is still unknown, for a whole compiled catalog at once.

From the node values of ``CompiledCatalog.node_values``: per program, how many of its conditions are
unknown, and which profile fields those conditions read — for ranking (fewer unknowns first) and for
choosing the next question (the field that alone would decide the most undetermined programs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from rules.compile import INELIGIBLE, UNDETERMINED, CompiledCatalog
from rules.profile import CompanyProfile

PROFILE_FIELDS = list(CompanyProfile.model_fields)
_FIELD_INDEX = {f: i for i, f in enumerate(PROFILE_FIELDS)}
# facts a company can change by acting (hiring, investing, raising pay, obtaining a plan, partnering)
CHANGEABLE_FIELDS = {"employees", "capital_yen", "certifications", "planned_investment_yen", "planned_wage_increase_pct",
                     "consortium_size", "partners", "purposes", "legal_form", "industry"}


@dataclass
class UnknownIndex:
    compiled: CompiledCatalog

    @cached_property
    def condition_fields(self) -> np.ndarray:
        """Conditions × profile fields (bool): which fields would decide each condition."""
        table = np.zeros((len(self.compiled.condition_fields), len(PROFILE_FIELDS)), dtype=bool)
        for row, fields in enumerate(self.compiled.condition_fields):
            table[row, [_FIELD_INDEX[f] for f in fields if f in _FIELD_INDEX]] = True
        return table

    def unknown_mask(self, values: np.ndarray) -> np.ndarray:
        """Per condition, whether it is unknown for the profile (``values``: one column of node_values)."""
        return values[self.compiled.condition_node] == 0

    @cached_property
    def _changeable(self) -> np.ndarray:
        return np.array([bool(fields) and set(fields) <= CHANGEABLE_FIELDS for fields in self.compiled.condition_fields])

    def near_miss_candidates(self, values: np.ndarray, statuses: np.ndarray, max_failing: int = 2) -> np.ndarray:
        """Ineligible programs whose failing conditions are few and all about things a company can change."""
        failing = values[self.compiled.condition_node] == -1
        n = len(self.compiled.keys)
        fail_count = np.bincount(self.compiled.condition_program, weights=failing, minlength=n)
        fixed_fail = np.bincount(self.compiled.condition_program, weights=failing & ~self._changeable, minlength=n)
        return np.nonzero((statuses == INELIGIBLE) & (fail_count <= max_failing) & (fixed_fail == 0))[0]

    def unknown_counts(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.compiled.condition_program, weights=self.unknown_mask(values),
                           minlength=len(self.compiled.keys))

    def field_ranking(self, values: np.ndarray, statuses: np.ndarray,
                      allowed: np.ndarray | None = None) -> list[tuple[str, int, int]]:
        """(field, undetermined programs it alone would decide, undetermined programs it bears on)."""
        undetermined = statuses == UNDETERMINED
        if allowed is not None:
            undetermined = undetermined & allowed
        unknown = self.unknown_mask(values) & undetermined[self.compiled.condition_program]
        rows = np.nonzero(unknown)[0]
        if not len(rows):
            return []
        # the fields each such program waits on: its unknown conditions' fields, OR-ed per program
        programs = self.compiled.condition_program[rows]
        order = np.argsort(programs, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(programs[order]) != 0])
        per_program = np.logical_or.reduceat(self.condition_fields[rows[order]], starts, axis=0)
        involved = per_program.sum(axis=0)
        decides = per_program[per_program.sum(axis=1) == 1].sum(axis=0)
        ranked = sorted(((PROFILE_FIELDS[i], int(decides[i]), int(involved[i])) for i in np.nonzero(involved)[0]),
                        key=lambda r: (-r[1], -r[2], r[0]))
        return [r for r in ranked if r[0] != "as_of"]

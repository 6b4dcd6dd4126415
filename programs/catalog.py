"""The catalog in memory: programs by id, compiled rules, and named queries over them.

Evaluation of a whole catalog goes through the compiled engine (statuses only); explanations come from
the tree walk for the programs actually shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from programs.schema import Program
from programs.search import SearchIndex
from programs.verdict import Verdict, judge, open_state
from rules.compile import INELIGIBLE, CompiledCatalog, ProgramRule
from rules.facts import FactContext
from rules.parameters import ParameterSet, default_parameters
from rules.profile import CompanyProfile
from rules.tree import Member
from rules.unknowns import UnknownIndex


@dataclass
class Evaluation:
    """One company against the whole catalog (compiled path): statuses and what is still unknown."""

    statuses: np.ndarray
    values: np.ndarray
    unknowns: UnknownIndex

    @cached_property
    def unknown_counts(self) -> np.ndarray:
        return self.unknowns.unknown_counts(self.values)

    def near_miss_candidates(self) -> np.ndarray:
        return self.unknowns.near_miss_candidates(self.values, self.statuses)

    def field_ranking(self, allowed: np.ndarray | None = None) -> list[tuple[str, int, int]]:
        return self.unknowns.field_ranking(self.values, self.statuses, allowed)


@dataclass
class Catalog:
    programs: list[Program]
    params: ParameterSet = field(default_factory=default_parameters)
    version: str | None = None

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.programs}
        self.index = {p.id: i for i, p in enumerate(self.programs)}

    @cached_property
    def compiled(self) -> CompiledCatalog:
        rules = [ProgramRule(p.id, p.rule(), p.local_parameters()) for p in self.programs]
        return CompiledCatalog(rules, self.params)

    @cached_property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for program in sorted(self.programs, key=lambda p: p.id):
            digest.update(json.dumps(program.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()[:16]

    @cached_property
    def search_index(self) -> SearchIndex:
        return SearchIndex.build(self.programs)

    def available_in(self, prefecture: str) -> np.ndarray:
        """Mask of programs a company in ``prefecture`` is not ruled out of by place (national ones too)."""
        ctx = FactContext(CompanyProfile(prefecture=prefecture), self.params)
        return self.compiled.statuses_for([ctx])[0] != INELIGIBLE

    def search(self, query: str | None, *, kind: str | None = None, prefecture: str | None = None,
               purpose: str | None = None, open_on: dt.date | None = None) -> list[tuple[Program, float]]:
        """Applicable programs matching the query and filters; by relevance, or by kind and name without a query."""
        mask = np.array([p.applicable and (kind is None or p.kind == kind) and (purpose is None or purpose in p.purposes)
                         for p in self.programs], dtype=bool)
        if prefecture:
            mask &= self.available_in(prefecture)
        if open_on is not None:
            mask &= np.array([open_state(p, open_on)[0] is True for p in self.programs], dtype=bool)
        if query and query.strip():
            return [(self.by_id[pid], score) for pid, score in self.search_index.search(query, mask)]
        chosen = [p for p, keep in zip(self.programs, mask, strict=True) if keep]
        return [(p, 0.0) for p in sorted(chosen, key=lambda p: (p.kind, p.name))]

    def __len__(self) -> int:
        return len(self.programs)

    def get(self, program_id: str) -> Program | None:
        return self.by_id.get(program_id)

    def context(self, profile: CompanyProfile, today: dt.date | None = None) -> FactContext:
        return FactContext(profile, self.params, today)

    @cached_property
    def unknown_index(self) -> UnknownIndex:
        return UnknownIndex(self.compiled)

    def statuses(self, ctx: FactContext) -> np.ndarray:
        """Status code of every program (compiled path), in catalog order."""
        return self.compiled.statuses_for([ctx])[0]

    def evaluate(self, ctx: FactContext) -> Evaluation:
        values = self.compiled.node_values([ctx])[:, 0]
        statuses = (values[self.compiled.roots] + 1).astype(np.int8)
        return Evaluation(statuses, values, self.unknown_index)

    def judge(self, program: Program, ctx: FactContext, with_near_misses: bool = False) -> Verdict:
        return judge(program, ctx, with_near_misses)

    def judge_ids(self, ids: Sequence[str], ctx: FactContext) -> list[Verdict]:
        return [judge(self.by_id[i], ctx, with_near_misses=True) for i in ids]

    # --- named queries ------------------------------------------------------------------------

    def applicable(self) -> list[Program]:
        """Programs a company can apply for or use (policy actions kept for coverage are excluded)."""
        return [p for p in self.programs if p.applicable]

    def open_programs(self, as_of: dt.date) -> list[Program]:
        """Programs taking applications on ``as_of``: a window (公募) or period that contains the date.

        Programs whose sources give no window are not "open" here: they are unknown, not closed.
        """
        return [p for p in self.applicable() if open_state(p, as_of)[0] is True]

    def programs_for_prefecture(self, prefecture: str) -> list[Program]:
        """Programs that name the prefecture (regional programs and desks), not national ones."""
        return [p for p in self.applicable() if prefecture in p.prefectures or _rule_names(p, prefecture)]

    def families(self) -> dict[str, list[Program]]:
        grouped: dict[str, list[Program]] = {}
        for p in self.programs:
            grouped.setdefault(p.family or p.id, []).append(p)
        return grouped


def _rule_names(program: Program, prefecture: str) -> bool:
    return any(
        isinstance(node, Member) and node.fact == "prefecture" and prefecture in node.in_
        for node in program.rule().walk()
    )


def build_catalog(programs: Iterable[Program], version: str | None = None) -> Catalog:
    return Catalog(list(programs), version=version)

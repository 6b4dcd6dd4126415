"""Whole-catalog evaluation, vectorised with numpy.

The rule trees of every program are flattened into arrays once: numeric leaves become interval tests
on a fact vector, membership leaves become token look-ups, and the connectives are reduced level by
level (deepest first) with ``reduceat``. Three values travel as two boolean arrays, ``P`` (pass) and
``F`` (fail); unknown is neither. A batch of profiles is a 2-D array, one row per profile.

The plain tree walk in ``rules.tree`` stays the reference: ``CompiledCatalog.statuses`` must give the
same status as ``rules.analysis.evaluate_rule`` for every program and profile (checked in tests and in
``make bench``). Explanations are produced by the tree walk, only for the programs shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rules.facts import BOOL, CODE, DATE, FACTS, LIST, NUMBER, STRING, FactContext
from rules.parameters import ParameterSet, default_parameters
from rules.profile import CompanyProfile
from rules.tree import (
    All,
    AnyOf,
    Compare,
    EvalContext,
    HasCertification,
    HasEvent,
    Is,
    Member,
    NodeBase,
    Not,
    Range,
    Unstated,
)

INELIGIBLE, UNDETERMINED, ELIGIBLE = 0, 1, 2
STATUS_NAMES = {INELIGIBLE: "ineligible", UNDETERMINED: "undetermined", ELIGIBLE: "eligible"}

NUMERIC_FACTS = tuple(name for name, spec in FACTS.items() if spec.kind in (NUMBER, DATE, BOOL))
TOKEN_FACTS = tuple(name for name, spec in FACTS.items() if spec.kind in (STRING, CODE, LIST))
_FACT_INDEX = {name: i for i, name in enumerate(NUMERIC_FACTS)}
_OP_ALL, _OP_ANY, _OP_NOT = 0, 1, 2


@dataclass(frozen=True)
class ProgramRule:
    """One program's rule as the compiler needs it."""

    key: str
    rule: NodeBase
    params: ParameterSet | None = None


def _scalar(value: object) -> float:
    if isinstance(value, dt.date):
        return float(value.toordinal())
    return float(value)  # type: ignore[arg-type]


@dataclass
class _Builder:
    num_fact: list[int] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    lo_param: list[int] = field(default_factory=list)
    hi_param: list[int] = field(default_factory=list)
    lo_strict: list[bool] = field(default_factory=list)
    hi_strict: list[bool] = field(default_factory=list)
    num_nodes: list[int] = field(default_factory=list)
    tok_nodes: list[int] = field(default_factory=list)
    tok_lists: list[list[int]] = field(default_factory=list)
    py_nodes: list[int] = field(default_factory=list)
    py_leaves: list[tuple[NodeBase, int]] = field(default_factory=list)
    internal: list[tuple[int, int, list[int]]] = field(default_factory=list)  # (node id, op, children)
    heights: dict[int, int] = field(default_factory=dict)
    n_nodes: int = 0
    vocab: dict[tuple[str, str], int] = field(default_factory=dict)
    param_keys: dict[tuple[str, int], int] = field(default_factory=dict)
    scopes: list[ParameterSet | None] = field(default_factory=list)

    def new_node(self, height: int) -> int:
        self.n_nodes += 1
        self.heights[self.n_nodes - 1] = height
        return self.n_nodes - 1

    def token(self, fact: str, value: str) -> int:
        return self.vocab.setdefault((fact, value), len(self.vocab))

    def param_slot(self, name: str, scope: int) -> int:
        local = self.scopes[scope]
        key = (name, scope if local is not None and name in local else -1)
        return self.param_keys.setdefault(key, len(self.param_keys))

    def interval(self, fact: str, lo: tuple[float, int, bool], hi: tuple[float, int, bool]) -> int:
        node = self.new_node(0)
        self.num_nodes.append(node)
        self.num_fact.append(_FACT_INDEX[fact])
        for target, (value, param, strict) in ((0, lo), (1, hi)):
            (self.lo if target == 0 else self.hi).append(value)
            (self.lo_param if target == 0 else self.hi_param).append(param)
            (self.lo_strict if target == 0 else self.hi_strict).append(strict)
        return node

    def connective(self, op: int, children: list[int]) -> int:
        node = self.new_node(1 + max(self.heights[c] for c in children))
        self.internal.append((node, op, children))
        return node

    def add(self, rule: NodeBase, scope: int) -> int:
        if isinstance(rule, All | AnyOf):
            op = _OP_ALL if isinstance(rule, All) else _OP_ANY
            return self.connective(op, [self.add(c, scope) for c in rule.children()])
        if isinstance(rule, Not):
            return self.connective(_OP_NOT, [self.add(rule.not_, scope)])
        if isinstance(rule, Compare):
            return self.compare(rule, scope)
        if isinstance(rule, Range):
            lo = self.bound(rule.min, rule.min_param, scope, False, -np.inf)
            hi = self.bound(rule.max, rule.max_param, scope, False, np.inf)
            return self.interval(rule.fact, lo, hi)
        if isinstance(rule, Is):
            return self.interval(rule.is_, (1.0, -1, False), (1.0, -1, False))
        if isinstance(rule, Member):
            return self.tokens([self.token(rule.fact, v) for v in rule.in_])
        if isinstance(rule, HasCertification):
            return self.tokens([self.token("certifications", c) for c in rule.ids()])
        if isinstance(rule, Unstated):
            return self.tokens([])
        if isinstance(rule, HasEvent):
            node = self.new_node(0)
            self.py_nodes.append(node)
            self.py_leaves.append((rule, scope))
            return node
        raise TypeError(f"cannot compile {type(rule).__name__}")

    def bound(self, literal: object, param: str | None, scope: int, strict: bool, default: float) -> tuple:
        if param is not None:
            return (np.nan, self.param_slot(param, scope), strict)
        return ((_scalar(literal) if literal is not None else default), -1, strict)

    def compare(self, rule: Compare, scope: int) -> int:
        point = self.bound(rule.value, rule.param, scope, False, np.nan)
        if rule.op == "ne":
            equal = self.interval(rule.fact, point, point)
            return self.connective(_OP_NOT, [equal])
        low_open = (-np.inf, -1, False)
        high_open = (np.inf, -1, False)
        strict = (point[0], point[1], True)
        lo, hi = {
            "lt": (low_open, strict),
            "le": (low_open, point),
            "gt": (strict, high_open),
            "ge": (point, high_open),
            "eq": (point, point),
        }[rule.op]
        return self.interval(rule.fact, lo, hi)

    def tokens(self, ids: list[int]) -> int:
        node = self.new_node(0)
        self.tok_nodes.append(node)
        self.tok_lists.append(ids)
        return node


@dataclass
class _Level:
    nodes: np.ndarray
    starts: np.ndarray
    children: np.ndarray
    is_all: np.ndarray
    is_any: np.ndarray


class CompiledCatalog:
    """Every program's rule as arrays; ``statuses`` evaluates one or many profiles at once."""

    def __init__(self, programs: Sequence[ProgramRule], params: ParameterSet | None = None):
        self.params = params or default_parameters()
        self.keys = [p.key for p in programs]
        b = _Builder(scopes=[p.params for p in programs])
        self.roots = np.array([b.add(p.rule, i) for i, p in enumerate(programs)], dtype=np.int64)
        self._scopes = b.scopes
        self.n_nodes = b.n_nodes
        self._numeric(b)
        self._tokens(b)
        self._levels(b)
        self.py_nodes = np.array(b.py_nodes, dtype=np.int64)
        self.py_leaves = b.py_leaves
        self._bound_cache: dict[dt.date, tuple[np.ndarray, np.ndarray]] = {}

    def _numeric(self, b: _Builder) -> None:
        self.num_nodes = np.array(b.num_nodes, dtype=np.int64)
        self.num_fact = np.array(b.num_fact, dtype=np.int64)
        self.lo_lit = np.array(b.lo, dtype=np.float64)
        self.hi_lit = np.array(b.hi, dtype=np.float64)
        self.lo_param = np.array(b.lo_param, dtype=np.int64)
        self.hi_param = np.array(b.hi_param, dtype=np.int64)
        self.lo_strict = np.array(b.lo_strict, dtype=bool)
        self.hi_strict = np.array(b.hi_strict, dtype=bool)
        self.param_keys = sorted(b.param_keys, key=b.param_keys.__getitem__)

    def _tokens(self, b: _Builder) -> None:
        self.vocab = b.vocab
        self.tok_nodes = np.array(b.tok_nodes, dtype=np.int64)
        lengths = np.array([len(t) for t in b.tok_lists], dtype=np.int64)
        self.tok_empty = lengths == 0
        # reduceat needs non-empty segments: give empty lists (unstated) one dummy token that is never set
        self.dummy_token = len(b.vocab)
        padded = [t or [self.dummy_token] for t in b.tok_lists]
        self.tok_ids = np.array([i for t in padded for i in t], dtype=np.int64)
        self.tok_starts = np.concatenate([[0], np.cumsum([len(t) for t in padded])[:-1]]).astype(np.int64)
        self.tokens_by_fact: dict[str, list[tuple[str, int]]] = {}
        for (fact, value), idx in b.vocab.items():
            self.tokens_by_fact.setdefault(fact, []).append((value, idx))

    def _levels(self, b: _Builder) -> None:
        by_height: dict[int, list[tuple[int, int, list[int]]]] = {}
        for node, op, children in b.internal:
            by_height.setdefault(b.heights[node], []).append((node, op, children))
        self.levels: list[_Level] = []
        for height in sorted(by_height):
            rows = by_height[height]
            sizes = [len(r[2]) for r in rows]
            self.levels.append(
                _Level(
                    nodes=np.array([r[0] for r in rows], dtype=np.int64),
                    starts=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64),
                    children=np.array([c for r in rows for c in r[2]], dtype=np.int64),
                    is_all=np.array([r[1] == _OP_ALL for r in rows], dtype=bool),
                    is_any=np.array([r[1] == _OP_ANY for r in rows], dtype=bool),
                )
            )

    # --- per date ---------------------------------------------------------------------------

    def bounds(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Interval bounds with parameters resolved for ``as_of``; strict ends nudged inwards."""
        cached = self._bound_cache.get(as_of)
        if cached is not None:
            return cached
        values = np.array([self._param_value(name, scope, as_of) for name, scope in self.param_keys] + [np.nan])
        lo = np.where(self.lo_param >= 0, values[self.lo_param], self.lo_lit)
        hi = np.where(self.hi_param >= 0, values[self.hi_param], self.hi_lit)
        lo = np.where(self.lo_strict, np.nextafter(lo, np.inf), lo)
        hi = np.where(self.hi_strict, np.nextafter(hi, -np.inf), hi)
        if len(self._bound_cache) > 64:
            self._bound_cache.clear()
        self._bound_cache[as_of] = (lo, hi)
        return lo, hi

    def _param_value(self, name: str, scope: int, as_of: dt.date) -> float:
        source = self._scopes[scope] if scope >= 0 else self.params
        assert source is not None
        pv = source.at(name, as_of) if name in source else None
        return pv.value if pv is not None else np.nan

    # --- per profile ------------------------------------------------------------------------

    def fact_rows(self, contexts: Sequence[FactContext]) -> tuple[np.ndarray, np.ndarray]:
        values = np.zeros((len(contexts), len(NUMERIC_FACTS)))
        known = np.zeros((len(contexts), len(NUMERIC_FACTS)), dtype=bool)
        for row, ctx in enumerate(contexts):
            for col, name in enumerate(NUMERIC_FACTS):
                value = ctx.value(name)
                if value is not None:
                    values[row, col] = _scalar(value)
                    known[row, col] = True
        return values, known

    def token_rows(self, contexts: Sequence[FactContext]) -> tuple[np.ndarray, np.ndarray]:
        true = np.zeros((len(contexts), len(self.vocab) + 1), dtype=bool)
        possible = np.zeros_like(true)
        for row, ctx in enumerate(contexts):
            for fact, tokens in self.tokens_by_fact.items():
                self._mark(fact, tokens, ctx.value(fact), true[row], possible[row])
        return true, possible

    @staticmethod
    def _mark(fact: str, tokens: list[tuple[str, int]], value: object, true: np.ndarray, possible: np.ndarray) -> None:
        if value is None:
            for _, idx in tokens:
                possible[idx] = True
            return
        kind = FACTS[fact].kind
        for member, idx in tokens:
            if kind == CODE:
                is_true = value.startswith(member)  # type: ignore[union-attr]
                true[idx] = is_true
                possible[idx] = is_true or member.startswith(value)  # type: ignore[arg-type]
            else:
                hit = member in value if kind == LIST else member == value  # type: ignore[operator]
                true[idx] = possible[idx] = hit

    def evaluate_contexts(self, contexts: Sequence[FactContext]) -> tuple[np.ndarray, np.ndarray]:
        """P and F for every node of every program: arrays of shape (profiles, nodes)."""
        n = len(contexts)
        P = np.zeros((n, self.n_nodes), dtype=bool)
        F = np.zeros((n, self.n_nodes), dtype=bool)
        self._numeric_leaves(contexts, P, F)
        self._token_leaves(contexts, P, F)
        self._python_leaves(contexts, P, F)
        for level in self.levels:
            self._reduce(level, P, F)
        return P, F

    def _numeric_leaves(self, contexts: Sequence[FactContext], P: np.ndarray, F: np.ndarray) -> None:
        if not len(self.num_nodes):
            return
        values, known = self.fact_rows(contexts)
        dates = np.array([ctx.as_of.toordinal() for ctx in contexts])
        for ordinal in np.unique(dates):
            rows = np.nonzero(dates == ordinal)[0]
            lo, hi = self.bounds(dt.date.fromordinal(int(ordinal)))
            v = values[np.ix_(rows, self.num_fact)]
            k = known[np.ix_(rows, self.num_fact)] & ~np.isnan(lo) & ~np.isnan(hi)
            inside = (v >= lo) & (v <= hi)
            P[np.ix_(rows, self.num_nodes)] = k & inside
            F[np.ix_(rows, self.num_nodes)] = k & ~inside

    def _token_leaves(self, contexts: Sequence[FactContext], P: np.ndarray, F: np.ndarray) -> None:
        if not len(self.tok_nodes):
            return
        true, possible = self.token_rows(contexts)
        any_true = np.logical_or.reduceat(true[:, self.tok_ids], self.tok_starts, axis=1)
        any_possible = np.logical_or.reduceat(possible[:, self.tok_ids], self.tok_starts, axis=1)
        P[:, self.tok_nodes] = any_true & ~self.tok_empty
        F[:, self.tok_nodes] = ~any_possible & ~self.tok_empty

    def _python_leaves(self, contexts: Sequence[FactContext], P: np.ndarray, F: np.ndarray) -> None:
        for (leaf, scope), node in zip(self.py_leaves, self.py_nodes, strict=True):
            for row, ctx in enumerate(contexts):
                outcome = leaf.evaluate(EvalContext(ctx, self._scopes[scope])).outcome
                P[row, node] = outcome == "pass"
                F[row, node] = outcome == "fail"

    @staticmethod
    def _reduce(level: _Level, P: np.ndarray, F: np.ndarray) -> None:
        cp, cf = P[:, level.children], F[:, level.children]
        and_p = np.logical_and.reduceat(cp, level.starts, axis=1)
        or_p = np.logical_or.reduceat(cp, level.starts, axis=1)
        and_f = np.logical_and.reduceat(cf, level.starts, axis=1)
        or_f = np.logical_or.reduceat(cf, level.starts, axis=1)
        P[:, level.nodes] = np.where(level.is_all, and_p, np.where(level.is_any, or_p, or_f))
        F[:, level.nodes] = np.where(level.is_all, or_f, np.where(level.is_any, and_f, or_p))

    def statuses_for(self, contexts: Sequence[FactContext]) -> np.ndarray:
        """Status codes (0 ineligible, 1 undetermined, 2 eligible), shape (profiles, programs)."""
        P, F = self.evaluate_contexts(contexts)
        status = np.full((len(contexts), len(self.keys)), UNDETERMINED, dtype=np.int8)
        status[P[:, self.roots]] = ELIGIBLE
        status[F[:, self.roots]] = INELIGIBLE
        return status

    def statuses(self, profiles: Sequence[CompanyProfile], today: dt.date | None = None) -> np.ndarray:
        contexts = [FactContext(p, self.params, today) for p in profiles]
        return self.statuses_for(contexts)

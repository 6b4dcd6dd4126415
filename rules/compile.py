"""Whole-catalog evaluation, vectorised with numpy.

The rule trees of every program are flattened once into a table of nodes, hash-consed: identical
subtrees (the statutory SME definition written out in many programs, ``employees ≤ 300``, the same list
of prefectures) become one node, evaluated once per profile. Three values travel as one int8 per node
and profile: -1 fail, 0 unknown, +1 pass, so Kleene's connectives are ``all = min``, ``any = max`` and
``not = negation``, and the program status is the root value + 1.

* numeric leaves (compare, range, ``is``) are interval tests on a fact vector;
* membership leaves (``in``, ``has_certification``) are ``any`` nodes over one leaf per vocabulary token,
  whose value per profile is +1 (the profile has it), 0 (unknown, or a coarser industry code that may
  fall within it) or -1;
* the connectives are reduced level by level (deepest first); within a level, nodes of the same
  operator and (padded) arity are one gather plus ``np.minimum/np.maximum.reduce`` over the arity axis.
  Nodes are numbered so that every such group, and every kind of leaf, is a contiguous slice.

The plain tree walk in ``rules.tree`` stays the reference: ``CompiledCatalog.statuses`` must give the
same status as ``rules.analysis.evaluate_rule`` for every program and profile (checked in
tests/rules/test_compile_equivalence.py and in ``python -m bench.rules_bench``). Explanations are
produced by the tree walk, only for the programs shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rules.facts import BOOL, CODE, DATE, FACTS, LIST, NUMBER, FactContext
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
_FACT_INDEX = {name: i for i, name in enumerate(NUMERIC_FACTS)}
_OP_ALL, _OP_ANY, _OP_NOT = 0, 1, 2
_FAIL, _UNKNOWN, _PASS = -1, 0, 1
_CONST = {_FAIL: 0, _UNKNOWN: 1, _PASS: 2}  # node ids of the three constants
_EXACT_LIMIT = 2**53  # integers beyond this are not all representable as float64: checked exactly
_CHUNK = 2048  # profiles per block in batch evaluation (bounds the node × profile matrix)


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


def _raw(value: object) -> object:
    """A literal as an exact Python number (dates as ordinals), for keys and exact checks."""
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, bool):
        return int(value)
    return value


def _inexact(value: object) -> bool:
    return isinstance(value, int) and abs(value) >= _EXACT_LIMIT and float(value) != value


def _arity_bin(n: int) -> int:
    if n <= 4:
        return n
    b = 8
    while b < n:
        b *= 2
    return b


# A bound: (exact literal or None for open, parameter slot or -1, strict)
Bound = tuple[object, int, bool]


class _Builder:
    """Hash-consing node table. Leaves: numeric intervals, vocabulary tokens, Python leaves (events)."""

    def __init__(self, scopes: list[ParameterSet | None]):
        self.scopes = scopes
        self.ids: dict[tuple, int] = {}
        self.kind: list[str] = ["const", "const", "const"]  # const | num | tok | py | op
        self.height: list[int] = [0, 0, 0]
        self.num: dict[int, tuple[int, Bound, Bound]] = {}
        self.tok: dict[int, tuple[str, str]] = {}
        self.py: dict[int, tuple[NodeBase, int]] = {}
        self.op: dict[int, tuple[int, tuple[int, ...]]] = {}
        self.param_keys: dict[tuple[str, int], int] = {}

    def _node(self, key: tuple, kind: str, height: int) -> tuple[int, bool]:
        found = self.ids.get(key)
        if found is not None:
            return found, False
        node = len(self.kind)
        self.ids[key] = node
        self.kind.append(kind)
        self.height.append(height)
        return node, True

    def param_slot(self, name: str, scope: int) -> int:
        local = self.scopes[scope]
        key = (name, scope if local is not None and name in local else -1)
        return self.param_keys.setdefault(key, len(self.param_keys))

    def interval(self, fact: str, lo: Bound, hi: Bound) -> int:
        f = _FACT_INDEX[fact]
        node, new = self._node(("num", f, lo, hi), "num", 0)
        if new:
            self.num[node] = (f, lo, hi)
        return node

    def token(self, fact: str, value: str) -> int:
        node, new = self._node(("tok", fact, value), "tok", 0)
        if new:
            self.tok[node] = (fact, value)
        return node

    def connective(self, op: int, children: list[int]) -> int:
        if op == _OP_NOT:
            (child,) = children
            if self.kind[child] == "op" and self.op[child][0] == _OP_NOT:
                return self.op[child][1][0]  # not not x = x
            if self.kind[child] == "const":
                return _CONST[-self.const_value(child)]
            key_children: tuple[int, ...] = (child,)
        else:
            key_children = tuple(sorted(set(children)))  # min/max: order and repeats do not matter
            if len(key_children) == 1:
                return key_children[0]
        node, new = self._node(("op", op, key_children), "op", 1 + max(self.height[c] for c in key_children))
        if new:
            self.op[node] = (op, key_children)
        return node

    @staticmethod
    def const_value(node: int) -> int:
        return {v: k for k, v in _CONST.items()}[node]

    def add(self, rule: NodeBase, scope: int) -> int:
        if isinstance(rule, All | AnyOf):
            op = _OP_ALL if isinstance(rule, All) else _OP_ANY
            return self.connective(op, [self.add(c, scope) for c in rule.children()])
        if isinstance(rule, Not):
            return self.connective(_OP_NOT, [self.add(rule.not_, scope)])
        if isinstance(rule, Compare):
            return self.compare(rule, scope)
        if isinstance(rule, Range):
            lo = self.bound(rule.min, rule.min_param, scope, False)
            hi = self.bound(rule.max, rule.max_param, scope, False)
            return self.interval(rule.fact, lo, hi)
        if isinstance(rule, Is):
            return self.interval(rule.is_, (1, -1, False), (1, -1, False))
        if isinstance(rule, Member):
            return self.connective(_OP_ANY, [self.token(rule.fact, v) for v in rule.in_])
        if isinstance(rule, HasCertification):
            return self.connective(_OP_ANY, [self.token("certifications", c) for c in rule.ids()])
        if isinstance(rule, Unstated):
            return _CONST[_UNKNOWN]
        if isinstance(rule, HasEvent):
            key = ("py", rule.model_dump_json(exclude={"source", "label", "label_en"}))
            node, new = self._node(key, "py", 0)
            if new:
                self.py[node] = (rule, scope)
            return node
        raise TypeError(f"cannot compile {type(rule).__name__}")

    def bound(self, literal: object, param: str | None, scope: int, strict: bool) -> Bound:
        if param is not None:
            return (None, self.param_slot(param, scope), strict)
        return (_raw(literal) if literal is not None else None, -1, strict)

    def compare(self, rule: Compare, scope: int) -> int:
        point = self.bound(rule.value, rule.param, scope, False)
        if rule.op == "ne":
            return self.connective(_OP_NOT, [self.interval(rule.fact, point, point)])
        open_: Bound = (None, -1, False)
        strict = (point[0], point[1], True)
        lo, hi = {
            "lt": (open_, strict),
            "le": (open_, point),
            "gt": (strict, open_),
            "ge": (point, open_),
            "eq": (point, point),
        }[rule.op]
        return self.interval(rule.fact, lo, hi)


def _fields_of(leaf: NodeBase) -> tuple[str, ...]:
    """Profile fields that decide a condition (events are a field of their own)."""
    if isinstance(leaf, HasEvent):
        return ("events",)
    return tuple(dict.fromkeys(i for f in leaf.facts_read() if f in FACTS for i in FACTS[f].inputs))


def _tree_leaves(rule: NodeBase) -> list[NodeBase]:
    """The conditions of a rule: every node that is not all / any / not."""
    if isinstance(rule, All | AnyOf | Not):
        return [leaf for child in rule.children() for leaf in _tree_leaves(child)]
    return [rule]


@dataclass
class _Group:
    """Nodes ``start:stop`` (one operator, one padded arity) and their children, shape (arity, nodes)."""

    start: int
    stop: int
    op: int
    children: np.ndarray


class CompiledCatalog:
    """Every program's rule as arrays; ``statuses`` evaluates one or many profiles at once."""

    def __init__(self, programs: Sequence[ProgramRule], params: ParameterSet | None = None):
        self.params = params or default_parameters()
        self.keys = [p.key for p in programs]
        b = _Builder([p.params for p in programs])
        roots = [b.add(p.rule, i) for i, p in enumerate(programs)]
        # every condition (tree leaf) of every program, as its shared node: hash-consing finds the same node
        conditions = [[(b.add(leaf, i), leaf) for leaf in _tree_leaves(p.rule)] for i, p in enumerate(programs)]
        self._scopes = b.scopes
        self.param_keys = sorted(b.param_keys, key=b.param_keys.__getitem__)
        self._layout(b, roots)
        self._conditions(conditions)
        self._bound_cache: dict[dt.date, tuple[np.ndarray, np.ndarray, list[float]]] = {}

    # --- layout: renumber so that every leaf kind and every reduction group is a slice -----------

    def _layout(self, b: _Builder, roots: list[int]) -> None:
        order: list[int] = [0, 1, 2]
        tok_nodes = sorted(b.tok, key=lambda n: b.tok[n])
        num_nodes = sorted(b.num)
        py_nodes = sorted(b.py)
        order += tok_nodes + num_nodes + py_nodes
        groups: dict[tuple[int, int, int], list[int]] = {}
        for node, (op, children) in b.op.items():
            groups.setdefault((b.height[node], op, _arity_bin(len(children))), []).append(node)
        group_keys = sorted(groups)
        for key in group_keys:
            order += groups[key]
        new_id = np.empty(len(order), dtype=np.int64)
        new_id[order] = np.arange(len(order))
        self._new_id = new_id
        self.n_nodes = len(order)
        self.roots = new_id[np.array(roots, dtype=np.int64)] if roots else np.zeros(0, dtype=np.int64)

        # tokens: per fact a slice, plus look-ups for exact values and (codes) prefixes
        self.tok_start = 3
        self.tok_stop = 3 + len(tok_nodes)
        self.token_facts: dict[str, dict[str, Any]] = {}
        for node in tok_nodes:
            fact, value = b.tok[node]
            info = self.token_facts.setdefault(fact, {"ids": [], "exact": {}, "prefix": {}})
            nid = int(new_id[node])
            info["ids"].append(nid)
            info["exact"][value] = nid
            if FACTS[fact].kind == CODE:
                for length in range(1, len(value) + 1):
                    info["prefix"].setdefault(value[:length], []).append(nid)
        for info in self.token_facts.values():
            info["ids"] = np.array(info["ids"], dtype=np.int64)
            info["prefix"] = {k: np.array(v, dtype=np.int64) for k, v in info["prefix"].items()}
        self.vocab = {b.tok[n]: int(new_id[n]) for n in tok_nodes}

        # numeric leaves
        self.num_start = self.tok_stop
        self.num_stop = self.num_start + len(num_nodes)
        specs = [b.num[n] for n in num_nodes]
        self.num_fact = np.array([s[0] for s in specs], dtype=np.int64)
        self.used_facts = sorted(set(self.num_fact.tolist()))
        self._fact_col = {f: i for i, f in enumerate(self.used_facts)}
        self.num_col = np.array([self._fact_col[f] for f in self.num_fact.tolist()], dtype=np.int64)
        self.num_lo = [s[1] for s in specs]
        self.num_hi = [s[2] for s in specs]
        self.lo_lit = np.array([-np.inf if lo[0] is None else _scalar(lo[0]) for lo in self.num_lo], dtype=np.float64)
        self.hi_lit = np.array([np.inf if hi[0] is None else _scalar(hi[0]) for hi in self.num_hi], dtype=np.float64)
        self.lo_param = np.array([lo[1] for lo in self.num_lo], dtype=np.int64)
        self.hi_param = np.array([hi[1] for hi in self.num_hi], dtype=np.int64)
        self.lo_strict = np.array([lo[2] for lo in self.num_lo], dtype=bool)
        self.hi_strict = np.array([hi[2] for hi in self.num_hi], dtype=bool)
        self.num_inexact = np.nonzero([_inexact(lo[0]) or _inexact(hi[0])
                                       for lo, hi in zip(self.num_lo, self.num_hi, strict=True)])[0]

        # Python leaves (events)
        self.py_start = self.num_stop
        self.py_leaves = [b.py[n] for n in py_nodes]

        # connectives
        self.groups: list[_Group] = []
        start = self.py_start + len(py_nodes)
        for key in group_keys:
            nodes = groups[key]
            _, op, arity = key
            pad = _CONST[_PASS] if op == _OP_ALL else _CONST[_FAIL]
            child_ids = np.full((arity, len(nodes)), pad, dtype=np.int64)
            for j, node in enumerate(nodes):
                kids = b.op[node][1]
                child_ids[: len(kids), j] = new_id[np.array(kids, dtype=np.int64)]
            self.groups.append(_Group(start, start + len(nodes), op, child_ids))
            start += len(nodes)

    def _conditions(self, conditions: list[list[tuple[int, NodeBase]]]) -> None:
        """Per condition: its program, its node, and the profile fields that would decide it."""
        flat = [(i, node, leaf) for i, items in enumerate(conditions) for node, leaf in items]
        self.condition_program = np.array([c[0] for c in flat], dtype=np.int64)
        self.condition_node = self._new_id[np.array([c[1] for c in flat], dtype=np.int64)] if flat else \
            np.zeros(0, dtype=np.int64)
        self.condition_fields = [_fields_of(leaf) for _, _, leaf in flat]

    # --- per date ---------------------------------------------------------------------------

    def bounds(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray, list[float]]:
        """Interval bounds with parameters resolved for ``as_of`` (strict ends nudged inwards), and the
        parameter values by slot (NaN where a parameter has no value on that date)."""
        cached = self._bound_cache.get(as_of)
        if cached is not None:
            return cached
        slots = [self._param_value(name, scope, as_of) for name, scope in self.param_keys]
        values = np.array(slots + [np.nan])
        lo = np.where(self.lo_param >= 0, values[self.lo_param], self.lo_lit)
        hi = np.where(self.hi_param >= 0, values[self.hi_param], self.hi_lit)
        lo = np.where(self.lo_strict, np.nextafter(lo, np.inf), lo)
        hi = np.where(self.hi_strict, np.nextafter(hi, -np.inf), hi)
        if len(self._bound_cache) > 64:
            self._bound_cache.clear()
        self._bound_cache[as_of] = (lo, hi, slots)
        return lo, hi, slots

    def _param_value(self, name: str, scope: int, as_of: dt.date) -> float:
        source = self._scopes[scope] if scope >= 0 else self.params
        assert source is not None
        pv = source.at(name, as_of) if name in source else None
        return pv.value if pv is not None else np.nan

    # --- per profile ------------------------------------------------------------------------

    def fact_rows(self, contexts: Sequence[FactContext]) -> tuple[np.ndarray, np.ndarray, dict[tuple[int, int], int]]:
        """Values and known-masks of the facts the numeric leaves read, shape (profiles, used facts);
        plus the integers too large for float64 to hold exactly, by (row, column)."""
        names = [NUMERIC_FACTS[f] for f in self.used_facts]
        values = np.zeros((len(contexts), len(names)))
        known = np.zeros((len(contexts), len(names)), dtype=bool)
        big: dict[tuple[int, int], int] = {}
        for row, ctx in enumerate(contexts):
            for col, name in enumerate(names):
                value = ctx.value(name)
                if value is not None:
                    values[row, col] = _scalar(value)
                    known[row, col] = True
                    if _inexact(value):
                        big[(row, col)] = value
        return values, known, big

    def _numeric_leaves(self, contexts: Sequence[FactContext], V: np.ndarray) -> None:
        if self.num_stop == self.num_start:
            return
        values, known, big = self.fact_rows(contexts)
        dates = [ctx.as_of for ctx in contexts]
        by_date: dict[dt.date, list[int]] = {}
        for row, day in enumerate(dates):
            by_date.setdefault(day, []).append(row)
        for day, rows in by_date.items():
            lo, hi, slots = self.bounds(day)
            ok = ~(np.isnan(lo) | np.isnan(hi))
            sel = rows if len(rows) < len(contexts) else slice(None)
            v = values[sel][:, self.num_col].T  # (leaves, rows)
            k = known[sel][:, self.num_col].T & ok[:, None]
            inside = (v >= lo[:, None]) & (v <= hi[:, None])
            out = np.where(k, np.where(inside, _PASS, _FAIL), _UNKNOWN).astype(np.int8)
            V[self.num_start:self.num_stop, sel] = out
            if len(self.num_inexact) or big:
                self._exact_fixups(rows, values, known, big, slots, V)

    def _exact_fixups(self, rows: list[int], values: np.ndarray, known: np.ndarray,
                      big: dict[tuple[int, int], int], slots: list[float], V: np.ndarray) -> None:
        """Leaves or values beyond float64's exact integers: compare in Python, as the tree walk does."""
        cells: set[tuple[int, int]] = {(row, int(j)) for row in rows for j in self.num_inexact}
        for row in rows:
            for col in range(values.shape[1]):
                if (row, col) in big:
                    cells.update((row, int(j)) for j in np.nonzero(self.num_col == col)[0])
        for row, j in cells:
            col = int(self.num_col[j])
            if not known[row, col]:
                continue
            exact = big.get((row, col))
            value: float | int = float(values[row, col]) if exact is None else exact  # Python numbers compare exactly
            V[self.num_start + j, row] = self._exact_interval(j, value, slots)

    def _exact_interval(self, j: int, value: float | int, slots: list[float]) -> int:
        ends: list[tuple[Any, bool]] = []
        for lit, param, strict in (self.num_lo[j], self.num_hi[j]):
            if param >= 0:
                lit = slots[param]
                if np.isnan(lit):
                    return _UNKNOWN
            ends.append((lit, strict))
        (lo, lo_strict), (hi, hi_strict) = ends
        inside = (lo is None or (value > lo if lo_strict else value >= lo)) and (
            hi is None or (value < hi if hi_strict else value <= hi))
        return _PASS if inside else _FAIL

    def _token_leaves(self, contexts: Sequence[FactContext], V: np.ndarray) -> None:
        if self.tok_stop == self.tok_start:
            return
        V[self.tok_start:self.tok_stop] = _FAIL
        for fact, info in self.token_facts.items():
            kind = FACTS[fact].kind
            exact, ids = info["exact"], info["ids"]
            for row, ctx in enumerate(contexts):
                value = ctx.value(fact)
                if value is None:
                    V[ids, row] = _UNKNOWN
                elif kind == CODE:
                    possible = info["prefix"].get(value)
                    if possible is not None:
                        V[possible, row] = _UNKNOWN  # a finer code: the company may or may not be in it
                    for length in range(1, len(value) + 1):
                        hit = exact.get(value[:length])
                        if hit is not None:
                            V[hit, row] = _PASS
                elif kind == LIST:
                    for member in value:
                        hit = exact.get(member)
                        if hit is not None:
                            V[hit, row] = _PASS
                else:
                    hit = exact.get(value)
                    if hit is not None:
                        V[hit, row] = _PASS

    def _python_leaves(self, contexts: Sequence[FactContext], V: np.ndarray) -> None:
        for i, (leaf, scope) in enumerate(self.py_leaves):
            for row, ctx in enumerate(contexts):
                outcome = leaf.evaluate(EvalContext(ctx, self._scopes[scope])).outcome
                V[self.py_start + i, row] = _PASS if outcome == "pass" else _FAIL if outcome == "fail" else _UNKNOWN

    def node_values(self, contexts: Sequence[FactContext]) -> np.ndarray:
        """The value (-1 fail, 0 unknown, +1 pass) of every node, shape (nodes, profiles)."""
        V = np.empty((self.n_nodes, len(contexts)), dtype=np.int8)
        V[0], V[1], V[2] = _FAIL, _UNKNOWN, _PASS
        self._token_leaves(contexts, V)
        self._numeric_leaves(contexts, V)
        self._python_leaves(contexts, V)
        for g in self.groups:
            if g.op == _OP_NOT:
                np.negative(V[g.children[0]], out=V[g.start:g.stop])
            else:
                gathered = V[g.children]  # (arity, nodes, profiles)
                reduce = np.minimum.reduce if g.op == _OP_ALL else np.maximum.reduce
                reduce(gathered, axis=0, out=V[g.start:g.stop])
        return V

    def statuses_for(self, contexts: Sequence[FactContext]) -> np.ndarray:
        """Status codes (0 ineligible, 1 undetermined, 2 eligible), shape (profiles, programs)."""
        status = np.empty((len(contexts), len(self.keys)), dtype=np.int8)
        for start in range(0, len(contexts), _CHUNK):
            block = contexts[start:start + _CHUNK]
            V = self.node_values(block)
            status[start:start + len(block)] = (V[self.roots] + 1).T
        return status

    def statuses(self, profiles: Sequence[CompanyProfile], today: dt.date | None = None) -> np.ndarray:
        contexts = [FactContext(p, self.params, today) for p in profiles]
        return self.statuses_for(contexts)

"""The synthetic catalog as one zen-engine (GoRules) decision, for comparison with our engines.

Each program becomes one expression of a single expression node; the expression yields the program's
status code directly (0 ineligible, 1 undetermined, 2 eligible). Three-valued logic is written with
the same encoding as ``rules.compile``: a condition is 0 (fail), 1 (unknown) or 2 (pass), so Kleene's
``all`` is ``min([...])``, ``any`` is ``max([...])`` and ``not`` is ``2 - x``. Unknown facts are
``null`` in the input and each leaf tests for null first:

    employees <= 300               (employees == null ? 1 : (employees <= 300 ? 2 : 0))
    industry in [E19, G391]        (industry == null ? 1 : (startsWith(industry, "E19") or ... ? 2
                                     : (industry in ["E", "E1", "E19", "G", ...] ? 1 : 0)))
    has_certification [a, b]       (certifications == null ? 1 : (some(certifications, # in ["a","b"]) ? 2 : 0))
    is: is_sme                     (is_sme == null ? 1 : (is_sme ? 2 : 0))
    unstated                       1

Only primitive facts go in: derived facts a rule reads (``is_sme``, ``region``,
``years_since_founding``) are computed by ``rules.facts`` and fed in as input fields.

Not translated (the benchmark catalog does not use them): parameters (``param``/``min_param``), dates
and ``has_event``; ``translate`` raises ``Unsupported`` for them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import zen

from rules.compile import ProgramRule
from rules.facts import CODE, FACTS, LIST, NUMBER, FactContext
from rules.tree import All, AnyOf, Compare, HasCertification, HasEvent, Is, Member, NodeBase, Not, Range, Unstated

_OPS = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}


class Unsupported(ValueError):
    pass


def _lit(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, int) else repr(float(value))
    return json.dumps(value, ensure_ascii=False)


def _guard(fact: str, test: str) -> str:
    return f"({fact} == null ? 1 : ({test} ? 2 : 0))"


def translate(rule: NodeBase, facts: set[str]) -> str:
    """A zen expression yielding 0/1/2 for ``rule``; adds the input fields it reads to ``facts``."""
    if isinstance(rule, All | AnyOf):
        fn = "min" if isinstance(rule, All) else "max"
        return f"{fn}([{', '.join(translate(c, facts) for c in rule.children())}])"
    if isinstance(rule, Not):
        return f"(2 - {translate(rule.not_, facts)})"
    if isinstance(rule, Unstated):
        return "1"
    if isinstance(rule, Compare):
        if rule.param is not None or FACTS[rule.fact].kind != NUMBER:
            raise Unsupported(f"compare on {rule.fact} with a parameter or a date")
        facts.add(rule.fact)
        return _guard(rule.fact, f"{rule.fact} {_OPS[rule.op]} {_lit(rule.value)}")
    if isinstance(rule, Range):
        if rule.min_param or rule.max_param or FACTS[rule.fact].kind != NUMBER:
            raise Unsupported(f"range on {rule.fact} with a parameter or a date")
        facts.add(rule.fact)
        tests = []
        if rule.min is not None:
            tests.append(f"{rule.fact} >= {_lit(rule.min)}")
        if rule.max is not None:
            tests.append(f"{rule.fact} <= {_lit(rule.max)}")
        return _guard(rule.fact, " and ".join(tests))
    if isinstance(rule, Is):
        facts.add(rule.is_)
        return f"({rule.is_} == null ? 1 : ({rule.is_} ? 2 : 0))"
    if isinstance(rule, HasCertification):
        facts.add("certifications")
        return _guard("certifications", f"some(certifications, # in {_lit(rule.ids())})")
    if isinstance(rule, Member):
        fact, kind = rule.fact, FACTS[rule.fact].kind
        facts.add(fact)
        if kind == CODE:
            hit = " or ".join(f"startsWith({fact}, {_lit(t)})" for t in rule.in_)
            prefixes = sorted({t[:n] for t in rule.in_ for n in range(1, len(t) + 1)})
            return f"({fact} == null ? 1 : (({hit}) ? 2 : ({fact} in {_lit(prefixes)} ? 1 : 0)))"
        if kind == LIST:
            return _guard(fact, f"some({fact}, # in {_lit(rule.in_)})")
        return _guard(fact, f"{fact} in {_lit(rule.in_)}")
    if isinstance(rule, HasEvent):
        raise Unsupported("has_event")
    raise Unsupported(type(rule).__name__)


def decision_content(programs: Sequence[ProgramRule]) -> tuple[dict[str, Any], list[str]]:
    """The JDM graph (input → one expression node → output) and the input fields it reads."""
    facts: set[str] = set()
    expressions = [{"id": f"e{i}", "key": p.key, "value": translate(p.rule, facts)} for i, p in enumerate(programs)]
    content = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "profile", "position": {"x": 0, "y": 0}},
            {"id": "rules", "type": "expressionNode", "name": "eligibility", "position": {"x": 300, "y": 0},
             "content": {"expressions": expressions, "passThrough": False, "inputField": None,
                         "outputPath": None, "executionMode": "single"}},
            {"id": "out", "type": "outputNode", "name": "statuses", "position": {"x": 600, "y": 0}},
        ],
        "edges": [
            {"id": "in-rules", "sourceId": "in", "targetId": "rules", "type": "edge"},
            {"id": "rules-out", "sourceId": "rules", "targetId": "out", "type": "edge"},
        ],
    }
    return content, sorted(facts)


def _input_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, tuple):
        return list(value)
    return value


class ZenCatalog:
    """One zen decision for the whole catalog; ``statuses`` gives codes in catalog order."""

    def __init__(self, programs: Sequence[ProgramRule]):
        self.keys = [p.key for p in programs]
        content, self.facts = decision_content(programs)
        self.engine = zen.ZenEngine()
        # ZenDecisionContent parses (and compiles) the graph once; handing create_decision the JSON
        # text instead re-reads it on every call (≈4–5× slower per evaluation)
        self.decision = self.engine.create_decision(zen.ZenDecisionContent(json.dumps(content, ensure_ascii=False)))

    def context(self, ctx: FactContext) -> dict[str, Any]:
        """The input: primitive facts, and the derived ones the rules read, as values (null = unknown)."""
        return {name: _input_value(ctx.value(name)) for name in self.facts}

    def evaluate(self, ctx: FactContext) -> dict[str, Any]:
        return self.decision.evaluate(self.context(ctx))["result"]

    def statuses_for(self, ctx: FactContext) -> np.ndarray:
        result = self.evaluate(ctx)
        return np.array([int(result[k]) for k in self.keys], dtype=np.int8)

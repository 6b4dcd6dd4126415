"""The rule language: a typed tree of eligibility conditions, written in YAML.

Every operator is a pydantic model that validates itself at load time, evaluates itself three-valued
(pass / fail / unknown) and describes itself in Japanese and English. ``OPERATORS`` lists them all,
so the docs, the tests and the question bank can enumerate the language.

    all: [...]            every child passes          any: [...]   at least one child passes
    not: {...}            the child fails             is: is_sme   a boolean (derived) fact is true
    {fact, op, value|param}                compare a number or date (lt, le, gt, ge, eq, ne)
    {fact, min|min_param, max|max_param}   a range, both ends inclusive (dates: a window)
    {fact, in: [...]}                      membership (industry codes match by prefix)
    has_certification: id | [ids]          holds the plan or certification (any of a list)
    has_event: type                        a dated event (disaster, ...) with optional window
    unstated: reason                       the sources state no condition: always unknown
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from rules import text
from rules.facts import BOOL, CODE, DATE, FACTS, LIST, NUMBER, STRING, FactContext, FactSpec
from rules.industry import is_known_code, name_of
from rules.logic import Tri, and3, not3, or3
from rules.parameters import ParameterSet, ParameterValue
from rules.regions import PREFECTURES, REGIONS
from rules.vocabulary import CERTIFICATIONS, EVENT_TYPES, LEGAL_FORMS, PARTNERS, PURPOSES

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
UNSTATED_JA = "条件が公表資料に記載されていません"
UNSTATED_EN = "The published sources state no condition"


def outcome_of(value: Tri) -> str:
    return PASS if value is True else FAIL if value is False else UNKNOWN


class Source(BaseModel):
    """Where a fact comes from: a seed document and line, a data record, or a published page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    document: str | None = None
    line: int | None = Field(default=None, ge=1)
    record: str | None = None
    url: str | None = None
    title: str | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if not (self.document and self.line) and not self.record and not self.url:
            raise ValueError("a source needs {document, line}, {record} or {url}")
        return self

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set (what ``model_dump(exclude_none=True)`` gives, at a fraction of the cost:
        every reason of every answer carries one)."""
        return {k: v for k, v in (("document", self.document), ("line", self.line), ("record", self.record),
                                  ("url", self.url), ("title", self.title)) if v is not None}

    def cite(self) -> str:
        if self.document and self.line:
            return f"{self.document}:{self.line}"
        return self.record or self.url or ""


@dataclass
class ClauseResult:
    """The outcome of one condition, with everything used to reach it."""

    outcome: str
    op: str
    condition: str
    condition_en: str
    text: str
    text_en: str
    facts: dict[str, Any] = field(default_factory=dict)
    params: tuple[ParameterValue, ...] = ()
    source: Source | None = None
    children: tuple[ClauseResult, ...] = ()
    missing: tuple[str, ...] = ()
    node: Any = None

    def leaves(self) -> list[ClauseResult]:
        """The conditions as a list, one per leaf; a negation counts as one condition.

        Of an ``any`` that is met, only the alternatives that met it are reasons: the others (e.g. "not a
        中堅企業" beside "is an SME") would read as failures on a program the company qualifies for.
        """
        if not self.children or self.op == "not":
            return [self]
        children = self.children
        if self.op == "any" and self.outcome == PASS:
            children = tuple(c for c in children if c.outcome == PASS)
        return [leaf for child in children for leaf in child.leaves()]

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "op": self.op,
            "condition": self.condition,
            "condition_en": self.condition_en,
            "text": self.text,
            "text_en": self.text_en,
            "facts": {k: _jsonable(v) for k, v in self.facts.items()},
            "parameters": [p.as_dict() for p in self.params],
            "source": self.source.as_dict() if self.source else None,
            "missing_facts": list(self.missing),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


@dataclass
class EvalContext:
    """A profile's facts plus the parameters (global and program-local) in force on its date."""

    facts: FactContext
    local_params: ParameterSet | None = None
    default_source: Source | None = None
    overrides: dict[int, Tri] = field(default_factory=dict)

    def param(self, name: str) -> ParameterValue | None:
        if self.local_params is not None and name in self.local_params:
            return self.local_params.at(name, self.facts.as_of)
        return self.facts.param(name)

    def has_param(self, name: str) -> bool:
        return (self.local_params is not None and name in self.local_params) or name in self.facts.params

    def missing_inputs(self, fact: str) -> tuple[str, ...]:
        profile = self.facts.profile
        return tuple(f for f in FACTS[fact].inputs if getattr(profile, f) is None)


class NodeBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    TAG: ClassVar[str] = ""
    source: Source | None = Field(default=None, description="where this condition is stated")
    label: str | None = Field(default=None, description="the condition in the program's own words (ja)")
    label_en: str | None = None

    def evaluate(self, ctx: EvalContext) -> ClauseResult:
        result = self._evaluate(ctx)
        forced = ctx.overrides.get(id(self))
        if forced is not None or id(self) in ctx.overrides:
            result.outcome = outcome_of(forced)
        if self.label:
            result.condition = self.label
        if self.label_en:
            result.condition_en = self.label_en
        result.source = self.source or ctx.default_source
        result.node = self
        return result

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self, ctx: EvalContext | None = None) -> tuple[str, str]:
        """The condition in words (ja, en), without reference to any company."""
        if self.label:
            return self.label, self.label_en or self.label
        return self._describe(ctx)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def children(self) -> list[NodeBase]:
        return []

    def facts_read(self) -> set[str]:
        return {f for child in self.children() for f in child.facts_read()}

    def walk(self) -> list[NodeBase]:
        return [self] + [n for child in self.children() for n in child.walk()]


def _result(node: NodeBase, ctx: EvalContext, value: Tri, ja: tuple[str, str, str], en: tuple[str, str, str],
            condition: tuple[str, str] | None = None, **kw: Any) -> ClauseResult:
    cond_ja, cond_en = condition or node.describe(ctx)
    i = 0 if value is True else 1 if value is False else 2
    return ClauseResult(outcome_of(value), node.TAG, cond_ja, cond_en, ja[i], en[i], **kw)


# --- connectives ---------------------------------------------------------------------------


class All(NodeBase):
    TAG: ClassVar[str] = "all"
    all_: list[Node] = Field(alias="all", min_length=1)

    def children(self) -> list[NodeBase]:
        return list(self.all_)

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        results = tuple(c.evaluate(ctx) for c in self.all_)
        value = and3(_tri(r) for r in results)
        return _connective(self, ctx, value, results)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        parts = [c.describe(ctx) for c in self.all_]
        return "、かつ".join(p[0] for p in parts), " and ".join(p[1] for p in parts)


class AnyOf(NodeBase):
    TAG: ClassVar[str] = "any"
    any_: list[Node] = Field(alias="any", min_length=1)

    def children(self) -> list[NodeBase]:
        return list(self.any_)

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        results = tuple(c.evaluate(ctx) for c in self.any_)
        value = or3(_tri(r) for r in results)
        return _connective(self, ctx, value, results)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        parts = [c.describe(ctx) for c in self.any_]
        return "（" + "、又は".join(p[0] for p in parts) + "）", "(" + " or ".join(p[1] for p in parts) + ")"


class Not(NodeBase):
    TAG: ClassVar[str] = "not"
    not_: Node = Field(alias="not")

    def children(self) -> list[NodeBase]:
        return [self.not_]

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        inner = self.not_.evaluate(ctx)
        value = not3(_tri(inner))
        ja, en = self.describe(ctx)
        texts = (f"{ja}を満たします。", f"{ja}を満たしません。", f"{ja}か判断できません。")
        texts_en = (f"Meets: {en}.", f"Does not meet: {en}.", f"Cannot tell yet: {en}.")
        return _result(self, ctx, value, texts, texts_en, children=(inner,), missing=inner.missing,
                       facts=inner.facts, params=inner.params)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        ja, en = self.not_.describe(ctx)
        return f"{ja}に当たらないこと", f"not: {en}"


def _tri(result: ClauseResult) -> Tri:
    return True if result.outcome == PASS else False if result.outcome == FAIL else None


def _connective(node: NodeBase, ctx: EvalContext, value: Tri, results: tuple[ClauseResult, ...]) -> ClauseResult:
    missing = tuple(dict.fromkeys(m for r in results if r.outcome == UNKNOWN for m in r.missing)) if value is None else ()
    texts = ("条件をすべて満たします。", "満たさない条件があります。", "まだ判断できない条件があります。")
    if node.TAG == "any":
        texts = ("いずれかの条件を満たします。", "どの条件も満たしません。", "まだ判断できない条件があります。")
    texts_en = ("Conditions met.", "A condition is not met.", "Some conditions cannot be decided yet.")
    # a connective's own condition is its children's: naming them all here would cost O(depth × size)
    condition = ("次のいずれかを満たすこと", "any of the following") if node.TAG == "any" else (
        "次のすべてを満たすこと", "all of the following")
    return _result(node, ctx, value, texts, texts_en, condition, children=results, missing=missing)


# --- leaves ----------------------------------------------------------------------------------


def _check_fact(name: str, kinds: tuple[str, ...]) -> FactSpec:
    spec = FACTS.get(name)
    if spec is None:
        raise ValueError(f"unknown fact {name!r}; known facts: {', '.join(FACTS)}")
    if spec.kind not in kinds:
        raise ValueError(f"fact {name!r} is a {spec.kind}, this operator needs {' or '.join(kinds)}")
    return spec


Scalar = float | int | dt.date

_OP_JA = {"lt": "未満", "le": "以下", "gt": "を超える", "ge": "以上", "eq": "", "ne": "以外"}
_OP_EN = {"lt": "below", "le": "at most", "gt": "above", "ge": "at least", "eq": "exactly", "ne": "other than"}


def _compare(op: str, value: Any, threshold: Any) -> bool:
    return {
        "lt": value < threshold,
        "le": value <= threshold,
        "gt": value > threshold,
        "ge": value >= threshold,
        "eq": value == threshold,
        "ne": value != threshold,
    }[op]


def _check_scalar(spec: FactSpec, value: Any, param: str | None) -> None:
    if spec.kind == DATE and (param is not None or (value is not None and not isinstance(value, dt.date))):
        raise ValueError(f"fact {spec.name!r} is a date: compare it with a date (YYYY-MM-DD)")
    if spec.kind == NUMBER and isinstance(value, dt.date):
        raise ValueError(f"fact {spec.name!r} is a number: compare it with a number, not a date")


class Compare(NodeBase):
    TAG: ClassVar[str] = "compare"
    fact: str
    op: Literal["lt", "le", "gt", "ge", "eq", "ne"]
    value: Scalar | None = None
    param: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Compare:
        spec = _check_fact(self.fact, (NUMBER, DATE))
        if (self.value is None) == (self.param is None):
            raise ValueError("give exactly one of 'value' or 'param'")
        _check_scalar(spec, self.value, self.param)
        return self

    def threshold(self, ctx: EvalContext | None) -> tuple[Any, tuple[ParameterValue, ...]]:
        if self.param is None:
            return self.value, ()
        pv = ctx.param(self.param) if ctx else None
        return (pv.value if pv else None), ((pv,) if pv else ())

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        spec = FACTS[self.fact]
        limit, _ = self.threshold(ctx)
        shown = text.value_ja(limit, spec.unit) if limit is not None else f"（基準値 {self.param}）"
        shown_en = text.value_en(limit, spec.unit) if limit is not None else f"[{self.param}]"
        return f"{spec.label}が{shown}{_OP_JA[self.op]}", f"{spec.label_en} {_OP_EN[self.op]} {shown_en}"

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        spec = FACTS[self.fact]
        actual = ctx.facts.value(self.fact)
        limit, params = self.threshold(ctx)
        value: Tri = None if actual is None or limit is None else _compare(self.op, actual, limit)
        return _leaf_result(self, ctx, spec, actual, value, params)

    def facts_read(self) -> set[str]:
        return {self.fact}


class Range(NodeBase):
    TAG: ClassVar[str] = "range"
    fact: str
    min: Scalar | None = None
    max: Scalar | None = None
    min_param: str | None = None
    max_param: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Range:
        _check_fact(self.fact, (NUMBER, DATE))
        if self.min is None and self.max is None and self.min_param is None and self.max_param is None:
            raise ValueError("a range needs 'min', 'max', 'min_param' or 'max_param'")
        if self.min is not None and self.min_param is not None or self.max is not None and self.max_param:
            raise ValueError("give either a value or a parameter for each end, not both")
        spec = FACTS[self.fact]
        _check_scalar(spec, self.min, self.min_param)
        _check_scalar(spec, self.max, self.max_param)
        return self

    def bounds(self, ctx: EvalContext | None) -> tuple[Any, Any, tuple[ParameterValue, ...]]:
        used: list[ParameterValue] = []

        def resolve(literal: Any, name: str | None) -> Any:
            if name is None:
                return literal
            pv = ctx.param(name) if ctx else None
            if pv is not None:
                used.append(pv)
            return pv.value if pv else None

        low, high = resolve(self.min, self.min_param), resolve(self.max, self.max_param)
        return low, high, tuple(used)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        spec = FACTS[self.fact]
        low, high, _ = self.bounds(ctx)
        if spec.kind == DATE:
            return _describe_window(spec, low, high)
        ja, en = [], []
        if low is not None or self.min_param:
            ja.append(f"{text.value_ja(low, spec.unit) if low is not None else self.min_param}以上")
            en.append(f"at least {text.value_en(low, spec.unit) if low is not None else self.min_param}")
        if high is not None or self.max_param:
            ja.append(f"{text.value_ja(high, spec.unit) if high is not None else self.max_param}以下")
            en.append(f"at most {text.value_en(high, spec.unit) if high is not None else self.max_param}")
        return f"{spec.label}が{''.join(ja)}", f"{spec.label_en} {' and '.join(en)}"

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        spec = FACTS[self.fact]
        actual = ctx.facts.value(self.fact)
        low, high, params = self.bounds(ctx)
        missing_bound = (self.min_param and low is None) or (self.max_param and high is None)
        value: Tri = None
        if actual is not None and not missing_bound:
            value = (low is None or actual >= low) and (high is None or actual <= high)
        return _leaf_result(self, ctx, spec, actual, value, params)

    def facts_read(self) -> set[str]:
        return {self.fact}


def _describe_window(spec: FactSpec, low: Any, high: Any) -> tuple[str, str]:
    ja = f"{spec.label}が" + (f"{text.date_ja(low)}から" if low else "") + (f"{text.date_ja(high)}まで" if high else "")
    en = f"{spec.label_en}" + (f" from {low.isoformat()}" if low else "") + (f" until {high.isoformat()}" if high else "")
    return ja + "の間" if low and high else ja, en


def _leaf_result(node: NodeBase, ctx: EvalContext, spec: FactSpec, actual: Any, value: Tri,
                 params: tuple[ParameterValue, ...]) -> ClauseResult:
    cond_ja, cond_en = node.describe(ctx)
    if value is None:
        ja = f"{spec.label}が分からないため、条件（{cond_ja}）を満たすか判断できません。"
        en = f"{spec.label_en} is unknown: cannot tell whether {cond_en}."
        missing = ctx.missing_inputs(spec.name)
    else:
        shown, shown_en = text.value_ja(actual, spec.unit), text.value_en(actual, spec.unit)
        ja = f"{spec.label}は{shown}で、条件（{cond_ja}）を{'満たします' if value else '満たしません'}。"
        en = f"{spec.label_en} is {shown_en}: {'meets' if value else 'does not meet'} {cond_en}."
        missing = ()
    return ClauseResult(outcome_of(value), node.TAG, cond_ja, cond_en, ja, en, facts={spec.name: actual},
                        params=params, missing=missing)


_VOCABULARIES: dict[str, dict[str, Any]] = {
    "certifications": CERTIFICATIONS,
    "purposes": PURPOSES,
    "partners": PARTNERS,
    "legal_form": LEGAL_FORMS,
}


def member_label(fact: str, value: str) -> str:
    """A member of a fact's vocabulary in words: 宮城県, 製造業（E）, 経営革新計画の承認."""
    if fact == "industry":
        return f"{name_of(value) or value}（{value}）"
    vocab = _VOCABULARIES.get(fact)
    return vocab[value].ja if vocab and value in vocab else value


def member_label_en(fact: str, value: str) -> str:
    vocab = _VOCABULARIES.get(fact)
    return vocab[value].en if vocab and value in vocab else value


def industry_match(code: str | None, targets: list[str]) -> Tri:
    """Prefix match of JSIC codes: E19 is within E; a company coded only E may or may not be in E19."""
    if code is None:
        return None
    if any(code.startswith(t) for t in targets):
        return True
    if any(t.startswith(code) for t in targets):
        return None
    return False


class Member(NodeBase):
    TAG: ClassVar[str] = "member"
    fact: str
    in_: list[str] = Field(alias="in", min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> Member:
        spec = _check_fact(self.fact, (STRING, CODE, LIST))
        allowed = _allowed_members(spec.name)
        if allowed is not None:
            unknown = [v for v in self.in_ if v not in allowed]
            if unknown:
                raise ValueError(f"{', '.join(unknown)} is not a known value of {self.fact}")
        if spec.kind == CODE:
            bad = [v for v in self.in_ if not is_known_code(v)]
            if bad:
                raise ValueError(f"{', '.join(bad)} is not a JSIC code (letter A–T plus optional digits)")
        return self

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        spec = FACTS[self.fact]
        names = "、".join(member_label(self.fact, v) for v in self.in_)
        names_en = ", ".join(member_label_en(self.fact, v) for v in self.in_)
        if spec.kind == LIST:
            return f"{spec.label}に{names}のいずれかがあること", f"{spec.label_en} include any of {names_en}"
        if len(self.in_) == 1:
            return f"{spec.label}が{names}であること", f"{spec.label_en} is {names_en}"
        return f"{spec.label}が{names}のいずれかであること", f"{spec.label_en} is one of {names_en}"

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        spec = FACTS[self.fact]
        actual = ctx.facts.value(self.fact)
        value: Tri
        if spec.kind == CODE:
            value = industry_match(actual, self.in_)
        elif actual is None:
            value = None
        elif spec.kind == LIST:
            value = any(v in actual for v in self.in_)
        else:
            value = actual in self.in_
        if spec.kind == LIST and actual is not None:
            actual = [member_label(self.fact, v) for v in actual]
        elif actual is not None and spec.kind in (CODE, STRING):
            actual = member_label(self.fact, actual)
        return _leaf_result(self, ctx, spec, actual, value, ())

    def facts_read(self) -> set[str]:
        return {self.fact}


def _allowed_members(fact: str) -> set[str] | None:
    if fact in _VOCABULARIES:
        return set(_VOCABULARIES[fact])
    if fact == "prefecture":
        return set(PREFECTURES)
    if fact == "region":
        return set(REGIONS)
    if fact == "size_class":
        return {"small", "sme", "chuken", "large"}
    return None


class Is(NodeBase):
    TAG: ClassVar[str] = "is"
    is_: str = Field(alias="is")

    @model_validator(mode="after")
    def _valid(self) -> Is:
        _check_fact(self.is_, (BOOL,))
        return self

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        spec = FACTS[self.is_]
        return f"{spec.label}であること", f"is {spec.label_en}"

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        spec = FACTS[self.is_]
        derived = ctx.facts.derived(self.is_)
        value: Tri = derived.value
        missing = ctx.missing_inputs(self.is_) if value is None else ()
        hint = "、".join(FACTS[m].label if m in FACTS else m for m in missing)
        basis = _basis(ctx, spec)
        ja = (f"{spec.label}に当たります。{basis}", f"{spec.label}に当たりません。{basis}",
              f"{spec.label}に当たるか、まだ判断できません。" + (f"{hint}が分かれば判断できます。" if hint else ""))
        en = (f"Is {spec.label_en}.", f"Is not {spec.label_en}.", f"Cannot tell yet whether it is {spec.label_en}.")
        facts = {spec.name: value} | {f: _jsonable(getattr(ctx.facts.profile, f)) for f in spec.inputs}
        return _result(self, ctx, value, ja, en, facts=facts, params=derived.params, missing=missing)

    def facts_read(self) -> set[str]:
        return {self.is_}


def _basis(ctx: EvalContext, spec: FactSpec) -> str:
    profile = ctx.facts.profile
    shown = [f"{FACTS[f].label} {_shown_ja(f, getattr(profile, f))}" for f in spec.inputs
             if f in FACTS and getattr(profile, f) is not None]
    return f"（{'、'.join(shown)}）" if shown else ""


def _shown_ja(fact: str, value: Any) -> str:
    if FACTS[fact].kind in (STRING, CODE):
        return member_label(fact, value)
    return text.value_ja(value, FACTS[fact].unit)


class HasCertification(NodeBase):
    TAG: ClassVar[str] = "has_certification"
    has_certification: str | list[str]

    @model_validator(mode="after")
    def _valid(self) -> HasCertification:
        unknown = [c for c in self.ids() if c not in CERTIFICATIONS]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not a known certification id (see rules/vocabulary.py)")
        return self

    def ids(self) -> list[str]:
        c = self.has_certification
        return [c] if isinstance(c, str) else list(c)

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        names = "又は".join(CERTIFICATIONS[c].ja for c in self.ids())
        return f"{names}を受けていること", f"holds {' or '.join(CERTIFICATIONS[c].en for c in self.ids())}"

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        held = ctx.facts.profile.certifications
        value: Tri = None if held is None else any(c in held for c in self.ids())
        names = "又は".join(CERTIFICATIONS[c].ja for c in self.ids())
        ja = (f"{names}を受けています。", f"{names}を受けていません。", f"{names}を受けているか分かりません。")
        names_en = " or ".join(CERTIFICATIONS[c].en for c in self.ids())
        en = (f"Holds {names_en}.", f"Does not hold {names_en}.", f"Unknown whether it holds {names_en}.")
        missing = ("certifications",) if value is None else ()
        return _result(self, ctx, value, ja, en, facts={"certifications": held}, missing=missing)

    def facts_read(self) -> set[str]:
        return {"certifications"}


class HasEvent(NodeBase):
    TAG: ClassVar[str] = "has_event"
    has_event: Literal["disaster", "pandemic", "price_surge", "trade_partner_failure"]
    within_days: int | None = Field(default=None, ge=1)
    on_or_after: dt.date | None = None
    in_prefectures: list[str] | None = None

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        ja = f"{EVENT_TYPES[self.has_event].ja}の影響を受けていること"
        en = f"affected by {EVENT_TYPES[self.has_event].en}"
        if self.on_or_after:
            ja += f"（{text.date_ja(self.on_or_after)}以降）"
            en += f" (on or after {self.on_or_after.isoformat()})"
        if self.within_days:
            ja += f"（{self.within_days}日以内）"
            en += f" (within {self.within_days} days)"
        if self.in_prefectures:
            ja += f"（{'、'.join(self.in_prefectures)}）"
            en += f" (in {', '.join(self.in_prefectures)})"
        return ja, en

    def matches(self, event: Any, as_of: dt.date) -> Tri:
        if event.type != self.has_event:
            return False
        checks: list[Tri] = []
        if self.on_or_after or self.within_days:
            if event.date is None:
                checks.append(None)
            else:
                if self.on_or_after:
                    checks.append(event.date >= self.on_or_after)
                if self.within_days:
                    checks.append(0 <= (as_of - event.date).days <= self.within_days)
        if self.in_prefectures:
            checks.append(None if event.prefecture is None else event.prefecture in self.in_prefectures)
        return and3(checks)

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        events = ctx.facts.profile.events
        value: Tri = None if events is None else or3(self.matches(e, ctx.facts.as_of) for e in events)
        label = EVENT_TYPES[self.has_event].ja
        ja = (f"{label}の影響を受けた事業者に当たります。", f"対象となる{label}の影響は登録されていません。",
              f"{label}の影響を受けたかどうか分かりません。")
        en = ("Affected by a qualifying event.", "No qualifying event recorded.", "Unknown whether affected.")
        missing = ("events",) if value is None else ()
        return _result(self, ctx, value, ja, en, facts={"events": [e.model_dump() for e in events or []]},
                       missing=missing)

    def facts_read(self) -> set[str]:
        return {"events"}


class Unstated(NodeBase):
    TAG: ClassVar[str] = "unstated"
    unstated: str = Field(default=UNSTATED_JA, min_length=1)
    unstated_en: str = UNSTATED_EN

    def _describe(self, ctx: EvalContext | None) -> tuple[str, str]:
        return self.unstated, self.unstated_en

    def _evaluate(self, ctx: EvalContext) -> ClauseResult:
        ja = f"{self.unstated}。実施機関の公募要領などで確かめてください。"
        en = f"{self.unstated_en}; check the call documents of the implementing body."
        return _result(self, ctx, None, (ja, ja, ja), (en, en, en))


OPERATORS: dict[str, type[NodeBase]] = {
    cls.TAG: cls for cls in (All, AnyOf, Not, Is, Compare, Range, Member, HasCertification, HasEvent, Unstated)
}

_KEYED_TAGS = ("all", "any", "not", "is", "has_certification", "has_event", "unstated")


def node_tag(value: Any) -> str | None:
    """Which operator a YAML mapping (or a node) is: by its distinguishing key."""
    if isinstance(value, NodeBase):
        return value.TAG
    if not isinstance(value, dict):
        return None
    for key in _KEYED_TAGS:
        if key in value:
            return key
    if "fact" in value:
        if "op" in value:
            return "compare"
        if "in" in value:
            return "member"
        return "range"
    return None


Node = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Is, Tag("is")]
    | Annotated[Compare, Tag("compare")]
    | Annotated[Range, Tag("range")]
    | Annotated[Member, Tag("member")]
    | Annotated[HasCertification, Tag("has_certification")]
    | Annotated[HasEvent, Tag("has_event")]
    | Annotated[Unstated, Tag("unstated")],
    Discriminator(
        node_tag,
        custom_error_type="invalid_rule",
        custom_error_message=(
            "not a rule: expected one of all, any, not, is, has_certification, has_event, unstated, "
            "or a mapping with 'fact' and 'op' / 'in' / 'min' / 'max'"
        ),
    ),
]

for _cls in (All, AnyOf, Not):
    _cls.model_rebuild()


class RuleDocument(BaseModel):
    """A standalone rule (used by tests and tools): ``rule: <node>``."""

    rule: Node


def parse_rule(data: Any) -> NodeBase:
    return RuleDocument.model_validate({"rule": data}).rule


def outline(node: NodeBase, ctx: EvalContext | None = None) -> dict[str, Any]:
    """The rule in words, as a tree: each node's condition (ja, en), source and children."""
    ja, en = node.describe(ctx)
    if node.TAG == "all":
        ja, en = "次のすべてを満たすこと", "all of the following"
    elif node.TAG == "any":
        ja, en = "次のいずれかを満たすこと", "any of the following"
    return {
        "op": node.TAG,
        "text": ja,
        "text_en": en,
        "source": node.source.as_dict() if node.source else None,
        "children": [outline(c, ctx) for c in node.children()] if node.TAG in ("all", "any") else [],
    }

"""The program file format: one YAML document per program (or a list of them per family file).

Every fact carries a source: a seed document and line, a data record, or a published page. A field
the sources are silent on stays absent (unknown); nothing is invented.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from rules.parameters import Parameter, ParameterSet, parse_parameter
from rules.tree import Node, NodeBase, Source
from rules.vocabulary import CERTIFICATIONS, KINDS, PURPOSES

Kind = Literal[
    "subsidy", "tax", "loan", "guarantee", "investment", "consultation", "certification", "human_resources",
    "matching", "information",
]
RelationType = Literal["requires", "bonus", "modifies", "excludes", "succeeds"]
AppliesVia = Literal[
    "company", "shokokai", "bank", "municipality", "fund", "support_org", "prefecture", "consortium", "other",
]
PROGRAM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*[A-Za-z0-9]$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitedText(Strict):
    text: str = Field(min_length=1, description="in our own words (ja)")
    text_en: str | None = None
    source: Source


class Benefit(Strict):
    """What the program gives: an amount, a rate, a tax credit, loan terms — by condition."""

    type: Literal["grant", "tax_credit", "tax_deduction", "depreciation", "loan", "guarantee", "investment",
                  "service", "other"]
    text: str = Field(min_length=1, description="the benefit in our own words (ja)")
    text_en: str | None = None
    max_yen: int | None = Field(default=None, ge=0)
    min_yen: int | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, gt=0, le=1, description="share of eligible cost covered (0–1)")
    rate_text: str | None = None
    credit_pct: float | None = Field(default=None, gt=0, le=100, description="tax credit or deduction, %")
    interest_text: str | None = None
    basis: Literal["investment", "employees", "wage_increase", "fixed", "other"] | None = None
    per_unit_yen: int | None = Field(default=None, ge=0, description="amount per employee etc. when basis says so")
    when: Node | None = Field(default=None, description="the condition under which this benefit applies")
    source: Source


class Budget(Strict):
    text: str = Field(min_length=1, description="as written: 「…の内数」 stays as it is; never summed")
    fiscal_year: int | None = Field(default=None, ge=1990, le=2100)
    amount_yen: int | None = Field(default=None, ge=0, description="only when the line states a standalone figure")
    source: Source


class Window(Strict):
    """An application window (公募回) or the program's period of effect."""

    start: dt.date | None = None
    end: dt.date | None = None
    round: str | None = None
    text: str | None = None
    source: Source

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self


class StatusChange(Strict):
    date: dt.date | None = None
    status: Literal["planned", "active", "ended", "succeeded", "changed"]
    text: str
    source: Source


class Relation(Strict):
    """A typed link: requires (a prerequisite), bonus (加点), modifies (benefit change), excludes, succeeds."""

    type: RelationType
    program: str | None = Field(default=None, description="id of the related program")
    certification: str | None = Field(default=None, description="certification id (requires / bonus)")
    when: Node | None = Field(default=None, description="the condition (bonus / modifies)")
    text: str = Field(min_length=1)
    text_en: str | None = None
    source: Source

    @model_validator(mode="after")
    def _target(self) -> Relation:
        if self.certification is not None and self.certification not in CERTIFICATIONS:
            raise ValueError(f"{self.certification!r} is not a known certification id")
        if self.type in ("requires", "excludes", "succeeds") and not (self.program or self.certification):
            raise ValueError(f"a {self.type} relation needs 'program' or 'certification'")
        if self.type in ("bonus", "modifies") and not (self.when or self.certification or self.program):
            raise ValueError(f"a {self.type} relation needs 'when', 'certification' or 'program'")
        return self


class Case(Strict):
    """A readable test: this company, on this date, gets this status (and these reasons, bonuses)."""

    name: str = Field(min_length=1)
    profile: dict[str, Any]
    status: Literal["eligible", "ineligible", "undetermined"]
    reasons: list[str] = Field(default_factory=list, description="substrings expected among the reason texts")
    bonuses: list[str] = Field(default_factory=list, description="relation texts expected among the bonuses")
    source: Source | None = None


class SourceRef(Source):
    supports: list[str] = Field(default_factory=list, description="which fields this place supports")
    note: str | None = None


class Program(Strict):
    id: str
    name: str = Field(min_length=1)
    name_en: str | None = None
    aliases: list[str] = Field(default_factory=list)
    kind: Kind
    ministry: str | None = None
    implementing_body: str | None = None
    applies_via: AppliesVia | None = None
    applies_via_text: str | None = None
    applicable: bool = True
    not_applicable_reason: str | None = None
    summary: str = Field(min_length=1, description="two plain sentences in our own words (ja)")
    summary_en: str | None = None
    url: str | None = None
    target_sizes: list[Literal["individual", "startup", "small", "sme", "chuken", "large"]] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    prefectures: list[str] = Field(default_factory=list)
    purposes: list[str] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)
    budgets: list[Budget] = Field(default_factory=list)
    period: Window | None = None
    windows: list[Window] = Field(default_factory=list)
    status: Literal["planned", "active", "ended", "succeeded", "unknown"] = "unknown"
    status_changes: list[StatusChange] = Field(default_factory=list)
    results: list[CitedText] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    eligibility: Node
    eligibility_source: Source | None = None
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)
    sources: list[SourceRef] = Field(min_length=1)
    attribution: str | None = None
    search_text: str | None = Field(default=None, description="extra searchable text (e.g. a call's detail)")
    family: str | None = Field(default=None, description="id grouping sibling entries (枠, 締切回) of one program")
    cases: list[Case] = Field(default_factory=list)
    _local_parameters: ParameterSet | None = PrivateAttr(default=None)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not PROGRAM_ID.match(value):
            raise ValueError("id must be ascii letters, digits, '_' or '-'")
        return value

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in PURPOSES]
        if unknown:
            raise ValueError(f"unknown purpose id(s): {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        if not self.applicable and not self.not_applicable_reason:
            raise ValueError("a program kept as applicable: false needs not_applicable_reason")
        parsed: dict[str, Parameter] = {}
        for name, spec in self.parameters.items():
            if not name.startswith(self.id + "."):
                raise ValueError(f"parameter {name!r} must be namespaced by the program id ({self.id}.…)")
            parsed[name] = parse_parameter(name, spec)
        # parsed once here: verdicts ask for them on every request
        self._local_parameters = ParameterSet(parsed) if parsed else None
        return self

    def local_parameters(self) -> ParameterSet | None:
        return self._local_parameters

    @property
    def kind_ja(self) -> str:
        return KINDS[self.kind].ja

    def rule(self) -> NodeBase:
        return self.eligibility  # type: ignore[return-value]

    def primary_source(self) -> Source:
        return self.eligibility_source or self.sources[0]

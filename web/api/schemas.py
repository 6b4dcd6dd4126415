"""Request and response models of the partner API v1 (../shared/API.md). Renaming a field here is a
breaking change: the OpenAPI document is snapshot-tested."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from programs.schema import Kind
from rules.profile import CompanyProfile

Status = Literal["eligible", "ineligible", "undetermined"]
Outcome = Literal["pass", "fail", "unknown"]

EXAMPLE_PROFILE = {
    "prefecture": "宮城県",
    "industry": "E",
    "legal_form": "kabushiki",
    "capital_yen": 10000000,
    "employees": 25,
    "purposes": ["equipment", "dx"],
    "planned_investment_yen": 12000000,
}


class RecommendationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"profile": EXAMPLE_PROFILE, "limit": 10}]})

    profile: CompanyProfile = Field(description="会社の情報（すべて任意）/ the company; every field optional")
    limit: int = Field(default=20, ge=1, le=100, description="返す件数 / how many results")
    kinds: list[Kind] | None = Field(default=None, description="種類で絞る / only these kinds")


class EligibilityRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"profile": EXAMPLE_PROFILE, "program_ids": ["chusho_toshi_sokushin_zeisei"]}]},
    )

    profile: CompanyProfile = Field(description="会社の情報 / the company")
    program_ids: list[str] = Field(min_length=1, max_length=200, description="判定する制度のID / program ids")


class SourceOut(BaseModel):
    document: str | None = Field(default=None, description="seed document file name")
    line: int | None = Field(default=None, description="1-based line in the document")
    record: str | None = Field(default=None, description="data record id, e.g. jgrants:a0W…")
    url: str | None = Field(default=None, description="published page")
    title: str | None = None


class ParameterOut(BaseModel):
    name: str = Field(description="parameter name, e.g. sme.manufacturing.max_employees")
    value: float
    valid_from: dt.date = Field(description="the day this value took effect")
    unit: str
    label: str
    reference: dict[str, Any] = Field(description="the law or document the value comes from")


class ReasonOut(BaseModel):
    outcome: Outcome = Field(description="pass / fail / unknown for this condition")
    condition: str = Field(description="the condition in Japanese")
    condition_en: str
    text: str = Field(description="what was found, in Japanese")
    text_en: str
    facts: dict[str, Any] = Field(description="the profile facts used")
    parameters: list[ParameterOut] = Field(description="dated parameters used")
    source: SourceOut | None = Field(description="where the condition is stated")
    missing_facts: list[str] = Field(description="profile fields that would decide this condition")


class ProgramOut(BaseModel):
    id: str = Field(description="stable ascii id")
    name: str = Field(description="official Japanese name")
    name_en: str | None = None
    kind: Kind
    kind_label: str = Field(description="kind in Japanese, e.g. 補助金・助成金")
    ministry: str | None = None
    implementing_body: str | None = None
    summary: str = Field(description="two plain sentences (ja)")
    summary_en: str | None = None
    url: str | None = None
    prefectures: list[str] = Field(description="prefectures of a regional program (empty: national)")
    purposes: list[str]
    sources: list[SourceOut]
    attribution: str | None = Field(default=None, description="attribution to show, e.g. 出典：Jグランツ")


class RelationOut(BaseModel):
    type: Literal["requires", "bonus", "modifies", "excludes", "succeeds"]
    program: str | None = None
    certification: str | None = None
    label: str | None = Field(default=None, description="certification or program name")
    text: str
    text_en: str | None = None
    source: SourceOut


class BenefitEstimateOut(BaseModel):
    min_yen: int | None
    max_yen: int | None
    basis: str = Field(description="how the estimate was made, in Japanese")
    basis_en: str


class NearMissOut(BaseModel):
    conditions: list[str] = Field(description="the conditions that are not met now")
    would_be: Status
    text: str
    text_en: str


class VerdictOut(BaseModel):
    program: ProgramOut
    status: Status
    status_label: str = Field(description="対象 / 対象外 / 要確認")
    reasons: list[ReasonOut]
    missing_facts: list[str]
    bonuses: list[RelationOut] = Field(description="加点 or benefit modifiers that apply")
    requires: list[RelationOut] = Field(description="prerequisites the company lacks")
    benefit_estimate: BenefitEstimateOut | None
    deadline: dt.date | None = Field(description="application deadline as of as_of (null: not published)")
    open: bool | None = Field(description="taking applications on as_of (null: not published)")
    near_misses: list[NearMissOut] = Field(default_factory=list)


class RecommendationOut(VerdictOut):
    score: float = Field(description="ranking score (higher first)")
    siblings: list[str] = Field(default_factory=list, description="other entries (枠, 公募回) of the same program")


class QuestionRankOut(BaseModel):
    field: str = Field(description="profile field to ask about")
    label: str
    decides: int = Field(description="undecided programs this answer alone would decide")
    involved: int = Field(description="undecided programs this answer bears on")


class PlanStepOut(BaseModel):
    kind: Literal["obtain", "bonus", "combine", "exclusive"] = Field(
        description="obtain a prerequisite / collect a 加点 / programs that combine / programs that exclude each other")
    certification: str | None = None
    label: str
    text: str
    unlocks: list[str] = Field(description="program ids concerned")
    deadline: dt.date | None = Field(default=None, description="the earliest deadline it must beat")


class TotalEstimateOut(BaseModel):
    min_yen: int
    max_yen: int
    programs: list[str]
    basis: str


class RecommendationsResponse(BaseModel):
    as_of: dt.date
    catalog_version: str | None
    counts: dict[str, int] = Field(description="programs per status over the whole catalog")
    results: list[RecommendationOut]
    near_misses: list[VerdictOut] = Field(description="ineligible programs one or two steps away")
    next_questions: list[QuestionRankOut]
    plan: list[PlanStepOut]
    total_estimate: TotalEstimateOut | None = Field(default=None, description="support in view across the results")
    inferred_purposes: dict[str, list[str]] = Field(
        default_factory=dict, description="purposes read from the owner's words, with the words found")
    ranker: str = Field(description="fallback (deterministic) or learned")


class EligibilityResponse(BaseModel):
    as_of: dt.date
    catalog_version: str | None
    results: list[VerdictOut]


class ProgramHit(ProgramOut):
    score: float = Field(description="search relevance (0 without a query)")
    open: bool | None = Field(description="taking applications on open_on or today (null: not published)")
    deadline: dt.date | None


class ProgramPage(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[ProgramHit]


class RuleOutline(BaseModel):
    op: str
    text: str
    text_en: str
    source: dict[str, Any] | None
    children: list[RuleOutline]


class ProgramDetail(ProgramOut):
    document: dict[str, Any] = Field(description="every field of the program as stored in the catalog")
    rule: RuleOutline = Field(description="the eligibility rule in words")
    relations: list[RelationOut]
    open: bool | None
    deadline: dt.date | None


class QuestionOut(BaseModel):
    field: str = Field(description="the profile field the answer fills")
    text: str
    text_en: str
    type: str = Field(description="choice | multi | integer | number | date | boolean | text | industry")
    help: str
    unit: str
    options: list[dict[str, str]]
    allows_unknown: bool = Field(description="「分からない」 is always an answer")


class QuestionBank(BaseModel):
    questions: list[QuestionOut]


FeedbackEventType = Literal["shown", "opened", "saved", "applied", "adopted", "rejected", "not_relevant"]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"program_id": "chusho_toshi_sokushin_zeisei", "event": "applied",
                                         "profile": EXAMPLE_PROFILE, "position": 2}]},
    )

    program_id: str = Field(max_length=120, description="the program the event is about")
    event: FeedbackEventType = Field(description="what happened")
    profile: CompanyProfile | None = Field(default=None, description="the company the recommendation was for")
    position: int | None = Field(default=None, ge=1, le=1000, description="rank at which it was shown")


class FeedbackResponse(BaseModel):
    id: int
    recorded: bool

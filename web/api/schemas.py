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
    title: str | None = Field(default=None, description="document or page title")


class ParameterOut(BaseModel):
    name: str = Field(description="parameter name, e.g. sme.manufacturing.max_employees")
    value: float = Field(description="the value in force on the date judged")
    valid_from: dt.date = Field(description="the day this value took effect")
    unit: str = Field(description="unit, e.g. yen, persons, %")
    label: str = Field(description="what the parameter is, in Japanese")
    reference: dict[str, Any] = Field(description="the law or document the value comes from")


class ReasonOut(BaseModel):
    outcome: Outcome = Field(description="pass / fail / unknown for this condition")
    condition: str = Field(description="the condition in Japanese")
    condition_en: str = Field(description="the condition in English")
    text: str = Field(description="what was found, in Japanese")
    text_en: str = Field(description="what was found, in English")
    facts: dict[str, Any] = Field(description="the profile facts used")
    parameters: list[ParameterOut] = Field(description="dated parameters used")
    source: SourceOut | None = Field(description="where the condition is stated")
    missing_facts: list[str] = Field(description="profile fields that would decide this condition")


class ProgramOut(BaseModel):
    id: str = Field(description="stable ascii id")
    name: str = Field(description="official Japanese name")
    name_en: str | None = Field(default=None, description="English name, where known")
    kind: Kind = Field(description="subsidy, tax, loan, guarantee, investment, consultation, certification, human_resources, matching or information")
    kind_label: str = Field(description="kind in Japanese, e.g. 補助金・助成金")
    ministry: str | None = Field(default=None, description="所管省庁 / ministry in charge")
    implementing_body: str | None = Field(default=None, description="実施機関 / body that runs the program")
    summary: str = Field(description="two plain sentences (ja)")
    summary_en: str | None = Field(default=None, description="the summary in English, where written")
    url: str | None = Field(default=None, description="official page of the program")
    prefectures: list[str] = Field(description="prefectures of a regional program (empty: national)")
    purposes: list[str] = Field(description="purpose ids the program serves (docs/profile.md)")
    sources: list[SourceOut] = Field(description="where every fact about the program comes from")
    attribution: str | None = Field(default=None, description="attribution to show, e.g. 出典：Jグランツ")


class RelationOut(BaseModel):
    type: Literal["requires", "bonus", "modifies", "excludes", "succeeds"] = Field(
        description="requires (prerequisite), bonus (加点), modifies (benefit changes), excludes (併用不可), succeeds")
    program: str | None = Field(default=None, description="the related program's id")
    certification: str | None = Field(default=None, description="the related certification's id")
    label: str | None = Field(default=None, description="certification or program name")
    text: str = Field(description="the relation in Japanese")
    text_en: str | None = Field(default=None, description="the relation in English")
    source: SourceOut = Field(description="where the relation is stated")


class BenefitEstimateOut(BaseModel):
    min_yen: int | None = Field(description="lowest support in yen (null: not known)")
    max_yen: int | None = Field(description="highest support in yen (null: not known)")
    basis: str = Field(description="how the estimate was made, in Japanese")
    basis_en: str = Field(description="how the estimate was made, in English")


class NearMissOut(BaseModel):
    conditions: list[str] = Field(description="the conditions that are not met now")
    would_be: Status = Field(description="the status once those conditions are met")
    text: str = Field(description="what it would take, in Japanese")
    text_en: str = Field(description="what it would take, in English")


class VerdictOut(BaseModel):
    program: ProgramOut = Field(description="the program judged")
    status: Status = Field(description="eligible (対象), ineligible (対象外) or undetermined (要確認)")
    status_label: str = Field(description="対象 / 対象外 / 要確認")
    reasons: list[ReasonOut] = Field(description="one per condition, with its outcome and source")
    missing_facts: list[str] = Field(description="profile fields that would decide the program")
    bonuses: list[RelationOut] = Field(description="加点 or benefit modifiers that apply")
    requires: list[RelationOut] = Field(description="prerequisites the company lacks")
    benefit_estimate: BenefitEstimateOut | None = Field(description="what the support is worth (null: no amount known)")
    deadline: dt.date | None = Field(description="application deadline as of as_of (null: not published)")
    open: bool | None = Field(description="taking applications on as_of (null: not published)")
    near_misses: list[NearMissOut] = Field(default_factory=list, description="what would change an ineligible verdict")


class RecommendationOut(VerdictOut):
    score: float = Field(description="ranking score (higher first)")
    siblings: list[str] = Field(default_factory=list, description="other entries (枠, 公募回) of the same program")


class QuestionRankOut(BaseModel):
    field: str = Field(description="profile field to ask about")
    label: str = Field(description="the question's field in Japanese")
    decides: int = Field(description="undecided programs this answer alone would decide")
    involved: int = Field(description="undecided programs this answer bears on")


class PlanStepOut(BaseModel):
    kind: Literal["obtain", "bonus", "combine", "exclusive"] = Field(
        description="obtain a prerequisite / collect a 加点 / programs that combine / programs that exclude each other")
    certification: str | None = Field(default=None, description="the certification to obtain or hold")
    label: str = Field(description="the step's short name, in Japanese")
    text: str = Field(description="the step in words, in Japanese")
    unlocks: list[str] = Field(description="program ids concerned")
    deadline: dt.date | None = Field(default=None, description="the earliest deadline it must beat")


class TotalEstimateOut(BaseModel):
    min_yen: int = Field(description="lowest total in yen")
    max_yen: int = Field(description="highest total in yen")
    programs: list[str] = Field(description="program ids counted")
    basis: str = Field(description="how the total was made, in Japanese")


class RecommendationsResponse(BaseModel):
    as_of: dt.date = Field(description="the date judged (the profile's as_of, or today)")
    catalog_version: str | None = Field(description="the catalog version that answered")
    counts: dict[str, int] = Field(description="programs per status over the whole catalog")
    results: list[RecommendationOut] = Field(description="recommended programs, best first")
    near_misses: list[VerdictOut] = Field(description="ineligible programs one or two steps away")
    next_questions: list[QuestionRankOut] = Field(description="what to ask next, most decisive first")
    plan: list[PlanStepOut] = Field(description="certifications to obtain first, 加点, combinations and exclusions")
    total_estimate: TotalEstimateOut | None = Field(default=None, description="support in view across the results")
    inferred_purposes: dict[str, list[str]] = Field(
        default_factory=dict, description="purposes read from the owner's words, with the words found")
    ranker: str = Field(description="fallback (deterministic) or learned")


class EligibilityResponse(BaseModel):
    as_of: dt.date = Field(description="the date judged")
    catalog_version: str | None = Field(description="the catalog version that answered")
    results: list[VerdictOut] = Field(description="one verdict per program id asked, in the order asked")


class ProgramHit(ProgramOut):
    score: float = Field(description="search relevance (0 without a query)")
    open: bool | None = Field(description="taking applications on open_on or today (null: not published)")
    deadline: dt.date | None = Field(description="application deadline (null: not published)")


class ProgramPage(BaseModel):
    total: int = Field(description="programs matching, over all pages")
    page: int = Field(description="this page (from 1)")
    per_page: int = Field(description="results per page")
    results: list[ProgramHit] = Field(description="this page's programs")


class RuleOutline(BaseModel):
    op: str = Field(description="operator: all, any, not, or a comparison (docs/program-format.md)")
    text: str = Field(description="the condition in Japanese")
    text_en: str = Field(description="the condition in English")
    source: dict[str, Any] | None = Field(description="where the condition is stated")
    children: list[RuleOutline] = Field(description="sub-conditions")


class ProgramDetail(ProgramOut):
    document: dict[str, Any] = Field(description="every field of the program as stored in the catalog")
    rule: RuleOutline = Field(description="the eligibility rule in words")
    relations: list[RelationOut] = Field(description="requires, bonus, modifies, excludes, succeeds")
    open: bool | None = Field(description="taking applications today (null: not published)")
    deadline: dt.date | None = Field(description="application deadline (null: not published)")


class QuestionOut(BaseModel):
    field: str = Field(description="the profile field the answer fills")
    text: str = Field(description="the question in Japanese")
    text_en: str = Field(description="the question in English")
    type: str = Field(description="choice | multi | integer | number | date | boolean | text | industry")
    help: str = Field(description="a hint shown under the question (Japanese)")
    unit: str = Field(description="unit of a number answer, e.g. 円, 人")
    options: list[dict[str, str]] = Field(description="choices as {value, label}")
    allows_unknown: bool = Field(description="「分からない」 is always an answer")


class IndustryChoiceOut(BaseModel):
    code: str = Field(description="JSIC code to send as profile.industry, e.g. I5863 or E")
    name: str = Field(description="the industry's name in 日本標準産業分類")
    division: str = Field(description="its 大分類, e.g. 卸売業，小売業")
    hint: str = Field(description="what tells it apart from the other choices, in plain Japanese (may be empty)")
    label: str = Field(description="name and division as one line to show")


class IndustryChoices(BaseModel):
    query: str = Field(description="the words looked up")
    choices: list[IndustryChoiceOut] = Field(description="industries the words may mean, most likely first; "
                                             "several when the words are ambiguous (パン屋: bakes and sells, or makes for shops)")


class QuestionBank(BaseModel):
    questions: list[QuestionOut] = Field(description="every question, in the order to ask")


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
    id: int = Field(description="the recorded event's id")
    recorded: bool = Field(description="true when stored")

"""Partner API v1: thin routes over matcher/ and programs/ (../shared/API.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic_core import to_json

from matcher import feedback
from matcher.questions import QUESTIONS
from matcher.recommend import Matcher
from programs.catalog import Catalog
from programs.schema import Kind
from programs.verdict import open_state
from rules.regions import PREFECTURES
from rules.tree import outline
from web.api import present
from web.api.answers import Answer, AnswerCache
from web.api.schemas import (
    EligibilityRequest,
    EligibilityResponse,
    FeedbackRequest,
    FeedbackResponse,
    IndustryChoices,
    ProgramDetail,
    ProgramPage,
    QuestionBank,
    RecommendationRequest,
    RecommendationsResponse,
)
from web.errors import CatalogUnavailable, InvalidInput, NotFound
from web.ops.metrics import count_verdicts
from web.partners.scope import PartnerViews, caller_of
from web.site.industries import suggest

router = APIRouter(prefix="/api/v1", tags=["v1"])


def _base_catalog(request: Request) -> Catalog:
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None or len(catalog) == 0 or getattr(request.app.state, "matcher", None) is None:
        raise CatalogUnavailable("カタログを読み込めていません", "制度の一覧がまだ読み込まれていません。しばらくしてからお試しください。",
                                 "The catalog is not loaded yet; try again shortly.")
    return catalog


async def get_matcher(request: Request) -> Matcher:
    """The matcher for the caller: the partner's view (its programs first, its own programs merged) or the base."""
    _base_catalog(request)
    base: Matcher = request.app.state.matcher
    views: PartnerViews | None = getattr(request.app.state, "partner_views", None)
    return views.matcher_for(base, caller_of(request)) if views else base


MatcherDep = Annotated[Matcher, Depends(get_matcher)]


async def get_catalog(matcher: MatcherDep) -> Catalog:
    return matcher.catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


@router.post("/recommendations", response_model=RecommendationsResponse, summary="Ranked programs for a company")
async def post_recommendations(body: RecommendationRequest, matcher: MatcherDep, request: Request) -> Response:
    answers: AnswerCache = request.app.state.answers
    answer = answers.answer(matcher, body, lambda: _recommendations(matcher, body))
    count_verdicts(request.app, answer.statuses)
    return Response(answer.body, media_type="application/json")


def _recommendations(matcher: Matcher, body: RecommendationRequest) -> Answer:
    """The answer serialised once; ``present`` builds exactly the response model's fields (tested), so it is not
    validated again field by field (that cost as much as a third of the engine's own time)."""
    result = matcher.recommend(body.profile, limit=body.limit, kinds=body.kinds)
    return Answer(to_json(present.recommendations_out(result, matcher.catalog.version)), result.statuses())


@router.post("/eligibility", response_model=EligibilityResponse, summary="Verdicts for given programs")
async def post_eligibility(body: EligibilityRequest, catalog: CatalogDep) -> dict[str, Any]:
    unknown = [pid for pid in body.program_ids if catalog.get(pid) is None]
    if unknown:
        shown = ", ".join(unknown)
        raise InvalidInput("program_ids", f"見つからない制度IDがあります: {shown}", f"unknown program id(s): {shown}")
    ctx = catalog.context(body.profile)
    verdicts = catalog.judge_ids(list(dict.fromkeys(body.program_ids)), ctx)
    return {"as_of": ctx.as_of, "catalog_version": catalog.version,
            "results": [present.verdict_out(v) for v in verdicts]}


PrefectureParam = Annotated[str | None, Query(description="都道府県（例: 宮城県）: programs open to a company there")]


@router.get("/programs", response_model=ProgramPage, summary="Search and filter programs")
async def get_programs(
    catalog: CatalogDep,
    q: Annotated[str | None, Query(max_length=200, description="日本語の検索語（例: 省エネ, 事業承継）")] = None,
    kind: Annotated[Kind | None, Query(description="program kind")] = None,
    prefecture: PrefectureParam = None,
    purpose: Annotated[str | None, Query(description="purpose id (docs/profile.md)")] = None,
    open_on: Annotated[dt.date | None, Query(description="only programs taking applications on this date")] = None,
    page: Annotated[int, Query(ge=1, le=10000, description="page number, from 1")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="results per page")] = 20,
) -> dict[str, Any]:
    if prefecture is not None and prefecture not in PREFECTURES:
        raise InvalidInput("prefecture", "都道府県名で指定してください（例: 宮城県）。", "use a prefecture name such as 宮城県")
    hits = catalog.search(q, kind=kind, prefecture=prefecture, purpose=purpose, open_on=open_on)
    day = open_on or dt.date.today()
    chosen = hits[(page - 1) * per_page: page * per_page]
    results = []
    for program, score in chosen:
        is_open, deadline = open_state(program, day)
        results.append(present.program_out(program) | {"score": round(score, 4), "open": is_open, "deadline": deadline})
    return {"total": len(hits), "page": page, "per_page": per_page, "results": results}


@router.get("/programs/{program_id}", response_model=ProgramDetail, summary="One program: every field, rule in words")
async def get_program(program_id: Annotated[str, Path(description="the program id, e.g. chusho_toshi_sokushin_zeisei", max_length=200)], catalog: CatalogDep) -> dict[str, Any]:
    program = catalog.get(program_id)
    if program is None:
        raise NotFound("見つかりません", f"制度「{program_id}」は見つかりません。", f"No program {program_id!r}.")
    is_open, deadline = open_state(program, dt.date.today())
    return present.program_out(program) | {
        "document": program.model_dump(mode="json", by_alias=True, exclude_none=True),
        "rule": outline(program.rule()),
        "relations": [present.relation_out(r) for r in program.relations],
        "open": is_open,
        "deadline": deadline,
    }


@router.get("/questions", response_model=QuestionBank, summary="The question bank for a partner's own form")
async def get_questions() -> dict[str, Any]:
    return {"questions": [q.as_dict() for q in QUESTIONS]}


@router.get("/industries", response_model=IndustryChoices, summary="Industries (JSIC codes) from everyday words")
async def get_industries(
    q: Annotated[str, Query(min_length=1, max_length=40, description="ふだんの言葉（例: パン屋, ソフト開発, 民宿）")],
) -> dict[str, Any]:
    """For the question of type ``industry``: an owner types 「パン屋」, the form offers these to choose from."""
    return {"query": q, "choices": [{"code": c.code, "name": c.name, "division": c.division, "hint": c.hint,
                                     "label": c.label} for c in suggest(q)]}


@router.post("/feedback", response_model=FeedbackResponse, status_code=201, summary="Record an outcome")
def post_feedback(body: FeedbackRequest, request: Request, catalog: CatalogDep) -> dict[str, Any]:
    if catalog.get(body.program_id) is None:
        raise InvalidInput("program_id", f"制度「{body.program_id}」は見つかりません。", "unknown program id")
    profile = body.profile.model_dump(mode="json", exclude_none=True) if body.profile else None
    caller = caller_of(request)
    row = feedback.record(request.app.state.engine, body.program_id, body.event, profile, body.position,
                          partner=caller.partner if caller else None)
    return {"id": row.id, "recorded": True}

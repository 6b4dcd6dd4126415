"""Partner API v1: thin routes over matcher/ and programs/ (../shared/API.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from matcher.recommend import recommend
from programs.catalog import Catalog
from web.api import present
from web.api.schemas import EligibilityRequest, EligibilityResponse, RecommendationRequest, RecommendationsResponse
from web.errors import CatalogUnavailable, DomainError

router = APIRouter(prefix="/api/v1", tags=["v1"])


def get_catalog(request: Request) -> Catalog:
    catalog: Catalog | None = getattr(request.app.state, "catalog", None)
    if catalog is None or len(catalog) == 0:
        raise CatalogUnavailable("カタログを読み込めていません", "制度の一覧がまだ読み込まれていません。しばらくしてからお試しください。",
                                 "The catalog is not loaded yet; try again shortly.")
    return catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


class UnknownPrograms(DomainError):
    status = 422
    type = "https://shien-match.example/problems/validation"


@router.post("/recommendations", response_model=RecommendationsResponse, summary="Ranked programs for a company")
async def post_recommendations(body: RecommendationRequest, catalog: CatalogDep) -> dict[str, Any]:
    result = recommend(catalog, body.profile, limit=body.limit, kinds=body.kinds)
    return present.recommendations_out(result, catalog.version)


@router.post("/eligibility", response_model=EligibilityResponse, summary="Verdicts for given programs")
async def post_eligibility(body: EligibilityRequest, catalog: CatalogDep) -> dict[str, Any]:
    unknown = [pid for pid in body.program_ids if catalog.get(pid) is None]
    if unknown:
        shown = ", ".join(unknown)
        raise UnknownPrograms("入力内容に誤りがあります", f"program_ids: 見つからない制度IDがあります: {shown}",
                              f"program_ids: unknown program id(s): {shown}",
                              errors=[{"field": "program_ids", "message": f"見つからない制度IDがあります: {shown}",
                                       "message_en": f"unknown program id(s): {shown}"}])
    ctx = catalog.context(body.profile)
    verdicts = catalog.judge_ids(list(dict.fromkeys(body.program_ids)), ctx)
    return {"as_of": ctx.as_of, "catalog_version": catalog.version,
            "results": [present.verdict_out(v) for v in verdicts]}

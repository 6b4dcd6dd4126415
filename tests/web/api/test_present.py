"""What present() builds is exactly what the response models describe, so answers can be sent unvalidated."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic_core import to_json

from matcher.recommend import Matcher
from programs.catalog import Catalog
from rules.profile import CompanyProfile
from web.api import present
from web.api.schemas import EligibilityResponse, RecommendationsResponse

COMPANIES = [
    {},
    {"prefecture": "宮城県", "industry": "E09", "employees": 25, "capital_yen": 10_000_000, "legal_form": "kabushiki",
     "purposes": ["equipment", "dx"], "planned_investment_yen": 12_000_000, "challenges": "FAXで受注している。人が足りない"},
    {"prefecture": "東京都", "industry": "I58", "employees": 350, "capital_yen": 300_000_000, "certifications": ["kurumin"]},
    {"prefecture": "北海道", "industry": "M76", "employees": 4, "legal_form": "sole_proprietor", "planning_to_found": True,
     "purposes": ["startup", "cash_flow"], "as_of": "2022-06-01"},
    {"prefecture": "大阪府", "industry": "E", "employees": 60, "capital_yen": 50_000_000, "certifications": ["keieiryoku_kojo"],
     "planned_investment_yen": 80_000_000, "planned_wage_increase_pct": 3, "large_company_share_pct": 0,
     "largest_large_company_share_pct": 0, "avg_taxable_income_yen": 30_000_000},
]


@pytest.fixture(scope="module")
def matcher(catalog_programs) -> Matcher:  # type: ignore[no-untyped-def]
    return Matcher(Catalog(catalog_programs, version="1:test"))


def _as_the_model_would_send(model, document):  # type: ignore[no-untyped-def]
    return json.loads(model.model_validate(document).model_dump_json(by_alias=True))


@pytest.mark.parametrize("company", COMPANIES)
def test_a_recommendation_sent_as_built_is_what_its_model_would_send(matcher: Matcher, company: dict) -> None:
    result = matcher.recommend(CompanyProfile.model_validate(company), today=dt.date(2026, 12, 7))
    document = present.recommendations_out(result, matcher.catalog.version)
    assert result.results and json.loads(to_json(document)) == _as_the_model_would_send(RecommendationsResponse, document)


def test_verdicts_with_near_misses_are_what_their_model_would_send(matcher: Matcher) -> None:
    ctx = matcher.catalog.context(CompanyProfile.model_validate(COMPANIES[2]), dt.date(2026, 12, 7))
    verdicts = [matcher.catalog.judge(p, ctx, with_near_misses=True) for p in matcher.catalog.programs]
    assert any(v.near_misses for v in verdicts) and any(v.bonuses or v.requires for v in verdicts)
    document = {"as_of": ctx.as_of, "catalog_version": "1:test", "results": [present.verdict_out(v) for v in verdicts]}
    assert json.loads(to_json(document)) == _as_the_model_would_send(EligibilityResponse, document)

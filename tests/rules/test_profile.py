"""The company profile: unknown is not zero, and bad input is explained per field in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rules import docs
from rules.profile import CompanyProfile, explain_errors
from rules.vocabulary import CERTIFICATIONS, EVENT_TYPES, LEGAL_FORMS, PARTNERS, PURPOSES

DOC = Path(__file__).resolve().parents[2] / "docs" / "profile.md"


def errors_for(data: dict) -> dict[str, tuple[str, str]]:
    with pytest.raises(ValidationError) as exc:
        CompanyProfile.model_validate(data)
    return {e.field: (e.message, e.message_en) for e in explain_errors(exc.value)}


def test_every_field_is_optional_and_missing_means_unknown() -> None:
    profile = CompanyProfile()
    assert all(value is None for _, value in profile)
    assert CompanyProfile(employees=0).employees == 0  # zero is a known answer


@pytest.mark.parametrize(
    ("data", "field", "ja", "en"),
    [
        ({"employees": "many"}, "employees", "従業員数は整数で入力してください", "whole number"),
        ({"employees": -1}, "employees", "従業員数は0以上", "at least 0"),
        ({"capital_yen": 1.5}, "capital_yen", "資本金は整数", "whole number"),
        ({"prefecture": "宮城"}, "prefecture", "都道府県名で書いてください", "full Japanese name"),
        ({"industry": "製造業"}, "industry", "日本標準産業分類", "JSIC code"),
        ({"legal_form": "llc"}, "legal_form", "法人格は次のどれか", "Must be one of"),
        ({"founded_on": "2020/13/01"}, "founded_on", "2025-04-01 のような日付", "date like 2025-04-01"),
        ({"certifications": ["iso9001"]}, "certifications", "iso9001", "iso9001"),
        ({"purposes": ["golf"]}, "purposes", "golf", "golf"),
        ({"large_company_share_pct": 120}, "large_company_share_pct", "100以下", "at most 100"),
        ({"employes": 3}, "employes", "項目はありません", "Unknown field"),
        ({"events": [{"type": "meteor"}]}, "events.0.type", "次のどれか", "Must be one of"),
    ],
)
def test_bad_input_names_the_field_in_japanese_and_english(data: dict, field: str, ja: str, en: str) -> None:
    errors = errors_for(data)
    assert field in errors
    assert ja in errors[field][0]
    assert en in errors[field][1]


def test_largest_share_cannot_exceed_the_total() -> None:
    errors = errors_for({"large_company_share_pct": 30, "largest_large_company_share_pct": 40})
    assert any("上回っています" in ja for ja, _ in errors.values())


def test_industry_codes_are_normalised_to_upper_case() -> None:
    assert CompanyProfile(industry="g391").industry == "G391"


def test_profile_doc_is_generated_from_the_code() -> None:
    assert DOC.read_text(encoding="utf-8") == docs.render(), "regenerate: python -m rules.docs > docs/profile.md"


@pytest.mark.parametrize(
    "identifier",
    [*CompanyProfile.model_fields, *CERTIFICATIONS, *PURPOSES, *LEGAL_FORMS, *PARTNERS, *EVENT_TYPES],
)
def test_every_field_and_id_is_documented(identifier: str) -> None:
    assert f"`{identifier}`" in DOC.read_text(encoding="utf-8")

"""The company profile: every fact the rules can ask about, each optional.

A missing field is *unknown*, never zero or false. Validation errors name the field and say what is
wrong in Japanese and in English (``explain_errors``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rules.regions import PREFECTURES
from rules.vocabulary import CERTIFICATIONS, EVENT_TYPES, LEGAL_FORMS, PARTNERS, PURPOSES

JSIC_CODE = re.compile(r"^[A-T](\d{2}(\d(\d)?)?)?$")

LegalForm = Literal["kabushiki", "godo", "yugen", "sole_proprietor", "npo", "association", "cooperative", "other"]
EventType = Literal["disaster", "pandemic", "price_surge", "trade_partner_failure"]


class Event(BaseModel):
    """A dated event that can open a program (災害, 感染症, 価格高騰, 取引先の倒産)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: EventType = Field(description="種類 / event type: " + ", ".join(EVENT_TYPES))
    name: str | None = Field(default=None, max_length=200, description="名称（例: 令和6年能登半島地震）/ name")
    date: dt.date | None = Field(default=None, description="発生日 / date it happened")
    prefecture: str | None = Field(default=None, description="被災・影響を受けた都道府県 / prefecture affected")

    @field_validator("prefecture")
    @classmethod
    def _known_prefecture(cls, value: str | None) -> str | None:
        return _check_prefecture(value)


class CompanyProfile(BaseModel):
    """What we know about a company. Every field is optional: absent means unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    as_of: dt.date | None = Field(default=None, description="判定の基準日（省略時は今日）/ the date the answer is for")
    prefecture: str | None = Field(default=None, description="本社の都道府県（例: 宮城県）/ prefecture of the head office")
    municipality: str | None = Field(default=None, max_length=50, description="市区町村 / municipality")
    industry: str | None = Field(
        default=None, description="主たる業種の日本標準産業分類コード（例: E, E19, G391）/ main industry as a JSIC code"
    )
    legal_form: LegalForm | None = Field(default=None, description="法人格 / legal form")
    capital_yen: int | None = Field(default=None, ge=0, le=10**15, description="資本金又は出資の総額（円）/ capital in yen")
    employees: int | None = Field(default=None, ge=0, le=10**7, description="常時使用する従業員の数 / regular employees")
    founded_on: dt.date | None = Field(default=None, description="設立日・開業日 / date founded")
    planning_to_found: bool | None = Field(default=None, description="創業予定 / planning to start a business")
    tax_filings: int | None = Field(default=None, ge=0, le=1000, description="完了した税務申告の期数 / completed tax filings")
    annual_revenue_yen: int | None = Field(default=None, ge=0, le=10**16, description="直近の売上高（円）/ latest annual revenue")
    sales_change_pct: float | None = Field(
        default=None, ge=-100, le=10000, description="比較期間からの売上の増減（%）/ sales change versus the comparison period"
    )
    avg_taxable_income_yen: int | None = Field(
        default=None, ge=-(10**16), le=10**16, description="過去3年の平均課税所得（円）/ average taxable income, last 3 years"
    )
    large_company_share_pct: float | None = Field(
        default=None, ge=0, le=100, description="大企業の合計出資比率（%）/ equity held by large companies in total"
    )
    largest_large_company_share_pct: float | None = Field(
        default=None, ge=0, le=100, description="最大の大企業株主の出資比率（%）/ share of the largest large-company shareholder"
    )
    large_company_officer_share_pct: float | None = Field(
        default=None, ge=0, le=100, description="大企業の役員・職員を兼ねる役員の割合（%）/ officers who also serve a large company"
    )
    certifications: list[str] | None = Field(
        default=None, max_length=100, description="取得済みの計画認定・認定 / plans and certifications held"
    )
    purposes: list[str] | None = Field(default=None, max_length=100, description="やりたいこと / what the company wants to do")
    planned_investment_yen: int | None = Field(
        default=None, ge=0, le=10**15, description="予定している投資・事業の規模（円）/ size of the planned project"
    )
    planned_wage_increase_pct: float | None = Field(
        default=None, ge=-100, le=1000, description="予定している賃上げ率（%）/ planned rise in pay"
    )
    energy_use_kl: float | None = Field(
        default=None, ge=0, le=10**9, description="年間エネルギー使用量（原油換算kl）/ annual energy use"
    )
    consortium_size: int | None = Field(
        default=None, ge=0, le=10000, description="共同で申請する事業者の数（0は単独）/ companies applying together"
    )
    partners: list[str] | None = Field(default=None, max_length=50, description="計画の連携先 / partners in the plan")
    events: list[Event] | None = Field(default=None, max_length=50, description="被災などの出来事 / dated events")
    minashi_sme_plan_approved_on: dt.date | None = Field(
        default=None,
        description="みなし中小企業の特例の基となる計画の承認日 / approval date of a plan keeping SME status",
    )
    challenges: str | None = Field(default=None, max_length=4000, description="経営課題（自由記述）/ the owner's own words")

    @field_validator("prefecture")
    @classmethod
    def _known_prefecture(cls, value: str | None) -> str | None:
        return _check_prefecture(value)

    @field_validator("industry")
    @classmethod
    def _jsic(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if not JSIC_CODE.match(code):
            raise ValueError("jsic_format")
        return code

    @field_validator("certifications")
    @classmethod
    def _certifications(cls, value: list[str] | None) -> list[str] | None:
        return _check_ids(value, CERTIFICATIONS, "certification")

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: list[str] | None) -> list[str] | None:
        return _check_ids(value, PURPOSES, "purpose")

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: list[str] | None) -> list[str] | None:
        return _check_ids(value, PARTNERS, "partner")

    @model_validator(mode="after")
    def _consistent(self) -> CompanyProfile:
        if (
            self.largest_large_company_share_pct is not None
            and self.large_company_share_pct is not None
            and self.largest_large_company_share_pct > self.large_company_share_pct
        ):
            raise ValueError("largest_share_exceeds_total")
        return self

    def effective_as_of(self, today: dt.date | None = None) -> dt.date:
        return self.as_of or today or dt.date.today()

    def known_fields(self) -> set[str]:
        return {name for name, value in self if value is not None}

    def with_changes(self, **changes: Any) -> CompanyProfile:
        """A what-if copy: the same company with some facts changed (validated again)."""
        data = self.model_dump(exclude_none=True)
        data.update(changes)
        return CompanyProfile.model_validate({k: v for k, v in data.items() if v is not None})


def _check_prefecture(value: str | None) -> str | None:
    if value is None:
        return None
    if value not in PREFECTURES:
        raise ValueError("prefecture_unknown")
    return value


def _check_ids(values: list[str] | None, vocabulary: dict[str, Any], what: str) -> list[str] | None:
    if values is None:
        return None
    unknown = [v for v in values if v not in vocabulary]
    if unknown:
        raise ValueError(f"{what}_unknown:{','.join(unknown)}")
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, said in Japanese and in English."""

    field: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


FIELD_LABELS: dict[str, str] = {
    "as_of": "基準日",
    "prefecture": "都道府県",
    "municipality": "市区町村",
    "industry": "業種コード",
    "legal_form": "法人格",
    "capital_yen": "資本金",
    "employees": "従業員数",
    "founded_on": "設立日",
    "planning_to_found": "創業予定",
    "tax_filings": "税務申告の期数",
    "annual_revenue_yen": "売上高",
    "sales_change_pct": "売上の増減率",
    "avg_taxable_income_yen": "平均課税所得",
    "large_company_share_pct": "大企業の出資比率",
    "largest_large_company_share_pct": "最大の大企業株主の出資比率",
    "large_company_officer_share_pct": "大企業の役員を兼ねる役員の割合",
    "certifications": "取得済みの認定",
    "purposes": "やりたいこと",
    "planned_investment_yen": "投資予定額",
    "planned_wage_increase_pct": "賃上げ率",
    "energy_use_kl": "エネルギー使用量",
    "consortium_size": "共同申請の事業者数",
    "partners": "連携先",
    "events": "出来事",
    "minashi_sme_plan_approved_on": "計画の承認日",
    "challenges": "経営課題",
}


def explain_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """Turn pydantic's errors into one bilingual message per field."""
    return [_explain(item, prefix) for item in error.errors()]


def _explain(item: Any, prefix: str) -> FieldError:
    loc = [str(part) for part in item.get("loc", ())]
    path = ".".join(([prefix] if prefix else []) + loc) or (prefix or "profile")
    label = FIELD_LABELS.get(loc[0], loc[0]) if loc else "プロフィール"
    ja, en = messages_for(item, label)
    return FieldError(field=path, message=ja, message_en=en)


def messages_for(item: Any, label: str) -> tuple[str, str]:
    kind = item.get("type", "")
    ctx = {k: _plain_number(v) for k, v in (item.get("ctx") or {}).items()}
    message = str(ctx.get("error", item.get("msg", "")))
    for key, (ja, en) in _CUSTOM_MESSAGES.items():
        if message.startswith(key) or message.startswith(f"Value error, {key}"):
            detail = message.split(":", 1)[1] if ":" in message else ""
            return ja.format(label=label, detail=detail), en.format(detail=detail)
    if kind in _TYPE_MESSAGES:
        ja, en = _TYPE_MESSAGES[kind]
        return ja.format(label=label, **ctx), en.format(**ctx)
    return f"{label}の値が正しくありません。", str(item.get("msg", "invalid value"))


_CUSTOM_MESSAGES: dict[str, tuple[str, str]] = {
    "prefecture_unknown": (
        "{label}は「宮城県」「東京都」「北海道」のように都道府県名で書いてください。",
        "Write the prefecture as its full Japanese name, e.g. 宮城県, 東京都, 北海道.",
    ),
    "jsic_format": (
        "{label}は日本標準産業分類の記号と番号で書いてください（例: E、E19、G391）。",
        "Use a JSIC code: a letter A–T and optionally 2–4 digits (e.g. E, E19, G391).",
    ),
    "certification_unknown": (
        "{label}に分からない認定があります: {detail}。docs/profile.md の一覧から選んでください。",
        "Unknown certification id(s): {detail}. See docs/profile.md for the list.",
    ),
    "purpose_unknown": (
        "{label}に分からない項目があります: {detail}。docs/profile.md の一覧から選んでください。",
        "Unknown purpose id(s): {detail}. See docs/profile.md for the list.",
    ),
    "partner_unknown": (
        "{label}に分からない連携先があります: {detail}。docs/profile.md の一覧から選んでください。",
        "Unknown partner id(s): {detail}. See docs/profile.md for the list.",
    ),
    "largest_share_exceeds_total": (
        "最大の大企業株主の出資比率が、大企業の合計出資比率を上回っています。",
        "The largest large-company share cannot exceed the total held by large companies.",
    ),
}

_TYPE_MESSAGES: dict[str, tuple[str, str]] = {
    "int_parsing": ("{label}は整数で入力してください。", "Must be a whole number."),
    "int_type": ("{label}は整数で入力してください。", "Must be a whole number."),
    "int_from_float": ("{label}は整数で入力してください（小数は使えません）。", "Must be a whole number, not a fraction."),
    "float_parsing": ("{label}は数値で入力してください。", "Must be a number."),
    "float_type": ("{label}は数値で入力してください。", "Must be a number."),
    "bool_parsing": ("{label}は true か false で答えてください。", "Must be true or false."),
    "bool_type": ("{label}は true か false で答えてください。", "Must be true or false."),
    "date_parsing": ("{label}は 2025-04-01 のような日付で入力してください。", "Must be a date like 2025-04-01."),
    "date_from_datetime_parsing": ("{label}は 2025-04-01 のような日付で入力してください。", "Must be a date like 2025-04-01."),
    "date_type": ("{label}は 2025-04-01 のような日付で入力してください。", "Must be a date like 2025-04-01."),
    "greater_than_equal": ("{label}は{ge}以上にしてください。", "Must be at least {ge}."),
    "less_than_equal": ("{label}は{le}以下にしてください。", "Must be at most {le}."),
    "greater_than": ("{label}は{gt}より大きくしてください。", "Must be greater than {gt}."),
    "string_type": ("{label}は文字で入力してください。", "Must be text."),
    "string_too_long": ("{label}は{max_length}文字以内にしてください。", "Must be at most {max_length} characters."),
    "too_long": ("{label}の項目が多すぎます（{max_length}件まで）。", "Too many items (at most {max_length})."),
    "list_type": ("{label}は一覧（配列）で入力してください。", "Must be a list."),
    "literal_error": ("{label}は次のどれかにしてください: {expected}。", "Must be one of: {expected}."),
    "extra_forbidden": ("「{label}」という項目はありません。項目名を確かめてください。", "Unknown field; check the field name."),
    "missing": ("{label}は必須です。", "This field is required."),
    "model_type": ("{label}は項目名と値の組（オブジェクト）で入力してください。", "Must be an object."),
    "dict_type": ("{label}は項目名と値の組（オブジェクト）で入力してください。", "Must be an object."),
    "json_invalid": ("JSONとして読めません。", "The body is not valid JSON."),
}


def _plain_number(value: Any) -> Any:
    """100.0 → 100, 1000000 → 1,000,000 (for messages)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value


def validate_profile(data: Any) -> CompanyProfile:
    """Validate raw data into a profile; raises pydantic's ValidationError (see explain_errors)."""
    return CompanyProfile.model_validate(data)


def vocabulary_ids() -> dict[str, list[str]]:
    return {
        "legal_form": list(LEGAL_FORMS),
        "certifications": list(CERTIFICATIONS),
        "purposes": list(PURPOSES),
        "partners": list(PARTNERS),
        "events.type": list(EVENT_TYPES),
    }

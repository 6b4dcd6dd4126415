"""The console's forms: every field declared once (how it is entered, how it is shown), parsed by hand so
that any bad input comes back as the form with a message in Japanese, never an error page."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from rules import text
from rules.industry import name_of
from rules.profile import FIELD_LABELS, CompanyProfile, explain_errors
from rules.regions import PREFECTURES
from rules.vocabulary import CERTIFICATIONS, LEGAL_FORMS, PARTNERS, PURPOSES
from web.partners.keys import normalise_origin
from web.partners.schemas import KeyCreate

NONE = "__none__"  # 「該当なし（確認済み）」: a known, empty list, as opposed to unknown
MAN = 10_000  # amounts are entered in 万円, as advisors say them


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | textarea | prefecture | select | int | yen | float | date | bool | multi
    unit: str = ""
    options: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.name, self.name)

    @property
    def help(self) -> str:
        info = CompanyProfile.model_fields[self.name].description or ""
        return info.split(" / ")[0]


def _choices(vocabulary: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((key, term.ja) for key, term in vocabulary.items())


PROFILE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("prefecture", "prefecture"),
    FieldSpec("municipality", "text"),
    FieldSpec("industry", "text"),
    FieldSpec("legal_form", "select", options=_choices(LEGAL_FORMS)),
    FieldSpec("capital_yen", "yen", "万円"),
    FieldSpec("employees", "int", "人"),
    FieldSpec("founded_on", "date"),
    FieldSpec("planning_to_found", "bool"),
    FieldSpec("tax_filings", "int", "期"),
    FieldSpec("annual_revenue_yen", "yen", "万円"),
    FieldSpec("sales_change_pct", "float", "%"),
    FieldSpec("avg_taxable_income_yen", "yen", "万円"),
    FieldSpec("large_company_share_pct", "float", "%"),
    FieldSpec("largest_large_company_share_pct", "float", "%"),
    FieldSpec("large_company_officer_share_pct", "float", "%"),
    FieldSpec("certifications", "multi", options=_choices(CERTIFICATIONS)),
    FieldSpec("purposes", "multi", options=_choices(PURPOSES)),
    FieldSpec("planned_investment_yen", "yen", "万円"),
    FieldSpec("planned_wage_increase_pct", "float", "%"),
    FieldSpec("energy_use_kl", "float", "kl"),
    FieldSpec("consortium_size", "int", "社"),
    FieldSpec("partners", "multi", options=_choices(PARTNERS)),
    FieldSpec("minashi_sme_plan_approved_on", "date"),
    FieldSpec("challenges", "textarea"),
)
BY_NAME = {spec.name: spec for spec in PROFILE_FIELDS}
WHAT_IF_FIELDS = ("employees", "capital_yen", "planned_wage_increase_pct", "planned_investment_yen", "certifications")
THEMES = ("資金調達", "補助金・助成金", "税制", "設備投資", "IT・DX", "販路開拓", "人材・雇用", "賃上げ", "事業承継",
          "創業", "省エネ・GX", "BCP・防災", "海外展開", "経営改善")
MAX_TEXT = 4000


class FormErrors(dict[str, str]):
    """Field name → message (Japanese)."""


def clean(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def _number(raw: str) -> float:
    return float(re.sub(r"[,、\s]", "", raw).removesuffix("万円").removesuffix("円").removesuffix("%")
                 .removesuffix("人"))


def parse_value(spec: FieldSpec, form: FormData) -> Any:
    """The field's value (None = unknown); raises ValueError with a Japanese message."""
    if spec.kind == "multi":
        values = [clean(v) for v in form.getlist(spec.name) if isinstance(v, str)]
        if NONE in values:
            return []
        return [v for v in values if v] or None
    raw = clean(form.get(spec.name) if isinstance(form.get(spec.name), str) else "")  # type: ignore[arg-type]
    if raw == "":
        return None
    if len(raw) > MAX_TEXT:
        raise ValueError(f"{spec.label}は{MAX_TEXT}文字以内にしてください。")
    try:
        return _typed(spec, raw)
    except (ValueError, OverflowError):
        raise ValueError(_format_message(spec)) from None


def _typed(spec: FieldSpec, raw: str) -> Any:
    if spec.kind == "int":
        number = _number(raw)
        if not number.is_integer():
            raise ValueError(raw)
        return int(number)
    if spec.kind == "yen":
        return int(round(_number(raw) * MAN))
    if spec.kind == "float":
        return _number(raw)
    if spec.kind == "date":
        return dt.date.fromisoformat(raw.replace("/", "-")).isoformat()
    if spec.kind == "bool":
        if raw not in ("yes", "no"):
            raise ValueError(raw)
        return raw == "yes"
    if spec.kind == "industry" or spec.name == "industry":
        return raw.upper()
    return raw


def _format_message(spec: FieldSpec) -> str:
    return {
        "int": f"{spec.label}は整数で入力してください（例: 25）。",
        "yen": f"{spec.label}は万円単位の数字で入力してください（例: 1000 は1,000万円）。",
        "float": f"{spec.label}は数字で入力してください（例: 3.5）。",
        "date": f"{spec.label}は 2025-04-01 のような日付で入力してください。",
        "bool": f"{spec.label}は「はい」「いいえ」「不明」から選んでください。",
    }.get(spec.kind, f"{spec.label}の値が正しくありません。")


def parse_profile(form: FormData, keep: dict[str, Any] | None = None) -> tuple[dict[str, Any], FormErrors]:
    """The profile as posted (unknown fields left out), and one message per bad field.

    Fields the form does not show (``events``) are kept from ``keep``.
    """
    data: dict[str, Any] = {k: v for k, v in (keep or {}).items() if k not in BY_NAME and k != "as_of"}
    errors = FormErrors()
    for spec in PROFILE_FIELDS:
        try:
            value = parse_value(spec, form)
        except ValueError as exc:
            errors[spec.name] = str(exc)
            continue
        if value is not None:
            data[spec.name] = value
    if not errors:
        errors.update(profile_errors(data))
    return data, errors


def profile_errors(data: dict[str, Any]) -> FormErrors:
    errors = FormErrors()
    try:
        CompanyProfile.model_validate(data)
    except ValidationError as exc:
        for problem in explain_errors(exc):
            name = problem.field.split(".")[0]
            errors.setdefault(name if name in BY_NAME else "profile", problem.message)
    return errors


def to_profile(data: dict[str, Any]) -> CompanyProfile:
    """A stored profile as the engine's CompanyProfile (fields that no longer validate are dropped)."""
    try:
        return CompanyProfile.model_validate(data)
    except ValidationError:
        kept: dict[str, Any] = {}
        for key, value in data.items():
            try:
                CompanyProfile.model_validate(kept | {key: value})
                kept[key] = value
            except ValidationError:
                continue
        return CompanyProfile.model_validate(kept)


def input_value(spec: FieldSpec, value: Any) -> str:
    """A stored value as the text in its input."""
    if value is None:
        return ""
    if spec.kind == "yen":
        return text.number_ja(value / MAN).replace(",", "")
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "float" or spec.kind == "int":
        return text.number_ja(value).replace(",", "")
    return str(value)


def display_value(spec: FieldSpec, value: Any) -> str:
    """A stored value as an advisor reads it."""
    if value is None:
        return "不明"
    if spec.kind == "yen":
        return text.yen_ja(value)
    if spec.kind == "multi":
        labels = dict(spec.options)
        return "、".join(labels.get(v, v) for v in value) or "該当なし"
    if spec.kind == "select":
        return dict(spec.options).get(value, str(value))
    if spec.kind == "bool":
        return "はい" if value else "いいえ"
    if spec.kind == "date":
        return text.date_ja(dt.date.fromisoformat(str(value)))
    if spec.name == "industry":
        return f"{value}（{name_of(value) or '分類名不明'}）"
    if spec.kind in ("int", "float"):
        return f"{text.number_ja(value)}{spec.unit}"
    return str(value)


def prefecture_choice(form: FormData, name: str = "office") -> str | None:
    value = clean(form.get(name) if isinstance(form.get(name), str) else "")  # type: ignore[arg-type]
    return value if value in PREFECTURES else None


@dataclass
class ConsultationInput:
    held_on: dt.date | None = None
    themes: list[str] = field(default_factory=list)
    notes: str = ""
    programs: list[str] = field(default_factory=list)
    agreed: list[str] = field(default_factory=list)
    next_steps: str = ""


def parse_consultation(form: FormData, known_programs: set[str]) -> tuple[ConsultationInput, FormErrors]:
    errors = FormErrors()
    entry = ConsultationInput()
    raw_date = clean(form.get("held_on") if isinstance(form.get("held_on"), str) else "")  # type: ignore[arg-type]
    try:
        entry.held_on = dt.date.fromisoformat(raw_date.replace("/", "-"))
    except ValueError:
        errors["held_on"] = "相談日は 2025-04-01 のような日付で入力してください。"
    entry.themes = [t for t in (clean(v) for v in form.getlist("themes") if isinstance(v, str)) if t in THEMES]
    for name in ("notes", "next_steps"):
        value = clean(form.get(name) if isinstance(form.get(name), str) else "")  # type: ignore[arg-type]
        if len(value) > MAX_TEXT:
            errors[name] = f"{MAX_TEXT}文字以内にしてください。"
        setattr(entry, name, value[:MAX_TEXT])
    posted = [clean(v) for v in form.getlist("programs") if isinstance(v, str)]
    agreed = [clean(v) for v in form.getlist("agreed") if isinstance(v, str)]
    unknown = [p for p in posted + agreed if p not in known_programs]
    if unknown:
        errors["programs"] = "一覧にない制度が含まれています。画面を開き直してから選んでください。"
    entry.programs = list(dict.fromkeys(p for p in posted + agreed if p in known_programs))
    entry.agreed = list(dict.fromkeys(p for p in agreed if p in known_programs))
    return entry, errors


# --- a partner API key ----------------------------------------------------------------------------

ORIGIN_HELP = ("https://www.example.jp のように「https://」とホスト名（必要なら :8443 のようなポート番号）だけを"
               "1行に1つずつ書いてください。/ より後ろのパスは書きません。")


@dataclass
class KeyInput:
    """The key form as posted (texts, shown again when something is wrong) and its parsed values."""

    partner: str = ""
    origins_text: str = ""
    per_minute_text: str = str(KeyCreate.model_fields["per_minute"].default)
    per_day_text: str = str(KeyCreate.model_fields["per_day"].default)
    prefecture: str = ""
    origins: list[str] = field(default_factory=list)
    per_minute: int = 0
    per_day: int = 0


def _field_text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return clean(value if isinstance(value, str) else "")[:limit]


def _bound(name: str, kind: str) -> int:
    """A bound the partner API's ``KeyCreate`` declares (ge, le, max_length), so the form and the API agree."""
    return int(next(getattr(m, kind) for m in KeyCreate.model_fields[name].metadata if hasattr(m, kind)))


def _limit(name: str, label: str, raw: str, errors: FormErrors) -> int:
    low, high = _bound(name, "ge"), _bound(name, "le")
    digits = re.sub(r"[,、\s]", "", raw)
    if digits.isdigit() and low <= int(digits) <= high:
        return int(digits)
    errors[name] = f"{label}は{low:,}から{high:,}までの整数で入力してください。"
    return 0


def parse_key(form: FormData) -> tuple[KeyInput, FormErrors]:
    """The key form: partner name, origins one per line (each normalised as the gate compares them), limits."""
    errors = FormErrors()
    entry = KeyInput(partner=_field_text(form, "partner", 200), origins_text=_field_text(form, "origins", MAX_TEXT),
                     per_minute_text=_field_text(form, "per_minute", 20), per_day_text=_field_text(form, "per_day", 20),
                     prefecture=_field_text(form, "prefecture", 20))
    partner_max, origins_max = _bound("partner", "max_length"), _bound("origins", "max_length")
    if not entry.partner or len(entry.partner) > partner_max:
        errors["partner"] = f"パートナー名を{partner_max}文字以内で入力してください（例: みやぎ銀行）。"
    elif not entry.partner.isprintable():
        errors["partner"] = "パートナー名に使えない文字（制御文字）が含まれています。"
    lines = list(dict.fromkeys(line.strip() for line in entry.origins_text.splitlines() if line.strip()))
    bad = []
    for line in lines:
        try:
            entry.origins.append(normalise_origin(line))
        except ValueError:
            bad.append(line)
    if bad:
        errors["origins"] = "「" + "」「".join(bad) + "」はオリジンとして使えません。" + ORIGIN_HELP
    elif len(entry.origins) > origins_max:
        errors["origins"] = f"許可するオリジンは{origins_max}件までにしてください。"
    entry.per_minute = _limit("per_minute", "1分あたりの上限", entry.per_minute_text, errors)
    entry.per_day = _limit("per_day", "1日あたりの上限", entry.per_day_text, errors)
    if entry.prefecture and entry.prefecture not in PREFECTURES:
        errors["prefecture"] = "都道府県は一覧から選んでください。"
    return entry, errors

"""Facts the rules can test: profile fields and facts derived from them by statute.

Derived facts are three-valued: a value when the known fields decide it, None (unknown) otherwise.
``unknown capital with employees under the limit`` still decides 中小企業者, because either test
suffices under 中小企業基本法 第2条.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rules import industry as ind
from rules.logic import Tri, agree, and3, ge3, le3, not3, or3
from rules.parameters import ParameterSet, ParameterValue, default_parameters
from rules.profile import CompanyProfile
from rules.regions import region_of

NUMBER, DATE, STRING, LIST, BOOL, CODE = "number", "date", "string", "list", "bool", "code"


@dataclass(frozen=True)
class Derived:
    value: Any
    params: tuple[ParameterValue, ...] = ()


@dataclass(frozen=True)
class FactSpec:
    """A fact a rule may name: its type, unit and labels, and the profile fields that decide it."""

    name: str
    kind: str
    label: str
    label_en: str
    unit: str = ""
    inputs: tuple[str, ...] = ()
    derive: Callable[[FactContext], Derived] | None = None

    @property
    def derived(self) -> bool:
        return self.derive is not None


@dataclass
class FactContext:
    """Facts of one profile on one date, derived once and cached."""

    profile: CompanyProfile
    params: ParameterSet = field(default_factory=default_parameters)
    today: dt.date | None = None
    _cache: dict[str, Derived] = field(default_factory=dict)

    @cached_property
    def as_of(self) -> dt.date:
        """The profile's date, else ``today``, else the day this context was first asked (then fixed)."""
        return self.profile.effective_as_of(self.today)

    def param(self, name: str) -> ParameterValue | None:
        return self.params.at(name, self.as_of)

    def derived(self, name: str) -> Derived:
        if name not in self._cache:
            spec = FACTS[name]
            if spec.derive is not None:
                self._cache[name] = spec.derive(self)
            elif name == "as_of":
                self._cache[name] = Derived(self.as_of)
            else:
                self._cache[name] = Derived(getattr(self.profile, name))
        return self._cache[name]

    def value(self, name: str) -> Any:
        return self.derived(name).value


# --- 中小企業基本法 第2条 (with the 政令 special industries) -------------------------------------

_SME_PARAM_GROUP = {
    ind.MANUFACTURING: "manufacturing",
    ind.WHOLESALE: "wholesale",
    ind.RETAIL: "retail",
    ind.SERVICE: "service",
    ind.ENTERTAINMENT: "service",
    ind.LODGING_OTHER: "service",
    ind.RUBBER: "rubber",
    ind.SOFTWARE: "software",
    ind.RYOKAN: "ryokan",
}
_SMALL_PARAM_GROUP = {
    ind.MANUFACTURING: "general",
    ind.RUBBER: "general",
    ind.WHOLESALE: "commerce_service",
    ind.RETAIL: "commerce_service",
    ind.SERVICE: "commerce_service",
    ind.SOFTWARE: "commerce_service",
    ind.RYOKAN: "lodging_entertainment",
    ind.LODGING_OTHER: "lodging_entertainment",
    ind.ENTERTAINMENT: "lodging_entertainment",
}


def _limits(ctx: FactContext, category: str) -> tuple[ParameterValue | None, ParameterValue | None]:
    group = _SME_PARAM_GROUP[category]
    return ctx.param(f"sme.{group}.max_capital_yen"), ctx.param(f"sme.{group}.max_employees")


def _sme_in_category(ctx: FactContext, category: str) -> Tri:
    capital_limit, employee_limit = _limits(ctx, category)
    p = ctx.profile
    by_employees = le3(p.employees, employee_limit.value if employee_limit else None)
    if p.legal_form == "sole_proprietor":
        return by_employees  # an individual has no capital: only the employee test applies
    by_capital = le3(p.capital_yen, capital_limit.value if capital_limit else None)
    return or3([by_capital, by_employees])


def _categories(ctx: FactContext) -> frozenset[str]:
    return ind.candidate_categories(ctx.profile.industry)


def _used(ctx: FactContext, names: list[str]) -> tuple[ParameterValue, ...]:
    found = (ctx.param(n) for n in dict.fromkeys(names))
    return tuple(v for v in found if v is not None)


def derive_sme(ctx: FactContext) -> Derived:
    categories = sorted(_categories(ctx))
    value = agree(_sme_in_category(ctx, c) for c in categories)
    names = [f"sme.{_SME_PARAM_GROUP[c]}.{k}" for c in categories for k in ("max_capital_yen", "max_employees")]
    return Derived(value, _used(ctx, names))


def derive_small(ctx: FactContext) -> Derived:
    categories = sorted(_categories(ctx))
    names = [f"small.{_SMALL_PARAM_GROUP[c]}.max_employees" for c in categories]
    limits = [ctx.param(n) for n in names]
    value = agree(le3(ctx.profile.employees, lim.value if lim else None) for lim in limits)
    return Derived(value, _used(ctx, names))


def derive_sme_or_deemed(ctx: FactContext) -> Derived:
    """中小企業者, or みなし中小企業 (中小企業成長促進法): grown out of SME size during an approved plan."""
    sme = ctx.derived("is_sme")
    approved = ctx.profile.minashi_sme_plan_approved_on
    limit = ctx.param("minashi_sme.max_years")
    deemed: Tri = None
    if approved is not None and limit is not None:
        deemed = 0 <= (ctx.as_of - approved).days / 365.25 <= limit.value
    return Derived(or3([sme.value, deemed]), sme.params + ((limit,) if limit else ()))


# --- 租税特別措置法 ---------------------------------------------------------------------------

_NO_CAPITAL_FORMS = {"sole_proprietor", "npo", "association"}


def derive_sme_tax(ctx: FactContext) -> Derived:
    p = ctx.profile
    names = [
        "tax_sme.max_capital_yen",
        "tax_sme.max_employees_without_capital",
        "tax_sme.single_large_owner_share_pct",
        "tax_sme.large_owners_share_pct",
        "tax_sme.max_avg_taxable_income_yen",
    ]
    cap, emp, single, total, income = (ctx.param(n) for n in names)
    income_ok = le3(p.avg_taxable_income_yen, income.value) if income else True
    if p.legal_form in _NO_CAPITAL_FORMS:
        size_ok = le3(p.employees, emp.value if emp else None)
        return Derived(and3([size_ok, income_ok]), _used(ctx, names))
    capital_ok = le3(p.capital_yen, cap.value if cap else None)
    owned = or3(
        [
            ge3(p.largest_large_company_share_pct, single.value if single else None),
            ge3(p.large_company_share_pct, total.value if total else None),
        ]
    )
    return Derived(and3([capital_ok, not3(owned), income_ok]), _used(ctx, names))


def derive_minashi_large(ctx: FactContext) -> Derived:
    p = ctx.profile
    names = [
        "minashi.single_large_owner_share_pct",
        "minashi.large_owners_share_pct",
        "minashi.large_officers_share_pct",
    ]
    single, total, officers = (ctx.param(n) for n in names)
    value = or3(
        [
            ge3(p.largest_large_company_share_pct, single.value if single else None),
            ge3(p.large_company_share_pct, total.value if total else None),
            ge3(p.large_company_officer_share_pct, officers.value if officers else None),
        ]
    )
    return Derived(value, _used(ctx, names))


def derive_chuken(ctx: FactContext) -> Derived:
    """中堅企業者 (産業競争力強化法, 2024): ≤ 2,000 employees and not an SME.

    Programs that said 中堅企業 before the statutory definition took effect are read with it too: the
    earliest value stands in for dates before it (size-definitions.md: use this for programs that say 中堅企業).
    """
    parameter = ctx.params.get("chuken.max_employees")
    limit = parameter.at(ctx.as_of) or parameter.at(parameter.dates[0])
    sme = ctx.derived("is_sme")
    within = le3(ctx.profile.employees, limit.value if limit else None)
    return Derived(and3([within, not3(sme.value)]), sme.params + ((limit,) if limit else ()))


def derive_large(ctx: FactContext) -> Derived:
    sme, chuken = ctx.derived("is_sme"), ctx.derived("is_chuken")
    return Derived(not3(or3([sme.value, chuken.value])), chuken.params)


def derive_size_class(ctx: FactContext) -> Derived:
    small, sme = ctx.derived("is_small_business"), ctx.derived("is_sme")
    chuken, large = ctx.derived("is_chuken"), ctx.derived("is_large")
    params = small.params + chuken.params
    if small.value is True and sme.value is True:
        return Derived("small", params)
    for name, fact in (("sme", sme), ("chuken", chuken), ("large", large)):
        if fact.value is True and (name != "sme" or small.value is False):
            return Derived(name, params)
    return Derived(None, params)


# --- time and place ---------------------------------------------------------------------------


def derive_years_since_founding(ctx: FactContext) -> Derived:
    p = ctx.profile
    if p.founded_on is not None:
        return Derived(max(0.0, (ctx.as_of - p.founded_on).days / 365.25))
    if p.planning_to_found:
        return Derived(0.0)  # not founded yet: founding lies ahead
    return Derived(None)


def derive_region(ctx: FactContext) -> Derived:
    return Derived(region_of(ctx.profile.prefecture))


def derive_is_corporation(ctx: FactContext) -> Derived:
    form = ctx.profile.legal_form
    return Derived(None if form is None else form != "sole_proprietor")


_SIZE_INPUTS = ("industry", "capital_yen", "employees", "legal_form")
_OWNERSHIP_INPUTS = ("large_company_share_pct", "largest_large_company_share_pct")


def _spec(name: str, kind: str, label: str, label_en: str, unit: str = "", **kw: Any) -> FactSpec:
    return FactSpec(name, kind, label, label_en, unit, **kw)


FACTS: dict[str, FactSpec] = {
    s.name: s
    for s in [
        _spec("as_of", DATE, "基準日", "the date of the answer"),
        _spec("prefecture", STRING, "本社の都道府県", "prefecture", inputs=("prefecture",)),
        _spec("municipality", STRING, "市区町村", "municipality", inputs=("municipality",)),
        _spec("industry", CODE, "業種", "industry", inputs=("industry",)),
        _spec("legal_form", STRING, "法人格", "legal form", inputs=("legal_form",)),
        _spec("capital_yen", NUMBER, "資本金", "capital", "yen", inputs=("capital_yen",)),
        _spec("employees", NUMBER, "従業員数", "employees", "persons", inputs=("employees",)),
        _spec("founded_on", DATE, "設立日", "founding date", inputs=("founded_on",)),
        _spec("planning_to_found", BOOL, "創業予定", "planning to found", inputs=("planning_to_found",)),
        _spec("tax_filings", NUMBER, "税務申告の期数", "tax filings", "filings", inputs=("tax_filings",)),
        _spec("annual_revenue_yen", NUMBER, "売上高", "annual revenue", "yen", inputs=("annual_revenue_yen",)),
        _spec("sales_change_pct", NUMBER, "売上の増減率", "sales change", "percent", inputs=("sales_change_pct",)),
        _spec(
            "avg_taxable_income_yen", NUMBER, "過去3年の平均課税所得", "average taxable income", "yen",
            inputs=("avg_taxable_income_yen",),
        ),
        _spec(
            "large_company_share_pct", NUMBER, "大企業の出資比率", "large-company share", "percent",
            inputs=("large_company_share_pct",),
        ),
        _spec(
            "largest_large_company_share_pct", NUMBER, "最大の大企業株主の出資比率", "largest large-company share",
            "percent", inputs=("largest_large_company_share_pct",),
        ),
        _spec(
            "large_company_officer_share_pct", NUMBER, "大企業の役員を兼ねる役員の割合", "officers from large companies",
            "percent", inputs=("large_company_officer_share_pct",),
        ),
        _spec(
            "minashi_sme_plan_approved_on", DATE, "みなし中小企業の計画承認日", "deemed-SME plan approval date",
            inputs=("minashi_sme_plan_approved_on",),
        ),
        _spec("certifications", LIST, "取得済みの認定", "certifications", inputs=("certifications",)),
        _spec("purposes", LIST, "やりたいこと", "purposes", inputs=("purposes",)),
        _spec("partners", LIST, "連携先", "partners", inputs=("partners",)),
        _spec(
            "planned_investment_yen", NUMBER, "投資予定額", "planned investment", "yen",
            inputs=("planned_investment_yen",),
        ),
        _spec(
            "planned_wage_increase_pct", NUMBER, "賃上げ率", "planned wage increase", "percent",
            inputs=("planned_wage_increase_pct",),
        ),
        _spec("energy_use_kl", NUMBER, "エネルギー使用量", "energy use", "kl", inputs=("energy_use_kl",)),
        _spec("consortium_size", NUMBER, "共同申請の事業者数", "consortium size", "companies", inputs=("consortium_size",)),
        _spec(
            "is_sme", BOOL, "中小企業者（中小企業基本法・政令）", "an SME (SME Basic Act)",
            inputs=_SIZE_INPUTS, derive=derive_sme,
        ),
        _spec(
            "is_small_business", BOOL, "小規模企業者", "a small business (SME Basic Act Art. 2(5))",
            inputs=("industry", "employees"), derive=derive_small,
        ),
        _spec(
            "is_sme_or_deemed", BOOL, "中小企業者又はみなし中小企業", "an SME or deemed SME",
            inputs=_SIZE_INPUTS + ("minashi_sme_plan_approved_on",), derive=derive_sme_or_deemed,
        ),
        _spec(
            "is_sme_tax", BOOL, "租税特別措置法上の中小企業者", "an SME for tax purposes",
            inputs=("legal_form", "capital_yen", "employees", "avg_taxable_income_yen") + _OWNERSHIP_INPUTS,
            derive=derive_sme_tax,
        ),
        _spec(
            "is_minashi_large", BOOL, "みなし大企業", "effectively controlled by a large company",
            inputs=_OWNERSHIP_INPUTS + ("large_company_officer_share_pct",), derive=derive_minashi_large,
        ),
        _spec(
            "is_chuken", BOOL, "中堅企業者（産業競争力強化法）", "a mid-sized company (chuken)",
            inputs=_SIZE_INPUTS, derive=derive_chuken,
        ),
        _spec("is_large", BOOL, "大企業", "a large company", inputs=_SIZE_INPUTS, derive=derive_large),
        _spec("size_class", STRING, "企業規模", "size class", inputs=_SIZE_INPUTS, derive=derive_size_class),
        _spec(
            "years_since_founding", NUMBER, "設立からの年数", "years since founding", "years",
            inputs=("founded_on", "planning_to_found"), derive=derive_years_since_founding,
        ),
        _spec("region", STRING, "地域", "region", inputs=("prefecture",), derive=derive_region),
        _spec(
            "is_corporation", BOOL, "法人であること", "a corporation", inputs=("legal_form",),
            derive=derive_is_corporation,
        ),
    ]
}

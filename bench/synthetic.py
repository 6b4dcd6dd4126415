"""Seeded synthetic catalogs of nested eligibility rules, and realistic company profiles.

``synthetic_catalog(n, seed)`` builds ``n`` programs whose rules look like the real ones: 3–15
conditions each, nested all/any/not up to depth 3–4, over numeric facts, prefecture/region/legal
form/industry membership and certifications. About 15% of programs carry the full statutory SME
definition written out in primitive conditions (any over industry categories: industry in [...] and
(capital ≤ X or employees ≤ Y)); some use the derived ``is: is_sme`` leaf and a few are ``unstated``.

``synthetic_profiles(n, seed)`` builds company profiles with fields missing (unknown) at realistic
rates. With ``full=True`` both generators also use the rest of the language (dates, parameters that
change over time, events, other derived facts, purposes/partners, as_of windows) for the
equivalence tests.

Every rule is built as a plain dict and validated through ``rules.tree.parse_rule``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from rules.compile import ProgramRule
from rules.industry import jsic_codes
from rules.parameters import Parameter, ParameterSet, Reference
from rules.profile import CompanyProfile
from rules.regions import PREFECTURES, REGIONS
from rules.tree import NodeBase, parse_rule
from rules.vocabulary import CERTIFICATIONS, EVENT_TYPES, LEGAL_FORMS, PARTNERS, PURPOSES

AS_OF = dt.date(2025, 6, 1)

CODES = sorted(jsic_codes())
CODES_BY_LEN: dict[int, list[str]] = {}
for _c in CODES:
    CODES_BY_LEN.setdefault(len(_c), []).append(_c)
CERT_IDS = list(CERTIFICATIONS)
PURPOSE_IDS = list(PURPOSES)
PARTNER_IDS = list(PARTNERS)
FORM_IDS = list(LEGAL_FORMS)
EVENT_IDS = list(EVENT_TYPES)

# Industry codes that appear in real calls at several depths (major letter, 2-, 3-, 4-digit).
FAVOURITE_CODES = ["E", "E19", "E1919", "E1911", "G", "G39", "G391", "G392", "I", "I50", "I58", "I56",
                   "M", "M75", "M751", "M76", "N", "N80", "D", "H", "K", "L", "P", "R", "A", "F"]

# The statutory SME definition (中小企業基本法 第2条 + 政令), as categories of industry codes with limits.
SME_DEFINITION: list[tuple[list[str], int, int]] = [
    (["A", "B", "C", "D", "E", "F", "H", "J", "K", "S", "T"], 300_000_000, 300),  # 製造業その他
    (["I50", "I51", "I52", "I53", "I54", "I55"], 100_000_000, 100),  # 卸売業
    (["I56", "I57", "I58", "I59", "I60", "I61", "M76", "M77"], 50_000_000, 50),  # 小売業・飲食店
    (["G38", "G39", "G41", "L", "M75", "N", "O", "P", "Q", "R"], 50_000_000, 100),  # サービス業
    (["E19"], 300_000_000, 900),  # ゴム製品製造業
    (["G391", "G392"], 300_000_000, 300),  # ソフトウェア業・情報処理サービス業
    (["M751", "M752"], 50_000_000, 200),  # 旅館業
]

NUMERIC_THRESHOLDS: dict[str, list[float]] = {
    "employees": [0, 5, 20, 50, 100, 300, 1000, 2000],
    "capital_yen": [10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000, 1_000_000_000, 10_000_000_000],
    "years_since_founding": [1, 3, 5, 10, 20],
    "planned_investment_yen": [1_000_000, 5_000_000, 10_000_000, 30_000_000, 100_000_000],
    "sales_change_pct": [-30, -20, -15, -10, -5, 0, 5],
    "consortium_size": [0, 1, 2, 3, 5, 10],
}
NUMERIC_FACTS = list(NUMERIC_THRESHOLDS)
EXTRA_NUMERIC: dict[str, list[float]] = {  # full mode only
    "annual_revenue_yen": [50_000_000, 1_000_000_000, 10_000_000_000],
    "tax_filings": [1, 2, 3],
    "planned_wage_increase_pct": [1.5, 3, 4.5, 7],
    "energy_use_kl": [100, 1500, 3000],
    "avg_taxable_income_yen": [0, 1_500_000_000],
    "large_company_share_pct": [33.3, 50, 66.666],
}
BOOL_FACTS = ["is_sme", "is_small_business", "is_sme_or_deemed", "is_sme_tax", "is_minashi_large", "is_chuken",
              "is_large", "is_corporation", "planning_to_found"]

# Program-local parameters whose value changes over time (full mode): (name, {date: value}).
LOCAL_PARAMS: dict[str, dict[dt.date, float]] = {
    "bench.max_employees": {dt.date(2020, 4, 1): 300, dt.date(2024, 4, 1): 500},
    "bench.min_investment_yen": {dt.date(2022, 1, 1): 5_000_000, dt.date(2025, 1, 1): 10_000_000},
    "bench.max_sales_change_pct": {dt.date(2021, 1, 1): -20, dt.date(2023, 7, 1): -10},
}
GLOBAL_PARAMS = ["sme.manufacturing.max_employees", "chuken.max_employees", "tax_sme.max_capital_yen",
                 "small.general.max_employees"]


def local_parameters() -> ParameterSet:
    ref = Reference(title="synthetic")
    return ParameterSet({
        name: Parameter(name, name, "", ref, tuple(sorted(values)), tuple(values[d] for d in sorted(values)))
        for name, values in LOCAL_PARAMS.items()
    })


class RuleGen:
    """Random rule dicts; ``full`` adds dates, parameters, events and every other operator."""

    def __init__(self, rng: random.Random, full: bool = False):
        self.rng = rng
        self.full = full

    # --- leaves -----------------------------------------------------------------------------

    def numeric(self) -> dict[str, Any]:
        r = self.rng
        table = NUMERIC_THRESHOLDS
        if self.full and r.random() < 0.3:
            table = EXTRA_NUMERIC
        fact = r.choice(list(table))
        values = table[fact]
        x = r.choice(values)
        if self.full and r.random() < 0.15:
            return self.param_leaf()
        roll = r.random()
        if roll < 0.75:
            op = r.choices(["le", "lt", "ge", "gt", "eq", "ne"], [30, 15, 30, 15, 5, 5])[0]
            return {"fact": fact, "op": op, "value": x}
        lo, hi = sorted(r.sample(values, 2)) if len(values) > 1 else (x, x)
        which = r.random()
        if which < 0.2:
            return {"fact": fact, "min": lo}
        if which < 0.4:
            return {"fact": fact, "max": hi}
        return {"fact": fact, "min": lo, "max": hi}

    def param_leaf(self) -> dict[str, Any]:
        r = self.rng
        roll = r.random()
        if roll < 0.4:
            name = r.choice(list(LOCAL_PARAMS))
            fact = {"bench.max_employees": "employees", "bench.min_investment_yen": "planned_investment_yen",
                    "bench.max_sales_change_pct": "sales_change_pct"}[name]
        else:
            name = r.choice(GLOBAL_PARAMS)
            fact = "capital_yen" if "capital" in name else "employees"
        if r.random() < 0.6:
            return {"fact": fact, "op": r.choice(["le", "lt", "ge", "gt", "eq", "ne"]), "param": name}
        if r.random() < 0.5:
            return {"fact": fact, "max_param": name}
        return {"fact": fact, "min": 1, "max_param": name} if r.random() < 0.5 else {"fact": fact, "min_param": name}

    def date_leaf(self) -> dict[str, Any]:
        r = self.rng
        day = dt.date(2000, 1, 1) + dt.timedelta(days=r.randrange(0, 9500))
        roll = r.random()
        if roll < 0.35:
            return {"fact": "founded_on", "op": r.choice(["le", "lt", "ge", "gt", "eq", "ne"]), "value": day}
        if roll < 0.55:
            return {"fact": "minashi_sme_plan_approved_on", "op": r.choice(["ge", "le"]), "value": day}
        start = dt.date(2023, 1, 1) + dt.timedelta(days=r.randrange(0, 900))
        end = start + dt.timedelta(days=r.randrange(0, 400))
        window = r.random()
        if window < 0.2:
            return {"fact": "as_of", "min": start}
        if window < 0.4:
            return {"fact": "as_of", "max": end}
        return {"fact": "as_of", "min": start, "max": end}

    def industry(self) -> dict[str, Any]:
        r = self.rng
        k = r.choices([1, 2, 3, 4], [55, 25, 12, 8])[0]
        pool = []
        for _ in range(k):
            if r.random() < 0.5:
                pool.append(r.choice(FAVOURITE_CODES))
            else:
                pool.append(r.choice(CODES_BY_LEN[r.choice([1, 3, 4, 5])]))
        return {"fact": "industry", "in": list(dict.fromkeys(pool))}

    def member(self) -> dict[str, Any]:
        r = self.rng
        facts = ["prefecture", "region", "legal_form", "industry", "industry"]
        if self.full:
            facts += ["purposes", "partners", "size_class", "certifications"]
        fact = r.choice(facts)
        if fact == "industry":
            return self.industry()
        vocab = {
            "prefecture": list(PREFECTURES), "region": list(REGIONS), "legal_form": FORM_IDS,
            "purposes": PURPOSE_IDS, "partners": PARTNER_IDS, "size_class": ["small", "sme", "chuken", "large"],
            "certifications": CERT_IDS,
        }[fact]
        k = r.choices([1, 2, 3, 5], [50, 25, 15, 10])[0]
        return {"fact": fact, "in": r.sample(vocab, min(k, len(vocab)))}

    def certification(self) -> dict[str, Any]:
        r = self.rng
        k = r.choices([1, 2, 3], [70, 20, 10])[0]
        ids = r.sample(CERT_IDS, k)
        return {"has_certification": ids[0] if k == 1 and r.random() < 0.7 else ids}

    def event(self) -> dict[str, Any]:
        r = self.rng
        node: dict[str, Any] = {"has_event": r.choice(EVENT_IDS)}
        if r.random() < 0.5:
            node["within_days"] = r.choice([30, 180, 365, 730])
        if r.random() < 0.3:
            node["on_or_after"] = dt.date(2023, 1, 1) + dt.timedelta(days=r.randrange(0, 700))
        if r.random() < 0.4:
            node["in_prefectures"] = r.sample(list(PREFECTURES), r.choice([1, 2, 3]))
        return node

    def leaf(self) -> dict[str, Any]:
        r = self.rng
        kinds: list[tuple[Callable[[], dict[str, Any]], float]] = [
            (self.numeric, 40), (self.member, 30), (self.certification, 10),
            (lambda: {"is": "is_sme"}, 7), (lambda: {"unstated": "条件が公表資料に記載されていません"}, 1.5),
        ]
        if self.full:
            kinds += [(self.date_leaf, 12), (self.event, 6), (lambda: {"is": r.choice(BOOL_FACTS)}, 10)]
        fns, weights = zip(*kinds, strict=True)
        return r.choices(fns, weights)[0]()

    # --- structure ----------------------------------------------------------------------------

    def sme_definition(self) -> dict[str, Any]:
        """The statutory SME definition written out in primitive conditions."""
        return {"any": [
            {"all": [{"fact": "industry", "in": codes},
                     {"any": [{"fact": "capital_yen", "op": "le", "value": cap},
                              {"fact": "employees", "op": "le", "value": emp}]}]}
            for codes, cap, emp in SME_DEFINITION
        ]}

    def group(self, leaves: list[dict[str, Any]], depth: int, max_depth: int) -> dict[str, Any]:
        r = self.rng
        if len(leaves) == 1:
            node = leaves[0]
        elif depth >= max_depth - 1:
            node = {r.choices(["all", "any"], [60, 40])[0]: leaves}
        else:
            k = min(len(leaves), r.choice([2, 2, 3, 4]))
            cuts = sorted(r.sample(range(1, len(leaves)), k - 1))
            parts = [leaves[a:b] for a, b in zip([0, *cuts], [*cuts, len(leaves)], strict=True)]
            node = {r.choices(["all", "any"], [60, 40])[0]: [self.group(p, depth + 1, max_depth) for p in parts]}
        if depth > 0 and depth < max_depth and r.random() < 0.1:
            node = {"not": node}
        return node

    def rule(self) -> dict[str, Any]:
        r = self.rng
        n = r.randint(3, 15)
        max_depth = r.choice([3, 4])
        leaves = [self.leaf() for _ in range(n)]
        if r.random() < 0.15:
            leaves[r.randrange(n)] = self.sme_definition()
        root = self.group(leaves, 0, max_depth)
        if "all" not in root:
            root = {"all": [root]}
        return root


def synthetic_rules(n: int, seed: int = 0, full: bool = False) -> list[dict[str, Any]]:
    gen = RuleGen(random.Random(seed), full)
    return [gen.rule() for _ in range(n)]


def synthetic_catalog(n: int, seed: int = 0, full: bool = False) -> list[ProgramRule]:
    """``n`` programs as ``ProgramRule``; in full mode every program carries the local parameters."""
    params = local_parameters() if full else None
    return [ProgramRule(f"p{i:05d}", parse_rule(d), params) for i, d in enumerate(synthetic_rules(n, seed, full))]


# --- profiles -----------------------------------------------------------------------------------

_PREF_WEIGHTS = {"東京都": 18, "大阪府": 8, "愛知県": 6, "神奈川県": 5, "埼玉県": 4, "福岡県": 4, "北海道": 4,
                 "兵庫県": 3.5, "千葉県": 3.5, "静岡県": 3, "宮城県": 2}
_MAJOR_WEIGHTS = {"E": 18, "I": 20, "D": 12, "M": 8, "G": 5, "K": 4, "L": 5, "N": 6, "P": 5, "H": 4, "R": 5,
                  "F": 1, "A": 2, "Q": 2, "O": 2, "J": 1, "B": 0.5, "C": 0.2, "S": 0.1, "T": 0.1}


def _maybe(rng: random.Random, p_missing: float, value: Callable[[], Any]) -> Any:
    return None if rng.random() < p_missing else value()


def random_industry(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(["E", "E19", "E1919", "E1911", "G391", "I58", "M75", "M751", "N80", "G39", "I50"])
    major = rng.choices(list(_MAJOR_WEIGHTS), list(_MAJOR_WEIGHTS.values()))[0]
    depth = rng.choices([1, 3, 4, 5], [15, 40, 30, 15])[0]
    pool = [c for c in CODES_BY_LEN[depth] if c.startswith(major)] or [major]
    return rng.choice(pool)


def random_profile(rng: random.Random, full: bool = False, as_of: dt.date | None = AS_OF) -> CompanyProfile:
    prefs = list(PREFECTURES)
    weights = [_PREF_WEIGHTS.get(p, 1.0) for p in prefs]
    form = _maybe(rng, 0.06, lambda: rng.choices(FORM_IDS, [60, 8, 6, 16, 3, 3, 2, 2])[0])
    sole = form == "sole_proprietor"
    employees = _maybe(rng, 0.15, lambda: min(200_000, int(rng.lognormvariate(2.3, 1.6))))
    if sole:
        capital = None if rng.random() < 0.8 else 0
    else:
        capital = _maybe(rng, 0.2, lambda: rng.choice(
            [1_000_000, 3_000_000, 5_000_000, 10_000_000, 20_000_000, 30_000_000, 50_000_000, 80_000_000,
             100_000_000, 300_000_000, 500_000_000, 1_000_000_000, 5_000_000_000, 30_000_000_000]))
    planning = rng.random() < 0.07
    founded = None
    if not planning and rng.random() > 0.12:
        founded = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, (dt.date(2025, 5, 1) - dt.date(1950, 1, 1)).days))
    cert_roll = rng.random()
    certs = None if cert_roll < 0.4 else [] if cert_roll < 0.7 else rng.sample(CERT_IDS, rng.choice([1, 1, 2, 3]))
    data: dict[str, Any] = {
        "as_of": as_of,
        "prefecture": _maybe(rng, 0.05, lambda: rng.choices(prefs, weights)[0]),
        "industry": _maybe(rng, 0.1, lambda: random_industry(rng)),
        "legal_form": form,
        "employees": employees,
        "capital_yen": capital,
        "founded_on": founded,
        "planning_to_found": True if planning else _maybe(rng, 0.5, lambda: False),
        "sales_change_pct": _maybe(rng, 0.35, lambda: round(max(-100.0, rng.gauss(-2, 18)), 1)),
        "planned_investment_yen": _maybe(rng, 0.4, lambda: int(rng.lognormvariate(15.4, 1.3))),
        "consortium_size": _maybe(rng, 0.5, lambda: rng.choices([0, 1, 2, 3, 5, 8], [60, 5, 15, 10, 6, 4])[0]),
        "certifications": certs,
    }
    if full:
        if rng.random() < 0.3:
            data["as_of"] = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 2700))
        elif rng.random() < 0.1:
            data["as_of"] = None  # falls back to `today`
        data["annual_revenue_yen"] = _maybe(rng, 0.4, lambda: int(rng.lognormvariate(18.5, 1.8)))
        data["tax_filings"] = _maybe(rng, 0.5, lambda: rng.randint(0, 12))
        data["planned_wage_increase_pct"] = _maybe(rng, 0.5, lambda: rng.choice([0, 1.5, 3, 4.5, 7, 10]))
        data["energy_use_kl"] = _maybe(rng, 0.7, lambda: rng.choice([10.0, 100, 1500, 3000.5]))
        data["avg_taxable_income_yen"] = _maybe(rng, 0.6, lambda: rng.choice([-5_000_000, 0, 20_000_000, 2_000_000_000]))
        total = _maybe(rng, 0.5, lambda: rng.choice([0.0, 10, 33.3, 50, 66.666, 80]))
        data["large_company_share_pct"] = total
        data["largest_large_company_share_pct"] = None if total is None else _maybe(rng, 0.3, lambda: total * rng.choice([0.5, 1]))
        data["large_company_officer_share_pct"] = _maybe(rng, 0.6, lambda: rng.choice([0.0, 25, 50, 75]))
        data["minashi_sme_plan_approved_on"] = _maybe(rng, 0.8, lambda: dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(0, 2500)))
        roll = rng.random()
        data["purposes"] = None if roll < 0.3 else [] if roll < 0.45 else rng.sample(PURPOSE_IDS, rng.randint(1, 4))
        roll = rng.random()
        data["partners"] = None if roll < 0.5 else [] if roll < 0.7 else rng.sample(PARTNER_IDS, rng.randint(1, 2))
        roll = rng.random()
        if roll < 0.4:
            data["events"] = None
        elif roll < 0.6:
            data["events"] = []
        else:
            data["events"] = [
                {"type": rng.choice(EVENT_IDS),
                 "date": _maybe(rng, 0.2, lambda: dt.date(2022, 6, 1) + dt.timedelta(days=rng.randrange(0, 1200))),
                 "prefecture": _maybe(rng, 0.3, lambda: rng.choices(prefs, weights)[0])}
                for _ in range(rng.randint(1, 2))
            ]
    return CompanyProfile.model_validate({k: v for k, v in data.items() if v is not None or k == "certifications"})


def synthetic_profiles(n: int, seed: int = 1, full: bool = False, as_of: dt.date | None = AS_OF) -> list[CompanyProfile]:
    rng = random.Random(seed)
    return [random_profile(rng, full, as_of) for _ in range(n)]


def rule_stats(rules: list[NodeBase]) -> dict[str, float]:
    from rules.tree import All, AnyOf, Not

    leaves = [sum(1 for n in r.walk() if not isinstance(n, All | AnyOf | Not)) for r in rules]
    return {"programs": len(rules), "mean_leaves": sum(leaves) / max(1, len(leaves)), "max_leaves": max(leaves or [0])}

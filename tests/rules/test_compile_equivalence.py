"""The compiled (vectorised) catalog gives the same status as the plain tree walk, always.

``rules.analysis.evaluate_rule`` is the reference. Random rule trees (every operator, nesting, dates,
parameters that change with ``as_of``, events) are checked against random profiles with unknown fields,
industry codes at several depths and certification lists that are empty or missing; then a few
hand-written cases per operator pin the three-valued semantics themselves.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for bench/

from bench.synthetic import (  # noqa: E402
    local_parameters,
    random_profile,
    synthetic_catalog,
    synthetic_profiles,
)
from rules.analysis import evaluate_rule  # noqa: E402
from rules.compile import CompiledCatalog, ProgramRule  # noqa: E402
from rules.facts import FactContext  # noqa: E402
from rules.profile import CompanyProfile  # noqa: E402
from rules.tree import parse_rule  # noqa: E402

CODE = {"ineligible": 0, "undetermined": 1, "eligible": 2}
TODAY = dt.date(2024, 10, 1)  # for profiles without as_of


def plain(programs: list[ProgramRule], profiles: list[CompanyProfile], cc: CompiledCatalog) -> np.ndarray:
    out = np.empty((len(profiles), len(programs)), dtype=np.int8)
    for i, profile in enumerate(profiles):
        ctx = FactContext(profile, cc.params, TODAY)
        out[i] = [CODE[evaluate_rule(p.rule, ctx, p.params).status] for p in programs]
    return out


def assert_same(programs: list[ProgramRule], profiles: list[CompanyProfile]) -> np.ndarray:
    cc = CompiledCatalog(programs)
    got = cc.statuses(profiles, TODAY)
    expected = plain(programs, profiles, cc)
    bad = np.argwhere(got != expected)
    if len(bad):
        i, j = bad[0]
        pytest.fail(
            f"{len(bad)} mismatches; first: program {programs[j].key} rule={programs[j].rule.model_dump(by_alias=True, exclude_none=True)} "
            f"profile={profiles[i].model_dump(exclude_none=True)} plain={expected[i, j]} compiled={got[i, j]}"
        )
    # one profile at a time gives the same rows as the batch
    for i in range(0, len(profiles), 7):
        assert (cc.statuses([profiles[i]], TODAY)[0] == got[i]).all()
    return got


@pytest.mark.parametrize("seed", range(8))
def test_random_full_language(seed: int) -> None:
    programs = synthetic_catalog(30, seed=100 + seed, full=True)
    profiles = synthetic_profiles(16, seed=200 + seed, full=True, as_of=None)
    got = assert_same(programs, profiles)
    assert len(np.unique(got)) == 3, "the sample should exercise all three statuses"


@pytest.mark.parametrize("seed", range(3))
def test_random_benchmark_catalog(seed: int) -> None:
    """The benchmark's own catalog shape (SME definition written out, is_sme, unstated)."""
    assert_same(synthetic_catalog(40, seed=300 + seed), synthetic_profiles(12, seed=400 + seed))


INDUSTRY_CODES = ["E", "E19", "E191", "E1911", "E1919", "E1931", "G", "G39", "G391", "G3911", "I", "I58",
                  "I56", "I50", "M", "M75", "M751", "N", "N80", "N801", "A", "R"]


def test_industry_codes_at_every_depth() -> None:
    """Every target list × every profile code (coarser, finer, sibling, unrelated, unknown)."""
    rng = random.Random(7)
    valid = INDUSTRY_CODES
    targets = [[c] for c in valid] + [rng.sample(valid, k) for k in (2, 3, 4) for _ in range(6)]
    programs = [ProgramRule(f"i{i}", parse_rule({"fact": "industry", "in": t})) for i, t in enumerate(targets)]
    programs += [ProgramRule(f"n{i}", parse_rule({"not": {"fact": "industry", "in": t}})) for i, t in enumerate(targets[:10])]
    programs.append(ProgramRule("sme", parse_rule({"is": "is_sme"})))
    programs.append(ProgramRule("small", parse_rule({"is": "is_small_business"})))
    profiles = [CompanyProfile(industry=c, employees=e, capital_yen=cap, as_of=dt.date(2025, 1, 1))
                for c in [*INDUSTRY_CODES, None] for e, cap in ((4, None), (60, 60_000_000), (250, None), (950, 4 * 10**8))]
    got = assert_same(programs, profiles)
    assert {0, 1, 2} <= set(np.unique(got).tolist())


def test_parameters_change_with_as_of() -> None:
    """Local and global parameters resolved on each profile's date (None before the first value)."""
    local = local_parameters()
    rules = [
        {"fact": "employees", "op": "le", "param": "bench.max_employees"},
        {"fact": "employees", "op": "gt", "param": "bench.max_employees"},
        {"fact": "planned_investment_yen", "min_param": "bench.min_investment_yen"},
        {"fact": "sales_change_pct", "max_param": "bench.max_sales_change_pct", "min": -100},
        {"fact": "employees", "op": "le", "param": "chuken.max_employees"},
        {"fact": "employees", "op": "ne", "param": "chuken.max_employees"},
        {"is": "is_chuken"},
        {"is": "is_large"},
        {"fact": "size_class", "in": ["chuken"]},
        {"fact": "as_of", "min": dt.date(2024, 1, 1), "max": dt.date(2024, 12, 31)},
        {"fact": "years_since_founding", "op": "lt", "value": 5},
    ]
    programs = [ProgramRule(f"q{i}", parse_rule(r), local) for i, r in enumerate(rules)]
    dates = [dt.date(2019, 6, 1), dt.date(2020, 4, 1), dt.date(2023, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 9, 1),
             dt.date(2024, 9, 2), dt.date(2025, 1, 1), None]
    profiles = [CompanyProfile(as_of=d, employees=e, capital_yen=5 * 10**8, industry="E", planned_investment_yen=7_000_000,
                               sales_change_pct=-15.0, founded_on=dt.date(2020, 3, 1))
                for d in dates for e in (250, 300, 400, 500, 1500, 2000, 2500)]
    profiles.append(CompanyProfile(as_of=dt.date(2025, 1, 1)))
    got = assert_same(programs, profiles)
    assert {0, 1, 2} <= set(np.unique(got).tolist())


def test_certifications_empty_vs_missing() -> None:
    rules = [{"has_certification": "keiei_kakushin"}, {"has_certification": ["dx_nintei", "kurumin"]},
             {"fact": "certifications", "in": ["kurumin"]}, {"not": {"has_certification": "kurumin"}},
             {"any": [{"has_certification": "kurumin"}, {"fact": "employees", "op": "le", "value": 5}]}]
    programs = [ProgramRule(f"c{i}", parse_rule(r)) for i, r in enumerate(rules)]
    profiles = [CompanyProfile(certifications=c, employees=e, as_of=dt.date(2025, 1, 1))
                for c in (None, [], ["kurumin"], ["keiei_kakushin", "dx_nintei"]) for e in (None, 3, 30)]
    got = assert_same(programs, profiles)
    assert got[0, 0] == 1 and got[3, 0] == 0  # missing → undetermined, empty → ineligible


# --- hand-written cases per operator: (rule, profile, expected status) --------------------------------

D = dt.date
EMP_LE_300 = {"fact": "employees", "op": "le", "value": 300}
TOKYO = {"fact": "prefecture", "in": ["東京都"]}
CASES: list[tuple[str, dict, dict, str]] = [
    # all / any / not (Kleene)
    ("all pass", {"all": [EMP_LE_300, TOKYO]}, {"employees": 10, "prefecture": "東京都"}, "eligible"),
    ("all fail beats unknown", {"all": [EMP_LE_300, TOKYO]}, {"prefecture": "大阪府"}, "ineligible"),
    ("all unknown", {"all": [EMP_LE_300, TOKYO]}, {"prefecture": "東京都"}, "undetermined"),
    ("any pass beats unknown", {"any": [EMP_LE_300, TOKYO]}, {"prefecture": "東京都"}, "eligible"),
    ("any unknown", {"any": [EMP_LE_300, TOKYO]}, {"prefecture": "大阪府"}, "undetermined"),
    ("any fail", {"any": [EMP_LE_300, TOKYO]}, {"employees": 301, "prefecture": "大阪府"}, "ineligible"),
    ("not fail", {"not": EMP_LE_300}, {"employees": 3}, "ineligible"),
    ("not pass", {"not": EMP_LE_300}, {"employees": 301}, "eligible"),
    ("not unknown", {"not": EMP_LE_300}, {}, "undetermined"),
    ("not not", {"not": {"not": EMP_LE_300}}, {"employees": 3}, "eligible"),
    ("repeated child", {"all": [EMP_LE_300, EMP_LE_300, {"not": EMP_LE_300}]}, {"employees": 3}, "ineligible"),
    # compare: each op at the boundary
    ("lt boundary", {"fact": "employees", "op": "lt", "value": 300}, {"employees": 300}, "ineligible"),
    ("le boundary", {"fact": "employees", "op": "le", "value": 300}, {"employees": 300}, "eligible"),
    ("gt boundary", {"fact": "employees", "op": "gt", "value": 300}, {"employees": 300}, "ineligible"),
    ("ge boundary", {"fact": "employees", "op": "ge", "value": 300}, {"employees": 300}, "eligible"),
    ("eq", {"fact": "employees", "op": "eq", "value": 300}, {"employees": 300}, "eligible"),
    ("ne", {"fact": "employees", "op": "ne", "value": 300}, {"employees": 300}, "ineligible"),
    ("ne unknown", {"fact": "employees", "op": "ne", "value": 300}, {}, "undetermined"),
    ("float lt", {"fact": "sales_change_pct", "op": "lt", "value": -10}, {"sales_change_pct": -10.0}, "ineligible"),
    ("float le", {"fact": "sales_change_pct", "op": "le", "value": -10}, {"sales_change_pct": -10.0}, "eligible"),
    ("float fraction", {"fact": "planned_wage_increase_pct", "op": "ge", "value": 1.5}, {"planned_wage_increase_pct": 1.4999}, "ineligible"),
    ("date ge", {"fact": "founded_on", "op": "ge", "value": D(2020, 1, 1)}, {"founded_on": D(2020, 1, 1)}, "eligible"),
    ("date gt", {"fact": "founded_on", "op": "gt", "value": D(2020, 1, 1)}, {"founded_on": D(2020, 1, 1)}, "ineligible"),
    ("date unknown", {"fact": "founded_on", "op": "ge", "value": D(2020, 1, 1)}, {}, "undetermined"),
    ("planning to found: 0 years", {"fact": "years_since_founding", "op": "le", "value": 1}, {"planning_to_found": True}, "eligible"),
    ("years since founding", {"fact": "years_since_founding", "op": "lt", "value": 5}, {"founded_on": D(2020, 1, 1), "as_of": D(2024, 12, 31)}, "eligible"),
    ("years since founding, later", {"fact": "years_since_founding", "op": "lt", "value": 5}, {"founded_on": D(2020, 1, 1), "as_of": D(2025, 1, 2)}, "ineligible"),
    ("beyond 2**53: value", {"fact": "annual_revenue_yen", "op": "gt", "value": 2**53}, {"annual_revenue_yen": 2**53 + 1}, "eligible"),
    ("beyond 2**53: literal", {"fact": "annual_revenue_yen", "op": "lt", "value": 2**53 + 1}, {"annual_revenue_yen": 2**53}, "eligible"),
    ("beyond 2**53: eq", {"fact": "annual_revenue_yen", "op": "eq", "value": 2**53}, {"annual_revenue_yen": 2**53 + 1}, "ineligible"),
    # compare with a parameter
    ("param before first date", {"fact": "employees", "op": "le", "param": "chuken.max_employees"}, {"employees": 10, "as_of": D(2024, 9, 1)}, "undetermined"),
    ("param in force", {"fact": "employees", "op": "le", "param": "chuken.max_employees"}, {"employees": 2000, "as_of": D(2024, 9, 2)}, "eligible"),
    ("param strict", {"fact": "employees", "op": "lt", "param": "chuken.max_employees"}, {"employees": 2000, "as_of": D(2024, 9, 2)}, "ineligible"),
    # range
    ("range inclusive low", {"fact": "employees", "min": 5, "max": 20}, {"employees": 5}, "eligible"),
    ("range inclusive high", {"fact": "employees", "min": 5, "max": 20}, {"employees": 20}, "eligible"),
    ("range outside", {"fact": "employees", "min": 5, "max": 20}, {"employees": 21}, "ineligible"),
    ("range open max", {"fact": "consortium_size", "min": 2}, {"consortium_size": 10}, "eligible"),
    ("range missing param", {"fact": "employees", "min_param": "chuken.max_employees"}, {"employees": 10, "as_of": D(2020, 1, 1)}, "undetermined"),
    ("as_of window in", {"fact": "as_of", "min": D(2025, 1, 1), "max": D(2025, 3, 31)}, {"as_of": D(2025, 3, 31)}, "eligible"),
    ("as_of window out", {"fact": "as_of", "min": D(2025, 1, 1), "max": D(2025, 3, 31)}, {"as_of": D(2025, 4, 1)}, "ineligible"),
    # is (derived facts)
    ("is_sme by employees", {"is": "is_sme"}, {"industry": "E", "employees": 200}, "eligible"),
    ("is_sme capital unknown", {"is": "is_sme"}, {"industry": "E", "employees": 400}, "undetermined"),
    ("is_sme no", {"is": "is_sme"}, {"industry": "E09", "employees": 400, "capital_yen": 4 * 10**8}, "ineligible"),
    ("is_sme E could be rubber", {"is": "is_sme"}, {"industry": "E", "employees": 400, "capital_yen": 4 * 10**8}, "undetermined"),
    ("is_sme rubber 900", {"is": "is_sme"}, {"industry": "E1919", "employees": 850, "capital_yen": 4 * 10**8}, "eligible"),
    ("is_sme E19 could be tyres", {"is": "is_sme"}, {"industry": "E19", "employees": 850, "capital_yen": 4 * 10**8}, "undetermined"),
    # before 2024-09-02 the earliest value of chuken.max_employees stands in (rules.facts.derive_chuken)
    ("is_chuken before the Act", {"is": "is_chuken"}, {"industry": "E", "employees": 1500, "capital_yen": 5 * 10**8, "as_of": D(2024, 1, 1)}, "eligible"),
    ("is_chuken too big", {"is": "is_chuken"}, {"industry": "E", "employees": 2001, "capital_yen": 5 * 10**8, "as_of": D(2025, 1, 1)}, "ineligible"),
    ("is_chuken after", {"is": "is_chuken"}, {"industry": "E", "employees": 1500, "capital_yen": 5 * 10**8, "as_of": D(2025, 1, 1)}, "eligible"),
    ("is_corporation", {"is": "is_corporation"}, {"legal_form": "sole_proprietor"}, "ineligible"),
    ("planning_to_found unknown", {"is": "planning_to_found"}, {}, "undetermined"),
    # membership
    ("prefecture", TOKYO, {"prefecture": "東京都"}, "eligible"),
    ("prefecture other", TOKYO, {"prefecture": "宮城県"}, "ineligible"),
    ("region derived", {"fact": "region", "in": ["東北"]}, {"prefecture": "宮城県"}, "eligible"),
    ("region unknown", {"fact": "region", "in": ["東北"]}, {}, "undetermined"),
    ("legal form", {"fact": "legal_form", "in": ["kabushiki", "godo"]}, {"legal_form": "npo"}, "ineligible"),
    ("industry finer", {"fact": "industry", "in": ["E19"]}, {"industry": "E1919"}, "eligible"),
    ("industry coarser", {"fact": "industry", "in": ["E19"]}, {"industry": "E"}, "undetermined"),
    ("industry sibling", {"fact": "industry", "in": ["E19"]}, {"industry": "E18"}, "ineligible"),
    ("industry letter", {"fact": "industry", "in": ["M"]}, {"industry": "M75"}, "eligible"),
    ("industry mixed", {"fact": "industry", "in": ["N80", "G391"]}, {"industry": "G39"}, "undetermined"),
    ("industry unrelated", {"fact": "industry", "in": ["N80", "G391"]}, {"industry": "I58"}, "ineligible"),
    ("industry unknown", {"fact": "industry", "in": ["I58"]}, {}, "undetermined"),
    ("purposes empty", {"fact": "purposes", "in": ["dx"]}, {"purposes": []}, "ineligible"),
    ("purposes missing", {"fact": "purposes", "in": ["dx"]}, {}, "undetermined"),
    ("purposes hit", {"fact": "purposes", "in": ["dx", "gx"]}, {"purposes": ["gx"]}, "eligible"),
    ("size class", {"fact": "size_class", "in": ["small"]}, {"industry": "G391", "employees": 3}, "eligible"),
    # certifications
    ("cert held", {"has_certification": "keiei_kakushin"}, {"certifications": ["keiei_kakushin"]}, "eligible"),
    ("cert empty list", {"has_certification": "keiei_kakushin"}, {"certifications": []}, "ineligible"),
    ("cert missing", {"has_certification": "keiei_kakushin"}, {}, "undetermined"),
    ("cert any of", {"has_certification": ["dx_nintei", "kurumin"]}, {"certifications": ["kurumin"]}, "eligible"),
    # events
    ("event within", {"has_event": "disaster", "within_days": 365}, {"as_of": D(2025, 1, 1), "events": [{"type": "disaster", "date": D(2024, 6, 1)}]}, "eligible"),
    ("event too old", {"has_event": "disaster", "within_days": 30}, {"as_of": D(2025, 1, 1), "events": [{"type": "disaster", "date": D(2024, 6, 1)}]}, "ineligible"),
    ("event undated", {"has_event": "disaster", "within_days": 30}, {"events": [{"type": "disaster"}]}, "undetermined"),
    ("events empty", {"has_event": "disaster"}, {"events": []}, "ineligible"),
    ("events missing", {"has_event": "disaster"}, {}, "undetermined"),
    # unstated
    ("unstated", {"unstated": "記載なし"}, {"employees": 3}, "undetermined"),
    ("unstated in all with a fail", {"all": [{"unstated": "記載なし"}, {"fact": "employees", "op": "ge", "value": 5}]}, {"employees": 3}, "ineligible"),
    ("unstated in any with a pass", {"any": [{"unstated": "記載なし"}, EMP_LE_300]}, {"employees": 3}, "eligible"),
    ("not unstated", {"not": {"unstated": "記載なし"}}, {}, "undetermined"),
]


@pytest.mark.parametrize(("name", "rule", "profile", "expected"), CASES, ids=[c[0] for c in CASES])
def test_operator_cases(name: str, rule: dict, profile: dict, expected: str) -> None:
    program = ProgramRule("x", parse_rule(rule))
    p = CompanyProfile.model_validate({"as_of": D(2025, 6, 1), **profile})
    cc = CompiledCatalog([program])
    assert evaluate_rule(program.rule, FactContext(p, cc.params, TODAY)).status == expected
    assert int(cc.statuses([p], TODAY)[0, 0]) == CODE[expected]


def test_all_cases_in_one_catalog() -> None:
    """The hand-written cases together: shared nodes across programs do not leak between them."""
    programs = [ProgramRule(c[0], parse_rule(c[1])) for c in CASES]
    profiles = [CompanyProfile.model_validate({"as_of": D(2025, 6, 1), **c[2]}) for c in CASES]
    got = assert_same(programs, profiles)
    assert [int(got[i, i]) for i in range(len(CASES))] == [CODE[c[3]] for c in CASES]


def test_empty_inputs() -> None:
    cc = CompiledCatalog([ProgramRule("u", parse_rule({"unstated": "x"}))])
    assert cc.statuses([]).shape == (0, 1)
    assert CompiledCatalog([]).statuses([CompanyProfile()]).shape == (1, 0)


def test_random_profile_generator_rates() -> None:
    """The generator leaves fields unknown, and certifications both missing and empty."""
    rng = random.Random(3)
    profiles = [random_profile(rng) for _ in range(400)]
    assert 0.2 < sum(p.certifications is None for p in profiles) / 400 < 0.6
    assert 0.15 < sum(p.certifications == [] for p in profiles) / 400 < 0.45
    assert 0.05 < sum(p.employees is None for p in profiles) / 400 < 0.3

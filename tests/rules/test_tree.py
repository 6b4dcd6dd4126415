"""The rule language: each operator, three-valued roll-up, parameters by date, explanations."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from pydantic import ValidationError

from rules.analysis import evaluate_rule, near_misses, rank_missing_facts, what_if
from rules.facts import FactContext
from rules.parameters import ParameterSet, parse_parameter
from rules.profile import CompanyProfile
from rules.tree import OPERATORS, parse_rule


def verdict(rule: str | dict, params: ParameterSet | None = None, **profile: object) -> str:
    node = parse_rule(yaml.safe_load(rule) if isinstance(rule, str) else rule)
    return evaluate_rule(node, FactContext(CompanyProfile.model_validate(profile)), params).status


FAILS = {"fact": "employees", "op": "le", "value": 10}
PASSES = {"fact": "employees", "op": "ge", "value": 10}
UNKNOWN = {"fact": "capital_yen", "op": "le", "value": 1}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"all": [PASSES, PASSES]}, "eligible"),
        ({"all": [FAILS, UNKNOWN]}, "ineligible"),  # a fail decides `all` even beside an unknown
        ({"all": [PASSES, UNKNOWN]}, "undetermined"),
        ({"any": [PASSES, UNKNOWN]}, "eligible"),  # a pass decides `any` even beside an unknown
        ({"any": [FAILS, UNKNOWN]}, "undetermined"),
        ({"any": [FAILS, FAILS]}, "ineligible"),
        ({"not": PASSES}, "ineligible"),
        ({"not": FAILS}, "eligible"),
        ({"not": UNKNOWN}, "undetermined"),
        ({"all": [{"any": [FAILS, {"not": FAILS}]}, PASSES]}, "eligible"),
    ],
)
def test_three_valued_roll_up(rule: dict, expected: str) -> None:
    assert verdict(rule, employees=50) == expected


@pytest.mark.parametrize(
    ("rule", "profile", "expected"),
    [
        ({"fact": "employees", "op": "lt", "value": 300}, {"employees": 300}, "ineligible"),
        ({"fact": "employees", "op": "le", "value": 300}, {"employees": 300}, "eligible"),
        ({"fact": "employees", "op": "gt", "value": 300}, {"employees": 301}, "eligible"),
        ({"fact": "employees", "op": "eq", "value": 0}, {"employees": 0}, "eligible"),  # zero is known, not unknown
        ({"fact": "employees", "op": "ne", "value": 0}, {}, "undetermined"),
        ({"fact": "capital_yen", "min": 10_000_000, "max": 100_000_000}, {"capital_yen": 100_000_000}, "eligible"),
        ({"fact": "capital_yen", "min": 10_000_000, "max": 100_000_000}, {"capital_yen": 9_999_999}, "ineligible"),
        ({"fact": "as_of", "min": dt.date(2025, 4, 1), "max": dt.date(2026, 3, 31)}, {"as_of": "2026-03-31"}, "eligible"),
        ({"fact": "as_of", "min": dt.date(2025, 4, 1), "max": dt.date(2026, 3, 31)}, {"as_of": "2026-04-01"}, "ineligible"),
        ({"fact": "prefecture", "in": ["宮城県", "福島県"]}, {"prefecture": "福島県"}, "eligible"),
        ({"fact": "prefecture", "in": ["宮城県"]}, {"prefecture": "東京都"}, "ineligible"),
        ({"fact": "region", "in": ["東北"]}, {"prefecture": "岩手県"}, "eligible"),
        ({"fact": "industry", "in": ["E"]}, {"industry": "E1992"}, "eligible"),
        ({"fact": "industry", "in": ["E19"]}, {"industry": "E"}, "undetermined"),  # a coarser code may be inside
        ({"fact": "industry", "in": ["E19"]}, {"industry": "G391"}, "ineligible"),
        ({"fact": "purposes", "in": ["dx", "gx"]}, {"purposes": ["gx"]}, "eligible"),
        ({"has_certification": "keiei_kakushin"}, {"certifications": []}, "ineligible"),  # empty list: holds none
        ({"has_certification": "keiei_kakushin"}, {}, "undetermined"),  # missing list: unknown
        ({"has_certification": ["kurumin", "platinum_kurumin"]}, {"certifications": ["platinum_kurumin"]}, "eligible"),
        ({"has_event": "disaster", "within_days": 365}, {"as_of": "2025-01-01",
                                                         "events": [{"type": "disaster", "date": "2024-03-01"}]}, "eligible"),
        ({"has_event": "disaster", "within_days": 30}, {"as_of": "2025-01-01",
                                                        "events": [{"type": "disaster", "date": "2024-01-01"}]}, "ineligible"),
        ({"has_event": "disaster"}, {"events": []}, "ineligible"),
        ({"unstated": "条件が公表資料に記載されていません"}, {"employees": 5}, "undetermined"),
        ({"fact": "years_since_founding", "op": "le", "value": 5}, {"planning_to_found": True}, "eligible"),
    ],
)
def test_each_operator(rule: dict, profile: dict, expected: str) -> None:
    assert verdict(rule, **profile) == expected


def test_every_operator_is_registered_and_documented() -> None:
    doc = open("docs/program-format.md", encoding="utf-8").read()
    assert set(OPERATORS) == {"all", "any", "not", "is", "compare", "range", "member", "has_certification",
                              "has_event", "unstated"}
    for keyword in ("all:", "any", "not:", "is:", "op:", "min:", "in:", "has_certification", "has_event", "unstated"):
        assert keyword in doc


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"fact": "employes", "op": "le", "value": 3}, "unknown fact"),
        ({"fact": "employees", "op": "lte", "value": 3}, "Input should be"),
        ({"fact": "employees", "op": "le"}, "exactly one of 'value' or 'param'"),
        ({"fact": "prefecture", "in": ["宮城"]}, "not a known value of prefecture"),
        ({"fact": "industry", "in": ["E99"]}, "not a JSIC code"),
        ({"has_certification": "iso9001"}, "not a known certification"),
        ({"fact": "founded_on", "op": "ge", "value": 5}, "is a date"),
        ({"every": []}, "not a rule"),
    ],
)
def test_a_malformed_rule_says_what_is_wrong(rule: dict, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_rule(rule)
    assert message in str(exc.value)


def test_a_parameter_takes_the_value_in_force_on_as_of() -> None:
    params = ParameterSet({"x.limit": parse_parameter("x.limit", {
        "values": {"2020-04-01": 100, "2024-04-01": 300}, "reference": {"title": "test"}})})
    rule = {"fact": "employees", "op": "le", "param": "x.limit"}
    assert verdict(rule, params, employees=200, as_of="2023-03-31") == "ineligible"
    assert verdict(rule, params, employees=200, as_of="2024-04-01") == "eligible"
    assert verdict(rule, params, employees=200, as_of="2019-01-01") == "undetermined"  # no value yet


def test_clause_results_carry_facts_parameters_sentences_and_source() -> None:
    rule = parse_rule({"fact": "employees", "op": "le", "param": "sme.manufacturing.max_employees",
                       "source": {"document": "004_25da525713403037.txt", "line": 10}})
    result = evaluate_rule(rule, FactContext(CompanyProfile(employees=350))).root
    assert result.outcome == "fail"
    assert result.facts == {"employees": 350}
    assert result.params[0].name == "sme.manufacturing.max_employees" and result.params[0].value == 300
    assert result.params[0].reference.title.startswith("中小企業基本法")
    assert "350人" in result.text and "300人以下" in result.text
    assert "350" in result.text_en
    assert result.source is not None and result.source.line == 10


def test_missing_facts_name_the_profile_fields_that_would_decide() -> None:
    rule = parse_rule({"all": [{"is": "is_sme"}, {"has_certification": "keiei_kakushin"}]})
    v = evaluate_rule(rule, FactContext(CompanyProfile(industry="E24", employees=500)))
    assert v.status == "undetermined"
    assert set(v.missing_facts) == {"capital_yen", "legal_form", "certifications"}


def test_near_miss_names_the_threshold_and_the_gap() -> None:
    rule = parse_rule({"all": [{"fact": "employees", "op": "le", "value": 300},
                               {"fact": "prefecture", "in": ["宮城県"]}]})
    misses = near_misses(rule, FactContext(CompanyProfile(employees=350, prefecture="宮城県")))
    assert len(misses) == 1
    assert misses[0].text.startswith("従業員数が300人以下なら対象になります")
    assert "差は50人" in misses[0].text


def test_near_miss_offers_a_certification_but_not_a_move_to_another_prefecture() -> None:
    rule = parse_rule({"all": [{"has_certification": "keieiryoku_kojo"}, {"fact": "prefecture", "in": ["宮城県"]}]})
    assert near_misses(rule, FactContext(CompanyProfile(certifications=[], prefecture="宮城県")))[0].text == (
        "経営力向上計画の認定を受ければ対象になります。")
    assert near_misses(rule, FactContext(CompanyProfile(certifications=["keieiryoku_kojo"], prefecture="東京都"))) == []


def test_what_if_reevaluates_with_changed_facts() -> None:
    rule = parse_rule({"fact": "planned_wage_increase_pct", "op": "ge", "value": 3})
    before, after = what_if(rule, CompanyProfile(planned_wage_increase_pct=1.5), {"planned_wage_increase_pct": 3})
    assert (before.status, after.status) == ("ineligible", "eligible")


def test_missing_facts_are_ranked_by_how_many_programs_they_decide() -> None:
    ranked = rank_missing_facts([["employees"], ["employees"], ["capital_yen", "employees"], ["capital_yen"]])
    assert [(r.field, r.decides, r.involved) for r in ranked] == [("employees", 2, 3), ("capital_yen", 1, 2)]


def test_the_reasons_of_a_met_any_are_the_alternatives_that_met_it() -> None:
    rule = parse_rule({"any": [{"is": "is_sme"}, {"is": "is_chuken"}]})
    result = evaluate_rule(rule, FactContext(CompanyProfile(industry="E24", employees=25, capital_yen=10_000_000)))
    assert result.status == "eligible"
    assert [r.outcome for r in result.reasons] == ["pass"]
    failing = evaluate_rule(rule, FactContext(CompanyProfile(industry="E24", employees=3000, capital_yen=10**10)))
    assert [r.outcome for r in failing.reasons] == ["fail", "fail"]

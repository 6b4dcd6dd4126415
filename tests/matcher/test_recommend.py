"""Recommendations as an advisor would judge them: only what the rules allow, grouped, mixed, explained."""

from __future__ import annotations

import datetime as dt

from matcher.recommend import Matcher
from rules.profile import CompanyProfile
from tests.builders import catalog, program

SME = CompanyProfile(as_of=dt.date(2026, 8, 1), prefecture="宮城県", industry="E24", employees=30,
                     capital_yen=10_000_000, legal_form="kabushiki", certifications=[])
BIG = {"fact": "employees", "op": "ge", "value": 5000}


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.verdict.program.id for r in result.results]


def test_an_ineligible_program_is_never_recommended_only_shown_as_a_near_miss() -> None:
    near = program(id="needs_300", rule={"fact": "employees", "op": "ge", "value": 35})
    result = Matcher(catalog(program(id="fits"), near, program(id="never", rule=BIG))).recommend(SME)
    assert ids(result) == ["fits"]
    assert [v.program.id for v in result.near_misses] == ["needs_300"]
    assert result.near_misses[0].near_misses[0].text.startswith("従業員数が35人以上なら対象になります")


def test_siblings_of_one_program_are_grouped_under_the_best_entry() -> None:
    rounds = [program(id=f"round{i}", family="monozukuri", purposes=["equipment"] if i == 2 else []) for i in range(3)]
    result = Matcher(catalog(*rounds, program(id="other"))).recommend(SME.with_changes(purposes=["equipment"]))
    assert ids(result)[0] == "round2"
    assert sorted(result.results[0].siblings) == ["round0", "round1"]
    assert "round0" not in ids(result)


def test_the_list_mixes_kinds_instead_of_flooding_with_one() -> None:
    subsidies = [program(id=f"sub{i}", purposes=["equipment"]) for i in range(6)]
    others = [program(id="tax", kind="tax", purposes=["equipment"]), program(id="loan", kind="loan", purposes=["equipment"])]
    result = Matcher(catalog(*subsidies, *others)).recommend(SME.with_changes(purposes=["equipment"]), limit=5)
    assert {"tax", "loan"} <= set(ids(result)[:4])


def test_the_prefectures_desk_stays_in_view() -> None:
    many = [program(id=f"p{i}", purposes=["dx"]) for i in range(12)]
    desk = program(id="yorozu-miyagi", kind="consultation", rule={"fact": "prefecture", "in": ["宮城県"]},
                   prefectures=["宮城県"])
    result = Matcher(catalog(*many, desk)).recommend(SME.with_changes(purposes=["dx"]), limit=12)
    assert "yorozu-miyagi" in ids(result)[:8]


def test_the_owners_own_words_lift_the_program_that_serves_them() -> None:
    dx = program(id="it_tools", purposes=["dx"])
    hiring = program(id="hiring_help", purposes=["hiring"])
    result = Matcher(catalog(hiring, dx)).recommend(SME.with_changes(challenges="注文はFAXで受けていて、手書きの伝票が多い"))
    assert ids(result)[0] == "it_tools"
    assert "dx" in result.inferred_purposes


def test_a_closed_call_is_not_recommended() -> None:
    closed = program(id="closed_call", windows=[(dt.date(2026, 1, 1), dt.date(2026, 3, 31))])
    open_call = program(id="open_call", windows=[(dt.date(2026, 7, 1), dt.date(2026, 9, 30))])
    result = Matcher(catalog(closed, open_call)).recommend(SME)
    assert ids(result) == ["open_call"]
    assert result.results[0].verdict.open is True
    assert result.results[0].verdict.deadline == dt.date(2026, 9, 30)


def test_kinds_filter_limits_the_answer() -> None:
    result = Matcher(catalog(program(id="aa"), program(id="bb", kind="loan"))).recommend(SME, kinds=["loan"])
    assert ids(result) == ["bb"]


def test_the_plan_puts_the_missing_prerequisite_first_with_what_it_unlocks() -> None:
    tax = program(id="kyoka_zeisei", kind="tax", rule={"has_certification": "keieiryoku_kojo"},
                  relations=[{"type": "requires", "certification": "keieiryoku_kojo", "text": "計画の認定が前提です。"}])
    result = Matcher(catalog(tax)).recommend(SME.with_changes(certifications=None))
    step = result.plan[0]
    assert step.kind == "obtain" and step.certification == "keieiryoku_kojo"
    assert step.unlocks == ["kyoka_zeisei"]
    assert "経営力向上計画の認定" in step.text


def test_the_next_question_is_the_field_that_decides_the_most_programs() -> None:
    programs = [program(id=f"c{i}", rule={"has_certification": "keiei_kakushin"}) for i in range(3)]
    programs.append(program(id="ww", rule={"fact": "planned_wage_increase_pct", "op": "ge", "value": 3}))
    result = Matcher(catalog(*programs)).recommend(SME.with_changes(certifications=None))
    first = result.next_questions[0]
    assert (first.field, first.decides) == ("certifications", 3)


def test_benefit_estimate_uses_rate_cap_and_planned_investment() -> None:
    grant = program(id="gg", benefits=[{"type": "grant", "text": "補助率1/2、上限1,000万円", "rate": 0.5,
                                       "max_yen": 10_000_000}])
    verdict = Matcher(catalog(grant)).recommend(SME.with_changes(planned_investment_yen=30_000_000)).results[0].verdict
    assert verdict.benefit_estimate is not None
    assert verdict.benefit_estimate.max_yen == 10_000_000
    assert "3,000万円" in verdict.benefit_estimate.basis

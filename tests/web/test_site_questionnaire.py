"""Reading answers and choosing the next question, without a web server."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from matcher.questions import BY_FIELD
from rules.analysis import MissingFactRank
from web.site import questionnaire as qn
from web.site.questionnaire import AnswerError, NeedsIndustryChoice


@dataclass
class FakeVerdict:
    missing_facts: list[str]


@dataclass
class FakeRec:
    verdict: FakeVerdict


@dataclass
class FakeResult:
    next_questions: list[MissingFactRank]
    results: list[FakeRec] = field(default_factory=list)


STARTED = dict.fromkeys(qn.START)


def result(ranking: list[tuple[str, int]], top_missing: list[list[str]] | None = None) -> FakeResult:
    return FakeResult([MissingFactRank(f, d, d) for f, d in ranking],
                      [FakeRec(FakeVerdict(m)) for m in (top_missing or [])])


def test_the_first_questions_come_first_whatever_the_ranking() -> None:
    question = qn.next_question({}, result([("certifications", 50)]))  # type: ignore[arg-type]
    assert question is not None and question.field == "prefecture"


def test_then_the_askable_field_deciding_the_most_programs() -> None:
    ranking = [("minashi_sme_plan_approved_on", 20), ("certifications", 7), ("consortium_size", 6)]  # no question for the first
    question = qn.next_question(STARTED, result(ranking))  # type: ignore[arg-type]
    assert question is not None and question.field == "certifications"


def test_it_stops_when_the_top_is_settled_and_what_is_left_decides_little() -> None:
    assert qn.next_question(STARTED, result([("legal_form", 1)])) is None  # type: ignore[arg-type]
    assert qn.next_question(STARTED, result([("legal_form", 1)], [["legal_form"]])).field == "legal_form"  # type: ignore[arg-type,union-attr]
    assert qn.next_question(STARTED, result([])) is None  # type: ignore[arg-type]


def test_it_stops_after_the_most_questions_we_ask() -> None:
    others = [f for f in BY_FIELD if f not in STARTED and f != "municipality"]
    answers = STARTED | dict.fromkeys(others[: qn.MAX_QUESTIONS - len(STARTED)])
    assert qn.next_question(answers, result([("municipality", 40)])) is None  # type: ignore[arg-type]


def test_events_are_asked_by_kind_and_their_dates_stay_unknown() -> None:
    events = qn.read_answer(BY_FIELD["events"], ["disaster", "price_surge"])
    assert events == [{"type": "disaster"}, {"type": "price_surge"}]
    assert qn.read_answer(BY_FIELD["events"], ["none"]) == []
    profile = qn.profile_of({"events": events})
    assert [e.type for e in profile.events or []] == ["disaster", "price_surge"] and profile.events[0].date is None  # type: ignore[index]


def test_wakaranai_answers_stay_unknown_in_the_profile() -> None:
    profile = qn.profile_of({"prefecture": "宮城県", "employees": None, "capital_yen": None})
    assert profile.prefecture == "宮城県" and profile.employees is None and profile.capital_yen is None


def test_amounts_are_answered_in_man_yen_and_numbers_in_any_width() -> None:
    assert qn.read_answer(BY_FIELD["capital_yen"], ["１，０００万円"]) == 10_000_000
    assert qn.read_answer(BY_FIELD["employees"], [" 25人 "]) == 25
    assert qn.read_answer(BY_FIELD["sales_change_pct"], ["-20"]) == -20.0
    assert qn.read_answer(BY_FIELD["founded_on"], ["2018/4/1"]) == "2018-04-01"
    assert qn.read_answer(BY_FIELD["certifications"], ["none"]) == []


@pytest.mark.parametrize(("field", "values"), [
    ("employees", ["2.5"]), ("employees", ["1e9"]), ("legal_form", ["llc"]), ("certifications", ["none", "dx_nintei"]),
    ("founded_on", ["昨日"]), ("planning_to_found", ["true"]), ("municipality", [""]),
])
def test_unusable_answers_say_what_to_do(field: str, values: list[str]) -> None:
    with pytest.raises(AnswerError) as caught:
        qn.read_answer(BY_FIELD[field], values)
    assert caught.value.message


def test_industry_words_with_several_meanings_ask_which() -> None:
    with pytest.raises(NeedsIndustryChoice) as caught:
        qn.read_answer(BY_FIELD["industry"], [], "パン屋")
    assert {"I5863", "E0971"} <= {c.code for c in caught.value.choices}


def test_an_answer_must_fit_the_rest_of_the_company() -> None:
    with pytest.raises(AnswerError):
        qn.check_with_profile({"large_company_share_pct": 10}, "largest_large_company_share_pct", 50.0)

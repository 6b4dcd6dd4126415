"""The adaptive questionnaire: which question to ask next, when to stop, and reading an answer.

The first questions are the ones that decide the most for anyone (where, what business, how big, what
for). After those, the next question is the profile field that alone would decide the most programs
still in play (the compiled engine's ranking, ``RecommendationSet.next_questions``), among the fields the
question bank can ask. Asking stops when more answers would not change the top of the list: after
``MAX_QUESTIONS``; when the remaining questions decide nothing; or when the first ``TOP`` programs no
longer wait on any field we could ask and the best remaining question decides fewer than
``WORTH_ASKING`` programs (so few that they are unlikely to climb into the top).

An answer of 「分からない」 is stored as ``None``: the field was asked and stays unknown.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from pydantic import ValidationError

from matcher.questions import BY_FIELD, Question
from matcher.recommend import RecommendationSet
from rules.industry import is_known_code
from rules.profile import JSIC_CODE, CompanyProfile, explain_errors
from web.site.industries import IndustryChoice, clear_choice, suggest

START = ("prefecture", "industry", "employees", "capital_yen", "purposes", "challenges")
MAX_QUESTIONS = 12
TOP = 5  # "the top of the list": the programs an owner reads first
WORTH_ASKING = 3  # programs a question must decide to be asked once the top is settled
YEN_FIELDS = {"capital_yen", "planned_investment_yen", "avg_taxable_income_yen", "annual_revenue_yen"}
YEN_UNIT = 10_000  # owners answer amounts in 万円
NONE_OPTION = "none"  # 「どれも当てはまらない」 in a multiple choice: an empty list, which is a real answer
MAX_INPUT = 30  # characters in a number or date box; longer is not a number anyone means


class AnswerError(Exception):
    """An answer we cannot use, with what to do about it in plain Japanese."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


class NeedsIndustryChoice(Exception):
    """The words match several industries: the owner picks one (no error, just a narrower question)."""

    def __init__(self, query: str, choices: list[IndustryChoice]):
        super().__init__(query)
        self.query, self.choices = query, choices


def askable(field: str) -> bool:
    return field in BY_FIELD


def profile_of(answers: dict[str, Any]) -> CompanyProfile:
    """The company as answered; 分からない (None) stays unknown. Stored answers were validated when saved."""
    try:
        return CompanyProfile.model_validate({k: v for k, v in answers.items() if v is not None and askable(k)})
    except ValidationError:  # a case saved under older rules: keep what is still valid, field by field
        return CompanyProfile.model_validate(_valid_fields(answers))


def _valid_fields(answers: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in answers.items():
        if value is None or not askable(key):
            continue
        try:
            CompanyProfile.model_validate(kept | {key: value})
            kept[key] = value
        except ValidationError:
            continue
    return kept


def open_fields(result: RecommendationSet, answers: dict[str, Any]) -> list[str]:
    """Fields the bank can ask and the owner has not been asked, those deciding the most programs first."""
    return [q.field for q in result.next_questions if askable(q.field) and q.field not in answers and q.decides > 0]


def top_depends_on(result: RecommendationSet, answers: dict[str, Any]) -> set[str]:
    """Unasked fields that the first programs on the list still wait on."""
    return {f for rec in result.results[:TOP] for f in rec.verdict.missing_facts if askable(f) and f not in answers}


def next_question(answers: dict[str, Any], result: RecommendationSet) -> Question | None:
    """The question to ask now, or None when more answers would not change the top of the list."""
    for field in START:
        if field not in answers:
            return BY_FIELD[field]
    if len(answers) >= MAX_QUESTIONS:
        return None
    ranked = {q.field: q.decides for q in result.next_questions}
    candidates = open_fields(result, answers)
    if not candidates:
        return None
    if not top_depends_on(result, answers) and ranked[candidates[0]] < WORTH_ASKING:
        return None
    return BY_FIELD[candidates[0]]


def settling_questions(missing: list[str], ranking: list[str], limit: int = 2) -> list[Question]:
    """The one or two questions that would settle a 要確認 program, the most decisive first."""
    order = {f: i for i, f in enumerate(ranking)}
    fields = sorted({f for f in missing if askable(f)}, key=lambda f: (order.get(f, len(order)), f))
    return [BY_FIELD[f] for f in fields[:limit]]


# --- reading an answer --------------------------------------------------------------------------


def read_answer(question: Question, values: list[str], industry_query: str = "") -> Any:
    """The value of one answer from form input (``values``: every value sent as ``value``)."""
    raw = values[0].strip() if values else ""
    if question.type == "industry":
        return _industry(raw, industry_query)
    if question.type == "multi" and question.field == "events":
        return [{"type": kind} for kind in _multi(question, values)]  # when it happened stays unknown
    if question.type == "multi":
        return _multi(question, values)
    if question.type == "choice":
        return _choice(question, raw)
    if not raw:
        raise AnswerError("答えを入力するか、「分からない」を押してください。")
    if question.type == "boolean":
        return _boolean(raw)
    if question.type in ("integer", "number"):
        return _number(question, raw)
    if question.type == "date":
        return _date(raw)
    return raw


def _choice(question: Question, raw: str) -> str:
    if not raw:
        raise AnswerError("選択肢から選ぶか、「分からない」を押してください。")
    if raw not in {o.value for o in question.options}:
        raise AnswerError("選択肢にない答えが送られました。一覧から選び直してください。")
    return raw


def _multi(question: Question, values: list[str]) -> list[str]:
    chosen = [v for v in dict.fromkeys(values) if v]
    if not chosen:
        raise AnswerError("当てはまるものを選ぶか、「分からない」を押してください。")
    allowed = {o.value for o in question.options} | {NONE_OPTION}
    if any(v not in allowed for v in chosen) or len(chosen) > len(allowed):
        raise AnswerError("選択肢にない答えが送られました。一覧から選び直してください。")
    if NONE_OPTION in chosen and len(chosen) > 1:
        raise AnswerError("「どれも当てはまらない」と、ほかの項目は一緒に選べません。")
    return [v for v in chosen if v != NONE_OPTION]


def _boolean(raw: str) -> bool:
    if raw not in ("yes", "no"):
        raise AnswerError("「はい」か「いいえ」を選んでください。")
    return raw == "yes"


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _number(question: Question, raw: str) -> int | float:
    text = unicodedata.normalize("NFKC", raw).replace(",", "").replace(" ", "").replace("−", "-").replace("ー", "-")
    text = text.removesuffix(_display_unit(question)).removesuffix(question.unit)
    if len(text) > MAX_INPUT:
        raise AnswerError("数が大きすぎます。桁を確かめてください。")
    if not _NUMBER.match(text):
        raise AnswerError(f"数字で入力してください（例: {_example(question)}）。")
    value = float(text)
    if question.field in YEN_FIELDS:
        value *= YEN_UNIT
    if question.type == "integer":
        if question.field not in YEN_FIELDS and not value.is_integer():
            raise AnswerError("小数は使えません。整数で入力してください。")
        return int(round(value))
    return value


def _date(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})(?:[-/月.](\d{1,2})日?)?月?", text)
    if not match or len(text) > MAX_INPUT:
        raise AnswerError("日付は 2018-04-01 のように入力してください。")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise AnswerError("ありえない日付です。年・月・日を確かめてください。") from None


def _industry(code: str, query: str) -> str:
    if code:
        code = code.upper()
        if not (JSIC_CODE.match(code) and is_known_code(code)):
            raise AnswerError("業種の候補から選び直してください。")
        return code
    query = query.strip()
    if not query:
        raise AnswerError("どんなお仕事か、ふだんの言葉で入力してください（例: パン屋、ソフト開発、民宿）。")
    only = clear_choice(query)
    if only is not None:
        return only.code
    choices = suggest(query)
    if not choices:
        raise AnswerError(f"「{query[:40]}」に当てはまる業種が見つかりませんでした。別の言葉で探してください（例: パン屋、工務店）。")
    raise NeedsIndustryChoice(query, choices)


def check_with_profile(answers: dict[str, Any], field: str, value: Any) -> None:
    """The answer must make a valid company together with the others (ranges, share totals)."""
    try:
        CompanyProfile.model_validate({k: v for k, v in (answers | {field: value}).items()
                                       if v is not None and askable(k)})
    except ValidationError as exc:
        errors = explain_errors(exc)
        mine = next((e for e in errors if e.field.split(".")[0] == field), errors[0])
        raise AnswerError(_in_units(field, mine.message)) from None


def _in_units(field: str, message: str) -> str:
    if field in YEN_FIELDS:
        return "金額が大きすぎるか、正しくありません。万円の単位で入力してください（例: 1000 は1,000万円）。"
    return message


def _display_unit(question: Question) -> str:
    return "万円" if question.field in YEN_FIELDS else question.unit


def display_unit(question: Question) -> str:
    return _display_unit(question)


def _example(question: Question) -> str:
    return {"employees": "25", "capital_yen": "1000"}.get(question.field, "10")

"""What each page shows, as declared dataclasses (one per template), built from engine results.

Pages only render what the engine decided: statuses, reasons and sources come from the verdicts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from matcher.plan import total_estimate
from matcher.questions import BY_FIELD, Question
from matcher.recommend import RecommendationSet
from programs.catalog import Catalog
from programs.documents import cite_ja
from programs.schema import Program, Relation
from programs.verdict import BenefitEstimate, Verdict, certification_label, open_state
from rules import text
from rules.industry import name_of
from rules.tree import ClauseResult, Source
from rules.vocabulary import CERTIFICATIONS, KINDS, LEGAL_FORMS, PURPOSES
from web.site import questionnaire
from web.site.industries import IndustryChoice

MARKS = {"pass": ("✓", "条件を満たす", "ok"), "unknown": ("?", "確認が必要", "check"), "fail": ("✗", "条件を満たさない", "ng")}
APPLIES_VIA = {
    "company": "{body}に直接申し込みます。",
    "shokokai": "地元の商工会・商工会議所を通じて申し込みます。",
    "bank": "取引のある金融機関（銀行・信用金庫など）に相談して申し込みます。",
    "municipality": "市区町村の窓口で手続きします。",
    "fund": "ファンドの運営会社に相談します。",
    "support_org": "支援機関（よろず支援拠点・商工会など）を通じて申し込みます。",
    "prefecture": "都道府県の窓口で手続きします。",
    "consortium": "ほかの会社や大学などと共同で申し込みます。",
    "other": "申し込み方法は公表資料で確かめてください。",
}


# --- pieces -------------------------------------------------------------------------------------


@dataclass
class Mark:
    symbol: str
    label: str
    css: str


@dataclass
class SourceLink:
    text: str
    url: str | None = None


@dataclass
class Reason:
    mark: Mark
    text: str
    source: SourceLink | None


@dataclass
class QuestionForm:
    """A question as a form: the field, its words, its inputs, what was answered, and an error."""

    field: str
    text: str
    help: str
    type: str
    unit: str
    options: list[tuple[str, str]]
    value: Any = None
    values: list[str] = field(default_factory=list)
    error: str | None = None
    industry_query: str = ""
    industry_choices: list[IndustryChoice] = field(default_factory=list)


@dataclass
class ProgramCard:
    id: str
    name: str
    kind: str
    status: str
    summary: str
    reasons: list[Reason]
    amount: str | None
    amount_basis: str | None
    amount_is_estimate: bool
    deadline: str
    how_to_apply: str
    url: str | None
    sources: list[SourceLink]
    attribution: str | None
    requires: list[str] = field(default_factory=list)
    bonuses: list[str] = field(default_factory=list)
    near_misses: list[str] = field(default_factory=list)
    questions: list[QuestionForm] = field(default_factory=list)
    asked_above: list[tuple[str, str]] = field(default_factory=list)  # (question, anchor of its form above)


@dataclass
class AnswerLine:
    field: str
    label: str
    value: str


@dataclass
class PlanLine:
    text: str


@dataclass
class WatchChoice:
    """A program shown as 対象 or 要確認, offered for a deadline alert."""

    id: str
    name: str
    deadline: str
    checked: bool = False


@dataclass
class AlertForm:
    """The 「お知らせ」 form on /results: an e-mail (optional), digest or not, programs whose deadline to watch."""

    ready: bool  # the case has answers to save (one without cannot subscribe)
    deadline_days: int  # how long before a watched program's deadline the alert comes
    email: str = ""
    digest: bool = False
    watched: list[str] = field(default_factory=list)
    error: str | None = None
    error_field: str = ""  # "email" or "watch": the input the error is about
    subscribed: int = 0  # active subscriptions of this case already
    choices: list[WatchChoice] = field(default_factory=list)  # filled from the cards shown


@dataclass
class AlertLine:
    """One subscription, as its owner sees it after subscribing."""

    email: str | None
    digest: bool
    watched: list[str]  # program names
    feed_url: str  # at the site's public address, to copy into a feed reader
    feed_path: str  # links on the page stay on the site it is read on
    unsubscribe_path: str


# --- pages --------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class Layout:
    title: str
    csrf_token: str
    case_open: bool = False
    message: str | None = None  # something went wrong with what was sent (shown as an alert)
    notice: str | None = None  # an ordinary next step, not an error


@dataclass(kw_only=True)
class HomePage(Layout):
    program_count: int
    resume_url: str | None = None


@dataclass(kw_only=True)
class QuestionPage(Layout):
    question: QuestionForm
    number: int
    max_questions: int
    editing: bool = False


@dataclass(kw_only=True)
class IndustryFragment:
    query: str
    choices: list[IndustryChoice]
    selected: str | None = None


@dataclass(kw_only=True)
class ResultsPage(Layout):
    eligible: list[ProgramCard]
    undetermined: list[ProgramCard]
    near_misses: list[ProgramCard]
    plan: list[PlanLine]
    total: str | None
    total_basis: str | None
    desk: ProgramCard | None
    answers: list[AnswerLine]
    resume_url: str
    as_of: str
    unknown_count: int
    asking_done: bool
    alerts: AlertForm


@dataclass(kw_only=True)
class AlertsPage(Layout):
    subscriptions: list[AlertLine]
    deadline_days: int
    mails_sent: bool  # the site has a mail server to send with (otherwise only the feed has the alerts)


@dataclass(kw_only=True)
class UnsubscribePage(Layout):
    state: str  # "ask" (a button, never an action on GET), "stopped" (just now) or "already"
    action: str


@dataclass(kw_only=True)
class ProgramsPage(Layout):
    query: str
    kind: str
    prefecture: str
    purpose: str
    total: int
    page: int
    pages: int
    results: list[ProgramCard]
    kinds: list[tuple[str, str]]
    prefectures: list[str]
    purposes: list[tuple[str, str]]


@dataclass(kw_only=True)
class ProgramPage(Layout):
    card: ProgramCard
    conditions: list[Reason]
    benefits: list[str]
    relations: list[str]
    judged: bool


# --- builders -----------------------------------------------------------------------------------


def source_link(source: Source | None) -> SourceLink | None:
    if source is None:
        return None
    if source.document and source.line:
        return SourceLink(cite_ja(source.document, source.line))
    if source.url:
        return SourceLink(source.title or _site_name(source.url), source.url)
    return SourceLink(source.record or "") if source.record else None


def _site_name(url: str) -> str:
    if "jgrants" in url:
        return "Jグランツ（jGrants）の公募ページ"
    return "公式サイト"


def program_sources(program: Program) -> list[SourceLink]:
    links: dict[tuple[str, str | None], SourceLink] = {}
    for source in program.sources:
        link = source_link(source)
        if link:
            links.setdefault((link.text, link.url), link)
    return list(links.values())


def how_to_apply(program: Program) -> str:
    if program.applies_via_text:
        return program.applies_via_text
    body = program.implementing_body or "制度の窓口"
    template = APPLIES_VIA.get(program.applies_via or "", "")
    if template:
        return template.format(body=body)
    if program.implementing_body:
        return f"{program.implementing_body}に問い合わせてください。"
    return "申し込み方法は公表資料に書かれていません。よろず支援拠点に相談すると確かめられます。"


def deadline_text(is_open: bool | None, deadline: dt.date | None) -> str:
    if deadline:
        state = "受付中" if is_open else "受付期間外" if is_open is False else "受付期間は要確認"
        return f"締切 {text.date_ja(deadline)}（{state}）"
    if is_open is True:
        return "受付中（締切は公表資料に書かれていません）"
    if is_open is False:
        return "いまは受け付けていません"
    return "締切は公表資料に書かれていません"


def amount_text(estimate: BenefitEstimate | None, program: Program) -> tuple[str | None, str | None]:
    if estimate and estimate.max_yen:
        low = estimate.min_yen
        amount = (f"{text.yen_ja(low)}〜{text.yen_ja(estimate.max_yen)}" if low else f"最大{text.yen_ja(estimate.max_yen)}")
        return amount, estimate.basis
    first = next((b.text for b in program.benefits), None)
    return first, None


def reason(clause: ClauseResult) -> Reason:
    symbol, label, css = MARKS.get(clause.outcome, MARKS["unknown"])
    return Reason(Mark(symbol, label, css), clause.text, source_link(clause.source))


def relation_text(relation: Relation) -> str:
    label = certification_label(relation.certification) if relation.certification else relation.program or ""
    return f"{label}：{relation.text}" if label else relation.text


def card(verdict: Verdict) -> ProgramCard:
    program = verdict.program
    amount, basis = amount_text(verdict.benefit_estimate, program)
    return ProgramCard(
        id=program.id, name=program.name, kind=program.kind_ja, status=verdict.status, summary=program.summary,
        reasons=[reason(r) for r in verdict.reasons], amount=amount, amount_basis=basis,
        amount_is_estimate=bool(verdict.benefit_estimate and verdict.benefit_estimate.max_yen),
        deadline=deadline_text(verdict.open, verdict.deadline), how_to_apply=how_to_apply(program), url=program.url,
        sources=program_sources(program), attribution=program.attribution,
        requires=[relation_text(r) for r in verdict.requires], bonuses=[relation_text(r) for r in verdict.bonuses],
        near_misses=[n.text for n in verdict.near_misses],
    )


def browse_card(program: Program, today: dt.date) -> ProgramCard:
    """A program without a company: what it is, amounts, deadline, how to apply, sources."""
    is_open, deadline = open_state(program, today)
    amount, basis = amount_text(None, program)
    return ProgramCard(
        id=program.id, name=program.name, kind=program.kind_ja, status="", summary=program.summary, reasons=[],
        amount=amount, amount_basis=basis, amount_is_estimate=False, deadline=deadline_text(is_open, deadline), how_to_apply=how_to_apply(program),
        url=program.url, sources=program_sources(program), attribution=program.attribution,
    )


def question_form(question: Question, answers: dict[str, Any], error: str | None = None,
                  posted: list[str] | None = None) -> QuestionForm:
    options = [(o.value, o.label) for o in question.options]
    if question.type == "multi":
        options.append((questionnaire.NONE_OPTION, "どれも当てはまらない"))
    if question.type == "boolean":
        options = [("yes", "はい"), ("no", "いいえ")]
    stored = answers.get(question.field)
    values = posted if posted is not None else _as_values(question, stored)
    return QuestionForm(question.field, question.text, question.help, question.type,
                        questionnaire.display_unit(question), options, stored, values, error)


def _as_values(question: Question, stored: Any) -> list[str]:
    if stored is None:
        return []
    if isinstance(stored, list):
        return [str(v) for v in stored] or [questionnaire.NONE_OPTION]
    if isinstance(stored, bool):
        return ["yes" if stored else "no"]
    if question.field in questionnaire.YEN_FIELDS and isinstance(stored, int | float):
        return [text.number_ja(stored / questionnaire.YEN_UNIT).replace(",", "")]
    return [str(stored)]


def answer_lines(answers: dict[str, Any]) -> list[AnswerLine]:
    lines = []
    for name, value in answers.items():
        question = BY_FIELD.get(name)
        if question is not None:
            lines.append(AnswerLine(name, question.text, answer_text(name, value)))
    return lines


def answer_text(name: str, value: Any) -> str:
    if value is None:
        return "分からない"
    if name == "industry":
        return f"{name_of(value) or value}"
    if name in questionnaire.YEN_FIELDS:
        return text.yen_ja(value)
    vocab = {"purposes": PURPOSES, "certifications": CERTIFICATIONS, "legal_form": LEGAL_FORMS}.get(name)
    if vocab is not None:
        items = value if isinstance(value, list) else [value]
        return "、".join(vocab[v].ja if v in vocab else str(v) for v in items) or "どれも当てはまらない"
    unit = BY_FIELD[name].unit if name in BY_FIELD else ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int | float):
        return f"{text.number_ja(value)}{unit}"
    if name == "founded_on":
        return text.date_ja(dt.date.fromisoformat(value))
    return str(value)


def desk_for(catalog: Catalog, prefecture: str | None, verdicts: dict[str, Verdict]) -> ProgramCard | None:
    """The prefecture's よろず支援拠点 (catalog id yorozu-<pref>), to talk to whatever the list says."""
    if not prefecture:
        return None
    desk = next((p for p in catalog.programs if p.id.startswith("yorozu-") and p.prefectures == [prefecture]), None)
    if desk is None:
        return None
    return card(verdicts[desk.id]) if desk.id in verdicts else browse_card(desk, dt.date.today())


def results_page(result: RecommendationSet, catalog: Catalog, answers: dict[str, Any], *, csrf_token: str,
                 resume_url: str, asking_done: bool, alerts: AlertForm,
                 errors: dict[str, tuple[str, str]] | None = None) -> ResultsPage:
    ranking = [q.field for q in result.next_questions]
    errors = errors or {}
    eligible, undetermined = [], []
    by_id = {rec.verdict.program.id: rec.verdict for rec in result.results}
    offered: dict[str, str] = {}  # a question is asked on the first card that needs it; later cards point to it
    for rec in result.results:
        c = card(rec.verdict)
        if rec.verdict.status == "eligible":
            eligible.append(c)
            continue
        for q in questionnaire.settling_questions(rec.verdict.missing_facts, ranking):
            if q.field in offered:
                c.asked_above.append((q.text, offered[q.field]))
            else:
                offered[q.field] = f"{c.id}-{q.field}-form"
                c.questions.append(_in_place(q, answers, errors.get(c.id)))
        undetermined.append(c)
    total = total_estimate(result.results)
    prefecture = answers.get("prefecture")
    alerts.choices = [WatchChoice(c.id, c.name, c.deadline, c.id in alerts.watched) for c in eligible + undetermined]
    return ResultsPage(
        title="結果", csrf_token=csrf_token, case_open=True, eligible=eligible, undetermined=undetermined,
        near_misses=[card(v) for v in result.near_misses],
        plan=[PlanLine(step.text) for step in result.plan[:6]],
        total=(f"{text.yen_ja(total.min_yen)}〜{text.yen_ja(total.max_yen)}" if total and total.min_yen
               else f"最大{text.yen_ja(total.max_yen)}" if total else None),
        total_basis=total.basis if total else None,
        desk=desk_for(catalog, prefecture if isinstance(prefecture, str) else None, by_id),
        answers=answer_lines(answers), resume_url=resume_url, as_of=text.date_ja(result.as_of),
        unknown_count=sum(1 for v in answers.values() if v is None), asking_done=asking_done, alerts=alerts,
    )


def _in_place(question: Question, answers: dict[str, Any], error: tuple[str, str] | None) -> QuestionForm:
    message = error[1] if error and error[0] == question.field else None
    return question_form(question, answers, message)


KIND_CHOICES = [(k, t.ja) for k, t in KINDS.items()]
PURPOSE_CHOICES = [(k, t.ja) for k, t in PURPOSES.items()]

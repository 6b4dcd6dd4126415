"""The owner's pages (docs/site-contract.md): thin routes over the questionnaire, matcher and catalog.

Forms are read by hand rather than declared as FastAPI parameters, so that any bad or tampered input
gets the page back with a message in Japanese instead of a JSON error.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from matcher.questions import BY_FIELD
from matcher.recommend import Matcher, RecommendationSet
from programs.catalog import Catalog
from programs.verdict import judge
from rules.regions import PREFECTURES
from rules.tree import outline
from rules.vocabulary import KINDS, PURPOSES
from web.ops.alerts import DEADLINE_DAYS, case_subscriptions, subscribe
from web.ops.metrics import count_verdicts
from web.site import alerts, cases, questionnaire, views
from web.site.industries import suggest
from web.site.questionnaire import AnswerError, NeedsIndustryChoice
from web.site.render import render
from web.site.security import csrf_ok, csrf_token

router = APIRouter(include_in_schema=False)

RESULT_LIMIT = 20
PER_PAGE = 20
MAX_FORM_VALUES = 60
EXPIRED = "画面の有効期限が切れたため、送信できませんでした。お手数ですが、もう一度送ってください。"
NO_CATALOG = "制度の一覧を準備しています。しばらくしてから、もう一度お試しください。"


# --- shared steps ---------------------------------------------------------------------------------


def _engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.engine


def _catalog(request: Request) -> Catalog | None:
    catalog = request.app.state.catalog
    return catalog if catalog is not None and len(catalog) else None


def _current_case(request: Request) -> cases.OwnerCase | None:
    return cases.find_case(_engine(request), request.session.get("case"))


def _recommend(request: Request, answers: dict[str, Any]) -> RecommendationSet:
    matcher: Matcher = request.app.state.matcher
    return matcher.recommend(questionnaire.profile_of(answers), limit=RESULT_LIMIT)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=0, max_fields=MAX_FORM_VALUES)
    except Exception:  # malformed or oversized bodies are treated as an empty (so rejected) form
        return FormData()


def _home(request: Request, message: str | None = None, status: int = 200) -> HTMLResponse:
    catalog = _catalog(request)
    case = _current_case(request)
    page = views.HomePage(title="支援策マッチ", csrf_token=csrf_token(request), case_open=case is not None,
                          message=message or (None if catalog else NO_CATALOG),
                          program_count=len(catalog.applicable()) if catalog else 0,
                          resume_url=str(request.url_for("resume", token=case.token)) if case else None)
    return render("home.html", page, status)


# --- home and cases -------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return _home(request)


@router.post("/start")
async def start(request: Request) -> Response:
    form = await _form(request)
    if not csrf_ok(request, form):
        return _home(request, EXPIRED, 400)
    case = cases.open_case(_engine(request))
    request.session["case"] = case.token
    return _see_other("/q")


@router.get("/c/{token}", name="resume")
def resume(request: Request, token: str) -> Response:
    case = cases.find_case(_engine(request), token)
    if case is None:
        return _home(request, "このリンクの回答は見つかりませんでした。リンクを最後まで正しく開いたか確かめるか、最初から始めてください。", 404)
    request.session["case"] = case.token
    return _see_other("/results" if case.answers else "/q")


# --- the questionnaire ----------------------------------------------------------------------------


def _question_page(request: Request, case: cases.OwnerCase, form: views.QuestionForm, status: int = 200,
                   message: str | None = None, editing: bool = False, notice: str | None = None) -> HTMLResponse:
    answered = len([f for f in case.answers if f != form.field])
    page = views.QuestionPage(title=form.text, csrf_token=csrf_token(request), case_open=True, message=message,
                              notice=notice,
                              question=form, number=answered + 1, max_questions=questionnaire.MAX_QUESTIONS,
                              editing=editing)
    return render("question.html", page, status)


@router.get("/q", response_class=HTMLResponse)
def question(request: Request, field: str | None = None, industry_q: str | None = None) -> Response:
    case = _current_case(request)
    if case is None:
        return _home(request, "回答が見つかりません。「はじめる」から始めてください。")
    if _catalog(request) is None:
        return _home(request, NO_CATALOG, 503)
    editing = field is not None and field in BY_FIELD
    chosen = BY_FIELD[field] if editing and field else questionnaire.next_question(
        case.answers, _recommend(request, case.answers))
    if chosen is None:
        return _see_other("/results")
    form = views.question_form(chosen, case.answers)
    if chosen.type == "industry" and industry_q:
        form.industry_query = industry_q[: 40]
        form.industry_choices = suggest(industry_q)
    return _question_page(request, case, form, editing=editing)


def _posted_question(form: FormData) -> Any:
    field = form.get("field")
    return BY_FIELD.get(field) if isinstance(field, str) else None


def _values(form: FormData) -> list[str]:
    return [v for v in form.getlist("value") if isinstance(v, str)]


def _save(request: Request, case: cases.OwnerCase, question: Any, form: FormData) -> None:
    """Store the answer (None for 分からない); raises AnswerError or NeedsIndustryChoice."""
    if form.get("unknown") is not None:
        value = None
    else:
        query = form.get("industry_q")
        value = questionnaire.read_answer(question, _values(form), query if isinstance(query, str) else "")
        questionnaire.check_with_profile(case.answers, question.field, value)
    answers = dict(case.answers)
    answers[question.field] = value
    cases.save_answers(_engine(request), case.token, answers)
    case.answers = answers


@router.post("/q")
async def answer(request: Request) -> Response:
    form = await _form(request)
    case = _current_case(request)
    if case is None:
        return _home(request, "回答が見つかりません。「はじめる」から始めてください。", 400)
    posted = _posted_question(form)
    shown = posted or questionnaire.next_question(case.answers, _recommend(request, case.answers)) or BY_FIELD["prefecture"]
    if not csrf_ok(request, form):
        return _question_page(request, case, views.question_form(shown, case.answers), 400, EXPIRED)
    if posted is None:
        return _question_page(request, case, views.question_form(shown, case.answers, "この質問には答えられません。もう一度選んでください。"), 422)
    try:
        _save(request, case, posted, form)
    except NeedsIndustryChoice as ask:
        page = views.question_form(posted, case.answers)
        page.industry_query, page.industry_choices = ask.query[:40], ask.choices
        return _question_page(request, case, page, notice="いくつか当てはまりそうです。いちばん近いものを選んでください。")
    except AnswerError as exc:
        page = views.question_form(posted, case.answers, exc.message, _values(form))
        return _question_page(request, case, page, exc.status)
    if form.get("then") == "results":
        return _see_other("/results")
    more = questionnaire.next_question(case.answers, _recommend(request, case.answers))
    return _see_other("/q" if more is not None else "/results")


@router.get("/industries", response_class=HTMLResponse)
def industries(request: Request, q: str = "") -> Response:
    page = views.IndustryFragment(query=q[:40], choices=suggest(q))
    return render("industries.html", page)


# --- results ----------------------------------------------------------------------------------------


def _results(request: Request, case: cases.OwnerCase, errors: dict[str, tuple[str, str]] | None = None,
             status: int = 200, message: str | None = None, template: str = "results.html",
             alert_form: views.AlertForm | None = None) -> Response:
    catalog = _catalog(request)
    if catalog is None:
        return _home(request, NO_CATALOG, 503)
    result = _recommend(request, case.answers)
    count_verdicts(request.app, result.statuses())
    page = views.results_page(result, catalog, case.answers, csrf_token=csrf_token(request),
                              resume_url=str(request.url_for("resume", token=case.token)),
                              asking_done=questionnaire.next_question(case.answers, result) is None,
                              alerts=alert_form or alerts.form_for(_engine(request), case.token, case.answers),
                              errors=errors)
    page.message = message
    return render(template, page, status)


@router.get("/results", response_class=HTMLResponse)
def results(request: Request) -> Response:
    case = _current_case(request)
    if case is None:
        return _home(request, "まだ回答がありません。「はじめる」から始めてください。")
    return _results(request, case)


@router.get("/results/print", response_class=HTMLResponse)
def results_print(request: Request) -> Response:
    case = _current_case(request)
    if case is None:
        return _home(request, "まだ回答がありません。「はじめる」から始めてください。")
    return _results(request, case, template="print.html")


@router.post("/results/answer")
async def answer_in_place(request: Request) -> Response:
    form = await _form(request)
    case = _current_case(request)
    if case is None:
        return _home(request, "回答が見つかりません。「はじめる」から始めてください。", 400)
    program = form.get("program")
    anchor = program if isinstance(program, str) and _catalog(request) and _catalog(request).get(program) else ""
    if not csrf_ok(request, form):
        return _results(request, case, status=400, message=EXPIRED)
    question = _posted_question(form)
    if question is None:
        return _results(request, case, status=422, message="この質問には答えられません。もう一度選んでください。")
    try:
        _save(request, case, question, form)
    except NeedsIndustryChoice:
        query = form.get("industry_q")
        return _see_other("/q?" + urlencode({"field": "industry", "industry_q": query if isinstance(query, str) else ""}))
    except AnswerError as exc:
        return _results(request, case, {anchor: (question.field, exc.message)}, 422, exc.message)
    return _see_other(f"/results#{anchor}" if anchor else "/results")


# --- alerts ---------------------------------------------------------------------------------------


@router.post("/results/alerts")
async def subscribe_to_alerts(request: Request) -> Response:
    form = await _form(request)
    case = _current_case(request)
    if case is None:
        return _home(request, "回答が見つかりません。「はじめる」から始めてください。", 400)
    catalog = _catalog(request)
    if catalog is None:
        return _home(request, NO_CATALOG, 503)
    if not csrf_ok(request, form):
        return _results(request, case, status=400, message=EXPIRED)
    profile = alerts.saved_profile(case.answers)
    if not profile:
        return _results(request, case, status=400, message=alerts.NO_ANSWERS)
    sent = alerts.read(form)
    existing = case_subscriptions(_engine(request), case.token)
    try:
        email, programs = alerts.checked(sent, alerts.watchable(_recommend(request, case.answers)))
    except alerts.AlertFormError as exc:
        refilled = alerts.refilled(sent, exc, ready=True, subscribed=len(existing))
        return _results(request, case, status=422, message=exc.message, alert_form=refilled)
    subscribe(_engine(request), catalog, profile, email, programs, sent.digest, dt.date.today(), case_token=case.token)
    again = any(s.email == email for s in existing)
    return _see_other(f"/results/alerts?saved={'updated' if again else 'new'}")


SAVED = {"new": "お知らせを登録しました。",
         "updated": "同じお知らせがすでに登録されていたので、いまの回答と選んだ制度で登録し直しました（登録は1つのままです）。"
                    "フィードのURLと配信停止のリンクは前と同じです。"}


@router.get("/results/alerts", response_class=HTMLResponse)
def alerts_saved(request: Request, saved: str = "") -> Response:
    case = _current_case(request)
    if case is None:
        return _home(request, "まだ回答がありません。「はじめる」から始めてください。")
    catalog = _catalog(request)
    if catalog is None:
        return _home(request, NO_CATALOG, 503)
    subscriptions = case_subscriptions(_engine(request), case.token)
    if not subscriptions:
        return _see_other("/results#alerts")
    settings = request.app.state.settings
    page = views.AlertsPage(title="お知らせの登録", csrf_token=csrf_token(request), case_open=True,
                            notice=SAVED.get(saved), deadline_days=DEADLINE_DAYS, mails_sent=bool(settings.smtp_host),
                            subscriptions=[alerts.line(s, catalog, settings.public_url) for s in subscriptions])
    return render("alerts.html", page)


# --- browsing ---------------------------------------------------------------------------------------


def _choice(value: str | None, allowed: Any) -> tuple[str, bool]:
    if not value:
        return "", True
    return (value, True) if value in allowed else ("", False)


@router.get("/programs", response_class=HTMLResponse)
def programs(request: Request, q: str = "", kind: str = "", prefecture: str = "", purpose: str = "",
             page: str = "1") -> Response:
    catalog = _catalog(request)
    if catalog is None:
        return _home(request, NO_CATALOG, 503)
    query = q.strip()[:100]
    kind, ok_kind = _choice(kind, KINDS)
    prefecture, ok_pref = _choice(prefecture, PREFECTURES)
    purpose, ok_purpose = _choice(purpose, PURPOSES)
    message = None if ok_kind and ok_pref and ok_purpose else "選べない条件が指定されていたので、その条件を外して探しました。"
    hits = catalog.search(query or None, kind=kind or None, prefecture=prefecture or None, purpose=purpose or None)
    pages = max(1, math.ceil(len(hits) / PER_PAGE))
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    number = min(max(number, 1), pages)
    today = dt.date.today()
    chosen = hits[(number - 1) * PER_PAGE: number * PER_PAGE]
    view = views.ProgramsPage(
        title=f"「{query}」の検索結果" if query else "制度をさがす", csrf_token=csrf_token(request),
        case_open=_current_case(request) is not None, message=message, query=query, kind=kind, prefecture=prefecture,
        purpose=purpose, total=len(hits), page=number, pages=pages,
        results=[views.browse_card(p, today) for p, _ in chosen], kinds=views.KIND_CHOICES,
        prefectures=list(PREFECTURES), purposes=views.PURPOSE_CHOICES)
    return render("programs.html", view, 200 if message is None else 422)


@router.get("/programs/{program_id}", response_class=HTMLResponse)
def program_page(request: Request, program_id: str) -> Response:
    catalog = _catalog(request)
    if catalog is None:
        return _home(request, NO_CATALOG, 503)
    program = catalog.get(program_id)
    if program is None:
        return render("notfound.html", views.Layout(title="見つかりません", csrf_token=csrf_token(request),
                                                     message="お探しの制度は見つかりませんでした。"), 404)
    case = _current_case(request)
    if case is not None:
        verdict = judge(program, catalog.context(questionnaire.profile_of(case.answers)))
        card, conditions = views.card(verdict), [views.reason(r) for r in verdict.reasons]
    else:
        card = views.browse_card(program, dt.date.today())
        conditions = [views.Reason(views.Mark("", "", "none"), c, None) for c in _condition_texts(outline(program.rule()))]
    page = views.ProgramPage(title=program.name, csrf_token=csrf_token(request), case_open=case is not None,
                             card=card, conditions=conditions, judged=case is not None,
                             benefits=[b.text for b in program.benefits],
                             relations=[views.relation_text(r) for r in program.relations])
    return render("program.html", page)


def _condition_texts(node: dict[str, Any], depth: int = 0) -> list[str]:
    prefix = "　" * depth
    lines = [] if (depth == 0 and node["op"] == "all") else [prefix + node["text"]]
    for child in node["children"]:
        lines.extend(_condition_texts(child, depth + (0 if depth == 0 and node["op"] == "all" else 1)))
    return lines

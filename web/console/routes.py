"""The advisor console (/console): thin routes over service (records) and analysis (engine answers).

Forms are read by hand so that bad or tampered input returns the form with a message, never a JSON error.
Every POST checks the CSRF token; every request commits at most once (``unit_of_work``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from matcher.recommend import Matcher, RecommendationSet
from rules import text
from rules.regions import PREFECTURES
from rules.vocabulary import CERTIFICATIONS
from web.console import analysis, auth, forms, service, views
from web.console.db import unit_of_work
from web.console.models import OUTCOMES, ROLES, Client, ConsoleAccount
from web.ops.metrics import count_verdicts
from web.site import cases as owner_cases
from web.site import questionnaire
from web.site import views as site_views
from web.site.render import render
from web.site.security import csrf_ok, csrf_token

router = APIRouter(prefix="/console", include_in_schema=False)

MAX_FORM_VALUES = 400
EXPIRED = "画面の有効期限が切れたため、送信できませんでした。もう一度送ってください。"
NO_CATALOG = "制度の一覧を準備しています。判定はしばらくしてから表示されます。"


class SignInRequired(Exception):
    """No live session: the console sends the browser to the login page."""


# --- shared steps ---------------------------------------------------------------------------------


async def _form(request: Request) -> FormData:
    try:
        return await request.form(max_files=0, max_fields=MAX_FORM_VALUES)
    except Exception:  # malformed or oversized: an empty form, so the CSRF check rejects it
        return FormData()


def _text(form: FormData, name: str, limit: int = 200) -> str:
    value = form.get(name)
    return forms.clean(value if isinstance(value, str) else "")[:limit]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _engine(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.engine


def _matcher(request: Request) -> Matcher | None:
    matcher = getattr(request.app.state, "matcher", None)
    return matcher if matcher is not None and len(matcher.catalog) else None


def _account(request: Request, db: Session) -> ConsoleAccount:
    account = auth.signed_in_account(request, db)
    if account is None:
        raise SignInRequired()
    return account


def _layout(request: Request, account: ConsoleAccount | None, title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "csrf_token": csrf_token(request),
            "account": views.AccountLine.of(account) if account else None, **extra}


def _program_names(request: Request) -> dict[str, str]:
    matcher = _matcher(request)
    return {p.id: p.name for p in matcher.catalog.programs} if matcher else {}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    page = views.ErrorPage(title="エラー", csrf_token=csrf_token(request), message=message, status=status)
    return render("console/error.html", page, status)


# --- sign in and out ------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    expired = request.query_params.get("expired") == "1"
    page = views.LoginPage(title="ログイン", csrf_token=csrf_token(request),
                           notice="一定時間操作がなかったため、ログアウトしました。" if expired else None)
    return render("console/login.html", page)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await _form(request)
    email = _text(form, "email")
    if not csrf_ok(request, form):
        return render("console/login.html", views.LoginPage(title="ログイン", csrf_token=csrf_token(request),
                                                             message=EXPIRED, email=email), 400)
    password = form.get("password")
    with unit_of_work(_engine(request)) as db:
        account, locked = auth.authenticate(db, email, password if isinstance(password, str) else "")
        if account is not None:
            auth.sign_in(request, account)
    if account is not None:
        return _see_other("/console")
    message = ("ログインに続けて失敗したため、このアカウントは15分間ログインできません。時間をおいてお試しください。"
               if locked else "メールアドレスかパスワードが違います。")
    page = views.LoginPage(title="ログイン", csrf_token=csrf_token(request), message=message, email=email)
    return render("console/login.html", page, 429 if locked else 401)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await _form(request)
    if csrf_ok(request, form):
        auth.sign_out(request)
    return _see_other("/console/login")


# --- clients --------------------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def clients(request: Request, q: str = "") -> Response:
    query = forms.clean(q)[:100]
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        found = [views.client_line(c) for c in service.search_clients(db, account, query)]
        page = views.ClientsPage(**_layout(request, account, "相談先の一覧"), query=query, clients=found)
    return render("console/clients.html", page)


def _decides(request: Request, profile: dict[str, Any]) -> dict[str, int]:
    matcher = _matcher(request)
    if matcher is None:
        return {}
    result = matcher.recommend(forms.to_profile(profile), limit=analysis.RESULT_LIMIT)
    return {q.field: q.decides for q in result.next_questions[:8] if q.decides}


def _profile_form(request: Request, account: ConsoleAccount, *, client_id: int | None, name: str, contact: str,
                  profile: dict[str, Any], errors: dict[str, str] | None = None,
                  posted: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    errors = errors or {}
    general = [m for k, m in errors.items() if k in ("name", "profile", "csrf")]
    page = views.ProfileFormPage(
        **_layout(request, account, "相談先の編集" if client_id else "相談先の登録",
                  message="入力内容を確かめてください。" if errors else None),
        client_id=client_id, name=name, contact=contact,
        fields=views.field_views(profile, _decides(request, profile), errors, posted), errors=general,
        prefectures=list(PREFECTURES))
    return render("console/client_form.html", page, status)


def _posted(form: FormData) -> dict[str, Any]:
    return {spec.name: (form.getlist(spec.name) if spec.kind == "multi" else _text(form, spec.name, forms.MAX_TEXT))
            for spec in forms.PROFILE_FIELDS}


@router.get("/clients/new", response_class=HTMLResponse)
def new_client(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
    return _profile_form(request, account, client_id=None, name="", contact="",
                         profile={"prefecture": account.office})


@router.post("/clients/new")
async def create_client(request: Request) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        name, contact = _text(form, "name"), _text(form, "contact")
        profile, errors = forms.parse_profile(form)
        if not csrf_ok(request, form):
            errors["csrf"] = EXPIRED
        if not name:
            errors["name"] = "会社名（屋号）を入力してください。"
        if errors:
            return _profile_form(request, account, client_id=None, name=name, contact=contact, profile=profile,
                                 errors=errors, posted=_posted(form), status=422)
        client = service.create_client(db, account, name=name, contact=contact, profile=profile)
    return _see_other(f"/console/clients/{client.id}")


@router.get("/clients/import", response_class=HTMLResponse)
def import_form(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
    return render("console/import.html", views.ImportPage(**_layout(request, account, "公開サイトの回答を取り込む")))


def _token_of(link: str) -> str:
    """The token from a resume link (…/c/TOKEN) or the bare token."""
    return link.rstrip("/").rsplit("/c/", 1)[-1].split("?")[0].split("#")[0]


@router.post("/clients/import")
async def import_case(request: Request) -> Response:
    form = await _form(request)
    link, name, contact = _text(form, "link", 500), _text(form, "name"), _text(form, "contact")
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        case = owner_cases.find_case(_engine(request), _token_of(link)) if link else None
        problem = (EXPIRED if not csrf_ok(request, form) else
                   "会社名（屋号）を入力してください。" if not name else
                   None if case else "このリンクの回答は見つかりませんでした。リンクを最後までコピーしたか確かめてください。")
        if problem or case is None:
            page = views.ImportPage(**_layout(request, account, "公開サイトの回答を取り込む", message=problem),
                                    link=link, name=name, contact=contact)
            return render("console/import.html", page, 422)
        profile = questionnaire.profile_of(case.answers).model_dump(mode="json", exclude_none=True)
        client = service.create_client(db, account, name=name, contact=contact, profile=profile,
                                       owner_case_token=case.token)
    return _see_other(f"/console/clients/{client.id}")


@router.get("/clients/{client_id}/edit", response_class=HTMLResponse)
def edit_client(request: Request, client_id: int) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id)
    return _profile_form(request, account, client_id=client.id, name=client.name, contact=client.contact or "",
                         profile=client.profile)


@router.post("/clients/{client_id}/edit")
async def update_client(request: Request, client_id: int) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id, action="")
        name, contact = _text(form, "name"), _text(form, "contact")
        profile, errors = forms.parse_profile(form, keep=client.profile)
        if not csrf_ok(request, form):
            errors["csrf"] = EXPIRED
        if not name:
            errors["name"] = "会社名（屋号）を入力してください。"
        if errors:
            return _profile_form(request, account, client_id=client.id, name=name, contact=contact,
                                 profile=profile, errors=errors, posted=_posted(form), status=422)
        service.update_client(db, account, client, name=name, contact=contact, profile=profile)
    return _see_other(f"/console/clients/{client_id}")


# --- the client's page: results, what-if, history -------------------------------------------------


def _whatif_form(params: dict[str, str] | None) -> tuple[views.WhatIfForm, dict[str, Any], list[str]]:
    """The what-if inputs as posted, the changes they make, and each change in words (or an error)."""
    params = params or {}
    options = [(k, t.ja) for k, t in CERTIFICATIONS.items()]
    shown = views.WhatIfForm(certification_options=options)
    changes: dict[str, Any] = {}
    words: list[str] = []
    problems = []
    for name in forms.WHAT_IF_FIELDS[:4]:
        raw = forms.clean(params.get(name, ""))[:30]
        setattr(shown, name, raw)
        spec = forms.BY_NAME[name]
        try:
            value = forms.parse_value(spec, FormData([(name, raw)]))
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if value is not None:
            changes[name] = value
            words.append(f"{spec.label}を{forms.display_value(spec, value)}に")
    return shown, changes, words + problems


def _whatif_query(request: Request) -> tuple[views.WhatIfForm, dict[str, Any], list[str], list[str]]:
    params = {k: v for k, v in request.query_params.items()}
    shown, changes, words = _whatif_form(params)
    certs = [c for c in request.query_params.getlist("certifications") if c in CERTIFICATIONS]
    if certs:
        shown.certifications = certs
        changes["certifications"] = certs
        words.append("認定に" + "、".join(CERTIFICATIONS[c].ja for c in certs) + "を加えて")
    raw_date = forms.clean(request.query_params.get("as_of", ""))[:20]
    shown.as_of = raw_date
    problems = [w for w in words if w.endswith("。")]
    if raw_date:
        try:
            day = dt.date.fromisoformat(raw_date.replace("/", "-"))
            changes["as_of"] = day
            words.append(f"基準日を{text.date_ja(day)}に")
        except ValueError:
            problems.append("基準日は 2026-04-01 のような日付で入力してください。")
    return shown, changes, [w for w in words if not w.endswith("。")], problems


def _cards(result: RecommendationSet) -> tuple[list[Any], list[Any]]:
    eligible = [site_views.card(r.verdict) for r in result.results if r.verdict.status == "eligible"]
    undetermined = [site_views.card(r.verdict) for r in result.results if r.verdict.status != "eligible"]
    return eligible, undetermined


def _client_page(request: Request, db: Session, account: ConsoleAccount, client: Client,
                 whatif_requested: bool = False, message: str | None = None, status: int = 200) -> HTMLResponse:
    matcher = _matcher(request)
    names = _program_names(request)
    history = service.consultations_of(db, client)
    outcomes = service.outcomes_of(db, client)
    advisors = service.advisor_names(db, {c.advisor_id for c in history} | {o.advisor_id for o in outcomes})
    profile = forms.to_profile(client.profile)
    shown, changes, words, problems = _whatif_query(request) if whatif_requested else _whatif_form(None) + ([],)
    shown.certification_options = [(k, t.ja) for k, t in CERTIFICATIONS.items()]
    result = matcher.recommend(profile, limit=analysis.RESULT_LIMIT) if matcher else None
    if result is not None:
        count_verdicts(request.app, result.statuses())
    whatif = None
    if problems:
        shown.error = " ".join(problems)
    elif whatif_requested and matcher and result and changes:
        try:
            changed = profile.with_changes(**changes)
            whatif = analysis.what_if(matcher, profile, changed, words, result)
        except ValidationError as exc:
            shown.error = " ".join(e.message for e in forms.explain_errors(exc))
    if shown.error:
        status = 422
    decides = {q.field: q.decides for q in result.next_questions[:8] if q.decides} if result else {}
    facts = views.field_views(client.profile, decides)
    eligible, undetermined = _cards(result) if result else ([], [])
    page = views.ClientPage(
        **_layout(request, account, client.name, message=message or (None if matcher else NO_CATALOG)),
        client_id=client.id or 0, name=client.name, contact=client.contact or "",
        from_owner_site=client.owner_case_token is not None, facts=facts,
        unknown_count=sum(1 for f in facts if not f.known),
        questions=sorted((f for f in facts if f.decides), key=lambda f: -(f.decides or 0)),
        eligible=eligible, undetermined=undetermined,
        near_misses=[site_views.card(v) for v in result.near_misses] if result else [],
        plan=[site_views.PlanLine(s.text) for s in result.plan[:6]] if result else [],
        total=analysis.total_text(result.results) if result else None,
        counts=result.counts if result else {}, as_of=text.date_ja(result.as_of) if result else "",
        whatif_form=shown, whatif=whatif,
        consultations=[views.consultation_line(c, advisors, names) for c in history],
        outcomes=[views.outcome_line(o, advisors, names) for o in outcomes], catalog_ready=matcher is not None)
    return render("console/client.html", page, status)


@router.get("/clients/{client_id}", response_class=HTMLResponse)
def client_page(request: Request, client_id: int) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id)
        return _client_page(request, db, account, client)


@router.get("/clients/{client_id}/whatif", response_class=HTMLResponse)
def client_whatif(request: Request, client_id: int) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id, action="whatif")
        return _client_page(request, db, account, client, whatif_requested=True)


@router.post("/clients/{client_id}/outcomes")
async def record_outcome(request: Request, client_id: int) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id, action="")
        program_id, outcome = _text(form, "program_id", 120), _text(form, "outcome", 20)
        names = _program_names(request)
        problem = (EXPIRED if not csrf_ok(request, form) else
                   "制度が見つかりません。画面を開き直してください。" if program_id not in names else
                   "結果（申請した・採択された・不採択だった・該当しなかった）を選んでください。"
                   if outcome not in OUTCOMES else None)
        if problem:
            return _client_page(request, db, account, client, message=problem, status=422)
        service.record_outcome(db, account, client, program_id=program_id, outcome=outcome)
    return _see_other(f"/console/clients/{client_id}?" + urlencode({"saved": "outcome"}) + "#outcomes")


@router.get("/clients/{client_id}/compare", response_class=HTMLResponse)
def compare(request: Request, client_id: int) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id, action="compare")
        matcher = _matcher(request)
        ids = [p for p in dict.fromkeys(request.query_params.getlist("p")) if matcher and p in matcher.catalog.by_id]
        if matcher is None or not 2 <= len(ids) <= 4:
            return _client_page(request, db, account, client, status=422,
                                message=NO_CATALOG if matcher is None else "比較する制度を2〜4件選んでください。")
        columns = analysis.compare(matcher, forms.to_profile(client.profile), ids)
        page = views.ComparePage(**_layout(request, account, f"制度の比較（{client.name}）"), client_id=client_id,
                                 client_name=client.name, columns=columns)
    return render("console/compare.html", page)


# --- consultations and the handout ----------------------------------------------------------------


def _program_choices(request: Request, client: Client, checked: list[str], agreed: list[str]) \
        -> list[views.ProgramChoice]:
    matcher = _matcher(request)
    if matcher is None:
        return []
    result = matcher.recommend(forms.to_profile(client.profile), limit=analysis.RESULT_LIMIT)
    listed = [r.verdict for r in result.results]
    ids = {v.program.id for v in listed}
    extra = [matcher.catalog.by_id[p] for p in checked if p not in ids and p in matcher.catalog.by_id]
    choices = [views.ProgramChoice(v.program.id, v.program.name, analysis.STATUS_LABEL.get(v.status, ""),
                                   v.program.id in checked, v.program.id in agreed) for v in listed]
    return choices + [views.ProgramChoice(p.id, p.name, "", True, p.id in agreed) for p in extra]


@router.get("/clients/{client_id}/consultations/new", response_class=HTMLResponse)
def new_consultation(request: Request, client_id: int) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id)
        page = views.ConsultationFormPage(
            **_layout(request, account, f"相談の記録（{client.name}）"), client_id=client_id, client_name=client.name,
            held_on=dt.date.today().isoformat(), themes=views.theme_choices([]), notes="", next_steps="",
            programs=_program_choices(request, client, [], []))
    return render("console/consultation_form.html", page)


@router.post("/clients/{client_id}/consultations/new")
async def create_consultation(request: Request, client_id: int) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        client = service.client_for(db, account, client_id, action="")
        entry, errors = forms.parse_consultation(form, set(_program_names(request)))
        if not csrf_ok(request, form):
            errors["csrf"] = EXPIRED
        if errors or entry.held_on is None:
            page = views.ConsultationFormPage(
                **_layout(request, account, f"相談の記録（{client.name}）", message=" ".join(errors.values())),
                client_id=client_id, client_name=client.name, held_on=_text(form, "held_on", 20),
                themes=views.theme_choices(entry.themes), notes=entry.notes, next_steps=entry.next_steps,
                programs=_program_choices(request, client, entry.programs, entry.agreed), errors=dict(errors))
            return render("console/consultation_form.html", page, 422)
        saved = service.add_consultation(db, account, client, held_on=entry.held_on, themes=entry.themes,
                                         notes=entry.notes, programs=entry.programs, agreed=entry.agreed,
                                         next_steps=entry.next_steps)
    return _see_other(f"/console/clients/{client_id}?" + urlencode({"consultation": saved.id}) + "#history")


def _handout_page(request: Request, consultation_id: int, action: str) -> views.HandoutPage | Response:
    matcher = _matcher(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        entry, client = service.consultation_for(db, account, consultation_id, action=action)
        if matcher is None:
            return error_page(request, 503, NO_CATALOG)
        ids = [p for p in (entry.agreed or entry.programs) if p in matcher.catalog.by_id]
        content = analysis.handout(matcher, forms.to_profile(entry.profile), ids, client.office)
        advisor = service.advisor_names(db, {entry.advisor_id}).get(entry.advisor_id, "")
        return views.HandoutPage(
            **_layout(request, account, f"ご相談のまとめ（{client.name}）"), client_name=client.name,
            held_on=text.date_ja(entry.held_on), advisor=advisor, office=f"{client.office}よろず支援拠点",
            handout=content, next_steps=entry.next_steps, themes="、".join(entry.themes),
            pdf_url=f"/console/consultations/{consultation_id}/handout.pdf", back_url=f"/console/clients/{client.id}")


@router.get("/consultations/{consultation_id}/handout", response_class=HTMLResponse)
def handout(request: Request, consultation_id: int) -> Response:
    page = _handout_page(request, consultation_id, "handout")
    return page if isinstance(page, Response) else render("console/handout.html", page)


@router.get("/consultations/{consultation_id}/handout.pdf")
def handout_pdf(request: Request, consultation_id: int) -> Response:
    page = _handout_page(request, consultation_id, "handout_pdf")
    if isinstance(page, Response):
        return page
    from web.console.pdf import handout_pdf as make_pdf  # reportlab is imported only when a PDF is asked for

    body = make_pdf(page)
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="handout-{consultation_id}.pdf"', "Cache-Control": "no-store"})


# --- the 拠点: reports, audit, accounts -----------------------------------------------------------


def _report(request: Request, db: Session, account: ConsoleAccount) -> service.OfficeReport:
    year_text = request.query_params.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else dt.date.today().year
    office = request.query_params.get("office", account.office)
    if office not in PREFECTURES:
        office = account.office
    return service.office_report(db, account, office, year)


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        report = _report(request, db, account)
        this_year = dt.date.today().year
        page = views.ReportPage(**_layout(request, account, f"{report.office}の相談の集計"), report=report,
                                program_names=_program_names(request), outcome_labels=OUTCOMES,
                                years=list(range(this_year, this_year - 5, -1)),
                                offices=list(PREFECTURES) if account.role == "system_admin" else [account.office],
                                max_month=max((c for _, c in report.consultations_by_month), default=0) or 1)
    return render("console/reports.html", page)


@router.get("/reports.csv")
def reports_csv(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        report = _report(request, db, account)
    body = service.report_csv(report, _program_names(request))
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="report-{report.year}.csv"', "Cache-Control": "no-store"})


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        entries = service.audit_entries(db, account)
        who = service.advisor_names(db, {e.account_id for e in entries if e.account_id})
        ids = {e.client_id for e in entries if e.client_id}
        names = {c.id: c.name for c in db.exec(select(Client).where(col(Client.id).in_(ids))).all()} if ids else {}
        page = views.AuditPage(**_layout(request, account, "閲覧・変更の記録"),
                               entries=[views.audit_line(e, who, names) for e in entries])  # type: ignore[arg-type]
    return render("console/audit.html", page)


def _accounts_page(request: Request, db: Session, account: ConsoleAccount, message: str | None = None,
                   notice: str | None = None, form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    rows = [views.AccountRow(a.name, a.email, ROLES.get(a.role, a.role), a.office, a.active)
            for a in service.office_accounts(db, account)]
    roles = [(k, v) for k, v in ROLES.items() if account.role == "system_admin" or k != "system_admin"]
    page = views.AccountsPage(**_layout(request, account, "アカウント", message=message, notice=notice),
                              accounts=rows, roles=roles, default_office=account.office, form=form or {},
                              offices=list(PREFECTURES) if account.role == "system_admin" else [account.office])
    return render("console/accounts.html", page, status)


@router.get("/accounts", response_class=HTMLResponse)
def accounts(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        return _accounts_page(request, db, account)


@router.post("/accounts")
async def add_account(request: Request) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_admin(account)
        fields = {k: _text(form, k) for k in ("email", "name", "role", "office")}
        if not csrf_ok(request, form):
            return _accounts_page(request, db, account, EXPIRED, form=fields, status=400)
        password = form.get("password")
        try:
            created = service.create_account(db, by=account, password=password if isinstance(password, str) else "",
                                             **fields)
        except (service.InvalidAccount, service.Forbidden) as exc:
            db.rollback()
            return _accounts_page(request, db, account, exc.message, form=fields, status=exc.status)
        return _accounts_page(request, db, account, notice=f"{created.name}さんのアカウントを作りました。")

"""The console's partner API keys page (/console/partners), for system admins.

Thin routes like the rest of the console (``web.console.routes``): forms read by hand, CSRF on every POST,
one ``unit_of_work`` per request, and only system admins get past ``service.require_system_admin``.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.engine import Engine

from rules.regions import PREFECTURES
from web.console import forms, service, views
from web.console.db import unit_of_work
from web.console.models import ConsoleAccount
from web.console.routes import EXPIRED, _account, _engine, _form, _layout
from web.partners import keys, limits
from web.site.render import render
from web.site.security import csrf_ok

router = APIRouter(prefix="/console", include_in_schema=False)

KEY_ID = re.compile(r"k_[0-9a-f]{1,14}")  # as keys.add_key makes them; anything else is not a key


# --- partner API keys -----------------------------------------------------------------------------


def _partner_groups(engine: Engine) -> list[views.PartnerGroup]:
    return views.partner_groups(keys.list_keys(engine), limits.usage(engine, None, days=views.USAGE_DAYS))


def _partners_page(request: Request, account: ConsoleAccount, *, form: forms.KeyInput | None = None,
                   errors: dict[str, str] | None = None, message: str | None = None, notice: str | None = None,
                   new_key: views.NewKey | None = None, status: int = 200) -> HTMLResponse:
    page = views.PartnersPage(**_layout(request, account, "パートナーのAPIキー", message=message, notice=notice),
                              partners=_partner_groups(_engine(request)), form=form or forms.KeyInput(),
                              errors=errors or {}, prefectures=list(PREFECTURES), new_key=new_key)
    return render("console/partners.html", page, status)


@router.get("/partners", response_class=HTMLResponse)
def partners(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
    return _partners_page(request, account)


@router.post("/partners/keys")
async def create_key(request: Request) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
        entry, errors = forms.parse_key(form)
        if not csrf_ok(request, form):
            return _partners_page(request, account, form=entry, message=EXPIRED, status=400)
        if errors:
            return _partners_page(request, account, form=entry, errors=dict(errors), status=422,
                                  message="入力内容を確かめてください。")
        key, token = service.create_partner_key(db, account, partner=entry.partner, origins=entry.origins,
                                                per_minute=entry.per_minute, per_day=entry.per_day,
                                                prefecture=entry.prefecture or None)
    # rendered after the commit, so the list already holds the new key
    return _partners_page(request, account, new_key=views.NewKey(key.id, entry.partner, token))


def _known_id(key_id: str) -> str:
    if not KEY_ID.fullmatch(key_id):
        raise service.NotFoundHere("このAPIキーは見つかりません。一覧から開き直してください。")
    return key_id


def _key_page(request: Request, account: ConsoleAccount, key_id: str, *, message: str | None = None,
              status: int = 200) -> HTMLResponse:
    found = [(group, key) for group in _partner_groups(_engine(request)) for key in group.keys if key.id == key_id]
    if not found:
        raise service.NotFoundHere("このAPIキーは見つかりません。一覧から開き直してください。")
    group, key = found[0]
    page = views.RevokeKeyPage(**_layout(request, account, f"APIキー {key.id} の失効", message=message),
                               partner=group, key=key)
    return render("console/revoke_key.html", page, status)


@router.get("/partners/keys/{key_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(request: Request, key_id: str) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
    return _key_page(request, account, _known_id(key_id))


@router.post("/partners/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> Response:
    form = await _form(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
        key_id = _known_id(key_id)
        if not csrf_ok(request, form):
            return _key_page(request, account, key_id, message=EXPIRED, status=400)
        service.revoke_partner_key(db, account, key_id)
    return _partners_page(request, account, notice=f"APIキー {key_id} を失効させました。"
                                                   "このキーを使った呼び出しには、これから401エラーを返します。")

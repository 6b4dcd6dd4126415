"""Partner routes: the partner's own usage (JSON), the admin's key operations, and the widget."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from rules.regions import PREFECTURES
from web.console.auth import signed_in_system_admin
from web.errors import DomainError, InvalidInput, NotFound
from web.partners import frame, keys, limits
from web.partners.config import PartnerSettings
from web.partners.schemas import KeyCreate, KeyCreated, UsageResponse
from web.partners.scope import caller_of
from web.site.render import render
from web.site.security import csrf_header_ok

STATIC = Path(__file__).resolve().parent / "static"


class KeyRequired(DomainError):
    status = 401
    type = "https://shien-match.example/problems/key-required"


class AdminOnly(DomainError):
    status = 403
    type = "https://shien-match.example/problems/forbidden"


def _engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


api_router = APIRouter(prefix="/api/v1", tags=["partners"])


@api_router.get("/usage", response_model=UsageResponse, summary="This key's requests per day and its limits",
                description="APIキーごとの日別利用数と上限。キーが必要です。/ Requires an API key.")
def get_usage(request: Request, days: Annotated[int, Query(ge=1, le=90, description="何日分か / how many days")] = 31,
              ) -> dict[str, Any]:
    caller = caller_of(request)
    if caller is None or caller.anonymous:
        raise KeyRequired("APIキーが必要です", "利用状況を見るにはAPIキーを送ってください。",
                          "Send your API key to see its usage.",
                          errors=[{"field": "Authorization", "message": "APIキーが必要です", "message_en": "an API key is required"}])
    rows = limits.usage(_engine(request), [caller.key_id], days=days)
    return {"partner": caller.partner, "key_id": caller.key_id, "per_minute": caller.per_minute,
            "per_day": caller.per_day,
            "days": [{"date": r["date"], "requests": r["requests"], "rejected": r["rejected"]} for r in rows]}


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def require_admin(request: Request) -> None:
    """Guard of /admin/partners: a console system admin's session, or ``Authorization: Bearer`` with
    SHIEN_PARTNERS_ADMIN_TOKEN (for scripts). A call with the session that changes something must also send
    the session's CSRF token as ``X-CSRF-Token``, so that another site cannot make the browser do it."""
    settings: PartnerSettings = request.app.state.partner_settings
    sent = request.headers.get("authorization", "").partition(" ")[2].strip()
    if settings.admin_token and sent and secrets.compare_digest(sent, settings.admin_token):
        return
    if _console_system_admin(request) and (request.method in SAFE_METHODS or csrf_header_ok(request)):
        return
    raise AdminOnly("権限がありません", "管理者だけが使えます。", "Administrators only.")


def _console_system_admin(request: Request) -> bool:
    if "session" not in request.scope:  # an app without the session middleware has no console login
        return False
    with Session(_engine(request)) as db:
        return signed_in_system_admin(request, db) is not None


admin_router = APIRouter(prefix="/admin/partners", tags=["admin"], include_in_schema=False,
                         dependencies=[Depends(require_admin)])


@admin_router.get("")
def admin_list(request: Request, partner: str | None = None) -> dict[str, Any]:
    return {"keys": keys.list_keys(_engine(request), partner)}


@admin_router.post("/keys", status_code=201, response_model=KeyCreated)
def admin_create(body: KeyCreate, request: Request) -> dict[str, Any]:
    if body.prefecture is not None and body.prefecture not in PREFECTURES:
        raise InvalidInput("prefecture", "都道府県名で指定してください（例: 宮城県）。", "use a prefecture name such as 宮城県")
    try:
        row, token = keys.create_key(_engine(request), body.partner, origins=body.origins, per_minute=body.per_minute,
                                     per_day=body.per_day, prefecture=body.prefecture)
    except ValueError as exc:
        raise InvalidInput("origins", "オリジンは https://example.jp の形で指定してください。", str(exc)) from None
    return {"id": row.id, "partner": body.partner, "token": token}


@admin_router.post("/keys/{key_id}/revoke")
def admin_revoke(key_id: str, request: Request) -> dict[str, Any]:
    if not keys.revoke_key(_engine(request), key_id):
        raise NotFound("見つかりません", f"キー {key_id} はありません。", f"No key {key_id!r}.")
    return {"id": key_id, "revoked": True}


@admin_router.get("/usage")
def admin_usage(request: Request, days: int = 31) -> dict[str, Any]:
    return {"usage": limits.usage(_engine(request), None, days=days)}


widget_router = APIRouter(tags=["widget"], include_in_schema=False)


@widget_router.get("/widget.js")
def widget_script() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})


@widget_router.get("/widget/frame", response_class=HTMLResponse)
def widget_frame(request: Request, key: str = "", color: str | None = None, logo: str | None = None,
                 title: str | None = None, limit: str | None = None, questions: str | None = None) -> HTMLResponse:
    """The widget in a page of its own, for an <iframe>; only the key's own sites may frame it."""
    caller = keys.caller_for(_engine(request), key)
    if caller is None:
        response = render("widget/frame_refused.html", frame.FrameRefusedPage(), status=403)
        response.headers["Content-Security-Policy"] = frame.REFUSED_POLICY
    else:
        response = render("widget/frame.html", frame.FramePage(
            key=key, title=frame.frame_title(title), color=frame.theme_color(color), logo=frame.logo_url(logo),
            limit=frame.result_limit(limit), questions=frame.question_fields(questions)))
        response.headers["Content-Security-Policy"] = frame.frame_policy(caller.origins)
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the key: keep it from logo and program sites
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@widget_router.get("/widget/demo", response_class=HTMLResponse)
def widget_demo(request: Request, key: str = "", color: str = "#0b6e4f") -> HTMLResponse:
    """A partner page with the widget, both ways, as a partner would write it (see docs/api.md)."""
    page = (STATIC / "demo.html").read_text(encoding="utf-8")
    base = str(request.base_url).rstrip("/")
    return HTMLResponse(page.replace("{{ORIGIN}}", _attr(base)).replace("{{KEY}}", _attr(key))
                        .replace("{{COLOR}}", _attr(color)).replace("{{FRAME_SRC}}", _attr(frame_src(base, key, color))))


def frame_src(base: str, key: str, color: str) -> str:
    """The demo's iframe URL (what docs/api.md tells a partner to write)."""
    return f"{base}/widget/frame?" + urlencode({"key": key, "color": color, "title": frame.DEFAULT_TITLE, "limit": 5})


def _attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))

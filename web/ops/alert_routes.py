"""Alert subscriptions over HTTP: subscribe (JSON), the Atom feed, one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from rules.profile import CompanyProfile
from web.errors import InvalidInput, NotFound
from web.ops.alerts import KIND_JA, feed_url, subscribe, unsubscribe_url
from web.ops.models import AlertEvent, AlertSubscription
from web.site.render import render
from web.site.views import Layout, UnsubscribePage

# Not part of the partner API, so kept out of its snapshot-tested OpenAPI document.
router = APIRouter(prefix="/alerts", tags=["alerts"], include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]
ATOM = "http://www.w3.org/2005/Atom"


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: CompanyProfile
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    saved_programs: list[str] = Field(default_factory=list, max_length=200)
    digest: bool = False


@router.post("/subscriptions", status_code=201, summary="Save a profile and subscribe to its alerts")
def create_subscription(body: SubscriptionCreate, request: Request) -> dict[str, Any]:
    catalog = request.app.state.catalog
    for pid in body.saved_programs:
        if catalog is not None and catalog.get(pid) is None:
            raise InvalidInput("saved_programs", f"制度「{pid}」は見つかりません。", "unknown program id")
    row = subscribe(request.app.state.engine, catalog, body.profile.model_dump(mode="json", exclude_none=True),
                    body.email, body.saved_programs, body.digest, dt.date.today())
    base = request.app.state.settings.public_url
    return {"token": row.token, "feed_url": feed_url(base, row.token), "unsubscribe_url": unsubscribe_url(base, row.token)}


def _find(request: Request, token: str) -> AlertSubscription | None:
    with Session(request.app.state.engine) as session:
        row = session.exec(select(AlertSubscription).where(AlertSubscription.token == token)).first()
        if row is not None:
            session.expunge(row)
        return row


def _subscription(request: Request, token: str) -> AlertSubscription:
    row = _find(request, token)
    if row is None:
        raise NotFound("見つかりません", "この配信は見つかりません。", "No such subscription.")
    return row


@router.get("/{token}/feed.atom", summary="The subscription's alerts as an Atom feed")
def feed(token: Token, request: Request) -> Response:
    subscription = _subscription(request, token)
    with Session(request.app.state.engine) as session:
        events = session.exec(select(AlertEvent).where(AlertEvent.subscription_id == subscription.id)
                              .order_by(col(AlertEvent.id).desc()).limit(50)).all()
    base = request.app.state.settings.public_url.rstrip("/")
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = "支援策マッチ: お知らせ"
    ET.SubElement(root, "id").text = feed_url(base, token)
    ET.SubElement(root, "link", rel="self", href=feed_url(base, token))
    updated = max((e.created_at for e in events), default=subscription.created_at)
    ET.SubElement(root, "updated").text = _iso(updated)
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "支援策マッチ"
    for event in events:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = f"{KIND_JA[event.kind]}: {event.title}"
        ET.SubElement(entry, "id").text = f"urn:shien-match:alert:{subscription.id}:{event.key}"
        ET.SubElement(entry, "updated").text = _iso(event.created_at)
        ET.SubElement(entry, "link", href=f"{base}/programs/{event.program_id}")
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=moment.tzinfo or dt.UTC).isoformat(timespec="seconds")


MISSING = "このお知らせは見つかりませんでした。メールのリンクを最後まで正しく開いたか確かめてください。"


def _page(token: str, state: str, title: str) -> HTMLResponse:
    return render("unsubscribe.html", UnsubscribePage(title=title, csrf_token="", state=state,
                                                      action=f"/alerts/{token}/unsubscribe"))


def _missing() -> HTMLResponse:
    return render("notfound.html", Layout(title="見つかりません", csrf_token="", message=MISSING), 404)


@router.get("/{token}/unsubscribe", response_class=HTMLResponse, summary="Confirm unsubscribing")
def unsubscribe_page(token: Token, request: Request) -> HTMLResponse:
    """A button, not an action: link scanners that open every URL in a mail must not unsubscribe anyone."""
    subscription = _find(request, token)
    if subscription is None:
        return _missing()
    if not subscription.active:
        return _page(token, "already", "配信は停止済みです")
    return _page(token, "ask", "お知らせの配信停止")


@router.post("/{token}/unsubscribe", response_class=HTMLResponse, summary="Unsubscribe (one click, RFC 8058)")
def unsubscribe(token: Token, request: Request) -> HTMLResponse:
    """The token is the credential (no CSRF cookie: a mail client posts here for the one-click button)."""
    with Session(request.app.state.engine) as session:
        row = session.exec(select(AlertSubscription).where(AlertSubscription.token == token)).first()
        if row is None:
            return _missing()
        row.active = False
        session.add(row)
        session.commit()
    return _page(token, "stopped", "配信を停止しました")

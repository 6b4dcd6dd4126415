"""Alert subscriptions over HTTP: subscribe (JSON), the Atom feed, one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Annotated, Any
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from rules.profile import CompanyProfile
from web.errors import InvalidInput, NotFound
from web.ops.alerts import KIND_JA, subscribe
from web.ops.models import AlertEvent, AlertSubscription

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
    base = request.app.state.settings.public_url.rstrip("/")
    return {"token": row.token, "feed_url": f"{base}/alerts/{row.token}/feed.atom",
            "unsubscribe_url": f"{base}/alerts/{row.token}/unsubscribe"}


def _subscription(request: Request, token: str) -> AlertSubscription:
    with Session(request.app.state.engine) as session:
        row = session.exec(select(AlertSubscription).where(AlertSubscription.token == token)).first()
        if row is None:
            raise NotFound("見つかりません", "この配信は見つかりません。", "No such subscription.")
        session.expunge(row)
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
    ET.SubElement(root, "id").text = f"{base}/alerts/{token}/feed.atom"
    ET.SubElement(root, "link", rel="self", href=f"{base}/alerts/{token}/feed.atom")
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


PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} | 支援策マッチ</title></head>
<body><main><h1>{title}</h1>{body}<p><a href="/">トップページへ戻る</a></p></main></body></html>"""


@router.get("/{token}/unsubscribe", response_class=HTMLResponse, summary="Confirm unsubscribing")
def unsubscribe_page(token: Token, request: Request) -> HTMLResponse:
    """A button, not an action: link scanners that open every URL in a mail must not unsubscribe anyone."""
    subscription = _subscription(request, token)
    if not subscription.active:
        return HTMLResponse(PAGE.format(title="配信は停止済みです", body="<p>このお知らせはすでに停止しています。</p>"))
    form = (f'<form method="post" action="/alerts/{escape(token)}/unsubscribe">'
            '<button type="submit">お知らせの配信を停止する</button></form>')
    return HTMLResponse(PAGE.format(title="お知らせの配信停止", body=form))


@router.post("/{token}/unsubscribe", response_class=HTMLResponse, summary="Unsubscribe (one click, RFC 8058)")
def unsubscribe(token: Token, request: Request) -> HTMLResponse:
    """The token is the credential (no CSRF cookie: a mail client posts here for the one-click button)."""
    subscription = _subscription(request, token)
    with Session(request.app.state.engine) as session:
        row = session.get(AlertSubscription, subscription.id)
        assert row is not None
        row.active = False
        session.add(row)
        session.commit()
    return HTMLResponse(PAGE.format(title="配信を停止しました", body="<p>今後、このお知らせは届きません。</p>"))

"""Alerts: a saved profile hears about programs that fit it (added, opened, deadline in two weeks) by
e-mail (a local aiosmtpd server) and by Atom; no duplicates; digest mode; one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes, policy
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from tests.builders import program
from tests.web.ops.conftest import PROGRAMS, ops_app, publish
from web.ops.alerts import MailSettings, case_subscriptions, detect, email_address, send_pending, subscribe

aiosmtpd = pytest.importorskip("aiosmtpd.controller")

TODAY = dt.date(2026, 9, 1)
PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 10, "capital_yen": 10_000_000}
BIG = {**PROFILE, "employees": 500, "capital_yen": 5_000_000_000}
CLOSING = program(id="ops_closing", name="締切が近い補助金", windows=[(dt.date(2026, 8, 1), TODAY + dt.timedelta(days=10))])
OPENING = program(id="ops_opening", name="もうすぐ始まる補助金", windows=[(TODAY + dt.timedelta(days=1), dt.date(2026, 12, 1))])
NEW = program(id="ops_new", name="新しい補助金")


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def] # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, MailSettings("127.0.0.1", port, "支援策マッチ <noreply@example.jp>", "https://shien.example.jp")
    controller.stop()


def catalog(*programs) -> Catalog:  # type: ignore[no-untyped-def]
    return Catalog([*PROGRAMS, *programs])


def test_a_subscriber_hears_once_of_what_is_added_opens_and_closes_soon(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, mail = smtp
    subscription = subscribe(engine, catalog(CLOSING, OPENING), PROFILE, "owner@example.jp", ["ops_closing"],
                             digest=False, today=TODAY)
    assert send_pending(engine, mail) == 0  # what fits at subscription time is not news

    later = catalog(CLOSING, OPENING, NEW)
    assert detect(engine, later, TODAY + dt.timedelta(days=1)) == 3  # added, opened, deadline
    assert detect(engine, later, TODAY + dt.timedelta(days=1)) == 0  # a second run: no duplicates
    assert detect(engine, later, TODAY + dt.timedelta(days=2)) == 0  # nor the next day
    assert send_pending(engine, mail) == 3 and send_pending(engine, mail) == 0
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert any("新しく追加された制度: 新しい補助金" in s for s in subjects)
    assert any("受付が始まった制度: もうすぐ始まる補助金" in s for s in subjects)
    assert any("締切まで2週間の制度: 締切が近い補助金" in s for s in subjects)
    first = inbox.messages[0]
    assert first["To"] == "owner@example.jp"
    assert first["List-Unsubscribe"] == f"<https://shien.example.jp/alerts/{subscription.token}/unsubscribe>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_program_that_does_not_fit_is_never_announced(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, mail = smtp
    subscribe(engine, catalog(), BIG, "big@example.jp", [], digest=False, today=TODAY)
    small_only = program(id="ops_small_only", rule={"fact": "employees", "op": "le", "value": 20})
    assert detect(engine, catalog(small_only), TODAY) == 0
    assert send_pending(engine, mail) == 0 and inbox.messages == []


def test_digest_mode_sends_one_mail_with_every_event(engine: Engine, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, mail = smtp
    subscribe(engine, catalog(), PROFILE, "digest@example.jp", [], digest=True, today=TODAY)
    detect(engine, catalog(NEW, program(id="ops_new2", name="新しい補助金2")), TODAY)
    assert send_pending(engine, mail) == 1
    (digest,) = inbox.messages
    assert "2件" in digest["Subject"]
    body = digest.get_body().get_content()
    assert "新しい補助金\n" in body and "新しい補助金2" in body


def test_subscribe_feed_and_one_click_unsubscribe_over_http(engine: Engine, tmp_path, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, mail = smtp
    publish(engine)
    with TestClient(ops_app(engine, tmp_path)) as client:
        created = client.post("/alerts/subscriptions", json={"profile": PROFILE, "email": "web@example.jp"})
        assert created.status_code == 201
        token = created.json()["token"]
        bad = client.post("/alerts/subscriptions", json={"profile": PROFILE, "saved_programs": ["nope"]})
        assert bad.status_code == 422
        detect(engine, catalog(NEW), dt.date.today())
        atom = client.get(f"/alerts/{token}/feed.atom")
        assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(atom.content)
        entries = root.findall("{http://www.w3.org/2005/Atom}entry")
        assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries] == ["新しく追加された制度: 新しい補助金"]
        assert client.get(f"/alerts/{token}/unsubscribe").status_code == 200  # GET only asks
        assert "<h1>配信を停止しました</h1>" in client.post(f"/alerts/{token}/unsubscribe").text
        assert send_pending(engine, mail) == 0 and inbox.messages == []  # stopped: nothing e-mailed
        assert "停止済み" in client.get(f"/alerts/{token}/unsubscribe").text
        assert client.get("/alerts/unknown-token/feed.atom").status_code == 404


def test_subscribing_again_from_the_same_case_and_address_updates_the_one_subscription(engine: Engine) -> None:
    first = subscribe(engine, catalog(CLOSING), PROFILE, "owner@example.jp", ["ops_closing"], digest=False,
                      today=TODAY, case_token="case-a")
    small_only = program(id="ops_small_only", rule={"fact": "employees", "op": "le", "value": 20})
    again = subscribe(engine, catalog(CLOSING, NEW, small_only), BIG, "owner@example.jp", [], digest=True,
                      today=TODAY + dt.timedelta(days=3), case_token="case-a")
    assert again.id == first.id and again.token == first.token  # the same feed and unsubscribe links
    assert (again.profile, again.saved_programs, again.digest) == (BIG, [], True)
    assert "ops_new" in again.known_programs  # fits now, and the owner has just seen it on the results page
    assert "ops_small_only" not in again.known_programs  # does not fit BIG: still news if it ever does
    assert set(first.known_programs) <= set(again.known_programs)  # what was announced is not announced again

    assert [s.id for s in case_subscriptions(engine, "case-a")] == [first.id]
    other_address = subscribe(engine, catalog(), PROFILE, "adviser@example.jp", [], digest=False, today=TODAY,
                              case_token="case-a")
    feed_only = subscribe(engine, catalog(), PROFILE, None, [], digest=False, today=TODAY, case_token="case-a")
    assert subscribe(engine, catalog(), PROFILE, None, [], digest=False, today=TODAY, case_token="case-a").id == feed_only.id
    assert [s.id for s in case_subscriptions(engine, "case-a")] == [feed_only.id, other_address.id, first.id]
    assert case_subscriptions(engine, "case-b") == []
    # without a case (the JSON endpoint) every call is a subscription of its own, as before
    assert subscribe(engine, catalog(), PROFILE, "x@example.jp", [], False, TODAY).id != \
        subscribe(engine, catalog(), PROFILE, "x@example.jp", [], False, TODAY).id


def test_subscribing_again_after_unsubscribing_starts_the_same_subscription_again(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    publish(engine)
    first = subscribe(engine, catalog(), PROFILE, "owner@example.jp", [], digest=False, today=TODAY, case_token="case-c")
    with TestClient(ops_app(engine, tmp_path)) as client:
        assert client.post(f"/alerts/{first.token}/unsubscribe").status_code == 200
    assert case_subscriptions(engine, "case-c") == []
    later = TODAY + dt.timedelta(days=30)
    again = subscribe(engine, catalog(), PROFILE, "owner@example.jp", [], digest=False, today=later, case_token="case-c")
    assert again.token == first.token and again.active and again.checked_on == later  # stopped meanwhile: no backlog


@pytest.mark.parametrize(("typed", "address"), [
    ("owner@example.jp", "owner@example.jp"),
    ("  Owner@Example.JP ", "owner@example.jp"),
    ("ｏｗｎｅｒ＠ｅｘａｍｐｌｅ．ｊｐ", "owner@example.jp"),  # typed with the IME still on
    ("a.b+alerts@mail.example.co.jp", "a.b+alerts@mail.example.co.jp"),
    ("", None),
    ("   ", None),
])
def test_an_address_is_read_as_owners_type_it(typed: str, address: str | None) -> None:
    assert email_address(typed) == address


@pytest.mark.parametrize("typed", ["owner", "owner@", "@example.jp", "owner@example", "owner@@example.jp",
                                   "owner@exa mple.jp", "a@example.jp, b@example.jp", "owner@example.jp\nBcc: x@y.jp",
                                   "山田 <owner@example.jp>", "owner@-example.jp", "a" * 200 + "@example.jp"])
def test_anything_but_one_plain_address_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        email_address(typed)


def test_the_unsubscribe_pages_look_like_the_rest_of_the_site(engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    publish(engine)
    row = subscribe(engine, catalog(), PROFILE, "owner@example.jp", [], digest=False, today=TODAY)
    with TestClient(ops_app(engine, tmp_path)) as client:
        ask = client.get(f"/alerts/{row.token}/unsubscribe")
        assert ask.status_code == 200 and ask.headers["content-type"].startswith("text/html")
        assert '<link rel="stylesheet" href="/static/site.css">' in ask.text and "本文へ移動" in ask.text
        assert f'<form method="post" action="/alerts/{row.token}/unsubscribe">' in ask.text
        assert "お知らせの配信を停止する</button>" in ask.text and 'name="csrf_token"' not in ask.text
        # a mail client's one-click button (RFC 8058): a POST with the token alone
        stopped = client.post(f"/alerts/{row.token}/unsubscribe", data={"List-Unsubscribe": "One-Click"})
        assert stopped.status_code == 200 and "<h1>配信を停止しました</h1>" in stopped.text and "site.css" in stopped.text
        assert "停止済み" in client.get(f"/alerts/{row.token}/unsubscribe").text
        missing = client.get("/alerts/" + "x" * 32 + "/unsubscribe")
        assert missing.status_code == 404 and "site.css" in missing.text and "見つかりませんでした" in missing.text
        assert client.post("/alerts/" + "x" * 32 + "/unsubscribe").status_code == 404

"""「お知らせ」 on the site, as an owner would notice it: a form under the results, a page that says what
will come and where, one subscription however often they press the button, and a way to stop it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.app import create_app
from web.ops.alerts import case_subscriptions
from web.settings import Settings
from web.site import alerts, cases

from .site_helpers import answer, case_token, csrf_of, start_case

PUBLIC = "https://shien.example.jp"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(module_engine: Engine, catalog_programs) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    publish_catalog(module_engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    app = create_app(Settings(environment="test", database_url="sqlite://", public_url=PUBLIC), engine=module_engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


@pytest.fixture
def owner(site: TestClient) -> Iterator[TestClient]:
    site.cookies.clear()
    yield site
    site.cookies.clear()


@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    return module_engine


def small_maker(owner: TestClient) -> str:
    """A small manufacturer in 宮城県 answers the first questions; returns the case's token."""
    start_case(owner)
    for field, data in {"prefecture": {"value": "宮城県"}, "industry": {"value": "E"}, "employees": {"value": "25"},
                        "capital_yen": {"value": "1000"}, "purposes": {"value": ["equipment"]}}.items():
        assert answer(owner, field, **data).status_code == 303, field
    return case_token(owner)


def alerts_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="alerts-h" id="alerts">.*?</section>', html, re.S)
    assert match, "no 「お知らせ」 section on the results page"
    return match.group(0)


def offered(html: str) -> list[str]:
    return re.findall(r'name="watch" value="([^"]+)"', alerts_section(html))


def card_ids(html: str, heading: str) -> list[str]:
    part = html.split(f">{heading}</h2>", 1)[1].split("<h2 ", 1)[0]
    return re.findall(r'<article class="card [a-z]*" id="([^"]+)"', part)


def subscribe_form(owner: TestClient, **data: object) -> object:
    page = owner.get("/results").text
    return owner.post("/results/alerts", data={"csrf_token": csrf_of(page), **data})


def path_of(url: str) -> str:
    assert url.startswith(PUBLIC + "/"), url
    return url[len(PUBLIC):]


# --- the form ---------------------------------------------------------------------------------------


def test_the_results_page_offers_alerts_for_the_programs_it_shows(owner: TestClient) -> None:
    small_maker(owner)
    page = owner.get("/results").text
    section = alerts_section(page)
    assert "<h2 id=\"alerts-h\">新しい制度や締切をお知らせします</h2>" in section
    assert '<form method="post" action="/results/alerts#alerts" novalidate>' in section
    assert 'name="csrf_token"' in section and '<input type="email" id="alert-email" name="email"' in section
    assert '<label for="alert-email">' in section and '<label for="alert-digest">メールは1日分をまとめて1通で受け取る' in section
    shown = card_ids(page, "対象になりそうな制度") + card_ids(page, "確認が必要な制度")
    assert shown and offered(page) == shown  # every 対象/要確認 card, in the page's order
    assert not set(offered(page)) & set(card_ids(page, "あと一歩の制度"))
    assert "お知らせを登録する</button>" in section and "登録済み" not in section


def test_subscribing_saves_the_case_and_says_what_will_come_with_a_feed_that_works(owner: TestClient,
                                                                                  engine: Engine) -> None:
    token = small_maker(owner)
    watched = offered(owner.get("/results").text)[:2]
    response = subscribe_form(owner, email=" Owner@Example.JP ", digest="1", watch=watched)
    assert response.status_code == 303 and response.headers["location"] == "/results/alerts?saved=new"

    (saved,) = case_subscriptions(engine, token)
    case = cases.find_case(engine, token)
    assert case is not None and saved.profile == alerts.saved_profile(case.answers)
    assert saved.profile["prefecture"] == "宮城県" and saved.profile["employees"] == 25
    assert (saved.email, saved.digest, saved.saved_programs) == ("owner@example.jp", True, watched)

    page = owner.get(response.headers["location"])
    assert page.status_code == 200 and "お知らせを登録しました" in page.text
    for told in ("回答に合う制度（対象・要確認）が新しく加わったとき", "受付が始まったとき", "締切まで14日を切ったとき",
                 "1日分をまとめて1通で送ります", "owner@example.jp",
                 "いまは、このサイトからメールを送っていません"):  # no SHIEN_SMTP_HOST in these tests: said plainly
        assert told in page.text, told
    feed = re.search(r'<input type="text" id="feed-1" readonly value="([^"]+)"', page.text)
    assert feed and feed.group(1) == f"{PUBLIC}/alerts/{saved.token}/feed.atom"
    assert f'href="/alerts/{saved.token}/unsubscribe">お知らせを止める</a>' in page.text
    assert f'href="/alerts/{saved.token}/feed.atom">フィードを開く</a>' in page.text
    atom = owner.get(path_of(feed.group(1)))
    assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    assert ET.fromstring(atom.content).tag == f"{ATOM}feed"


def test_without_an_email_the_feed_alone_is_subscribed(owner: TestClient, engine: Engine) -> None:
    token = small_maker(owner)
    assert subscribe_form(owner, email="").status_code == 303
    (saved,) = case_subscriptions(engine, token)
    assert saved.email is None and saved.saved_programs == []
    page = owner.get("/results/alerts").text
    assert "フィードで受け取るお知らせ（メールなし）" in page and "選んでいません" in page
    assert "メールを送っていません" not in page  # nothing to say about mail to someone who gave no address


# --- refused, with the form back ------------------------------------------------------------------


@pytest.mark.parametrize("email", ["owner", "owner@example", "a@example.jp, b@example.jp", "山田 <a@example.jp>",
                                   "a@example.jp\r\nBcc: x@example.jp", "x" * 5000])
def test_a_bad_email_gets_the_form_back_with_a_message_and_saves_nothing(owner: TestClient, engine: Engine,
                                                                         email: str) -> None:
    token = small_maker(owner)
    watched = offered(owner.get("/results").text)[:1]
    response = subscribe_form(owner, email=email, digest="1", watch=watched)
    assert response.status_code == 422
    assert alerts.BAD_EMAIL in response.text and 'role="alert"' in response.text
    section = alerts_section(response.text)
    assert 'aria-invalid="true" aria-describedby="alert-email-err"' in section
    assert f'value="{watched[0]}" checked' in section and 'id="alert-digest" name="digest" value="1" checked' in section
    assert case_subscriptions(engine, token) == []


def test_a_program_that_was_not_offered_cannot_be_watched(owner: TestClient, engine: Engine) -> None:
    token = small_maker(owner)
    response = subscribe_form(owner, email="owner@example.jp", watch=["no-such-program"])
    assert response.status_code == 422 and alerts.BAD_PROGRAM in response.text
    assert case_subscriptions(engine, token) == []


def test_a_post_without_a_valid_csrf_token_is_refused(owner: TestClient, engine: Engine) -> None:
    token = small_maker(owner)
    for body in ({"csrf_token": "forged", "email": "owner@example.jp"}, {"email": "owner@example.jp"}):
        response = owner.post("/results/alerts", data=body)
        assert response.status_code == 400 and "有効期限" in response.text
    assert case_subscriptions(engine, token) == []


def test_a_case_with_no_answers_yet_cannot_subscribe(owner: TestClient, engine: Engine) -> None:
    start_case(owner)
    page = owner.get("/results").text
    section = alerts_section(page)
    assert 'name="email"' not in section and '<a href="/q">質問に答える</a>' in section
    response = owner.post("/results/alerts", data={"csrf_token": csrf_of(page), "email": "owner@example.jp"})
    assert response.status_code == 400 and alerts.NO_ANSWERS in response.text
    assert case_subscriptions(engine, case_token(owner)) == []
    owner.cookies.clear()  # no case at all
    nobody = owner.post("/results/alerts", data={"email": "owner@example.jp"})
    assert nobody.status_code == 400 and "はじめる" in nobody.text
    assert owner.get("/results/alerts").status_code == 200  # the start page, with a message


# --- again, and stopping ----------------------------------------------------------------------------


def test_subscribing_again_with_the_same_email_updates_the_one_subscription(owner: TestClient,
                                                                           engine: Engine) -> None:
    token = small_maker(owner)
    first_choice, second_choice = offered(owner.get("/results").text)[:2]
    assert subscribe_form(owner, email="owner@example.jp", watch=[first_choice]).status_code == 303
    (first,) = case_subscriptions(engine, token)

    results = owner.get("/results").text
    section = alerts_section(results)
    assert "登録済み" in section and 'href="/results/alerts"' in section
    assert 'value="owner@example.jp"' in section and f'value="{first_choice}" checked' in section  # as saved

    again = subscribe_form(owner, email="ＯＷＮＥＲ＠example.jp", digest="1", watch=[second_choice])
    assert again.status_code == 303 and again.headers["location"] == "/results/alerts?saved=updated"
    (updated,) = case_subscriptions(engine, token)
    assert updated.token == first.token and (updated.saved_programs, updated.digest) == ([second_choice], True)
    page = owner.get(again.headers["location"]).text
    assert "登録し直しました" in page and "フィードのURLと配信停止のリンクは前と同じです" in page

    assert subscribe_form(owner, email="adviser@example.jp").headers["location"] == "/results/alerts?saved=new"
    assert len(case_subscriptions(engine, token)) == 2  # another address is another subscription
    both = owner.get("/results/alerts").text
    assert "owner@example.jp へのお知らせ" in both and "adviser@example.jp へのお知らせ" in both


def test_the_owner_can_stop_the_alerts_from_the_page_that_confirmed_them(owner: TestClient, engine: Engine) -> None:
    token = small_maker(owner)
    subscribe_form(owner, email="owner@example.jp")
    confirmed = owner.get("/results/alerts").text
    link = re.search(r'<a href="([^"]+)">お知らせを止める</a>', confirmed)
    assert link
    ask = owner.get(link.group(1))
    assert ask.status_code == 200 and 'href="/static/site.css"' in ask.text  # the site's look, not a bare page
    action = re.search(r'<form method="post" action="([^"]+)">', ask.text)
    assert action and case_subscriptions(engine, token)  # opening the link stopped nothing
    stopped = owner.post(action.group(1))
    assert stopped.status_code == 200 and "<h1>配信を停止しました</h1>" in stopped.text
    assert case_subscriptions(engine, token) == []
    assert owner.get("/results/alerts").headers["location"] == "/results#alerts"  # nothing left to show
    assert "登録済み" not in alerts_section(owner.get("/results").text)
    assert subscribe_form(owner, email="owner@example.jp").headers["location"] == "/results/alerts?saved=new"
    (again,) = case_subscriptions(engine, token)
    assert again.active and link.group(1) == f"/alerts/{again.token}/unsubscribe"  # the same links work again

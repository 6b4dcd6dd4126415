"""A partner embeds the widget, by script or by iframe: a bank's page on another origin, the owner answers and
sees results; a site not on the key's list cannot show the iframe."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.web.partners.server import api_server, free_port, prepared_database
from web.db import make_engine
from web.partners.keys import create_key
from web.partners.routes import frame_src

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO = Path(__file__).resolve().parents[2] / "web" / "partners" / "static" / "demo.html"


class PartnerPages(NamedTuple):
    api: str  # our API's origin
    url: str  # the bank's page (the demo page: script and iframe), on an origin on the key's list
    foreign_url: str  # the same page on an origin that is not on the list


def _serve(directory: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def partner_page(tmp_path_factory: pytest.TempPathFactory, catalog_programs) -> Iterator[PartnerPages]:  # type: ignore[no-untyped-def]
    """Our API on one port, the bank's static page on another (on the key's list), and on a third (not on it)."""
    directory = tmp_path_factory.mktemp("widget")
    database = prepared_database(directory, catalog_programs)
    page_port, foreign_port = free_port(), free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    engine = make_engine(database)
    _, token = create_key(engine, "demo-bank", origins=[page_origin], per_minute=100)
    engine.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    with api_server(database, ARTIFACTS / "widget-server.log") as api:
        html = DEMO.read_text(encoding="utf-8").replace("{{ORIGIN}}", api).replace("{{KEY}}", token)
        html = html.replace("{{FRAME_SRC}}", frame_src(api, token, "#8a2be2").replace("&", "&amp;"))
        (directory / "index.html").write_text(html.replace("{{COLOR}}", "#8a2be2"), encoding="utf-8")
        servers = [_serve(directory, page_port), _serve(directory, foreign_port)]
        try:
            yield PartnerPages(api, page_origin + "/index.html", f"http://127.0.0.1:{foreign_port}/index.html")
        finally:
            for server in servers:
                server.shutdown()


def test_an_owner_uses_the_widget_on_a_banks_page(browser: Any, partner_page: PartnerPages) -> None:
    url = partner_page.url
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(url)
        widget = page.locator("[data-shien-widget]")
        widget.locator("select[name=prefecture]").select_option("宮城県")
        widget.locator("#q-industry").fill("パン屋")  # everyday words, not a JSIC code
        industries = widget.locator("select[name=industry]")
        industries.wait_for(state="visible")
        assert "店でパンを焼いて" in industries.inner_text() and "工場でパンを作り" in industries.inner_text()
        industries.select_option("I5863")
        widget.locator("input[name=employees]").fill("20")
        with page.expect_request(lambda r: r.url.endswith("/api/v1/recommendations")) as sent:
            widget.get_by_role("button", name="結果を見る").click()
        assert json.loads(sent.value.post_data or "{}")["profile"] == {"prefecture": "宮城県", "industry": "I5863",
                                                                        "employees": 20}
        first = widget.locator("li.result").first
        first.wait_for()
        assert widget.locator("li.result").count() >= 1
        assert "対象" in widget.locator(".results").inner_text()
        box, container = widget.bounding_box(), page.locator("main").bounding_box()
        assert box and container and box["width"] <= container["width"] + 1  # sized to its container
        border = widget.locator(".w").evaluate("e => getComputedStyle(e).borderTopColor")
        assert border == "rgb(138, 43, 226)"  # themed by data-color
        ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "widget-on-partner-page.png"), full_page=True)
    finally:
        context.close()


def test_an_owner_uses_the_iframe_widget_on_a_banks_page(browser: Any, partner_page: PartnerPages, shots: Any) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(partner_page.url)
        iframe = page.locator("#shien-frame")
        widget = page.frame_locator("#shien-frame").locator("[data-shien-widget]")
        widget.locator("select[name=prefecture]").select_option("宮城県")
        widget.locator("input[name=employees]").fill("20")
        widget.get_by_role("button", name="結果を見る").click()
        widget.locator("li.result").first.wait_for()
        assert "対象" in widget.locator(".results").inner_text()
        assert widget.locator("h2").inner_text() == "使える支援策を探す"
        assert widget.locator(".w").evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(138, 43, 226)"
        assert iframe.evaluate("f => Math.abs(f.offsetWidth - f.parentElement.clientWidth)") <= 1  # the column's width
        content = page.frame_locator("#shien-frame").locator("body").evaluate("b => b.scrollHeight")
        page.wait_for_function("h => Math.abs(document.getElementById('shien-frame').offsetHeight - h) <= 1", arg=content)
        assert content > 640  # grown past its initial height by the frame's own message: no inner scroll bar
        iframe.scroll_into_view_if_needed()
        shots(page, "results-in-the-frame")
    finally:
        context.close()


def test_a_site_not_on_the_keys_list_cannot_show_the_iframe_widget(browser: Any, partner_page: PartnerPages) -> None:
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused, \
                page.expect_response(lambda r: "/widget/frame?" in r.url) as answered:
            page.goto(partner_page.foreign_url)
        assert answered.value.status == 200  # served, but the browser refuses to show it on this site
        assert "violates the following Content Security Policy directive" in refused.value.text
        page.wait_for_load_state("load")
        child = page.locator("#shien-frame").element_handle().content_frame()  # type: ignore[union-attr]
        assert child is not None and not child.url.startswith(partner_page.api)  # an error page, not ours
        assert page.frame_locator("#shien-frame").locator("[data-shien-widget], select, button").count() == 0
    finally:
        context.close()

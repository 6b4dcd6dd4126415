"""A partner embeds the widget: a bank's page on another origin loads our script, the owner answers, sees results."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.partners.server import api_server, free_port, prepared_database
from web.db import make_engine
from web.partners.keys import create_key

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO = Path(__file__).resolve().parents[2] / "web" / "partners" / "static" / "demo.html"


@pytest.fixture(scope="module")
def partner_page(tmp_path_factory: pytest.TempPathFactory, catalog_programs) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(API origin, partner page URL): our API on one port, the bank's static page on another."""
    directory = tmp_path_factory.mktemp("widget")
    database = prepared_database(directory, catalog_programs)
    page_port = free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    engine = make_engine(database)
    _, token = create_key(engine, "demo-bank", origins=[page_origin], per_minute=100)
    engine.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    with api_server(database, ARTIFACTS / "widget-server.log") as api:
        html = DEMO.read_text(encoding="utf-8").replace("{{ORIGIN}}", api).replace("{{KEY}}", token)
        (directory / "index.html").write_text(html.replace("{{COLOR}}", "#8a2be2"), encoding="utf-8")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield api, page_origin + "/index.html"
        finally:
            server.shutdown()


def test_an_owner_uses_the_widget_on_a_banks_page(browser: Any, partner_page: tuple[str, str]) -> None:
    api, url = partner_page
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(url)
        widget = page.locator("[data-shien-widget]")
        widget.locator("select[name=prefecture]").select_option("宮城県")
        widget.locator("input[name=employees]").fill("20")
        widget.get_by_role("button", name="結果を見る").click()
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

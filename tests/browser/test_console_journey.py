"""Browser journey: an advisor logs in, creates a client, runs a what-if, records an outcome, prints the handout.

Until the console is wired into ``web.main:app``, this journey serves its own app (``console_app`` below:
create_app + install + router) with uvicorn on 127.0.0.1, over a fresh SQLite database with the catalog.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, _free_port

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "advisor@example.jp", "correct horse battery"


def console_app():  # type: ignore[no-untyped-def]
    """uvicorn factory: the site with the console (a no-op once the lead has wired it into create_app)."""
    from web.app import create_app
    from web.console import install, router

    app = create_app()
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        install(app)
        app.include_router(router)
    return app


@pytest.fixture(scope="module")
def console_site(tmp_path_factory: pytest.TempPathFactory, catalog_programs) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from programs.catalog import Catalog
    from programs.store import publish_catalog
    from web.console.db import unit_of_work
    from web.console.service import create_account
    from web.db import make_engine, migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}"
    engine = make_engine(url)
    migrate(engine)
    publish_catalog(engine, catalog_programs, Catalog(catalog_programs).content_hash, source="browser tests")
    with unit_of_work(engine) as db:
        create_account(db, email=EMAIL, name="佐藤 花子", password=PASSWORD, role="advisor", office="宮城県")
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIEN_")}
    env.update(SHIEN_ENVIRONMENT="test", SHIEN_DATABASE_URL=url, SHIEN_LOG_LEVEL="warning",
               SHIEN_RANKER_MODEL=str(tmp_path_factory.getbasetemp() / "no-ranker.skops"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "console-server.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "tests.browser.test_console_journey:console_app",
                                 "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2):  # noqa: S310 - loopback
                    break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        else:
            pytest.fail("the console did not start; see test-artifacts/console-server.log")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def test_advisor_creates_a_client_runs_a_what_if_records_an_outcome_and_prints(browser: Any, console_site: str,
                                                                               shots: Any) -> None:
    context = browser.new_context(base_url=console_site, locale="ja-JP", timezone_id="Asia/Tokyo",
                                  viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    try:
        page.goto("/console")
        page.get_by_label("メールアドレス").fill(EMAIL)
        page.get_by_label("パスワード").fill(PASSWORD)
        shots(page, "login")
        page.get_by_role("button", name="ログイン").click()
        page.get_by_role("heading", name="相談先の一覧").wait_for()

        page.get_by_role("link", name="新しい相談先を登録する").click()
        page.get_by_label("会社名（屋号）").fill("株式会社みやぎ精工")
        page.locator("#f-industry").fill("E")
        page.locator("#f-employees").fill("25")
        page.locator("#f-capital_yen").fill("1000")
        page.locator("#f-planned_investment_yen").fill("2000")
        shots(page, "new-client")
        page.get_by_role("button", name="保存する").click()
        page.get_by_role("heading", name="株式会社みやぎ精工").wait_for()
        assert page.get_by_text("いま確認すると判定が進む項目").is_visible()
        shots(page, "client")

        page.get_by_label("賃上げ率（%）").fill("3")
        page.get_by_label("従業員数（人）").fill("60")
        page.get_by_role("button", name="試算する").click()
        page.get_by_role("heading", name="試算の結果").wait_for()
        assert "従業員数を60人に" in page.locator(".whatif-result").inner_text()
        shots.element(page.locator("#whatif"), "what-if")

        first = page.locator("article.program form.outcome").first
        first.get_by_label("結果").select_option("applied")
        first.get_by_role("button", name="記録する").click()
        page.locator("#outcomes").get_by_text("申請した").wait_for()

        page.get_by_role("link", name="相談を記録する").click()
        page.locator("input[name=themes][value='設備投資']").check()
        page.get_by_label("相談の内容").fill("設備の更新と賃上げを同時に進めたい。")
        page.locator("input[name=agreed]").first.check()
        page.get_by_label("次にやること").fill("見積もりを2社から取る。")
        page.get_by_role("button", name="記録する").click()
        page.get_by_text("設備の更新と賃上げを同時に進めたい。").wait_for()

        page.get_by_role("link", name="配布資料を開く（A4）").click()
        page.get_by_role("heading", name="ご相談のまとめ").wait_for()
        page.emulate_media(media="print")
        shots(page, "handout-print")
        pdf = page.pdf(format="A4")
        (ARTIFACTS / "screenshots" / "console-handout.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF")
        assert not errors, errors
    finally:
        context.close()

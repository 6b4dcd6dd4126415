"""An unexpected error never shows a stack trace: a page in Japanese on the site, problem+json on the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from web.app import create_app
from web.settings import Settings


def _boom() -> None:
    raise RuntimeError("broken")


def test_unexpected_errors_are_a_plain_page_on_the_site_and_problem_json_on_the_api(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'e.db'}"))
    app.add_api_route("/boom", _boom)
    app.add_api_route("/api/v1/boom", _boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert "エラーが発生しました" in page.text and "RuntimeError" not in page.text
        api = client.get("/api/v1/boom")
        assert api.status_code == 500 and api.headers["content-type"].startswith("application/problem+json")

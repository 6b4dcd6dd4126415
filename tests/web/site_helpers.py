"""Small helpers for the site tests: read the CSRF token, open a case, answer as an owner would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FIELD = re.compile(r'name="field" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def start_case(client: TestClient) -> Response:
    """Press 「はじめる」 on the home page; returns the first question page."""
    client.cookies.clear()
    home = client.get("/")
    return client.post("/start", data={"csrf_token": csrf_of(home.text)})


def asked_field(page: Response) -> str:
    match = FIELD.search(page.text)
    assert match, "no question on the page"
    return match.group(1)


def answer(client: TestClient, field: str, *, unknown: bool = False, follow: bool = False, **data: object) -> Response:
    """Answer ``field`` from the question page (as the form would post it)."""
    page = client.get("/q", params={"field": field})
    body: dict[str, object] = {"csrf_token": csrf_of(page.text), "field": field, **data}
    if unknown:
        body["unknown"] = "1"
    return client.post("/q", data=body, follow_redirects=follow)


def case_token(client: TestClient) -> str:
    results = client.get("/results")
    match = re.search(r"/c/([A-Za-z0-9_\-]+)", results.text)
    assert match, "no resume link on the results page"
    return match.group(1)

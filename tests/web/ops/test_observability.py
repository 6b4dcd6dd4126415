"""Request ids in every log line and in the response; metrics by route template, verdicts, catalog version."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from web.ops.logs import JsonFormatter

PROFILE = {"prefecture": "宮城県", "industry": "E", "employees": 10, "capital_yen": 10_000_000}


@pytest.fixture
def json_lines():  # type: ignore[no-untyped-def]
    """Log lines as the production handler writes them."""
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def test_a_given_request_id_is_returned_and_in_every_log_line_of_that_request(client: TestClient, json_lines) -> None:  # type: ignore[no-untyped-def]
    logging.getLogger("shien").info("before")
    response = client.get("/api/v1/programs/ops_alpha", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "abc-123"
    entries = [json.loads(line) for line in json_lines]
    request_lines = [e for e in entries if e["logger"] == "shien.request"]
    assert request_lines and all(e["request_id"] == "abc-123" for e in request_lines)
    line = request_lines[-1]
    assert line["route"] == "/api/v1/programs/{program_id}" and line["status"] == 200 and line["duration_ms"] >= 0
    assert next(e for e in entries if e["message"] == "before")["request_id"] is None


def test_a_request_id_is_generated_when_missing_or_unsafe(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"}).headers["x-request-id"]
    assert len(first) == 32 and len(second) == 32 and first != second


def test_errors_logged_inside_a_request_carry_its_id(client: TestClient, json_lines) -> None:  # type: ignore[no-untyped-def]
    def boom() -> None:
        raise RuntimeError("broken")

    client.app.add_api_route("/api/v1/ops-boom", boom)  # type: ignore[attr-defined]
    response = client.get("/api/v1/ops-boom", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    entries = [json.loads(line) for line in json_lines]
    failure = next(e for e in entries if e["level"] == "error")
    assert failure["request_id"] == "req-500" and "RuntimeError" in failure["exception"]
    assert response.headers["x-request-id"] == "req-500"


def test_metrics_give_latency_by_route_template_verdicts_by_status_and_the_catalog_version(client: TestClient) -> None:
    client.get("/api/v1/programs/ops_alpha")
    client.get("/api/v1/programs/ops_beta")
    assert client.post("/api/v1/recommendations", json={"profile": PROFILE}).status_code == 200
    text = client.get("/metrics").text
    count = [line for line in text.splitlines()
             if line.startswith("shien_http_request_duration_seconds_count")
             and 'route="/api/v1/programs/{program_id}"' in line]
    assert count and float(count[0].rsplit(" ", 1)[1]) == 2.0
    assert "ops_alpha" not in text  # raw paths never become labels
    assert 'shien_verdicts_total{status="eligible"}' in text
    version = client.get("/readyz").json()["catalog_version"]
    assert f'shien_catalog_info{{version="{version}"}} 1.0' in text
    assert "shien_catalog_programs 2.0" in text
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")


def test_alerts_and_metrics_stay_out_of_the_partner_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/alerts") or p == "/metrics"]

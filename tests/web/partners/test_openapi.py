"""The OpenAPI document: complete, snapshot-tested, and honoured (schemathesis finds no 500 and no schema violation).

Refresh the snapshot deliberately with ``SHIEN_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/web/partners/test_openapi.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.store import publish_catalog
from tests.web.partners.conftest import build_app

SNAPSHOT = Path(__file__).resolve().parent / "openapi.snapshot.json"
EXAMPLES_PER_OPERATION = int(os.environ.get("SHIEN_SCHEMATHESIS_EXAMPLES", "50"))


@pytest.fixture(scope="module")
def app(module_engine: Engine, catalog_programs) -> Iterator[FastAPI]:  # type: ignore[no-untyped-def]
    publish_catalog(module_engine, catalog_programs, Catalog(catalog_programs).content_hash, source="test")
    application = build_app(module_engine, anonymous_per_minute=1_000_000, anonymous_per_day=10_000_000)
    from fastapi.testclient import TestClient

    with TestClient(application):  # runs the lifespan: catalog loaded
        yield application


def test_the_openapi_document_matches_its_snapshot(app: FastAPI) -> None:
    document = json.dumps(app.openapi(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("SHIEN_UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(document, encoding="utf-8")
    assert document == SNAPSHOT.read_text(encoding="utf-8"), (
        "the OpenAPI document changed: a breaking change needs /api/v2; an addition needs "
        "SHIEN_UPDATE_OPENAPI_SNAPSHOT=1 and review of the diff")


def test_every_field_and_parameter_is_described_and_every_request_has_an_example(app: FastAPI) -> None:
    document = app.openapi()
    undescribed = [f"{name}.{prop}" for name, schema in document["components"]["schemas"].items()
                   for prop, spec in schema.get("properties", {}).items() if not spec.get("description")]
    undescribed += [f"{path} ?{p['name']}" for path, ops in document["paths"].items() for op in ops.values()
                    for p in op.get("parameters", []) if not p.get("description")]
    assert undescribed == []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path}"
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                ref = body["$ref"].rsplit("/", 1)[-1]
                assert document["components"]["schemas"][ref].get("examples"), ref


def test_every_api_error_is_documented_as_problem_json(app: FastAPI) -> None:
    for path, ops in app.openapi()["paths"].items():
        for op in ops.values():
            for code, response in op["responses"].items():
                if code[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (path, code)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(app: FastAPI, module_engine: Engine) -> None:
    if module_engine.dialect.name != "sqlite":
        pytest.skip("run once, on SQLite (the same app code serves both)")
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import checks as sc

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal ran
            ran += 1
            response = case.call()
            try:
                case.validate_response(response, checks=[sc.not_a_server_error, sc.response_schema_conformance,
                                                         sc.status_code_conformance, sc.content_type_conformance,
                                                         sc.response_headers_conformance])
            except Exception as exc:  # noqa: BLE001 - collected and reported together
                failures.append(f"{case.operation.label}: {exc}"[:2000])
                raise

        try:
            run()
        except Exception:  # noqa: BLE001 - the failure is in `failures`
            pass
    print(f"schemathesis: {ran} examples over {len(list(schema.get_all_operations()))} operations")
    assert failures == [], "\n\n".join(failures[:5])

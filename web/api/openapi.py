"""The OpenAPI document of /api/v1 as partners see it: problem+json errors, the optional partner key, limits.

FastAPI documents a 422 as its own ``HTTPValidationError``; ours is RFC 9457 problem+json (web/errors.py),
so every operation's error answers are rewritten here to what the API really sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

PROBLEM = "application/problem+json"
API_PREFIX = "/api/v1/"


class FieldProblem(BaseModel):
    field: str = Field(description="問題のある項目（ドット区切り、例: profile.employees）/ the field, dotted")
    message: str = Field(description="日本語の説明 / what is wrong, in Japanese")
    message_en: str = Field(description="英語の説明 / what is wrong, in English")


class Problem(BaseModel):
    """RFC 9457 problem details, with the message in Japanese (detail) and English (detail_en)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "https://shien-match.example/problems/validation", "title": "入力内容に誤りがあります", "status": 422,
        "detail": "profile.employees: 従業員数は整数で入力してください",
        "detail_en": "profile.employees: employees must be a whole number",
        "errors": [{"field": "profile.employees", "message": "従業員数は整数で入力してください",
                    "message_en": "employees must be a whole number"}]}]})

    type: str = Field(description="problem type URI (about:blank for plain HTTP errors)")
    title: str = Field(description="短い見出し（日本語）/ short title, Japanese")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="日本語の説明 / explanation in Japanese")
    detail_en: str = Field(description="英語の説明 / explanation in English")
    errors: list[FieldProblem] | None = Field(default=None, description="one entry per invalid field (400, 401, 422)")


LIMIT_HEADERS = {
    "RateLimit-Limit": {"description": "requests allowed in the current window", "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "requests left in the current window", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "seconds until the window resets", "schema": {"type": "integer"}},
}

ERRORS: dict[str, str] = {
    "401": "APIキーが無効か失効している / the key is unknown or revoked",
    "403": "このキーの許可リストにないオリジン / the browser origin is not on the key's allow-list",
    "422": "入力の誤り（項目と日英のメッセージ）/ invalid input: the field and messages in Japanese and English",
    "429": "1分あたりの上限か1日の上限に達した（Retry-After を参照）/ rate limit or daily quota used up",
    "503": "制度の一覧を読み込み中 / the catalog is not loaded yet",
}

NOT_FOUND = "見つからない / no such program"

SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "パートナーのAPIキー（smk_…）。省略すると共有の匿名枠（控えめな上限）で応答します。"
    " / A partner's API key (smk_…). Optional: without it, requests share a modest anonymous limit.",
}


def _problem_response(description: str, with_retry: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description,
                                "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if with_retry:
        response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return response


def partner_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    components["securitySchemes"] = {"partnerKey": SECURITY_SCHEME}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            _document_errors(operation, api=path.startswith(API_PREFIX))
            if "{" in path:
                operation["responses"]["404"] = _problem_response(NOT_FOUND)
    return schema


def _document_errors(operation: dict[str, Any], api: bool) -> None:
    responses = operation.setdefault("responses", {})
    for code in [c for c in responses if c.startswith("4") or c.startswith("5")]:
        responses.pop(code)
    if api:
        operation["security"] = [{}, {"partnerKey": []}]
        for code, text in ERRORS.items():
            responses[code] = _problem_response(text, with_retry=code == "429")
        for code, response in responses.items():
            if code.startswith("2"):
                response.setdefault("headers", {}).update(LIMIT_HEADERS)
    else:
        responses["503"] = _problem_response(ERRORS["503"])


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = partner_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""Errors as RFC 9457 problem+json, mapped in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rules.profile import FIELD_LABELS, messages_for

PROBLEM = "application/problem+json"
log = logging.getLogger("shien")

ERROR_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>エラー | 支援策マッチ</title></head>
<body><main><h1>申し訳ありません。エラーが発生しました</h1>
<p>これまでに保存した回答は消えていません。時間をおいてもう一度お試しください。</p>
<p><a href="/">トップページへ戻る</a></p></main></body></html>"""


class DomainError(Exception):
    """An error the user can act on; carries its HTTP status and both languages."""

    status = 400
    type = "about:blank"

    def __init__(self, title: str, detail: str, detail_en: str, **extra: Any):
        super().__init__(detail_en)
        self.title, self.detail, self.detail_en, self.extra = title, detail, detail_en, extra


class NotFound(DomainError):
    status = 404
    type = "https://shien-match.example/problems/not-found"


class InvalidInput(DomainError):
    """Input that passed the schema but names something that does not exist (422, like schema errors)."""

    status = 422
    type = "https://shien-match.example/problems/validation"

    def __init__(self, field: str, message: str, message_en: str):
        super().__init__("入力内容に誤りがあります", f"{field}: {message}", f"{field}: {message_en}",
                         errors=[{"field": field, "message": message, "message_en": message_en}])


class CatalogUnavailable(DomainError):
    status = 503
    type = "https://shien-match.example/problems/catalog-unavailable"


def problem(status: int, title: str, detail: str, detail_en: str, type_: str = "about:blank",
            **extra: Any) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, "detail_en": detail_en, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def field_errors(errors: list[Any]) -> list[dict[str, str]]:
    """One entry per invalid field: its dotted path and a message in Japanese and English."""
    out = []
    for item in errors:
        loc = [str(p) for p in item.get("loc", ()) if p != "body"]
        field_name = next((p for p in reversed(loc) if p in FIELD_LABELS), loc[-1] if loc else "body")
        label = FIELD_LABELS.get(field_name, field_name)
        ja, en = messages_for(item, label)
        out.append({"field": ".".join(loc) or "body", "message": ja, "message_en": en})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(list(exc.errors()))
        first = errors[0] if errors else {"field": "body", "message": "", "message_en": ""}
        return problem(
            422,
            "入力内容に誤りがあります",
            f"{first['field']}: {first['message']}",
            f"{first['field']}: {first['message_en']}",
            "https://shien-match.example/problems/validation",
            errors=errors,
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, exc.detail_en, exc.type, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: ("見つかりません", "Not found"), 405: ("この操作はできません", "Method not allowed")}
        ja, en = titles.get(exc.status_code, ("エラーが発生しました", str(exc.detail)))
        return problem(exc.status_code, ja, ja, en)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        if not request.url.path.startswith("/api/"):
            return HTMLResponse(ERROR_PAGE, status_code=500)
        return problem(500, "サーバーでエラーが発生しました", "時間をおいてもう一度お試しください。",
                       "Internal error; please try again later.")

"""Database faults mapped to HTTP once: unreachable → 503, full disk → 507, read-only → 503.

Nothing is retried here: a request that needs the database fails fast and the pool's pre-ping
replaces dead connections, so the next request after the database is back succeeds without a
restart of the app.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from web.errors import problem

log = logging.getLogger("shien.ops")
RETRY_AFTER = "5"


class Fault:
    def __init__(self, status: int, kind: str, title: str, detail: str, detail_en: str):
        self.status, self.kind, self.title, self.detail, self.detail_en = status, kind, title, detail, detail_en

    @property
    def type(self) -> str:
        return f"https://shien-match.example/problems/{self.kind}"


DISK_FULL = Fault(507, "storage-full", "保存先の容量が不足しています",
                  "サーバーの保存領域がいっぱいのため、保存できませんでした。入力内容は保存されていません。管理者に連絡してください。",
                  "The server's storage is full; nothing was saved. Please contact the administrator.")
READ_ONLY = Fault(503, "storage-read-only", "現在、保存できません",
                  "データベースが書き込みできない状態のため、保存できませんでした。時間をおいてもう一度お試しください。",
                  "The database is read-only at the moment; nothing was saved. Please try again later.")
UNREACHABLE = Fault(503, "database-unavailable", "ただいま混み合っているか、保守中です",
                    "データベースに接続できません。時間をおいてもう一度お試しください。",
                    "The database is not reachable. Please try again in a moment.")


# OperationalErrors that are bugs or a missing migration, not a fault of the database: they stay 500.
NOT_FAULTS = ("no such table", "no such column", "syntax error", "does not exist")


def classify(exc: BaseException) -> Fault | None:
    """Which fault a database error is, from the driver's message (SQLite and psycopg); None for a bug."""
    message = str(getattr(exc, "orig", exc)).lower()
    if any(marker in message for marker in NOT_FAULTS):
        return None
    if "disk is full" in message or "no space left" in message or "disk full" in message:
        return DISK_FULL
    if "readonly database" in message or "read-only" in message:
        return READ_ONLY
    return UNREACHABLE


def fault_response(request: Request, fault: Fault) -> Response:
    headers = {"Retry-After": RETRY_AFTER} if fault.status == 503 else {}
    if request.url.path.startswith("/api/"):
        response = problem(fault.status, fault.title, fault.detail, fault.detail_en, fault.type)
        response.headers.update(headers)
        return response
    page = (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>{fault.title} | 支援策マッチ</title>'
            f'</head><body><main><h1>{fault.title}</h1><p>{fault.detail}</p><p><a href="/">トップページへ戻る</a></p>'
            "</main></body></html>")
    return HTMLResponse(page, status_code=fault.status, headers=headers)


def install_fault_handlers(app: FastAPI) -> None:
    async def database_error(request: Request, exc: Exception) -> Response:
        fault = classify(exc)
        if fault is None:
            raise exc
        log.error("database fault on %s %s: %s", request.method, request.url.path, fault.kind,
                  extra={"fault": fault.kind, "error": exc.__class__.__name__})
        return fault_response(request, fault)

    app.add_exception_handler(OperationalError, database_error)
    app.add_exception_handler(PoolTimeout, database_error)
    app.add_exception_handler(DBAPIError, _connection_errors_only(database_error))


def _connection_errors_only(handler):  # type: ignore[no-untyped-def]
    """Other DBAPI errors (integrity, data) are bugs, not faults: they stay 500."""

    async def handle(request: Request, exc: Exception) -> Response:
        if getattr(exc, "connection_invalidated", False):
            return await handler(request, exc)
        raise exc

    return handle


class FaultMiddleware:
    """The same mapping for database errors raised in middleware (the partner gate counts quotas in the
    database before any route runs), where exception handlers do not reach."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app = app

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message):  # type: ignore[no-untyped-def]
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except (OperationalError, PoolTimeout) as exc:
            fault = classify(exc)
            if started or fault is None:
                raise
            request = Request(scope)
            log.error("database fault on %s %s: %s", request.method, request.url.path, fault.kind,
                      extra={"fault": fault.kind, "error": exc.__class__.__name__})
            await fault_response(request, fault)(scope, receive, send)

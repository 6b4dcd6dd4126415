"""The gate in front of /api/v1: who is calling (key or anonymous), its limits, and CORS for its origins.

A pure ASGI middleware, so that every answer under /api/v1 — including 404 and 422 — is counted, carries the
rate-limit headers, and is readable cross-origin only from the origins on the caller's own key.

When the database cannot be reached the API stays up for what it can answer from memory (the catalog is in
every worker): a key this worker has read within the last hour, and anonymous callers, are served and
counted per worker per minute (``LocalWindow``); a key it has never read gets 503. The database is tried
again after ``RETRY_DATABASE_AFTER`` seconds, not on every request, so a dead database costs nobody a wait.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

from web.errors import PROBLEM
from web.ops.faults import UNREACHABLE, classify, fault_response
from web.partners.config import PartnerSettings
from web.partners.keys import Caller, CallerCache, all_origins
from web.partners.limits import Decision, LocalWindow, consume

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_PREFIX = "/api/v1/"
ALLOW_HEADERS = "Authorization, Content-Type"
EXPOSE_HEADERS = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After"
PROBLEMS = "https://shien-match.example/problems/"
RETRY_DATABASE_AFTER = 2.0  # seconds the gate counts on its own after the database failed it
DATABASE_ERRORS = (DBAPIError, PoolTimeout)  # OperationalError is a DBAPIError; which are outages: _outage()
log = logging.getLogger("shien.partners")


class DatabaseDown(Exception):
    """The caller's key cannot be checked: the database is unreachable and this worker has not read the key."""


def problem_body(status: int, slug: str, title: str, detail: str, detail_en: str, **extra: Any) -> bytes:
    body = {"type": PROBLEMS + slug, "title": title, "status": status, "detail": detail, "detail_en": detail_en, **extra}
    return json.dumps(body, ensure_ascii=False).encode()


def same_origin(origin: str, host: str | None) -> bool:
    """A page on the API's own origin (the iframe widget, /widget/frame): the Origin's host[:port] is the Host
    the request was sent to. Such a request needs no CORS headers and is accepted with any valid key.

    A browser sets both headers itself, so no other site's page can pass; a script outside a browser can send
    anything, but the allow-list only ever protected browsers."""
    scheme, _, netloc = origin.partition("://")
    return scheme.lower() in ("http", "https") and bool(host) and netloc.lower() == (host or "").strip().lower()


class PartnerGate:
    def __init__(self, app: ASGIApp, engine: Engine, settings: PartnerSettings):
        self.app, self.engine, self.settings = app, engine, settings
        self.anonymous = Caller(key_id="anonymous", per_minute=settings.anonymous_per_minute,
                                per_day=settings.anonymous_per_day)
        self.callers = CallerCache(engine)
        self.local = LocalWindow()
        self.database_down_until = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if scope["method"] == "OPTIONS" and origin and "access-control-request-method" in headers:
            await self._preflight(origin, send)
            return
        try:
            caller = self._identify(_bearer(headers.get("authorization")))
        except DatabaseDown:
            await fault_response(Request(scope), UNREACHABLE)(scope, receive, send)
            return
        if caller is None:
            await _reply(send, 401, problem_body(
                401, "invalid-key", "APIキーが無効です", "APIキーが正しくないか、失効しています。",
                "The API key is not valid or has been revoked.",
                errors=[{"field": "Authorization", "message": "「Bearer smk_…」の形で有効なキーを送ってください。",
                         "message_en": "send a valid key as 'Bearer smk_…'"}]),
                [(b"www-authenticate", b'Bearer realm="shien-match"')])
            return
        cors = self._cors_headers(caller, origin)
        if origin and not caller.anonymous and cors is None and not same_origin(origin, headers.get("host")):
            await _reply(send, 403, problem_body(
                403, "origin-not-allowed", "このサイトからは使えません",
                f"オリジン {origin} はこのキーの許可リストにありません。",
                f"Origin {origin} is not on this key's allow-list."))
            return
        decision = self._count(caller)
        extra = [(b"ratelimit-limit", str(decision.limit).encode()),
                 (b"ratelimit-remaining", str(decision.remaining).encode()),
                 (b"ratelimit-reset", str(decision.reset_seconds).encode()), *(cors or [])]
        if not decision.allowed:
            which = ("1日の上限", "daily quota") if decision.scope == "day" else ("1分あたりの上限", "per-minute limit")
            await _reply(send, 429, problem_body(
                429, "rate-limited", "リクエストが多すぎます",
                f"{which[0]}（{decision.limit}件）に達しました。{decision.reset_seconds}秒後にお試しください。",
                f"The {which[1]} of {decision.limit} requests is used up; retry in {decision.reset_seconds} s.",
                limit=decision.limit, scope=decision.scope),
                [*extra, (b"retry-after", str(decision.reset_seconds).encode())])
            return
        scope.setdefault("state", {})["caller"] = caller

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _identify(self, token: str | None) -> Caller | None:
        """Anonymous, a live key, or None for a bad or revoked key. Raises DatabaseDown (see above)."""
        if token is None:
            return self.anonymous
        if not token:
            return None
        if not self._database_down():
            try:
                return self.callers.get(token)
            except DATABASE_ERRORS as exc:
                self._database_failed(exc)
        caller = self.callers.last_known(token)
        if caller is None:
            raise DatabaseDown()
        return caller

    def _count(self, caller: Caller) -> Decision:
        if not self._database_down():
            try:
                return consume(self.engine, caller.key_id, caller.per_minute, caller.per_day)
            except DATABASE_ERRORS as exc:
                self._database_failed(exc)
        return self.local.consume(caller.key_id, caller.per_minute, caller.per_day)

    def _database_down(self) -> bool:
        return time.monotonic() < self.database_down_until

    def _database_failed(self, exc: Exception) -> None:
        if not _outage(exc):  # a bug, not the database going away: a 500 like any other
            raise exc
        log.warning("database unreachable: the partner gate counts per worker for %.0f s", RETRY_DATABASE_AFTER,
                    extra={"fault": "database-unavailable", "error": exc.__class__.__name__})
        self.database_down_until = time.monotonic() + RETRY_DATABASE_AFTER

    def _cors_headers(self, caller: Caller, origin: str | None) -> list[tuple[bytes, bytes]] | None:
        if not origin or caller.anonymous or origin.lower().rstrip("/") not in caller.origins:
            return None
        return [(b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin"),
                (b"access-control-expose-headers", EXPOSE_HEADERS.encode())]

    async def _preflight(self, origin: str, send: Send) -> None:
        if origin.lower().rstrip("/") not in all_origins(self.engine):
            await _reply(send, 403, problem_body(
                403, "origin-not-allowed", "このサイトからは使えません",
                f"オリジン {origin} はどのキーの許可リストにもありません。",
                f"Origin {origin} is on no key's allow-list."))
            return
        await _reply(send, 204, b"", [
            (b"access-control-allow-origin", origin.encode("latin-1")), (b"vary", b"Origin"),
            (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
            (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
            (b"access-control-max-age", str(self.settings.cors_max_age).encode())], content_type=None)


def _outage(exc: Exception) -> bool:
    """The database going away (as web.ops.faults maps it to 503/507), not an error of ours."""
    lost = isinstance(exc, OperationalError | PoolTimeout) or getattr(exc, "connection_invalidated", False)
    return lost and classify(exc) is not None


def _bearer(authorization: str | None) -> str | None:
    """The token of ``Bearer <token>``; None without the header (anonymous); "" for anything else."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def _reply(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None,
                 content_type: str | None = PROBLEM) -> None:
    out = [(b"content-length", str(len(body)).encode()), *(headers or [])]
    if content_type:
        out.append((b"content-type", content_type.encode()))
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})

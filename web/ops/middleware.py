"""Request context: accept or make a request id, return it, log the request, time it by route template."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.ops.logs import request_id_var
from web.ops.metrics import Metrics

HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")  # a caller's id is echoed only when harmless in logs
log = logging.getLogger("shien.request")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == HEADER.encode():
            candidate = value.decode("latin-1").strip()
            if _SAFE_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v1/programs/{program_id}``), never the raw path."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return str(route.path)
    if scope.get("root_path") or scope.get("app_root_path"):
        return "/static" if scope.get("path", "").startswith("/static") else "<unmatched>"
    return "<unmatched>"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER.encode()]
                message = {**message, "headers": [*headers, (HEADER.encode(), request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)
            request_id_var.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        if route != "/metrics":
            self.metrics.latency.labels(method=scope["method"], route=route, status=str(status)).observe(seconds)
        extra: dict[str, Any] = {"method": scope["method"], "path": scope["path"], "route": route,
                                 "status": status, "duration_ms": round(seconds * 1000, 2)}
        log.info("%s %s %s", scope["method"], scope["path"], status, extra=extra)

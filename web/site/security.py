"""CSRF tokens kept in the signed session cookie, checked on every form POST."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    """The session's token, made on first use."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def csrf_ok(request: Request, form: FormData) -> bool:
    expected = request.session.get(SESSION_KEY)
    sent = form.get("csrf_token")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)


def csrf_header_ok(request: Request) -> bool:
    """The session's token sent as ``X-CSRF-Token`` (for JSON calls made with the session cookie)."""
    expected = request.session.get(SESSION_KEY)
    sent = request.headers.get("x-csrf-token")
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)

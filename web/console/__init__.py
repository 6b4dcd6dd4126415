"""The advisor console for よろず支援拠点 consultations (/console).

Wire it with ``install(app)`` and ``app.include_router(router)``.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware

from web.console import catalog, partners, routes
from web.console.routes import SignInRequired, error_page
from web.console.service import ConsoleError

__all__ = ["install", "router"]

router = APIRouter()  # the advisors' pages and the system admin pages, all under /console
router.include_router(routes.router)
router.include_router(partners.router)
router.include_router(catalog.router)


def install(app: FastAPI) -> None:
    """Map the console's errors to pages (once, here) and make sure a signed session cookie exists."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(ConsoleError)
    async def _console_error(request: Request, exc: ConsoleError) -> Response:
        return error_page(request, exc.status, exc.message)

    if not any(m.cls is SessionMiddleware for m in app.user_middleware):
        settings = app.state.settings
        app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="shien_session",
                           same_site="lax", https_only=settings.environment not in ("development", "test"))

"""The partner side: API keys, per-key limits and usage, CORS per key, partner scope, and the widget.

``install(app)`` wires it into an app built by ``web.app.create_app``; routers are exported for tests.
"""

from __future__ import annotations

from fastapi import FastAPI

from web.api.openapi import install_openapi
from web.partners.config import PartnerSettings
from web.partners.gate import PartnerGate
from web.partners.routes import admin_router, api_router, require_admin, widget_router
from web.partners.scope import PartnerViews

__all__ = ["admin_router", "api_router", "install", "require_admin", "widget_router"]


def install(app: FastAPI, settings: PartnerSettings | None = None) -> FastAPI:
    """Keys, limits, CORS and partner views in front of /api/v1; usage, admin and widget routes."""
    settings = settings or PartnerSettings()
    app.state.partner_settings = settings
    app.state.partner_views = PartnerViews()
    # installing again (tests with other limits) replaces the gate instead of stacking a second one
    app.user_middleware = [m for m in app.user_middleware if m.cls is not PartnerGate]
    if not getattr(app.state, "partner_routes", False):
        app.include_router(api_router)
        app.include_router(admin_router)
        app.include_router(widget_router)
        install_openapi(app)
        app.state.partner_routes = True
    app.add_middleware(PartnerGate, engine=app.state.engine, settings=settings)
    return app

"""Operations: JSON logs with request ids, Prometheus metrics, database faults as 503/507, backups.

The lead wires it with one line in ``web/app.py`` (after ``errors.install(app)``)::

    ops.install(app)
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

from web.ops import alert_routes
from web.ops.faults import FaultMiddleware, install_fault_handlers
from web.ops.logs import configure_logging
from web.ops.metrics import Metrics
from web.ops.middleware import RequestContextMiddleware

__all__ = ["Metrics", "install"]


def install(app: FastAPI, *, json_logs: bool = True) -> None:
    """Logs, metrics, fault mapping and the alert routes; a second call on the same app does nothing."""
    if getattr(app.state, "ops_installed", False):
        return
    app.state.ops_installed = True
    settings = getattr(app.state, "settings", None)
    if json_logs:
        configure_logging(getattr(settings, "log_level", "info"))
    metrics = Metrics(lambda: getattr(app.state, "catalog", None))
    app.state.metrics = metrics
    install_fault_handlers(app)
    app.include_router(alert_routes.router)
    app.add_middleware(FaultMiddleware)  # outermost of the app's middleware: wraps the partner gate too
    _outermost(app, metrics)

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)


def _outermost(app: FastAPI, metrics: Metrics) -> None:
    """Wrap the whole stack, Starlette's error middleware included, so a 500 also carries the request id."""
    build = app.build_middleware_stack

    def build_with_context():  # type: ignore[no-untyped-def]
        return RequestContextMiddleware(build(), metrics)

    app.build_middleware_stack = build_with_context  # type: ignore[method-assign]

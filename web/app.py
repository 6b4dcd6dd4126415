"""The FastAPI application: the owner's site, the partner API, and health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.middleware.sessions import SessionMiddleware

from matcher.ranker import load_ranker
from matcher.recommend import Matcher
from programs.catalog import Catalog
from programs.store import load_current_programs
from web import console, errors, ops
from web.api import v1
from web.api.answers import AnswerCache
from web.db import make_engine
from web.partners import install as install_partners
from web.settings import Settings, get_settings
from web.site import routes as site

STATIC = Path(__file__).resolve().parent / "static"

log = logging.getLogger("shien")


def load_catalog(engine: Engine) -> Catalog | None:
    """The current catalog version from the database, or None when none has been loaded."""
    version, programs = load_current_programs(engine)
    if version is None:
        return None
    return Catalog(programs, version=f"{version.id}:{version.content_hash}")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            app.state.catalog = load_catalog(engine)
        except Exception:  # the app still starts; /readyz says why it is not ready
            log.exception("catalog could not be loaded")
            app.state.catalog = None
        if app.state.catalog is not None:
            app.state.matcher = Matcher(app.state.catalog, load_ranker(settings.ranker_model))
            app.state.matcher.warm()  # compile and index once at start, not on the first request
        yield
        engine.dispose()

    app = FastAPI(
        title="支援策マッチ API",
        version="1.0.0",
        description="日本の中小企業・中堅企業と公的支援策（補助金・税制・融資・相談窓口など）を照合するAPIです。"
        " / Matches Japanese companies with public support programs, with reasons and sources.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.catalog = None
    app.state.matcher = None
    app.state.answers = AnswerCache(settings.answer_cache_bytes)
    errors.install(app)
    console.install(app)
    app.include_router(console.router)
    app.include_router(v1.router)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="shien_session",
                       same_site="lax", https_only=settings.environment not in ("development", "test"))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(site.router)

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], summary="Readiness: catalog loaded and database reachable")
    def readyz() -> dict[str, object]:
        catalog = app.state.catalog
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            database = True
        except Exception:
            database = False
        ready = database and catalog is not None and len(catalog) > 0
        body: dict[str, object] = {"ready": ready, "database": database,
                                   "catalog_version": catalog.version if catalog else None,
                                   "programs": len(catalog) if catalog else 0}
        if not ready:
            raise errors.CatalogUnavailable("準備ができていません", "データベースか制度の一覧が使えません。",
                                            "Database or catalog not available.", **body)
        return body

    install_partners(app)
    ops.install(app)  # last: its middleware must wrap the partner gate
    return app

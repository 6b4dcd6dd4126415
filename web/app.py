"""The FastAPI application: the owner's site, the partner API, and health."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from matcher.ranker import load_ranker
from matcher.recommend import Matcher
from programs.catalog import Catalog
from programs.store import CatalogVersion, current_version, load_current_programs
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
    return Catalog(programs, version=_label(version))


def _label(version: CatalogVersion) -> str:
    return f"{version.id}:{version.content_hash}"


def _current_label(engine: Engine) -> str | None:
    """The current version's label, read without loading its programs."""
    with Session(engine) as session:
        version = current_version(session)
        return _label(version) if version else None


def reload_catalog(app: FastAPI) -> bool:
    """Serve the database's current catalog version in this worker; True when it is not the one served until now.

    Used at start (the lifespan) and after a publish from the console. A catalog that cannot be loaded
    leaves the one being served (none at start: the app still starts and /readyz says why).
    """
    with _reloading:  # the watcher and a console publish may both ask: build once, the second finds it served
        served = app.state.catalog
        try:
            if served is not None and _current_label(app.state.engine) == served.version:
                return False
            catalog = load_catalog(app.state.engine)
            if catalog is None or (served is not None and catalog.version == served.version):
                return False
            matcher = Matcher(catalog, load_ranker(app.state.settings.ranker_model))
            matcher.warm()  # compile and index now, not on the first request
        except Exception:
            log.exception("catalog could not be loaded")
            return False
        app.state.catalog, app.state.matcher = catalog, matcher
        log.info("serving catalog version %s (%d programs)", catalog.version, len(catalog))
        return True


_reloading = threading.Lock()


async def watch_catalog(app: FastAPI, every: float) -> None:
    """Every ``every`` seconds, serve the current version if another was published meanwhile (``shien catalog
    load``, ``shien refresh-publish``, the console in another worker). The check is one small query; the new
    catalog is built in a thread while this worker goes on serving the old one."""
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(reload_catalog, app)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        reload_catalog(app)
        every = settings.catalog_check_seconds
        watcher = asyncio.create_task(watch_catalog(app, every)) if every > 0 else None
        yield
        if watcher is not None:
            watcher.cancel()
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
    app.include_router(v1.router)  # first: the partner API is the busiest, and routes are matched in order
    app.include_router(console.router)
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

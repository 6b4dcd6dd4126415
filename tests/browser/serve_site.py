"""Serve the real site for the browser tests, as ``make run`` does, in one process.

    python -m tests.browser.serve_site PORT

Publishes the packaged catalog into the (fresh) database named by SHIEN_DATABASE_URL, as
``shien catalog load`` does, then serves ``web.main:app`` with uvicorn on 127.0.0.1:PORT.
"""

from __future__ import annotations

import sys

import uvicorn

from programs.catalog import Catalog
from programs.loader import load_programs
from programs.store import publish_catalog
from web.db import make_engine, migrate
from web.settings import get_settings


def main(port: int) -> None:
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    programs = load_programs()
    publish_catalog(engine, programs, Catalog(programs).content_hash, source="browser tests")
    engine.dispose()
    uvicorn.run("web.main:app", host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))

"""A real server for the docs and widget tests: uvicorn on 127.0.0.1, a free port, a fresh SQLite database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from programs.catalog import Catalog
from programs.store import publish_catalog
from web.db import make_engine, migrate

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepared_database(directory: Path, programs) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{directory / 'api.db'}"
    engine = make_engine(url)
    migrate(engine)
    publish_catalog(engine, programs, Catalog(programs).content_hash, source="tests")
    engine.dispose()
    return url


@contextmanager
def api_server(database_url: str, log: Path, app: str = "web.main:app", workers: int = 1,
               env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    environ = os.environ | {"SHIEN_DATABASE_URL": database_url, "SHIEN_ENVIRONMENT": "test"} | (env or {})
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                                    "--workers", str(workers), "--log-level", "warning"],
                                   cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()

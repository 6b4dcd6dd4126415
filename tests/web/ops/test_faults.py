"""Faults: the database goes away and comes back, the disk fills, a worker dies mid-write, a catalog
load fails halfway. Each time the user gets a clear answer and nothing half-done is left behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

import programs.store as store
from programs.catalog import Catalog
from tests.builders import program
from tests.conftest import PG_URL
from tests.web.ops.conftest import PROGRAMS, ops_app, publish
from web.db import make_engine, migrate

FEEDBACK = {"program_id": "ops_alpha", "event": "saved"}


# --- a catalog load that fails halfway ---------------------------------------------------------------

def test_a_catalog_load_that_fails_halfway_leaves_the_old_catalog_served(engine: Engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    publish(engine)
    with TestClient(ops_app(engine, tmp_path), raise_server_exceptions=False) as client:
        served = client.get("/readyz").json()["catalog_version"]
        real_rows = store._rows

        def half_then_crash(version_id, programs, documents, digests):  # type: ignore[no-untyped-def]
            rows = real_rows(version_id, programs, documents, digests)
            return rows[: len(rows) // 2] + [store.ProgramRecord(version_id=version_id, program_id="ops_alpha",
                                                                  name="dup", kind="subsidy", document="{}",
                                                                  rule="{}", digest="x")]

        monkeypatch.setattr(store, "_rows", half_then_crash)
        new = [*PROGRAMS, program(id="ops_new")]
        with pytest.raises(Exception):  # noqa: B017 - the duplicate key, whatever the driver calls it
            store.publish_catalog(engine, new, Catalog(new).content_hash)
        monkeypatch.undo()

        assert client.get("/readyz").json()["catalog_version"] == served
        assert client.get("/api/v1/programs/ops_alpha").status_code == 200
        assert client.get("/api/v1/programs/ops_new").status_code == 404
    with TestClient(ops_app(engine, tmp_path)) as restarted:  # a worker that starts now loads the same version
        assert restarted.get("/readyz").json()["catalog_version"] == served


# --- the database unreachable, then back --------------------------------------------------------------

class FlakyProxy:
    """A TCP forwarder to PostgreSQL that can be cut (every connection dropped, nothing listening) and restored."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream, self.port = upstream, 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(32)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close alone does not
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def pg_schema(postgres_reason) -> str:  # type: ignore[no-untyped-def]
    if postgres_reason:
        pytest.skip(postgres_reason)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield schema
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def pg_url(port: int, schema: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?options=-csearch_path%3D{schema}&application_name={schema}"


def test_postgresql_gone_gives_fast_503_and_the_app_recovers_without_a_restart(pg_schema: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    direct = make_engine(pg_url(5432, pg_schema))
    migrate(direct)
    publish(direct)
    proxy = FlakyProxy(("127.0.0.1", 5432))
    proxy.start()
    with TestClient(ops_app(make_engine(pg_url(proxy.port, pg_schema)), tmp_path),
                    raise_server_exceptions=False) as client:
        assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
        proxy.cut()
        started = time.perf_counter()
        failed = client.post("/api/v1/feedback", json=FEEDBACK)
        assert time.perf_counter() - started < 3
        assert failed.status_code == 503 and failed.headers["content-type"] == "application/problem+json"
        assert failed.json()["type"].endswith("/database-unavailable") and "データベース" in failed.json()["detail"]
        assert failed.headers["retry-after"] == "5"
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200  # alive: not restarted by an orchestrator
        served = client.get("/api/v1/programs/ops_alpha")  # answered from the catalog in memory
        assert served.status_code == 200 and served.headers["ratelimit-limit"]
        unknown_key = client.get("/api/v1/programs/ops_alpha", headers={"Authorization": "Bearer smk_never_seen"})
        assert unknown_key.status_code == 503 and unknown_key.json()["type"].endswith("/database-unavailable")
        proxy.start()
        assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
        assert client.get("/readyz").status_code == 200
    proxy.cut()
    with direct.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM feedback_event")).scalar_one() == 2
    direct.dispose()


def test_postgresql_restarted_dropping_every_connection_costs_no_request(pg_schema: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(pg_url(5432, pg_schema))
    migrate(engine)
    publish(engine)
    admin = make_engine(PG_URL)
    with TestClient(ops_app(engine, tmp_path)) as client:
        assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201
        with admin.begin() as connection:  # what a restart does to the app's pooled connections
            killed = connection.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                             "WHERE application_name = :name"), {"name": pg_schema}).scalar_one()
        assert killed >= 1
        assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 201  # pre-ping replaced it
    admin.dispose()


class Load:
    """Threads that keep asking a running server: recommendations (memory) and feedback (a database write)."""

    def __init__(self, url: str, token: str, threads: int = 6):
        self.url, self.token, self.threads = url, token, threads
        self.stop = threading.Event()
        self.answers: list[tuple[float, str, int, float, str]] = []  # (when, path, status, seconds, problem type)
        self.workers = [threading.Thread(target=self._ask, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self) -> Load:
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for worker in self.workers:
            worker.join(30)

    def _ask(self, index: int) -> None:
        import httpx

        calls = [("/api/v1/recommendations", {"profile": {"employees": 10 + index}}), ("/api/v1/feedback", FEEDBACK)]
        with httpx.Client(base_url=self.url, timeout=20, headers={"Authorization": f"Bearer {self.token}"}) as http:
            n = 0
            while not self.stop.is_set():
                path, body = calls[n % 2]
                n += 1
                started = time.perf_counter()
                response = http.post(path, json=body)
                kind = response.json().get("type", "") if response.status_code >= 400 else ""
                self.answers.append((time.monotonic(), path, response.status_code, time.perf_counter() - started, kind))

    def between(self, start: float, end: float, path: str) -> list[tuple[float, str, int, float, str]]:
        return [a for a in list(self.answers) if start <= a[0] < end and a[1] == path]


def test_postgresql_restarted_under_load_fails_fast_keeps_answering_from_memory_and_recovers(pg_schema: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.web.partners.server import api_server
    from web.partners.keys import create_key

    direct = make_engine(pg_url(5432, pg_schema))
    migrate(direct)
    publish(direct)
    _, token = create_key(direct, "restart-bank", per_minute=1_000_000, per_day=10_000_000)
    proxy = FlakyProxy(("127.0.0.1", 5432))
    proxy.start()
    with api_server(pg_url(proxy.port, pg_schema), tmp_path / "server.log", workers=2) as url, Load(url, token) as load:
        time.sleep(3)
        cut = time.monotonic()
        proxy.cut()  # what clients of a restarting PostgreSQL see: every connection dropped, then refused
        time.sleep(4)
        back = time.monotonic()
        proxy.start()
        time.sleep(6)
    proxy.cut()

    answers = list(load.answers)
    assert len(answers) > 100 and not [a for a in answers if a[2] >= 500 and a[2] != 503]  # never a 500
    assert all(a[3] < 3.5 for a in answers if a[2] == 503)  # refused fast, not after a hang
    assert all(a[4].endswith("/database-unavailable") for a in answers if a[2] == 503)
    before = load.between(0, cut, "/api/v1/feedback")
    assert before and all(a[2] == 201 for a in before)
    during = load.between(cut + 0.5, back, "/api/v1/recommendations")
    assert during and all(a[2] == 200 for a in during)  # the catalog is in memory: partners still get answers
    writes_during = load.between(cut + 0.5, back, "/api/v1/feedback")
    assert writes_during and all(a[2] == 503 for a in writes_during)
    recovered = load.between(back + 3, float("inf"), "/api/v1/feedback")  # same server processes, no restart
    assert recovered and all(a[2] == 201 for a in recovered)
    with direct.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM feedback_event")).scalar_one()
    created = sum(1 for a in answers if a[1] == "/api/v1/feedback" and a[2] == 201)
    # every 201 is a row; at most the writes in flight at the cut committed without hearing back
    assert created <= rows <= created + load.threads
    direct.dispose()


def test_a_database_on_a_closed_port_fails_fast_on_the_site_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = ops_app(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"), tmp_path)
    app.state.catalog = Catalog(list(PROGRAMS))

    def needs_database() -> None:
        with app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    app.add_api_route("/needs-database", needs_database)
    with TestClient(app, raise_server_exceptions=False) as client:
        api = client.post("/api/v1/feedback", json=FEEDBACK)
        assert api.status_code == 503 and api.json()["status"] == 503
        page = client.get("/needs-database")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert "データベースに接続できません" in page.text


# --- disk full / read-only on SQLite ------------------------------------------------------------------

def sqlite_app(tmp_path, pragma: str):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'full.db'}")
    migrate(engine)
    publish(engine)
    with engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _limit(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(pragma.format(pages=pages))

    return ops_app(engine, tmp_path)


def test_a_full_disk_on_a_sqlite_write_is_a_clear_507_and_nothing_is_saved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # max_page_count at the current size: the next page SQLite needs fails exactly as a full disk does
    app = sqlite_app(tmp_path, "PRAGMA max_page_count = {pages}")
    big = {**FEEDBACK, "profile": {"prefecture": "宮城県", "challenges": "あ" * 1000}}
    with TestClient(app, raise_server_exceptions=False) as client:
        answers = [client.post("/api/v1/feedback", json=big) for _ in range(40)]
        full = [a for a in answers if a.status_code != 201]
        assert full, "the database never filled up"
        assert {a.status_code for a in full} == {507}
        body = full[0].json()
        assert body["type"].endswith("/storage-full") and "容量が不足" in body["title"]
        assert "保存されていません" in body["detail"]
        assert client.get("/api/v1/programs/ops_alpha").status_code == 200  # reading still works


def test_a_read_only_sqlite_database_is_a_clear_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = sqlite_app(tmp_path, "PRAGMA query_only = ON")
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/feedback", json=FEEDBACK)
        assert answer.status_code == 503 and answer.json()["type"].endswith("/storage-read-only")
        assert "保存できませんでした" in answer.json()["detail"]


# --- a worker killed mid-request -------------------------------------------------------------------------

KILLED_WORKER = textwrap.dedent("""
    import datetime as dt, os, signal, sys
    from sqlalchemy import create_engine, text

    engine = create_engine(sys.argv[1])
    now = dt.datetime.now()
    with engine.connect() as connection:  # the request's one transaction
        connection.execute(text("INSERT INTO console_client (office, name, profile, created_at, updated_at) "
                                "VALUES ('宮城県', '株式会社途中', '{{}}', :now, :now)"), {{"now": now}})
        client_id = connection.execute(text("SELECT max(id) FROM console_client")).scalar_one()
        connection.execute(text(
            "INSERT INTO console_consultation (client_id, office, advisor_id, held_on, themes, notes, programs, agreed, "
            "next_steps, profile, created_at) VALUES (:c, '宮城県', {advisor}, :today, '[]', '', '[]', '[]', '', '{{}}', :now)"),
            {{"c": client_id, "today": now.date(), "now": now}})
        print("written", flush=True)  # both rows are in the database, not yet committed
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies here
        connection.commit()
""")


def test_a_worker_killed_mid_request_leaves_no_half_written_consultation(engine: Engine) -> None:
    from sqlmodel import Session

    from web.console.models import ConsoleAccount

    with Session(engine) as session:
        advisor = ConsoleAccount(email="a@example.jp", name="相談員", password_hash="x", office="宮城県")
        session.add(advisor)
        session.commit()
        advisor_id = advisor.id
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        url += f"?options=-csearch_path%3D{schema}"
    engine.dispose()
    worker = subprocess.run([sys.executable, "-c", KILLED_WORKER.format(advisor=advisor_id), url],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert worker.returncode == -signal.SIGKILL and "written" in worker.stdout, worker.stderr
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM console_client")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM console_consultation")).scalar_one() == 0
        connection.execute(text("SELECT count(*) FROM console_account")).scalar_one()  # the database is usable


def test_a_missing_table_is_a_bug_not_an_outage(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A database that answers but lacks the schema (migrations not run) stays a 500: a 503 would hide it."""
    from web.ops.faults import classify

    engine = make_engine(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    with pytest.raises(Exception) as raised, engine.connect() as connection:
        connection.execute(text("SELECT * FROM feedback_event"))
    assert classify(raised.value) is None
    app = ops_app(engine, tmp_path)
    app.state.catalog = Catalog(list(PROGRAMS))
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.post("/api/v1/feedback", json=FEEDBACK).status_code == 500

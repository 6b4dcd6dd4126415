"""Backups of the whole database, and restores.

- SQLite: the online backup API (``sqlite3.Connection.backup``): a consistent copy while the app
  keeps serving; the backup is itself a SQLite file.
- PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --single-transaction`` when they
  are on PATH; otherwise (or with ``fmt="json"``) a portable JSON dump of every table through
  SQLAlchemy, which also moves data between SQLite and PostgreSQL.

A restore replaces the data of every table in the backup, in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, func, select, text
from sqlalchemy.engine import URL, Engine

FORMAT_NAME = "shien-backup"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    method: str  # "sqlite-online-backup" | "pg_dump" | "json"
    tables: int | None = None
    rows: int | None = None

    def describe(self) -> str:
        counts = f" ({self.tables} tables, {self.rows} rows)" if self.tables is not None else ""
        return f"{self.path}: {self.method}{counts}"


def pg_tools_available() -> bool:
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def backup(engine: Engine, out: Path, fmt: str = "auto", schema: str | None = None) -> BackupResult:
    """Write a backup of the engine's database to ``out``; ``fmt`` is auto, native or json."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if fmt == "json" or (fmt == "auto" and dialect == "postgresql" and not pg_tools_available()):
        return dump_json(engine, out)
    if dialect == "sqlite":
        return _sqlite_backup(_sqlite_path(engine), out)
    if dialect == "postgresql":
        if not pg_tools_available():
            raise BackupError("pg_dump is not on PATH; use --format json")
        return _pg_dump(engine.url, out, schema)
    raise BackupError(f"no backup method for {dialect}")


def restore(engine: Engine, source: Path, schema: str | None = None) -> BackupResult:
    """Replace the database's data with the backup at ``source`` (its format is detected)."""
    source = Path(source)
    head = source.read_bytes()[:16]
    if head.startswith(SQLITE_MAGIC):
        if engine.dialect.name != "sqlite":
            raise BackupError("a SQLite backup restores into SQLite only; make a JSON backup to move databases")
        engine.dispose()
        return _sqlite_backup(source, _sqlite_path(engine), method="sqlite-online-backup")
    if head.startswith(PGDUMP_MAGIC):
        if engine.dialect.name != "postgresql":
            raise BackupError("a pg_dump backup restores into PostgreSQL only")
        engine.dispose()
        return _pg_restore(engine.url, source)
    if head.lstrip().startswith(b"{"):
        return load_json(engine, source)
    raise BackupError(f"{source}: not a SQLite file, a pg_dump archive or a JSON backup")


# --- SQLite ----------------------------------------------------------------------------------------

def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _sqlite_backup(source: Path, target: Path, method: str = "sqlite-online-backup") -> BackupResult:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return BackupResult(Path(target), method)


# --- PostgreSQL with its own tools -----------------------------------------------------------------

def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (which goes in PGPASSWORD, not on the command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-2000:]}")


def _pg_dump(url: URL, out: Path, schema: str | None) -> BackupResult:
    uri, env = _libpq(url)
    args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={out}"]
    if schema:
        args.append(f"--schema={schema}")
    _run([*args, f"--dbname={uri}"], env)
    return BackupResult(out, "pg_dump")


def _pg_restore(url: URL, source: Path) -> BackupResult:
    uri, env = _libpq(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={uri}", str(source)], env)
    return BackupResult(source, "pg_restore")


# --- portable JSON -------------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$t": "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$t": "time", "v": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, decimal.Decimal):
        return {"$t": "decimal", "v": str(value)}
    if isinstance(value, dict | list):
        return {"$t": "json", "v": value}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    kind, raw = value["$t"], value["v"]
    return {"datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat, "time": dt.time.fromisoformat,
            "bytes": base64.b64decode, "decimal": decimal.Decimal, "json": lambda v: v}[kind](raw)


def dump_json(engine: Engine, out: Path) -> BackupResult:
    metadata = MetaData()
    metadata.reflect(bind=engine)
    tables: dict[str, Any] = {}
    total = 0
    with engine.connect() as connection, connection.begin():  # one snapshot for every table
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        for table in metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            rows = [[_encode(v) for v in row] for row in connection.execute(select(table)).all()]
            tables[table.name] = {"columns": columns, "rows": rows}
            total += len(rows)
    document = {"format": FORMAT_NAME, "version": 1, "dialect": engine.dialect.name,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "tables": tables}
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return BackupResult(out, "json", len(tables), total)


def load_json(engine: Engine, source: Path) -> BackupResult:
    document = json.loads(source.read_text(encoding="utf-8"))
    if document.get("format") != FORMAT_NAME:
        raise BackupError(f"{source}: not a {FORMAT_NAME} file")
    metadata = MetaData()
    metadata.reflect(bind=engine)
    missing = sorted(set(document["tables"]) - set(metadata.tables))
    if missing:
        raise BackupError(f"the database has no table {', '.join(missing)}: run `shien db upgrade` first")
    chosen = [t for t in metadata.sorted_tables if t.name in document["tables"]]
    total = 0
    with engine.begin() as connection:
        for table in reversed(chosen):
            connection.execute(table.delete())
        for table in chosen:
            data = document["tables"][table.name]
            rows = [_row(table, data["columns"], row) for row in data["rows"]]
            if rows:
                connection.execute(table.insert(), rows)
            total += len(rows)
        if engine.dialect.name == "postgresql":
            _reset_sequences(connection, chosen)
    return BackupResult(source, "json", len(chosen), total)


def _row(table: Table, columns: list[str], values: list[Any]) -> dict[str, Any]:
    """Decoded values; a naive time (from SQLite) going into a time-zone column is UTC, as written."""
    row = {}
    for name, value in zip(columns, values, strict=True):
        plain = _decode(value)
        if isinstance(plain, dt.datetime) and plain.tzinfo is None and getattr(table.c[name].type, "timezone", False):
            plain = plain.replace(tzinfo=dt.UTC)
        row[name] = plain
    return row


def _reset_sequences(connection: Any, tables: list[Table]) -> None:
    """Serial ids continue after the restored rows, not from 1."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": column.name}).scalar()
            if sequence:
                highest = connection.execute(select(func.max(column))).scalar()
                connection.execute(text("SELECT setval(:s, :v, :called)"),
                                   {"s": sequence, "v": highest or 1, "called": highest is not None})

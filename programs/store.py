"""Catalog storage: versions, programs (as loaded, with their rules), sources and relations.

``publish_catalog`` writes a new version in one transaction and makes it current only when every row
is in: a failure leaves the previous version current. Reading the current version rebuilds programs
from their stored documents (validated again, so a stored row cannot smuggle in a bad rule). Every
version's row, with what changed in it, is kept for ever; the programs of the last few versions only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Index, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from programs.schema import Program

KEEP_VERSIONS = 5  # versions whose programs stay stored; every version row is kept


class CatalogVersion(SQLModel, table=True):
    __tablename__ = "catalog_version"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    content_hash: str = Field(max_length=64)
    program_count: int
    source: str = Field(default="", max_length=500)
    summary: str = Field(default="{}", description="JSON: added, removed, changed program ids")
    is_current: bool = Field(default=False, index=True)


class ProgramRecord(SQLModel, table=True):
    __tablename__ = "program"
    __table_args__ = (Index("ix_program_version_kind", "version_id", "kind"),)

    version_id: int = Field(foreign_key="catalog_version.id", primary_key=True)
    program_id: str = Field(primary_key=True, max_length=120)
    name: str
    kind: str = Field(max_length=40)
    ministry: str | None = None
    applicable: bool = True
    document: str = Field(description="the program as loaded, JSON")
    rule: str = Field(description="the eligibility tree as loaded, JSON")
    digest: str = Field(max_length=64)


class ProgramSourceRow(SQLModel, table=True):
    __tablename__ = "program_source"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="catalog_version.id", index=True)
    program_id: str = Field(max_length=120, index=True)
    document: str | None = None
    line: int | None = None
    record: str | None = None
    url: str | None = None


class ProgramRelationRow(SQLModel, table=True):
    __tablename__ = "program_relation"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="catalog_version.id", index=True)
    program_id: str = Field(max_length=120, index=True)
    type: str = Field(max_length=20)
    target_program: str | None = None
    certification: str | None = None
    text: str = ""


@dataclass(frozen=True)
class PublishResult:
    version_id: int
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: int

    def summary(self) -> dict[str, Any]:
        return {"added": self.added, "removed": self.removed, "changed": self.changed, "unchanged": self.unchanged}


def _document(program: Program) -> str:
    return json.dumps(program.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False,
                      sort_keys=True)


def _digest(document: str) -> str:
    import hashlib

    return hashlib.sha256(document.encode()).hexdigest()[:32]


def current_version(session: Session) -> CatalogVersion | None:
    """The catalog version being served."""
    return session.exec(select(CatalogVersion).where(col(CatalogVersion.is_current).is_(True))).first()


def _current_digests(session: Session, version: CatalogVersion | None) -> dict[str, str]:
    if version is None:
        return {}
    rows = session.exec(select(ProgramRecord.program_id, ProgramRecord.digest).where(
        ProgramRecord.version_id == version.id))
    return dict(rows.all())


def publish_catalog(engine: Engine, programs: Sequence[Program], content_hash: str, source: str = "") -> PublishResult:
    """Store a validated catalog as the new current version, atomically."""
    with Session(engine) as session:
        previous = current_version(session)
        before = _current_digests(session, previous)
        documents = {p.id: _document(p) for p in programs}
        digests = {pid: _digest(doc) for pid, doc in documents.items()}
        result_lists = _diff(before, digests)
        version = CatalogVersion(content_hash=content_hash, program_count=len(programs), source=source)
        session.add(version)
        session.flush()
        assert version.id is not None
        session.add_all(_rows(version.id, programs, documents, digests))
        summary = {"added": result_lists[0], "removed": result_lists[1], "changed": result_lists[2]}
        version.summary = json.dumps(summary, ensure_ascii=False)
        session.exec(update(CatalogVersion).where(col(CatalogVersion.id) != version.id).values(is_current=False))
        version.is_current = True
        session.commit()
        _prune(engine)
        return PublishResult(version.id, *result_lists, unchanged=len(digests) - len(result_lists[0]) - len(result_lists[2]))


def _diff(before: dict[str, str], after: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(pid for pid in set(after) & set(before) if after[pid] != before[pid])
    return added, removed, changed


def _rows(version_id: int, programs: Sequence[Program], documents: dict[str, str],
          digests: dict[str, str]) -> list[SQLModel]:
    rows: list[SQLModel] = []
    for p in programs:
        rule = json.dumps(p.model_dump(mode="json", by_alias=True, exclude_none=True)["eligibility"], ensure_ascii=False)
        rows.append(ProgramRecord(version_id=version_id, program_id=p.id, name=p.name, kind=p.kind, ministry=p.ministry,
                                  applicable=p.applicable, document=documents[p.id], rule=rule, digest=digests[p.id]))
        rows += [ProgramSourceRow(version_id=version_id, program_id=p.id, document=s.document, line=s.line,
                                  record=s.record, url=s.url) for s in p.sources]
        rows += [ProgramRelationRow(version_id=version_id, program_id=p.id, type=r.type, target_program=r.program,
                                    certification=r.certification, text=r.text) for r in p.relations]
    return rows


def _prune(engine: Engine) -> None:
    """Drop the programs, sources and relations of all but the last ``KEEP_VERSIONS`` versions.

    The ``catalog_version`` rows themselves (one small row per publish, with what changed) are kept for
    ever, so the history of the catalog survives; only the bulky rows of old versions go.
    """
    with Session(engine) as session:
        ids = session.exec(select(CatalogVersion.id).order_by(col(CatalogVersion.id).desc())
                           .offset(KEEP_VERSIONS - 1).limit(1)).all()
        if not ids or ids[0] is None:
            return
        oldest_kept = ids[0]
        for table in (ProgramSourceRow, ProgramRelationRow, ProgramRecord):
            session.exec(delete(table).where(col(table.version_id) < oldest_kept))  # type: ignore[attr-defined]
        session.commit()


def load_current_programs(engine: Engine) -> tuple[CatalogVersion | None, list[Program]]:
    """The current version and its programs, rebuilt from the stored documents."""
    with Session(engine) as session:
        version = current_version(session)
        if version is None:
            return None, []
        docs = session.exec(select(ProgramRecord.document).where(ProgramRecord.version_id == version.id)
                            .order_by(col(ProgramRecord.program_id))).all()
        session.expunge(version)
    return version, [Program.model_validate_json(doc) for doc in docs]


def current_program_names(engine: Engine) -> dict[str, str]:
    """Program id → name in the current version (read from the name column: no documents are parsed)."""
    with Session(engine) as session:
        version = current_version(session)
        if version is None:
            return {}
        rows = session.exec(select(ProgramRecord.program_id, ProgramRecord.name)
                            .where(ProgramRecord.version_id == version.id))
        return dict(rows.all())


def version_history(engine: Engine, limit: int = 20) -> list[CatalogVersion]:
    """Published versions, newest first, each with its summary of what changed (kept for ever)."""
    with Session(engine) as session:
        rows = session.exec(select(CatalogVersion).order_by(col(CatalogVersion.id).desc()).limit(limit)).all()
        for row in rows:
            session.expunge(row)
        return list(rows)

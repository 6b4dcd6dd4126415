"""Partner tables: partners, their API keys (stored hashed) and usage counters per key and window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Partner(SQLModel, table=True):
    """A bank, 商工会議所, accounting service or prefecture site that embeds our recommendations."""

    __tablename__ = "partner"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    prefecture: str | None = Field(default=None, max_length=10)  # its own programs come first
    programs: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)


class PartnerKey(SQLModel, table=True):
    """One API key. The token itself is shown once; only its SHA-256 digest is kept."""

    __tablename__ = "partner_key"

    id: str = Field(primary_key=True, max_length=16)  # public key id, e.g. k_3f9a1c2b (shown in lists and usage)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    digest: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)  # the token's first characters, so a partner can tell its keys apart
    origins: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    per_minute: int = Field(default=600)
    per_day: int = Field(default=50_000)
    created_at: dt.datetime = Field(default_factory=_now)
    revoked_at: dt.datetime | None = None


class PartnerUsage(SQLModel, table=True):
    """Requests per key and period: ``d:2026-11-22`` (a day, JST) or ``m:202611221530`` (a minute, UTC).

    Incremented atomically by one upsert per request, so limits hold across worker processes.
    """

    __tablename__ = "partner_usage"

    key_id: str = Field(primary_key=True, max_length=40)  # a PartnerKey.id, or "anonymous"
    period: str = Field(primary_key=True, max_length=16)
    count: int = Field(default=0)
    rejected: int = Field(default=0)

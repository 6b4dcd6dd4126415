"""The console's tables: accounts of a 拠点, login attempts, clients, consultations, outcomes, audit.

A 拠点 (the prefecture's よろず支援拠点) is named by its prefecture (``office = "宮城県"``): every client,
consultation and audit entry carries the office it belongs to, and every query of an advisor filters on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

ROLES = {"advisor": "コーディネーター", "office_admin": "拠点管理者", "system_admin": "システム管理者"}
OUTCOMES = {"applied": "申請した", "adopted": "採択された", "rejected": "不採択だった", "not_relevant": "該当しなかった"}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ConsoleAccount(SQLModel, table=True):
    __tablename__ = "console_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, unique=True, index=True)
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20, default="advisor")
    office: str = Field(max_length=10, index=True, description="the 拠点's prefecture, e.g. 宮城県")
    active: bool = True
    created_at: dt.datetime = Field(default_factory=now)


class LoginAttempt(SQLModel, table=True):
    """One try to sign in (kept for lockout: repeated failures within a window block the address)."""

    __tablename__ = "console_login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200, index=True)
    succeeded: bool
    at: dt.datetime = Field(default_factory=now, index=True)


class Client(SQLModel, table=True):
    """A company an office advises; ``profile`` is a CompanyProfile as JSON (absent field = unknown)."""

    __tablename__ = "console_client"

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=10, index=True)
    name: str = Field(max_length=200, index=True)
    contact: str | None = Field(default=None, max_length=200, description="担当者・連絡先")
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    owner_case_token: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="console_account.id")
    created_at: dt.datetime = Field(default_factory=now)
    updated_at: dt.datetime = Field(default_factory=now)


class Consultation(SQLModel, table=True):
    __tablename__ = "console_consultation"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="console_client.id", index=True)
    office: str = Field(max_length=10, index=True)
    advisor_id: int = Field(foreign_key="console_account.id")
    held_on: dt.date = Field(index=True)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False))
    programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                description="programs discussed")
    agreed: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                              description="programs the owner agreed to pursue (a subset of programs)")
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False))
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False),
                                    description="the client's profile as it was at the consultation")
    created_at: dt.datetime = Field(default_factory=now)


class Outcome(SQLModel, table=True):
    """What became of a program for a client; each one is also a feedback event for the ranker."""

    __tablename__ = "console_outcome"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="console_client.id", index=True)
    office: str = Field(max_length=10, index=True)
    program_id: str = Field(max_length=120)
    outcome: str = Field(max_length=20)
    advisor_id: int = Field(foreign_key="console_account.id")
    consultation_id: int | None = Field(default=None, foreign_key="console_consultation.id")
    feedback_event_id: int | None = Field(default=None, foreign_key="feedback_event.id")
    created_at: dt.datetime = Field(default_factory=now)


class AuditEntry(SQLModel, table=True):
    """Who viewed or changed which client, and when."""

    __tablename__ = "console_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=now, index=True)
    account_id: int | None = Field(default=None, foreign_key="console_account.id")
    office: str = Field(max_length=10, index=True)
    client_id: int | None = Field(default=None, index=True)
    action: str = Field(max_length=40)
    detail: str = Field(default="", max_length=500)

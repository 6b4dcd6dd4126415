"""Alert subscriptions (a saved profile, told about programs that fit it) and the events sent to them."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AlertSubscription(SQLModel, table=True):
    __tablename__ = "alert_subscription"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(default_factory=lambda: secrets.token_urlsafe(24), max_length=64, unique=True, index=True,
                       description="the secret in the feed and unsubscribe links")
    email: str | None = Field(default=None, max_length=200, description="none: Atom feed only")
    case_token: str | None = Field(default=None, max_length=64, index=True,
                                   description="the owner's case (owner_case.token) it was saved from, if any")
    # A plain unique column rather than a unique index on (case_token, coalesce(email, '')): databases
    # let NULL e-mails repeat, and SQLite's batch migrations cannot reflect an expression index.
    case_key: str | None = Field(default=None, max_length=270, unique=True, index=True,
                                 description="case token and e-mail: one subscription per case and address")
    profile: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    saved_programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                      description="programs whose deadline two weeks ahead is announced")
    known_programs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                      description="fitting programs already announced (or there at subscription)")
    digest: bool = Field(default=False, description="one e-mail per run instead of one per event")
    active: bool = True
    checked_on: dt.date | None = Field(default=None, description="the day of the last run")
    created_at: dt.datetime = Field(default_factory=_now)


class AlertEvent(SQLModel, table=True):
    __tablename__ = "alert_event"
    __table_args__ = (UniqueConstraint("subscription_id", "key", name="uq_alert_event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="alert_subscription.id", index=True)
    key: str = Field(max_length=200, description="kind:program:date, unique per subscription (no duplicates)")
    kind: str = Field(max_length=20, description="added | opened | deadline")
    program_id: str = Field(max_length=120)
    title: str
    created_at: dt.datetime = Field(default_factory=_now, index=True)
    emailed_at: dt.datetime | None = None

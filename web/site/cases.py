"""An owner's case: the questionnaire answers kept server-side, found by an unguessable token.

The token is the only key: the resume link ``/c/{token}`` works on any device and can be handed to an
advisor. ``answers`` maps a profile field to its answer; ``None`` means the owner said 「分からない」,
which keeps the field unknown (it is asked, but never filled in for them).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel

TOKEN = re.compile(r"^[A-Za-z0-9_\-]{20,64}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OwnerCase(SQLModel, table=True):
    __tablename__ = "owner_case"

    token: str = Field(primary_key=True, max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = Field(default_factory=_now)
    updated_at: dt.datetime = Field(default_factory=_now)


def open_case(engine: Engine) -> OwnerCase:
    """A new, empty case with a fresh token."""
    case = OwnerCase(token=secrets.token_urlsafe(24), answers={})
    with Session(engine) as session:
        session.add(case)
        session.commit()
        session.refresh(case)
    return case


def find_case(engine: Engine, token: str | None) -> OwnerCase | None:
    """The case for a token, or None for a missing, malformed or unknown token."""
    if not token or not TOKEN.match(token):
        return None
    with Session(engine) as session:
        return session.get(OwnerCase, token)


def save_answers(engine: Engine, token: str, answers: dict[str, Any]) -> None:
    with Session(engine) as session:
        case = session.get(OwnerCase, token)
        if case is None:
            return
        case.answers = dict(answers)  # a new object, so the JSON column is seen as changed
        case.updated_at = _now()
        session.add(case)
        session.commit()

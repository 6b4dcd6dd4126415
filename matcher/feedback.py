"""Outcome events for recommendations (shown, opened, saved, applied, adopted, rejected, not_relevant):
stored as they come, and turned into graded relevance for training the ranker."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

EventType = Literal["shown", "opened", "saved", "applied", "adopted", "rejected", "not_relevant"]

# Graded relevance an event implies (0–3). "rejected" means the application was turned down: the program
# was relevant enough to apply for. "not_relevant" is an explicit negative and overrides weaker signals.
GRADE: dict[str, int] = {"shown": 0, "opened": 1, "saved": 2, "rejected": 2, "applied": 3, "adopted": 3,
                         "not_relevant": 0}
EXPLICIT_NEGATIVE = "not_relevant"


class FeedbackEvent(SQLModel, table=True):
    __tablename__ = "feedback_event"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    program_id: str = Field(max_length=120, index=True)
    event: str = Field(max_length=20)
    profile: str | None = Field(default=None, description="the profile as JSON, when given")
    profile_hash: str | None = Field(default=None, max_length=64, index=True)
    position: int | None = None
    source: str = Field(default="api", max_length=40)
    partner: str | None = Field(default=None, max_length=80)


def profile_key(profile: dict | None) -> str | None:
    if not profile:
        return None
    canonical = json.dumps({k: v for k, v in profile.items() if k not in ("as_of", "challenges")}, sort_keys=True,
                           ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def record(engine: Engine, program_id: str, event: str, profile: dict | None = None, position: int | None = None,
           source: str = "api", partner: str | None = None) -> FeedbackEvent:
    row = FeedbackEvent(program_id=program_id, event=event, position=position, source=source, partner=partner,
                        profile=json.dumps(profile, ensure_ascii=False, default=str) if profile else None,
                        profile_hash=profile_key(profile))
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
    return row


@dataclass(frozen=True)
class Judgement:
    """A (profile, program) pair with its graded relevance."""

    profile: dict
    program_id: str
    grade: int
    group: str


def judgements_from_events(events: Iterable[FeedbackEvent]) -> list[Judgement]:
    """One judgement per (profile, program): the strongest signal, unless explicitly marked not relevant."""
    best: dict[tuple[str, str], tuple[int, dict]] = {}
    negative: set[tuple[str, str]] = set()
    for e in events:
        if not e.profile or not e.profile_hash:
            continue
        key = (e.profile_hash, e.program_id)
        if e.event == EXPLICIT_NEGATIVE:
            negative.add(key)
        grade = GRADE.get(e.event, 0)
        if key not in best or grade > best[key][0]:
            best[key] = (grade, json.loads(e.profile))
    return [Judgement(profile, pid, 0 if (h, pid) in negative else grade, f"feedback:{h}")
            for (h, pid), (grade, profile) in best.items()]


def load_events(engine: Engine) -> list[FeedbackEvent]:
    with Session(engine) as session:
        rows = session.exec(select(FeedbackEvent).order_by(col(FeedbackEvent.id))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)

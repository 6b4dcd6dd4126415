"""Per-key rate limit (per minute) and daily quota, counted in the database so they hold across workers.

One statement per request upserts the key's minute row and day row and returns both counts (``INSERT …
ON CONFLICT DO UPDATE … RETURNING``, atomic on SQLite ≥ 3.35 and PostgreSQL). A request over a limit is
then moved from ``count`` to ``rejected`` on the day row, so ``count`` is what was served.
Minutes are fixed UTC windows; days are Japanese calendar days (JST), when partners expect a quota to reset.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from web.partners.models import PartnerUsage

JST = dt.timezone(dt.timedelta(hours=9), "JST")
PRUNE_CHANCE = 0.01  # minute rows older than an hour are deleted now and then


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int  # the limit that applies (per minute, or per day when the day is used up)
    remaining: int
    reset_seconds: int  # until the window that refused (or the minute) resets
    scope: str  # "minute" or "day"


def minute_period(now: dt.datetime) -> str:
    return "m:" + now.astimezone(dt.UTC).strftime("%Y%m%d%H%M")


def day_period(now: dt.datetime) -> str:
    return "d:" + now.astimezone(JST).date().isoformat()


def _seconds_to_next_minute(now: dt.datetime) -> int:
    return max(1, 60 - now.second)


def _seconds_to_next_day(now: dt.datetime) -> int:
    local = now.astimezone(JST)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), JST)
    return max(1, int((midnight - local).total_seconds()) + 1)


def _upsert(dialect: str):  # type: ignore[no-untyped-def]
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PartnerUsage)


def consume(engine: Engine, key_id: str, per_minute: int, per_day: int, now: dt.datetime | None = None) -> Decision:
    """Count one request for the key; say whether it is within its minute limit and daily quota."""
    now = now or dt.datetime.now(dt.UTC)
    minute, day = minute_period(now), day_period(now)
    insert = _upsert(engine.dialect.name)
    stmt = insert.values([{"key_id": key_id, "period": minute, "count": 1, "rejected": 0},
                          {"key_id": key_id, "period": day, "count": 1, "rejected": 0}])
    stmt = stmt.on_conflict_do_update(index_elements=["key_id", "period"],
                                      set_={"count": PartnerUsage.__table__.c["count"] + 1})
    stmt = stmt.returning(PartnerUsage.__table__.c["period"], PartnerUsage.__table__.c["count"])
    with engine.begin() as connection:
        counts = {period: count for period, count in connection.execute(stmt)}
        used_minute, used_day = counts[minute], counts[day]
        decision = _decide(used_minute, used_day, per_minute, per_day, now)
        if not decision.allowed:
            connection.execute(update(PartnerUsage).where(col(PartnerUsage.key_id) == key_id, col(PartnerUsage.period) == day)
                               .values(count=PartnerUsage.count - 1, rejected=PartnerUsage.rejected + 1))
        if random.random() < PRUNE_CHANCE:
            stale = minute_period(now - dt.timedelta(hours=1))
            connection.execute(delete(PartnerUsage).where(col(PartnerUsage.period).like("m:%"),
                                                          col(PartnerUsage.period) < stale))
    return decision


def _decide(used_minute: int, used_day: int, per_minute: int, per_day: int, now: dt.datetime) -> Decision:
    if used_day > per_day:
        return Decision(False, per_day, 0, _seconds_to_next_day(now), "day")
    if used_minute > per_minute:
        return Decision(False, per_minute, 0, _seconds_to_next_minute(now), "minute")
    return Decision(True, per_minute, min(per_minute - used_minute, per_day - used_day),
                    _seconds_to_next_minute(now), "minute")


def usage(engine: Engine, key_ids: list[str] | None = None, days: int = 31,
          today: dt.date | None = None) -> list[dict[str, object]]:
    """Requests served and refused per key per day (JST), newest first."""
    today = today or dt.datetime.now(JST).date()
    since = "d:" + (today - dt.timedelta(days=days - 1)).isoformat()
    query = select(PartnerUsage).where(col(PartnerUsage.period) >= since, col(PartnerUsage.period).like("d:%"))
    if key_ids is not None:
        query = query.where(col(PartnerUsage.key_id).in_(key_ids))
    with Session(engine) as session:
        rows = session.exec(query.order_by(col(PartnerUsage.period).desc(), col(PartnerUsage.key_id))).all()
    return [{"key_id": r.key_id, "date": r.period[2:], "requests": r.count, "rejected": r.rejected} for r in rows]

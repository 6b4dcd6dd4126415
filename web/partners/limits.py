"""Per-key rate limit (per minute) and daily quota, counted in the database so they hold across workers.

One statement per request upserts the key's minute row and day row and returns both counts (``INSERT …
ON CONFLICT DO UPDATE … RETURNING``, atomic on SQLite ≥ 3.35 and PostgreSQL). A request over a limit is
then moved from ``count`` to ``rejected`` on the day row, so ``count`` is what was served.
Minutes are fixed UTC windows; days are Japanese calendar days (JST), when partners expect a quota to reset.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

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


# One statement, the same on SQLite (≥ 3.35) and PostgreSQL, written out once rather than built per request:
# building it with the ORM cost more than running it.
_COUNT = text(
    "INSERT INTO partner_usage (key_id, period, count, rejected) VALUES (:key, :minute, 1, 0), (:key, :day, 1, 0) "
    "ON CONFLICT (key_id, period) DO UPDATE SET count = partner_usage.count + 1 RETURNING period, count")
_REFUSE = text("UPDATE partner_usage SET count = count - 1, rejected = rejected + 1 WHERE key_id = :key AND period = :day")
_PRUNE = text("DELETE FROM partner_usage WHERE period LIKE 'm:%' AND period < :stale")
# Counters may lose their last fraction of a second on a PostgreSQL crash; they never need to wait for the disk.
_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO OFF")


def consume(engine: Engine, key_id: str, per_minute: int, per_day: int, now: dt.datetime | None = None) -> Decision:
    """Count one request for the key; say whether it is within its minute limit and daily quota."""
    now = now or dt.datetime.now(dt.UTC)
    minute, day = minute_period(now), day_period(now)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(_NO_FLUSH_WAIT)
        counts = {period: count for period, count in connection.execute(_COUNT, {"key": key_id, "minute": minute, "day": day})}
        decision = _decide(counts[minute], counts[day], per_minute, per_day, now)
        if not decision.allowed:
            connection.execute(_REFUSE, {"key": key_id, "day": day})
        if random.random() < PRUNE_CHANCE:
            connection.execute(_PRUNE, {"stale": minute_period(now - dt.timedelta(hours=1))})
    return decision


def _decide(used_minute: int, used_day: int, per_minute: int, per_day: int, now: dt.datetime) -> Decision:
    if used_day > per_day:
        return Decision(False, per_day, 0, _seconds_to_next_day(now), "day")
    if used_minute > per_minute:
        return Decision(False, per_minute, 0, _seconds_to_next_minute(now), "minute")
    return Decision(True, per_minute, min(per_minute - used_minute, per_day - used_day),
                    _seconds_to_next_minute(now), "minute")


class LocalWindow:
    """Per-minute counts kept by one worker, for the minutes when the database cannot count.

    Each worker then allows a key its per-minute limit on its own (n workers: up to n times the limit) and
    does not enforce the daily quota; what it serves in those minutes is not in the usage table.
    """

    def __init__(self) -> None:
        self._minute = ""
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def consume(self, key_id: str, per_minute: int, per_day: int, now: dt.datetime | None = None) -> Decision:
        now = now or dt.datetime.now(dt.UTC)
        minute = minute_period(now)
        with self._lock:
            if minute != self._minute:
                self._minute, self._counts = minute, {}
            used = self._counts[key_id] = self._counts.get(key_id, 0) + 1
        return _decide(used, 0, per_minute, per_day, now)


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

"""Recommendation answers kept per worker, as the bytes sent, so a repeated question costs a look-up.

A recommendation depends only on the request (profile, limit, kinds), the day it is asked for and the
matcher answering it (its catalog version, ranker and, for a partner, its view); the key holds all of
them, so a new catalog or a partner's changed programs can never be answered from an old entry. A question
asked again (a page reloaded, an owner going back in a widget, a portal's common starting profiles) is
answered from here instead of by the engine.

The size is bounded in bytes (``max_bytes``, least recently used first out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache

from matcher.recommend import Matcher
from web.api.schemas import RecommendationRequest

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    body: bytes  # the JSON document, as sent
    statuses: tuple[str, ...]  # the verdicts in it, for the metrics


class AnswerCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES):
        self._answers: LRUCache[tuple[int, dt.date, str], Answer] = LRUCache(max_bytes, getsizeof=_size)
        self.hits = self.misses = 0

    def answer(self, matcher: Matcher, request: RecommendationRequest, compute: Callable[[], Answer],
               today: dt.date | None = None) -> Answer:
        key = (matcher.uid, today or dt.date.today(), request.model_dump_json(exclude_none=True))
        found = self._answers.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = compute()
        if _size(found) <= self._answers.maxsize:
            self._answers[key] = found
        return found


def _size(answer: Answer) -> int:
    return len(answer.body) + 200  # the key and the entry's own overhead, roughly

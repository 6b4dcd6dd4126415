"""Three-valued (Kleene) logic: True = pass, False = fail, None = unknown."""

from __future__ import annotations

from collections.abc import Iterable

Tri = bool | None


def and3(values: Iterable[Tri]) -> Tri:
    """False if any is False; True if all are True; otherwise unknown."""
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def or3(values: Iterable[Tri]) -> Tri:
    """True if any is True; False if all are False; otherwise unknown."""
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


def not3(value: Tri) -> Tri:
    return None if value is None else not value


def agree(values: Iterable[Tri]) -> Tri:
    """The common value when every possibility agrees, otherwise unknown."""
    seen = set(values)
    return seen.pop() if len(seen) == 1 else None


def le3(value: float | int | None, limit: float | None) -> Tri:
    if value is None or limit is None:
        return None
    return value <= limit


def ge3(value: float | int | None, limit: float | None) -> Tri:
    if value is None or limit is None:
        return None
    return value >= limit

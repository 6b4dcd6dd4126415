"""Japanese and English renderings of amounts, dates and units for the explanations."""

from __future__ import annotations

import datetime as dt
from typing import Any

_ERAS = ((dt.date(2019, 5, 1), "令和"), (dt.date(1989, 1, 8), "平成"), (dt.date(1926, 12, 25), "昭和"))


def yen_ja(amount: float | int) -> str:
    """3億円, 5,000万円, 1億2,000万円, 850円."""
    n = int(round(amount))
    sign, n = ("-" if n < 0 else ""), abs(n)
    oku, rest = divmod(n, 100_000_000)
    man, yen = divmod(rest, 10_000)
    parts = []
    if oku:
        parts.append(f"{oku:,}億")
    if man:
        parts.append(f"{man:,}万")
    if yen or not parts:
        parts.append(f"{yen:,}")
    return sign + "".join(parts) + "円"


def yen_en(amount: float | int) -> str:
    n = int(round(amount))
    if abs(n) >= 100_000_000 and n % 1_000_000 == 0:
        return f"¥{n / 1_000_000_000:g} billion" if abs(n) >= 1_000_000_000 else f"¥{n / 1_000_000:g} million"
    if abs(n) >= 1_000_000 and n % 10_000 == 0:
        return f"¥{n / 1_000_000:g} million"
    return f"¥{n:,}"


def wareki(day: dt.date) -> str:
    """令和7年4月1日; ``date_ja`` adds the Western year beside it."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def date_ja(day: dt.date) -> str:
    """令和8年（2026年）3月31日."""
    era_part, _, rest = wareki(day).partition("年")
    return f"{era_part}年（{day.year}年）{rest}"


def number_ja(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


UNIT_JA = {"persons": "人", "percent": "%", "years": "年", "kl": "kl", "companies": "社", "filings": "期"}
UNIT_EN = {"persons": " employees", "percent": "%", "years": " years", "kl": " kl", "companies": " companies",
           "filings": " filings"}


def value_ja(value: Any, unit: str = "") -> str:
    if isinstance(value, dt.date):
        return date_ja(value)
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int | float):
        return yen_ja(value) if unit == "yen" else number_ja(value) + UNIT_JA.get(unit, "")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "なし"
    return str(value)


def value_en(value: Any, unit: str = "") -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return yen_en(value) if unit == "yen" else number_ja(value) + UNIT_EN.get(unit, "")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)

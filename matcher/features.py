"""Ranking features for (company, program) pairs, computed for the whole catalog at once.

Each feature is a column; its name and meaning are listed in FEATURES (docs/ranking.md shows them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from matcher.concepts import purposes_from_text
from matcher.table import CERT_IDS, KIND_IDS, PURPOSE_IDS, ProgramTable, pack_bits
from rules.compile import ELIGIBLE
from rules.profile import CompanyProfile

FEATURES: dict[str, str] = {
    "eligible": "1 when every condition is met (対象), 0 when some are still unknown (要確認)",
    "unknown_conditions": "how many conditions are still unknown (capped at 5)",
    "purpose_overlap": "share of the company's stated purposes the program serves",
    "inferred_overlap": "share of the purposes read from the owner's own words that the program serves",
    "text_similarity": "character n-gram similarity of the owner's words to the program text (0–1)",
    "benefit_log": "log10 of the estimated support in yen for the planned investment (0 unknown)",
    "open": "1 when taking applications on as_of",
    "closed": "1 when its windows are over or it has ended",
    "deadline_soon": "closeness of the deadline when open (1 today, 0.5 in about 45 days)",
    "bonus_held": "加点 the company already holds (count)",
    "regional": "a prefecture's own program or desk (the company's prefecture is known)",
    "documents": "log(1 + number of policy documents naming it): the everyday national measures",
    "jgrants": "a call listed on Jグランツ",
    "desk": "a prefecture's consultation desk",
    "size_fit": "the program names the company's size class among its targets",
    "industry_fit": "the program names the company's industry among its targets",
    "no_fit": "the company said what it wants (or the owner's words show it) and the program serves none of it",
    **{f"kind_{k}": f"kind is {k}" for k in KIND_IDS},
}
FEATURE_NAMES = list(FEATURES)


@dataclass
class ProfileSignals:
    """What ranking needs from a profile, computed once per request."""

    stated: np.ndarray
    inferred: np.ndarray
    certs: np.ndarray
    size: str | None
    investment: float | None
    industry: str | None
    prefecture_known: bool
    inferred_words: dict[str, list[str]]

    @classmethod
    def of(cls, profile: CompanyProfile, size_class: str | None) -> ProfileSignals:
        found = purposes_from_text(profile.challenges)
        return cls(
            stated=np.array([p in (profile.purposes or []) for p in PURPOSE_IDS]),
            inferred=np.array([p in found for p in PURPOSE_IDS]),
            certs=np.array([c in (profile.certifications or []) for c in CERT_IDS]),
            size=size_class,
            investment=float(profile.planned_investment_yen) if profile.planned_investment_yen else None,
            industry=profile.industry,
            prefecture_known=profile.prefecture is not None,
            inferred_words=found,
        )


def _overlap(program_bits: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    total = int(wanted.sum())
    if total == 0:
        return np.zeros(program_bits.shape[0])
    bits = pack_bits(wanted[np.newaxis, :])[0]
    return np.bitwise_count(program_bits & bits) / total


def _benefit(table: ProgramTable, investment: float | None) -> np.ndarray:
    if not investment:
        return np.where(table.cap > 0, np.log10(np.maximum(table.cap, 1)) * 0.5, 0.0)
    grant = np.where(table.rate > 0, investment * table.rate, 0.0)
    grant = np.where((table.cap > 0) & (grant > 0), np.minimum(grant, table.cap), grant)
    credit = investment * table.credit / 100
    best = np.maximum(grant, credit)
    return np.where(best > 0, np.log10(np.maximum(best, 1)), 0.0)


def feature_matrix(table: ProgramTable, signals: ProfileSignals, statuses: np.ndarray, unknown: np.ndarray,
                   text_scores: np.ndarray, as_of: dt.date) -> np.ndarray:
    """Features of every program for one company (rows in catalog order, columns as FEATURE_NAMES)."""
    state, days = table.open_and_deadline(as_of)
    stated = _overlap(table.purpose_bits, signals.stated)
    inferred = _overlap(table.purpose_bits, signals.inferred)
    wants = bool(signals.stated.any() or signals.inferred.any())
    text = text_scores / text_scores.max() if text_scores.size and text_scores.max() > 0 else np.zeros(table.n)
    size_fit = np.zeros(table.n)
    if signals.size in ("small", "sme", "chuken", "large"):
        size_fit = table.sizes[:, ["individual", "startup", "small", "sme", "chuken", "large"].index(signals.size)]
    columns = [
        statuses == ELIGIBLE,
        np.minimum(unknown, 5),
        stated,
        inferred,
        text,
        _benefit(table, signals.investment),
        state == 1,
        state == -1,
        np.where(state == 1, np.exp(-np.minimum(days, 3650) / 65.0), 0.0),
        np.bitwise_count(table.bonus_bits & pack_bits(signals.certs[np.newaxis, :])[0]),
        table.regional & signals.prefecture_known,
        np.log1p(table.documents),
        table.jgrants,
        table.desk,
        size_fit,
        table.industry_fit(signals.industry),
        (stated == 0) & (inferred == 0) & wants,
        *[table.kind == i for i in range(len(KIND_IDS))],
    ]
    matrix = np.empty((table.n, len(columns)))
    for j, column in enumerate(columns):
        matrix[:, j] = column
    return matrix

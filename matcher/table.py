"""Per-program arrays for ranking, built once per catalog so that scoring a profile is vectorised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from matcher.concepts import purposes_from_text
from programs.catalog import Catalog
from programs.schema import Program
from rules.tree import Member
from rules.vocabulary import CERTIFICATIONS, KINDS, PURPOSES

PURPOSE_IDS = list(PURPOSES)
CERT_IDS = list(CERTIFICATIONS)
KIND_IDS = list(KINDS)
SIZE_IDS = ["individual", "startup", "small", "sme", "chuken", "large"]
FAR = 10**7  # an ordinal far in the future or past


def served_purposes(program: Program) -> list[str]:
    """The purposes a program states, plus those its own name and summary speak of.

    jGrants calls carry no purposes (the API's use_purpose is empty in the data), so without this a
    local call for 省エネ設備 would never meet an owner who wants to cut the electricity bill.
    """
    text = f"{program.name} {' '.join(program.aliases)} {program.summary} {(program.search_text or '')[:300]}"
    return list(dict.fromkeys([*program.purposes, *purposes_from_text(text)]))


def _regional(program: Program) -> bool:
    if program.prefectures:
        return True
    return any(isinstance(n, Member) and n.fact in ("prefecture", "region", "municipality") for n in program.rule().walk())


def _documents(program: Program) -> int:
    return len({s.document for s in program.sources if s.document})


def _grant(program: Program) -> tuple[float, float]:
    """Best stated grant rate and cap (0 when not stated)."""
    rates = [b.rate for b in program.benefits if b.type == "grant" and b.rate]
    caps = [b.max_yen for b in program.benefits if b.type in ("grant", "loan", "investment") and b.max_yen]
    return (max(rates) if rates else 0.0), float(max(caps) if caps else 0)


@dataclass
class ProgramTable:
    n: int
    kind: np.ndarray
    purposes: np.ndarray
    industries: list[tuple[str, ...]]
    regional: np.ndarray
    jgrants: np.ndarray
    desk: np.ndarray
    yorozu: np.ndarray
    documents: np.ndarray
    rate: np.ndarray
    cap: np.ndarray
    credit: np.ndarray
    bonus_certs: np.ndarray
    sizes: np.ndarray
    family: np.ndarray
    applicable: np.ndarray
    window_program: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    has_window: np.ndarray
    ended: np.ndarray
    industry_group: np.ndarray = field(init=False)  # per program: index of its distinct industry list
    industry_lists: list[tuple[str, ...]] = field(init=False)
    _industry_cache: dict[str, np.ndarray] = field(init=False, default_factory=dict)
    purpose_bits: np.ndarray = field(init=False)
    bonus_bits: np.ndarray = field(init=False)
    _open_cache: dict[dt.date, tuple[np.ndarray, np.ndarray]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        distinct = {codes: i for i, codes in enumerate(dict.fromkeys(self.industries))}
        self.industry_lists = list(distinct)
        self.industry_group = np.array([distinct[codes] for codes in self.industries], dtype=np.int64)
        self.purpose_bits = pack_bits(self.purposes)
        self.bonus_bits = pack_bits(self.bonus_certs)

    @classmethod
    def build(cls, catalog: Catalog) -> ProgramTable:
        programs = catalog.programs
        n = len(programs)
        families: dict[str, int] = {}
        grants = [_grant(p) for p in programs]
        windows = [(i, w.start, w.end) for i, p in enumerate(programs) for w in _windows(p)]
        return cls(
            n=n,
            kind=np.array([KIND_IDS.index(p.kind) for p in programs]),
            purposes=_mask(programs, PURPOSE_IDS, served_purposes),
            industries=[tuple(p.industries) for p in programs],
            regional=np.array([_regional(p) for p in programs]),
            jgrants=np.array([p.id.startswith("jgrants-") for p in programs]),
            desk=np.array([p.id.startswith(("yorozu-", "hosho-")) for p in programs]),
            yorozu=np.array([p.id.startswith("yorozu-") for p in programs]),
            documents=np.array([_documents(p) for p in programs], dtype=float),
            rate=np.array([g[0] for g in grants]),
            cap=np.array([g[1] for g in grants]),
            credit=np.array([max((b.credit_pct or 0) for b in p.benefits) if p.benefits else 0 for p in programs], dtype=float),
            bonus_certs=_mask(programs, CERT_IDS, lambda p: [r.certification for r in p.relations
                                                              if r.type == "bonus" and r.certification]),
            sizes=_mask(programs, SIZE_IDS, lambda p: p.target_sizes),
            family=np.array([families.setdefault(p.family or p.id, len(families)) for p in programs]),
            applicable=np.array([p.applicable for p in programs]),
            window_program=np.array([w[0] for w in windows], dtype=np.int64),
            window_start=np.array([w[1].toordinal() if w[1] else -FAR for w in windows], dtype=np.int64),
            window_end=np.array([w[2].toordinal() if w[2] else FAR for w in windows], dtype=np.int64),
            has_window=np.array([bool(_windows(p)) for p in programs]),
            ended=np.array([p.status in ("ended", "succeeded") and not p.windows for p in programs]),
        )

    def industry_fit(self, industry: str | None) -> np.ndarray:
        """1 where the program names the company's industry (either code within the other), else 0."""
        if not industry:
            return np.zeros(self.n)
        cached = self._industry_cache.get(industry)
        if cached is None:
            if len(self._industry_cache) > 64:  # one array per code seen: keep memory bounded
                self._industry_cache.clear()
            per_list = np.array([any(industry.startswith(c) or c.startswith(industry) for c in codes)
                                 for codes in self.industry_lists], dtype=float)
            cached = self._industry_cache.setdefault(industry, per_list[self.industry_group])
        return cached

    def open_and_deadline(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Per program: 1 open / 0 not published / -1 closed, and days to the current deadline (FAR if none)."""
        cached = self._open_cache.get(as_of)
        if cached is None:
            if len(self._open_cache) > 32:
                self._open_cache.clear()
            cached = self._open_cache[as_of] = self._open_state(as_of)
        return cached

    def _open_state(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
        day = as_of.toordinal()
        state = np.zeros(self.n, dtype=np.int8)
        days = np.full(self.n, FAR, dtype=np.int64)
        if len(self.window_program):
            is_open = (self.window_start <= day) & (day <= self.window_end)
            upcoming = self.window_start > day
            open_programs = np.zeros(self.n, dtype=bool)
            np.logical_or.at(open_programs, self.window_program[is_open], True)
            later = np.zeros(self.n, dtype=bool)
            np.logical_or.at(later, self.window_program[upcoming], True)
            np.minimum.at(days, self.window_program[is_open], self.window_end[is_open] - day)
            state = np.where(open_programs, 1, np.where(self.has_window & ~later, -1, 0)).astype(np.int8)
        state[self.ended & (state == 0)] = -1
        return state, days


def pack_bits(mask: np.ndarray) -> np.ndarray:
    """Rows of booleans (≤ 64 columns) as one unsigned integer each, for popcount arithmetic."""
    weights = np.left_shift(np.uint64(1), np.arange(mask.shape[1], dtype=np.uint64))
    return (mask.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64) if mask.shape[1] else np.zeros(
        mask.shape[0], dtype=np.uint64)


def _windows(program: Program) -> list:
    if program.windows:
        return list(program.windows)
    if program.period and (program.period.start or program.period.end):
        return [program.period]
    return []


def _mask(programs: list[Program], ids: list[str], values) -> np.ndarray:  # type: ignore[no-untyped-def]
    index = {v: i for i, v in enumerate(ids)}
    mask = np.zeros((len(programs), len(ids)), dtype=bool)
    for row, program in enumerate(programs):
        for value in values(program):
            if value in index:
                mask[row, index[value]] = True
    return mask

"""Japanese search over program names, aliases and text: character 2–3-gram TF-IDF.

Chosen over SQLite FTS5 trigram (cannot match 2-character words such as 補助, 融資, 承継) and
PostgreSQL pg_trgm (different behaviour on the two databases); figures in docs/search.md. The index is
kept term-major (CSC) so a query reads only its own n-gram columns. Names and aliases weigh more than
body text.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from programs.schema import Program
from rules.vocabulary import KINDS, PURPOSES

KEEP_BUILT = 2  # indexes kept for reuse: the catalog served and the one being loaded
NAME_WEIGHT = 2.0
EXACT_BONUS = 0.5
BODY_CHARS = 3000


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to half-width, half-width kana to full-width), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def _name_text(program: Program) -> str:
    return normalise(" ".join([program.name, *program.aliases]))


def _body_text(program: Program) -> str:
    parts = [
        program.summary,
        KINDS[program.kind].ja,
        " ".join(PURPOSES[p].ja for p in program.purposes),
        program.implementing_body or "",
        program.ministry or "",
        " ".join(b.text for b in program.benefits),
        (program.search_text or "")[:BODY_CHARS],
    ]
    return normalise(" ".join(parts))


@dataclass(frozen=True)
class QueryVectorizer:
    """A fitted TfidfVectorizer's transform for one short query, without scikit-learn's per-call checks.

    The same n-grams (its own analyzer), sublinear tf, idf and l2 norm, so the same vector; ≈ 50 µs instead
    of ≈ 3 ms per query, which mattered because every recommendation with the owner's own words asks two.
    """

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def of(cls, fitted: TfidfVectorizer) -> QueryVectorizer:
        return cls(fitted.build_analyzer(), fitted.vocabulary_, fitted.idf_.astype(np.float32))

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, weights) of the query's normalised tf-idf vector; empty when nothing is known."""
        counts = Counter(g for g in self.analyze(text) if g in self.vocabulary)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.idf[columns]
        return columns, weights / np.linalg.norm(weights)


_BUILT: dict[str, SearchIndex] = {}  # by a digest of the ids and texts indexed, oldest first


@dataclass
class SearchIndex:
    ids: list[str]
    name_vectorizer: TfidfVectorizer
    body_vectorizer: TfidfVectorizer
    names: sparse.csc_matrix
    bodies: sparse.csc_matrix
    texts: list[str]

    @classmethod
    def build(cls, programs: Sequence[Program]) -> SearchIndex:
        """The index of these programs' texts; the same texts in this process get the same index, built once
        (≈ 2 s at 864 programs: a new catalog version that changed only dates or amounts reuses it)."""
        ids = [p.id for p in programs]
        name_texts, body_texts = [_name_text(p) for p in programs], [_body_text(p) for p in programs]
        key = hashlib.sha256(json.dumps([ids, name_texts, body_texts], ensure_ascii=False).encode()).hexdigest()
        if (found := _BUILT.get(key)) is not None:
            return found

        def vectorizer() -> TfidfVectorizer:
            return TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)

        name_vec, body_vec = vectorizer(), vectorizer()
        names = name_vec.fit_transform(name_texts).tocsc()
        bodies = body_vec.fit_transform(body_texts).tocsc()
        texts = [f"{n} {b}" for n, b in zip(name_texts, body_texts, strict=True)]
        index = cls(ids, name_vec, body_vec, names, bodies, texts)
        _BUILT[key] = index
        while len(_BUILT) > KEEP_BUILT:
            del _BUILT[next(iter(_BUILT))]
        return index

    def scores(self, query: str) -> np.ndarray:
        """Relevance of every program to the query (0 when no n-gram is shared)."""
        text = normalise(query).strip()
        total = np.zeros(len(self.ids), dtype=np.float32)
        if len(text) < 2:
            return total
        for weight, vectorize, matrix in ((NAME_WEIGHT, self._name_query, self.names),
                                          (1.0, self._body_query, self.bodies)):
            columns, weights = vectorize(text)
            if len(columns):
                total += weight * (matrix[:, columns] @ weights)
        return total

    @cached_property
    def _name_query(self) -> QueryVectorizer:
        return QueryVectorizer.of(self.name_vectorizer)

    @cached_property
    def _body_query(self) -> QueryVectorizer:
        return QueryVectorizer.of(self.body_vectorizer)

    def search(self, query: str, candidates: np.ndarray | None = None, min_score: float = 0.05) -> list[tuple[str, float]]:
        """Ids and scores, best first; ``candidates`` is a boolean mask of programs allowed.

        A program whose text contains the query word for word is always a hit (and ranks higher);
        otherwise it needs enough shared n-grams. Only programs sharing some n-gram are scanned.
        """
        scores = self.scores(query)
        if candidates is not None:
            scores = np.where(candidates, scores, 0)
        word = normalise(query).strip()
        for i in np.nonzero(scores > 0)[0]:
            if word in self.texts[i]:
                scores[i] += EXACT_BONUS
        hits = np.nonzero(scores >= min_score)[0]
        order = hits[np.argsort(-scores[hits], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in order]

"""Japanese search over program names, aliases and text: character 2–3-gram TF-IDF.

Chosen over SQLite FTS5 trigram (cannot match 2-character words such as 補助, 融資, 承継) and
PostgreSQL pg_trgm (different behaviour on the two databases); figures in docs/search.md. The index is
kept term-major (CSC) so a query reads only its own n-gram columns. Names and aliases weigh more than
body text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from programs.schema import Program
from rules.vocabulary import KINDS, PURPOSES

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
        def vectorizer() -> TfidfVectorizer:
            return TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32)

        name_vec, body_vec = vectorizer(), vectorizer()
        name_texts, body_texts = [_name_text(p) for p in programs], [_body_text(p) for p in programs]
        names = name_vec.fit_transform(name_texts).tocsc()
        bodies = body_vec.fit_transform(body_texts).tocsc()
        texts = [f"{n} {b}" for n, b in zip(name_texts, body_texts, strict=True)]
        return cls([p.id for p in programs], name_vec, body_vec, names, bodies, texts)

    def scores(self, query: str) -> np.ndarray:
        """Relevance of every program to the query (0 when no n-gram is shared)."""
        text = normalise(query).strip()
        total = np.zeros(len(self.ids), dtype=np.float32)
        if len(text) < 2:
            return total
        for weight, vec, matrix in ((NAME_WEIGHT, self.name_vectorizer, self.names),
                                    (1.0, self.body_vectorizer, self.bodies)):
            q = vec.transform([text])
            if q.nnz:
                total += weight * (matrix[:, q.indices] @ q.data)
        return total

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

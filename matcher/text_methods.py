"""Japanese text relevance of the owner's words to program text: two methods, compared by ``shien eval``.

* character 2–3-gram TF-IDF (the catalog's search index): no dictionary, robust to unknown words;
* morphological tokens from SudachiPy with its core dictionary (normalised forms of content words),
  when the optional packages ``sudachipy`` and ``sudachidict_core`` are installed (pip install '.[ja]').
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from programs.catalog import Catalog
from programs.search import _body_text, _name_text

CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")


def sudachi_available() -> bool:
    try:
        import sudachidict_core  # noqa: F401
        import sudachipy  # noqa: F401
    except ImportError:
        return False
    return True


def sudachi_scorer(catalog: Catalog) -> Callable[[str], np.ndarray]:
    """A scorer over SudachiPy tokens (split mode C, normalised forms of content words)."""
    from sudachipy import dictionary, tokenizer

    analyser = dictionary.Dictionary().create()
    mode = tokenizer.Tokenizer.SplitMode.C

    def tokens(text: str) -> list[str]:
        return [m.normalized_form() for m in analyser.tokenize(text, mode) if m.part_of_speech()[0] in CONTENT_POS]

    vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform([f"{_name_text(p)} {_body_text(p)}" for p in catalog.programs]).tocsc()

    def score(text: str) -> np.ndarray:
        q = vectorizer.transform([text])
        if not q.nnz:
            return np.zeros(len(catalog.programs), dtype=np.float32)
        return np.asarray(matrix[:, q.indices] @ q.data).ravel()

    return score

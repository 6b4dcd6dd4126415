"""Scoring: a learned scikit-learn model when one is trained, else a deterministic weighted sum.

The model file is written by ``shien train`` with skops (a safe format: no pickle of arbitrary code)
together with its metadata (features, versions, data hash, metrics). A model whose feature list differs
from the running code's is refused and the fallback is used.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from matcher.features import FEATURE_NAMES

log = logging.getLogger(__name__)

# Hand-set weights of the deterministic order (used without a model, and as the baseline in shien eval).
FALLBACK_WEIGHTS: dict[str, float] = {
    "eligible": 1.0,
    "unknown_conditions": -0.2,
    "purpose_overlap": 1.3,
    "inferred_overlap": 1.1,
    "text_similarity": 1.0,
    "benefit_log": 0.02,
    "open": 0.3,
    "closed": -2.0,
    "deadline_soon": 0.3,
    "bonus_held": 0.15,
    "regional": 1.0,  # a prefecture's own program or desk over a national one when both fit
    "documents": 0.1,
    "jgrants": -0.3,
    "desk": 0.6,
    "size_fit": 0.2,
    "industry_fit": 0.8,
    "no_fit": -1.0,
    "kind_tax": 0.2,
    "kind_guarantee": 0.2,
    "kind_information": -1.0,
    "kind_matching": -0.5,
    "kind_investment": -0.5,
    "kind_human_resources": -0.3,
}


class Ranker(Protocol):
    name: str

    def score(self, features: np.ndarray) -> np.ndarray: ...


@dataclass
class FallbackRanker:
    weights: dict[str, float] = field(default_factory=lambda: dict(FALLBACK_WEIGHTS))
    name: str = "fallback"

    def __post_init__(self) -> None:
        self.vector = np.array([self.weights.get(f, 0.0) for f in FEATURE_NAMES])

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.vector


@dataclass
class LearnedRanker:
    model: Any
    metadata: dict[str, Any]
    name: str = "learned"

    def score(self, features: np.ndarray) -> np.ndarray:
        if hasattr(self.model, "decision_function"):
            return np.asarray(self.model.decision_function(features), dtype=float)
        return np.asarray(self.model.predict(features), dtype=float)


def metadata_path(model_path: Path) -> Path:
    return model_path.with_suffix(".json")


def load_ranker(model_path: Path | None) -> Ranker:
    """The trained model at ``model_path`` if it is there and matches the features; else the fallback."""
    if model_path is None or not model_path.exists():
        return FallbackRanker()
    try:
        import skops.io as sio

        metadata = json.loads(metadata_path(model_path).read_text(encoding="utf-8"))
        if metadata.get("features") != FEATURE_NAMES:
            log.warning("ranking model %s was trained on other features; using the fallback order", model_path)
            return FallbackRanker()
        trusted = sio.get_untrusted_types(file=model_path)
        unexpected = [t for t in trusted if not t.startswith(("sklearn.", "numpy."))]
        if unexpected:
            log.warning("ranking model %s holds unexpected types %s; using the fallback order", model_path, unexpected)
            return FallbackRanker()
        model = sio.load(model_path, trusted=trusted)
        return LearnedRanker(model, metadata)
    except Exception:  # a broken model file must not take the site down
        log.exception("ranking model %s could not be loaded; using the fallback order", model_path)
        return FallbackRanker()

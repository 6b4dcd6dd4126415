"""Offline ranking evaluation on the judged set (eval/judged.yaml) and training of the learned ranker.

NDCG@5 uses graded relevance (unjudged programs count 0); recall@10 is the share of programs judged
relevant (grade ≥ 2) that appear in the top 10. Learned models are evaluated with cross-validation by
profile: no profile is in both the training and the test fold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from matcher.features import FEATURE_NAMES
from matcher.feedback import Judgement
from matcher.ranker import FallbackRanker, LearnedRanker, metadata_path
from matcher.recommend import Matcher
from rules.profile import CompanyProfile

RELEVANT = 2


@dataclass
class JudgedProfile:
    id: str
    title: str
    profile: CompanyProfile
    grades: dict[str, int]
    raw_profile: dict[str, Any] = field(default_factory=dict)


def load_judged(path: Path) -> list[JudgedProfile]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [JudgedProfile(p["id"], p.get("title", p["id"]), CompanyProfile.model_validate(p["profile"]),
                          {j["program"]: int(j["grade"]) for j in p["judgments"]}, p["profile"])
            for p in doc["profiles"]]


def dcg(grades: Sequence[int]) -> float:
    return float(sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(grades)))


def ndcg_at(ranked: Sequence[str], grades: dict[str, int], k: int = 5) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    return dcg([grades.get(pid, 0) for pid in ranked[:k]]) / ideal if ideal > 0 else 0.0


def recall_at(ranked: Sequence[str], grades: dict[str, int], k: int = 10) -> float:
    relevant = {pid for pid, g in grades.items() if g >= RELEVANT}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 1.0


@dataclass
class Metrics:
    ndcg5: float
    recall10: float
    profiles: int

    def as_dict(self) -> dict[str, float]:
        return {"ndcg@5": round(self.ndcg5, 4), "recall@10": round(self.recall10, 4), "profiles": self.profiles}


def evaluate(matcher: Matcher, judged: Sequence[JudgedProfile]) -> Metrics:
    """The product's own order (families grouped, kinds mixed, desk kept in view) against the judgements."""
    ndcgs, recalls = [], []
    for jp in judged:
        ranked = [r.verdict.program.id for r in matcher.recommend(jp.profile, limit=10).results]
        ndcgs.append(ndcg_at(ranked, jp.grades))
        recalls.append(recall_at(ranked, jp.grades))
    return Metrics(float(np.mean(ndcgs)), float(np.mean(recalls)), len(judged))


def training_rows(matcher: Matcher, judged: Sequence[JudgedProfile],
                  feedback: Sequence[Judgement] = ()) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features and grades of every recommendable program per profile (unjudged = 0), plus feedback pairs."""
    xs, ys, groups = [], [], []
    for jp in judged:
        scored = matcher.score(jp.profile)
        candidates = np.nonzero(np.isfinite(scored.score))[0]
        xs.append(scored.features[candidates])
        ys.append([jp.grades.get(matcher.catalog.programs[i].id, 0) for i in candidates])
        groups += [jp.id] * len(candidates)
    for j in feedback:
        index = matcher.catalog.index.get(j.program_id)
        if index is None:
            continue
        scored = matcher.score(CompanyProfile.model_validate(j.profile))
        xs.append(scored.features[[index]])
        ys.append([j.grade])
        groups.append(j.group)
    return np.vstack(xs), np.concatenate([np.asarray(y, dtype=float) for y in ys]), groups


@dataclass(frozen=True)
class ModelSpec:
    """A scikit-learn estimator and the target it learns (binary relevance or the grade itself)."""

    make: Callable[[], Any]
    binary: bool

    def fit(self, x: np.ndarray, y: np.ndarray) -> Any:
        return self.make().fit(x, (y >= RELEVANT).astype(int) if self.binary else y)


def model_factories() -> dict[str, ModelSpec]:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return {
        "logistic (relevant = grade ≥ 2)": ModelSpec(lambda: make_pipeline(
            StandardScaler(), LogisticRegression(C=0.5, class_weight="balanced", max_iter=2000)), binary=True),
        "gradient boosting (graded)": ModelSpec(lambda: HistGradientBoostingRegressor(
            max_iter=150, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=20, l2_regularization=1.0,
            random_state=0), binary=False),
    }


def cross_validate(matcher: Matcher, judged: Sequence[JudgedProfile], spec: ModelSpec, folds: int = 5,
                   feedback: Sequence[Judgement] = ()) -> Metrics:
    """Train on some profiles, evaluate on the others, never the same profile on both sides."""
    from sklearn.model_selection import GroupKFold

    ids = np.array([jp.id for jp in judged])
    ndcgs, recalls = [], []
    for train_idx, test_idx in GroupKFold(n_splits=min(folds, len(judged))).split(ids, groups=ids):
        train = [judged[i] for i in train_idx]
        x, y, _ = training_rows(matcher, train, feedback)
        model = spec.fit(x, y)
        m = evaluate(matcher.with_ranker(LearnedRanker(model, {})), [judged[i] for i in test_idx])
        ndcgs.append(m.ndcg5 * m.profiles)
        recalls.append(m.recall10 * m.profiles)
    return Metrics(sum(ndcgs) / len(judged), sum(recalls) / len(judged), len(judged))


def data_hash(judged_path: Path, feedback: Sequence[Judgement]) -> str:
    digest = hashlib.sha256(judged_path.read_bytes())
    digest.update(json.dumps([(j.group, j.program_id, j.grade) for j in feedback], sort_keys=True).encode())
    return digest.hexdigest()[:16]


def train_and_save(matcher: Matcher, judged: Sequence[JudgedProfile], judged_path: Path, out: Path,
                   model_name: str, feedback: Sequence[Judgement] = ()) -> dict[str, Any]:
    """Fit on everything, write the model (skops) and its metadata beside it."""
    import sklearn
    import skops
    import skops.io as sio

    spec = model_factories()[model_name]
    cv = cross_validate(matcher, judged, spec, feedback=feedback)
    x, y, _ = training_rows(matcher, judged, feedback)
    model = spec.fit(x, y)
    out.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, out)
    metadata = {
        "model": model_name,
        "features": FEATURE_NAMES,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "skops": skops.__version__},
        "data_hash": data_hash(judged_path, feedback),
        "rows": int(len(y)),
        "judged_profiles": len(judged),
        "feedback_judgements": len(feedback),
        "catalog_version": matcher.catalog.version or matcher.catalog.content_hash,
        "metrics_cv": cv.as_dict(),
    }
    metadata_path(out).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return metadata


def compare(matcher: Matcher, judged: Sequence[JudgedProfile], feedback: Sequence[Judgement] = ()) -> dict[str, Metrics]:
    results: dict[str, Metrics] = {"fallback (deterministic)": evaluate(matcher.with_ranker(FallbackRanker()), judged)}
    for name, spec in model_factories().items():
        results[f"learned: {name}, 5-fold CV by profile"] = cross_validate(matcher, judged, spec, feedback=feedback)
    return results

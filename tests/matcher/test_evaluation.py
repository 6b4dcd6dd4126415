"""Offline evaluation metrics, training, and the safe loading of a trained model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from matcher.evaluation import load_judged, ndcg_at, recall_at, train_and_save
from matcher.feedback import FeedbackEvent, judgements_from_events, profile_key
from matcher.ranker import FallbackRanker, LearnedRanker, load_ranker, metadata_path
from matcher.recommend import Matcher
from tests.builders import catalog, program


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    grades = {"a1": 3, "b1": 2, "c1": 0}
    assert ndcg_at(["a1", "b1", "c1"], grades) == pytest.approx(1.0)
    assert ndcg_at(["c1", "b1", "a1"], grades) < 0.7
    assert ndcg_at(["zz"], grades) == 0.0


def test_recall_counts_relevant_programs_in_the_top_ten() -> None:
    grades = {"a1": 3, "b1": 2, "c1": 1}
    assert recall_at(["a1", "x1"], grades) == 0.5
    assert recall_at(["a1", "b1"], grades) == 1.0


def test_feedback_events_become_graded_judgements_and_not_relevant_wins() -> None:
    profile = {"employees": 3}
    h = profile_key(profile)
    events = [FeedbackEvent(program_id="p1", event=e, profile=json.dumps(profile), profile_hash=h)
              for e in ("shown", "opened", "adopted")]
    events += [FeedbackEvent(program_id="p2", event=e, profile=json.dumps(profile), profile_hash=h)
               for e in ("saved", "not_relevant")]
    grades = {j.program_id: j.grade for j in judgements_from_events(events)}
    assert grades == {"p1": 3, "p2": 0}


@pytest.fixture
def small_world(tmp_path: Path) -> tuple[Matcher, Path]:
    programs = [program(id=f"dx{i}", purposes=["dx"]) for i in range(4)]
    programs += [program(id=f"hire{i}", purposes=["hiring"]) for i in range(4)]
    profiles = []
    for i in range(6):
        purpose = "dx" if i % 2 else "hiring"
        profiles.append({"id": f"co{i}", "profile": {"employees": 10 + i, "industry": "E24", "purposes": [purpose]},
                         "judgments": [{"program": f"{purpose}{j}", "grade": 3 - j % 2} for j in range(2)]})
    path = tmp_path / "judged.yaml"
    path.write_text(yaml.safe_dump({"profiles": profiles}, allow_unicode=True), encoding="utf-8")
    return Matcher(catalog(*programs)), path


def test_train_writes_a_model_with_metadata_that_loads_as_the_learned_ranker(small_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    matcher, judged_path = small_world
    out = tmp_path / "model" / "ranker.skops"
    metadata = train_and_save(matcher, load_judged(judged_path), judged_path, out, "logistic (relevant = grade ≥ 2)")
    assert out.exists() and metadata["features"] and metadata["data_hash"] and "ndcg@5" in metadata["metrics_cv"]
    ranker = load_ranker(out)
    assert isinstance(ranker, LearnedRanker)
    result = matcher.with_ranker(ranker).recommend(load_judged(judged_path)[1].profile)
    assert result.ranker == "learned"
    assert result.results[0].verdict.program.id.startswith("dx")


def test_a_model_trained_on_other_features_is_refused(small_world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    matcher, judged_path = small_world
    out = tmp_path / "ranker.skops"
    train_and_save(matcher, load_judged(judged_path), judged_path, out, "gradient boosting (graded)")
    meta = json.loads(metadata_path(out).read_text(encoding="utf-8"))
    meta["features"] = meta["features"][:-1]
    metadata_path(out).write_text(json.dumps(meta), encoding="utf-8")
    assert isinstance(load_ranker(out), FallbackRanker)


def test_a_missing_or_broken_model_falls_back_to_the_deterministic_order(tmp_path: Path) -> None:
    assert isinstance(load_ranker(tmp_path / "none.skops"), FallbackRanker)
    broken = tmp_path / "broken.skops"
    broken.write_bytes(b"not a model")
    metadata_path(broken).write_text("{}", encoding="utf-8")
    assert isinstance(load_ranker(broken), FallbackRanker)

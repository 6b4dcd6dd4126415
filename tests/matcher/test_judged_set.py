"""The judged set is sound: realistic companies, existing programs, grades that agree with the rules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from matcher.evaluation import load_judged
from programs.catalog import Catalog
from rules.compile import INELIGIBLE
from rules.regions import region_of

JUDGED = Path(__file__).resolve().parents[2] / "eval" / "judged.yaml"


def test_at_least_forty_profiles_across_regions_and_sizes(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    judged = load_judged(JUDGED)
    assert len(judged) >= 40
    regions = Counter(region_of(j.profile.prefecture) for j in judged if j.profile.prefecture)
    assert set(regions) == {"北海道", "東北", "関東", "中部", "近畿", "中国", "四国", "九州・沖縄"}
    assert any(j.profile.legal_form == "sole_proprietor" for j in judged)
    assert any(j.profile.planning_to_found for j in judged)
    assert any((j.profile.employees or 0) > 300 for j in judged)


def test_every_judgement_names_an_existing_program_with_a_reason_and_source(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    ids = {p.id for p in catalog_programs}
    for profile in yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["profiles"]:
        for j in profile["judgments"]:
            assert j["program"] in ids, (profile["id"], j["program"])
            assert j["reason"].strip() and j["source"], (profile["id"], j["program"])
            assert j["grade"] in (0, 1, 2, 3)


def test_a_program_the_rules_exclude_is_never_judged_relevant(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    catalog = Catalog(catalog_programs)
    wrong = []
    for jp in load_judged(JUDGED):
        statuses = catalog.statuses(catalog.context(jp.profile))
        wrong += [(jp.id, pid) for pid, grade in jp.grades.items()
                  if grade > 0 and statuses[catalog.index[pid]] == INELIGIBLE]
    assert wrong == []

"""Company profiles for load runs: many distinct ones (so no answer can be reused), or a small set asked again."""

from __future__ import annotations

import json
import random

from rules.profile import CompanyProfile
from rules.regions import PREFECTURES
from rules.vocabulary import LEGAL_FORMS, PURPOSES

INDUSTRIES = ["A01", "D06", "E09", "E24", "E29", "G39", "H44", "I56", "I58", "I60", "K68", "L74", "M75", "M76",
              "M77", "N78", "P85", "R92"]
CHALLENGES = ["人手が足りない", "FAXで受注している", "社長が70歳を超えた", "電気代が上がって苦しい", "新しい機械を入れたい",
              "海外に売りたい", "売上が落ちて資金繰りが厳しい", "賃上げをしたい", "ホームページで集客したい", ""]
CAPITALS_MAN_YEN = [100, 300, 500, 1_000, 3_000, 5_000, 10_000, 30_000]


def distinct_profiles(n: int, seed: int) -> list[dict[str, object]]:
    """``n`` different, valid profiles (prefecture, industry, size, purposes, investment, the owner's words)."""
    rng = random.Random(seed)
    found: dict[str, dict[str, object]] = {}
    while len(found) < n:
        profile: dict[str, object] = {
            "prefecture": rng.choice(list(PREFECTURES)), "industry": rng.choice(INDUSTRIES),
            "employees": rng.randint(1, 400), "capital_yen": rng.choice(CAPITALS_MAN_YEN) * 10_000,
            "legal_form": rng.choice(list(LEGAL_FORMS)), "purposes": sorted(rng.sample(list(PURPOSES), rng.randint(1, 3))),
            "planned_investment_yen": rng.randint(1, 400) * 250_000}
        if words := rng.choice(CHALLENGES):
            profile["challenges"] = words
        CompanyProfile.model_validate(profile)
        found.setdefault(json.dumps(profile, sort_keys=True, ensure_ascii=False), profile)
    return list(found.values())

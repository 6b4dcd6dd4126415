"""recommend() for one company over the full catalog, and over the catalog replicated to 20,000
programs: median and p95 including ranking and explanations for the returned top 20.

Run: .venv/bin/python -m bench.recommend_bench [--quick]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from matcher.recommend import Matcher
from programs.catalog import Catalog
from programs.loader import load_programs
from programs.schema import Program
from rules.profile import CompanyProfile

PROFILES = [
    dict(prefecture="宮城県", industry="E09", employees=25, capital_yen=10_000_000, legal_form="kabushiki",
         purposes=["succession"], challenges="社長が70歳を超えたが跡継ぎがいない"),
    dict(prefecture="東京都", industry="G391", employees=12, purposes=["dx", "hiring"], challenges="人が足りない"),
    dict(prefecture="愛知県", industry="E24", employees=180, capital_yen=90_000_000, purposes=["equipment", "gx"],
         planned_investment_yen=50_000_000, certifications=["keieiryoku_kojo"]),
    dict(prefecture="福岡県", industry="M76", employees=8, legal_form="sole_proprietor",
         challenges="電気代が上がって苦しい。FAXで注文を受けている"),
    dict(prefecture="北海道", industry="M75", employees=40, capital_yen=30_000_000, purposes=["inbound", "wage_increase"],
         planned_wage_increase_pct=4),
    dict(planning_to_found=True, prefecture="大阪府", purposes=["startup"]),
    dict(prefecture="長野県", industry="E", employees=900, capital_yen=500_000_000, purposes=["overseas", "rnd"]),
    dict(),
]


def replicate(programs: list[Program], n: int) -> list[Program]:
    """Copies of the catalog under new ids until there are n programs (families follow their copy)."""
    out: list[Program] = []
    copy = 0
    while len(out) < n:
        for p in programs:
            if len(out) >= n:
                break
            suffix = f"-r{copy}" if copy else ""
            family = (p.family or p.id) + suffix if copy else p.family
            out.append(p.model_copy(update={"id": p.id + suffix, "family": family, "relations": []}) if copy else p)
        copy += 1
    return out


def measure(matcher: Matcher, repeat: int) -> list[float]:
    profiles = [CompanyProfile.model_validate({"as_of": "2026-08-01", **p}) for p in PROFILES]
    for p in profiles:
        matcher.recommend(p)  # warm
    samples = []
    for _ in range(repeat):
        for p in profiles:
            start = time.perf_counter()
            matcher.recommend(p, limit=20)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def row(label: str, n: int, samples: list[float], build_s: float, peak_mb: float) -> str:
    p95 = statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)
    return f"| {label} | {n:,} | {statistics.median(samples):.1f} | {p95:.1f} | {build_s:.1f} | {peak_mb:.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    programs = load_programs()
    print("### recommend(): one company, top 20 with explanations\n")
    print("| catalog | programs | median ms | p95 ms | build s | process peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    sizes = [("full catalog", len(programs))] + ([] if args.quick else [("replicated", 20_000)])
    for label, n in sizes:
        start = time.perf_counter()
        matcher = Matcher(Catalog(replicate(programs, n)))
        matcher.warm()
        build = time.perf_counter() - start
        samples = measure(matcher, 2 if args.quick else 5)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(row(label, n, samples, build, peak))


if __name__ == "__main__":
    main()

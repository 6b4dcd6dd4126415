"""Rule-engine benchmark: compiled (vectorised) catalog vs plain tree walk vs zen-engine.

    .venv/bin/python -m bench.rules_bench            # full run (1,000 and 20,000 programs), ~2–3 min
    .venv/bin/python -m bench.rules_bench --quick    # smoke run, ~15 s

Prints Markdown tables (paste into docs/performance.md). Checks that ``CompiledCatalog.statuses`` equals
``rules.analysis.evaluate_rule`` for every program on every profile the plain walk evaluates, and exits
with status 1 on any mismatch. zen-engine's agreement with our statuses is reported as a rate.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.synthetic import synthetic_catalog, synthetic_profiles
from rules.analysis import evaluate_rule
from rules.compile import CompiledCatalog, ProgramRule
from rules.facts import FactContext
from rules.parameters import default_parameters
from rules.profile import CompanyProfile

CODE = {"ineligible": 0, "undetermined": 1, "eligible": 2}


@dataclass
class Config:
    sizes: tuple[int, int]
    profiles: int  # benchmark profiles: compiled timing, zen timing at the small size
    plain_timed: dict[int, int]  # profiles timed serially with the plain walk, per size
    plain_checked: dict[int, int]  # profiles checked against the plain walk in total (rest in 2 workers)
    zen_timed: dict[int, int]
    batch: tuple[int, int]  # (profiles, programs)


FULL = Config((1_000, 20_000), 100, {1_000: 20, 20_000: 3}, {1_000: 100, 20_000: 3},
              {1_000: 100, 20_000: 20}, (10_000, 1_000))
QUICK = Config((300, 2_000), 20, {300: 5, 2_000: 2}, {300: 20, 2_000: 2}, {300: 20, 2_000: 5}, (1_000, 300))


def plain_statuses(programs: Sequence[ProgramRule], profile: CompanyProfile) -> np.ndarray:
    ctx = FactContext(profile, default_parameters())
    return np.array([CODE[evaluate_rule(p.rule, ctx, p.params).status] for p in programs], dtype=np.int8)


_WORKER_PROGRAMS: Sequence[ProgramRule] = ()


def _worker(profile: CompanyProfile) -> np.ndarray:
    return plain_statuses(_WORKER_PROGRAMS, profile)


def timed(fn, items) -> tuple[list[float], list]:
    times, results = [], []
    for item in items:
        t = time.perf_counter()
        results.append(fn(item))
        times.append((time.perf_counter() - t) * 1e3)
    return times, results


def stats(ms: Sequence[float]) -> tuple[float, float]:
    return float(np.median(ms)), float(np.percentile(ms, 95))


def fmt(x: float) -> str:
    return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-zen", action="store_true", help="skip zen-engine")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    small, large = cfg.sizes
    started = time.perf_counter()
    mismatches = 0
    say = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731  progress on stderr

    t = time.perf_counter()
    catalog = synthetic_catalog(large, args.seed)
    gen_s = time.perf_counter() - t
    batch_profiles = synthetic_profiles(max(cfg.batch[0], cfg.profiles), args.seed + 1)
    profiles = batch_profiles[: cfg.profiles]
    say(f"generated {large:,} programs in {gen_s:.1f} s")

    rows: list[tuple[str, str, int, float, float]] = []
    builds: list[tuple[int, float, int, int, float | None]] = []
    checks: list[str] = []
    zen_agree: list[str] = []
    plain_ms_small: list[float] = []
    compiled_small: CompiledCatalog | None = None

    for n in cfg.sizes:
        programs = catalog[:n]
        n_leaves = sum(1 for p in programs for node in p.rule.walk() if not node.children())
        t = time.perf_counter()
        cc = CompiledCatalog(programs)
        compile_s = time.perf_counter() - t
        if n == small:
            compiled_small = cc
        cc.statuses(profiles[:3])  # warm up caches (parameter bounds per date)
        ms, compiled = timed(lambda p, cc=cc: cc.statuses([p])[0], profiles)
        rows.append((f"{n:,}", "compiled: `CompiledCatalog.statuses`, 1 profile", len(ms), *stats(ms)))
        say(f"{n:,}: compiled {stats(ms)[0]:.2f} ms median")

        # (b) plain walk: some profiles timed serially, the rest of the sample checked in two workers
        k_timed, k_checked = cfg.plain_timed[n], cfg.plain_checked[n]
        ms, plain = timed(lambda p, programs=programs: plain_statuses(programs, p), profiles[:k_timed])
        if n == small:
            plain_ms_small = ms
        rows.append((f"{n:,}", "plain walk: `evaluate_rule` × every program", len(ms), *stats(ms)))
        say(f"{n:,}: plain walk {stats(ms)[0]:.0f} ms median ({k_timed} profiles)")
        if k_checked > k_timed:
            global _WORKER_PROGRAMS
            _WORKER_PROGRAMS = programs
            with mp.get_context("fork").Pool(2) as pool:
                plain += pool.map(_worker, profiles[k_timed:k_checked], chunksize=4)
        bad = 0
        for i, expected in enumerate(plain):
            diff = np.nonzero(expected != compiled[i])[0]
            bad += len(diff)
            for j in diff[:3]:
                say(f"MISMATCH n={n} profile={i} program={programs[j].key}: plain={expected[j]} compiled={compiled[i][j]}")
        mismatches += bad
        checks.append(f"| {n:,} | {len(plain)} | {len(plain) * n:,} | {bad} |")

        # (c) zen-engine, one decision for the whole catalog
        zen_build: float | None = None
        if not args.no_zen:
            from bench.zen import ZenCatalog

            t = time.perf_counter()
            z = ZenCatalog(programs)
            zen_build = time.perf_counter() - t
            contexts = [FactContext(p, default_parameters()) for p in profiles[: cfg.zen_timed[n]]]
            z.statuses_for(contexts[0])  # warm up
            ms, zs = timed(z.statuses_for, contexts)
            rows.append((f"{n:,}", "zen-engine: one decision call (whole catalog)", len(ms), *stats(ms)))
            say(f"{n:,}: zen {stats(ms)[0]:.1f} ms median")
            agree_ours = sum(int((zs[i] == compiled[i]).sum()) for i in range(len(zs)))
            total_ours = len(zs) * n
            agree_plain = sum(int((zs[i] == plain[i]).sum()) for i in range(min(len(zs), len(plain))))
            total_plain = min(len(zs), len(plain)) * n
            zen_agree.append(
                f"| {n:,} | {len(zs)} | {agree_ours:,} / {total_ours:,} ({100 * agree_ours / total_ours:.3f}%) | "
                f"{agree_plain:,} / {total_plain:,} ({100 * agree_plain / max(1, total_plain):.3f}%) |"
            )
        builds.append((n, compile_s, n_leaves, cc.n_nodes, zen_build))

    # batch: many profiles × the small catalog
    n_prof, n_prog = cfg.batch
    assert compiled_small is not None and n_prog == small
    t = time.perf_counter()
    batch = compiled_small.statuses(batch_profiles[: n_prof])
    batch_s = time.perf_counter() - t
    single = np.stack([compiled_small.statuses([p])[0] for p in profiles])
    batch_bad = int((batch[: len(profiles)] != single).sum())
    mismatches += batch_bad
    plain_batch_s = float(np.mean(plain_ms_small)) / 1e3 * n_prof
    eligible = float((batch == 2).mean() * 100)
    undetermined = float((batch == 1).mean() * 100)

    # --- report -----------------------------------------------------------------------------------
    print(f"### Rule engine benchmark ({'quick' if args.quick else 'full'} run)\n")
    print(f"Synthetic catalog `bench/synthetic.py` seed {args.seed}: 3–15 conditions per program, nesting up to "
          f"depth 3–4, ~15% with the statutory SME definition written out; profiles seed {args.seed + 1} with "
          f"realistic unknowns. Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}.\n")
    print("| programs | engine | profiles timed | median ms / profile | p95 ms / profile |")
    print("|---:|---|---:|---:|---:|")
    for size, engine, k, med, p95 in rows:
        print(f"| {size} | {engine} | {k} | {fmt(med)} | {fmt(p95)} |")
    print()
    print("| programs | leaves | compiled nodes (after sharing) | compile s | zen decision build s |")
    print("|---:|---:|---:|---:|---:|")
    for n, compile_s, leaves, nodes, zen_build in builds:
        zb = f"{zen_build:.2f}" if zen_build is not None else "–"
        print(f"| {n:,} | {leaves:,} | {nodes:,} | {compile_s:.2f} | {zb} |")
    print()
    print(f"| batch: {n_prof:,} profiles × {n_prog:,} programs | total s |")
    print("|---|---:|")
    print(f"| compiled (`CompiledCatalog.statuses`, one call) | {batch_s:.2f} |")
    print(f"| plain walk (extrapolated from {len(plain_ms_small)} profiles) | {plain_batch_s:,.0f} |")
    print(f"\nBatch statuses: {eligible:.1f}% eligible, {undetermined:.1f}% undetermined; "
          f"batch rows equal single-profile rows: {'yes' if batch_bad == 0 else f'NO ({batch_bad} differ)'}.\n")
    print("Compiled vs plain evaluator (every program, every sampled profile):\n")
    print("| programs | profiles checked | statuses compared | mismatches |")
    print("|---:|---:|---:|---:|")
    print("\n".join(checks))
    if zen_agree:
        print("\nzen-engine agreement (three-valued, unknown = null):\n")
        print("| programs | profiles | agree with compiled | agree with plain walk |")
        print("|---:|---:|---:|---:|")
        print("\n".join(zen_agree))
    print(f"\nGeneration {gen_s:.1f} s (pydantic validation of {large:,} rules); total run "
          f"{time.perf_counter() - started:.0f} s.")
    if mismatches:
        print(f"\nFAIL: {mismatches} status mismatches between the compiled engine and the plain evaluator")
        return 1
    print("\nOK: compiled statuses identical to the plain evaluator on every checked profile.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Japanese program search: character n-gram TF-IDF (chosen) against SQLite FTS5 trigram and
PostgreSQL pg_trgm, on the real catalog. Prints build time, query latency and what each finds.

Run: .venv/bin/python -m bench.search_bench
"""

from __future__ import annotations

import sqlite3
import statistics
import time

from programs.loader import load_programs
from programs.search import SearchIndex, _body_text, _name_text

QUERIES = ["省エネ", "事業承継", "補助", "融資", "承継", "海外展開", "賃上げ", "IT導入", "ものづくり", "創業", "人材育成", "DX"]
# what a person expects among the top 10: a word that should appear in the name or summary of each hit
EXPECT = {"省エネ": "省エネ", "事業承継": "承継", "承継": "承継", "海外展開": "海外", "賃上げ": "賃", "創業": "創業"}


def timed(fn, repeat: int = 30) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def precision(names: list[str], query: str) -> str:
    want = EXPECT.get(query)
    if want is None or not names:
        return "-"
    return f"{sum(want in n for n in names[:10])}/{min(10, len(names))}"


def main() -> None:
    programs = load_programs()
    texts = {p.id: (p.name, _name_text(p) + " " + _body_text(p)) for p in programs}
    start = time.perf_counter()
    index = SearchIndex.build(programs)
    tfidf_build = (time.perf_counter() - start) * 1000

    db = sqlite3.connect(":memory:")
    start = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, name, body, tokenize='trigram')")
    db.executemany("INSERT INTO p VALUES (?, ?, ?)", [(pid, name, body) for pid, (name, body) in texts.items()])
    fts_build = (time.perf_counter() - start) * 1000

    by_id = {p.id: p for p in programs}
    print(f"catalog: {len(programs)} programs")
    print(f"build: tf-idf {tfidf_build:.0f} ms, sqlite fts5 trigram {fts_build:.0f} ms")
    print("| query | tf-idf hits | tf-idf ms | tf-idf top-10 precision | fts5 trigram hits | fts5 ms |")
    print("|---|---|---|---|---|---|")
    for q in QUERIES:
        ms, hits = timed(lambda q=q: index.search(q))
        names = [by_id[pid].name + by_id[pid].summary for pid, _ in hits]  # type: ignore[union-attr]
        fts_ms, rows = timed(lambda q=q: db.execute(
            "SELECT id FROM p WHERE p MATCH ? ORDER BY rank", (f'"{q}"',)).fetchall())
        print(f"| {q} | {len(hits)} | {ms:.2f} | {precision(names, q)} | {len(rows)} | {fts_ms:.2f} |")  # type: ignore[arg-type]
    _pg_trgm(texts)


def _pg_trgm(texts: dict[str, tuple[str, str]]) -> None:
    try:
        import psycopg

        conn = psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True)
    except Exception as exc:  # noqa: BLE001
        print(f"pg_trgm: PostgreSQL not reachable ({exc.__class__.__name__})")
        return
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.execute("DROP TABLE IF EXISTS bench_p")
    conn.execute("CREATE TEMP TABLE bench_p (id text, doc text)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO bench_p VALUES (%s, %s)", [(pid, body) for pid, (_, body) in texts.items()])
    conn.execute("CREATE INDEX ON bench_p USING gin (doc gin_trgm_ops)")
    print("| query | pg_trgm ILIKE hits | ms |")
    print("|---|---|---|")
    for q in QUERIES:
        ms, rows = timed(lambda q=q: conn.execute("SELECT id FROM bench_p WHERE doc ILIKE %s", (f"%{q}%",)).fetchall(), 10)
        print(f"| {q} | {len(rows)} | {ms:.2f} |")  # type: ignore[arg-type]
    conn.close()


if __name__ == "__main__":
    main()

"""The catalog against its sources: every citation points at a real line, the seed checklist is
covered, summaries are our own words, and docs/catalog.md is current."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from web.cli import render_catalog_doc
from web.settings import get_settings

SHARED = get_settings().shared_dir
SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"../shared not found at {SHARED}")


@cache
def seed_lines(document: str) -> list[str]:
    return (SEEDS / document).read_text(encoding="utf-8").splitlines()


def _citations(programs):  # type: ignore[no-untyped-def]
    for p in programs:
        dumped = p.model_dump()
        for source in _walk_sources(dumped):
            yield p.id, source


def _walk_sources(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        if value.get("document") and value.get("line"):
            yield value
        for v in value.values():
            yield from _walk_sources(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_sources(v)


def test_every_citation_points_at_a_real_non_blank_line(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    bad = []
    for pid, source in _citations(catalog_programs):
        lines = seed_lines(source["document"])
        if not 1 <= source["line"] <= len(lines) or not lines[source["line"] - 1].strip():
            bad.append(f"{pid}: {source['document']}:{source['line']}")
    assert bad == []


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@cache
def all_seed_text() -> str:
    return "".join(_squash(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))


def test_summaries_are_written_in_our_own_words(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    """No sentence of a seed program's summary (of 20 characters or more) stands word for word in a seed."""
    copied = []
    for p in catalog_programs:
        for sentence in re.split(r"[。．]", p.summary):
            squashed = _squash(sentence)
            if len(squashed) >= 20 and squashed in all_seed_text():
                copied.append(f"{p.id}: {sentence}")
    assert copied == []


def test_docs_catalog_is_current_and_the_checklist_is_covered(catalog_programs) -> None:  # type: ignore[no-untyped-def]
    text = render_catalog_doc(catalog_programs, SHARED)
    assert ", 0 missing" in text
    current = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert current == text, "regenerate with: shien catalog docs"

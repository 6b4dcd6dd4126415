"""Verdicts and programs rendered as API data (the API only renders what the engine decided).

Each function returns exactly the fields of its response model in web/api/schemas.py (every optional field
present, nothing extra), so an answer can be sent as it is without validating it again; a test holds the two
together.
"""

from __future__ import annotations

from typing import Any

from matcher.plan import total_estimate
from matcher.recommend import RecommendationSet
from programs.schema import Program, Relation
from programs.verdict import Verdict, certification_label
from rules.analysis import STATUS_JA
from rules.tree import ClauseResult, Source

SOURCE_FIELDS = ("document", "line", "record", "url", "title")


def source_out(source: Source) -> dict[str, Any]:
    return {name: getattr(source, name) for name in SOURCE_FIELDS}


def reason_out(reason: ClauseResult) -> dict[str, Any]:
    shown = reason.as_dict()
    del shown["op"]  # the operator is the rule's business, not the reason's
    shown["source"] = source_out(reason.source) if reason.source else None
    return shown


def program_out(program: Program) -> dict[str, Any]:
    return {
        "id": program.id,
        "name": program.name,
        "name_en": program.name_en,
        "kind": program.kind,
        "kind_label": program.kind_ja,
        "ministry": program.ministry,
        "implementing_body": program.implementing_body,
        "summary": program.summary,
        "summary_en": program.summary_en,
        "url": program.url,
        "prefectures": program.prefectures,
        "purposes": program.purposes,
        "sources": [source_out(s) for s in program.sources],
        "attribution": program.attribution,
    }


def relation_out(relation: Relation) -> dict[str, Any]:
    return {
        "type": relation.type,
        "program": relation.program,
        "certification": relation.certification,
        "label": certification_label(relation.certification) if relation.certification else relation.program,
        "text": relation.text,
        "text_en": relation.text_en,
        "source": source_out(relation.source),
    }


def verdict_out(verdict: Verdict) -> dict[str, Any]:
    return {
        "program": program_out(verdict.program),
        "status": verdict.status,
        "status_label": STATUS_JA[verdict.status],
        "reasons": [reason_out(r) for r in verdict.reasons],
        "missing_facts": verdict.missing_facts,
        "bonuses": [relation_out(r) for r in verdict.bonuses],
        "requires": [relation_out(r) for r in verdict.requires],
        "benefit_estimate": verdict.benefit_estimate.as_dict() if verdict.benefit_estimate else None,
        "deadline": verdict.deadline,
        "open": verdict.open,
        "near_misses": [n.as_dict() for n in verdict.near_misses],
    }


def recommendations_out(result: RecommendationSet, version: str | None) -> dict[str, Any]:
    total = total_estimate(result.results)
    return {
        "as_of": result.as_of,
        "catalog_version": version,
        "counts": result.counts,
        "results": [verdict_out(r.verdict) | {"score": round(r.score, 4), "siblings": r.siblings}
                    for r in result.results],
        "near_misses": [verdict_out(v) for v in result.near_misses],
        "next_questions": [q.as_dict() for q in result.next_questions[:10]],
        "plan": [step.as_dict() for step in result.plan],
        "total_estimate": total.__dict__ if total else None,
        "inferred_purposes": result.inferred_purposes,
        "ranker": result.ranker,
    }

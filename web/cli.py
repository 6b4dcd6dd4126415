"""The ``shien`` command: catalog, check, serve (see ../shared/API.md)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from programs.cases import run_cases
from programs.catalog import Catalog
from programs.coverage import read_checklist, read_left_out
from programs.coverage import render as render_coverage
from programs.loader import CATALOG_DIR, CatalogError, load_programs
from programs.schema import Program
from programs.store import publish_catalog
from rules.analysis import STATUS_JA
from rules.profile import CompanyProfile, explain_errors
from web.cli_import import import_app
from web.console.cli import console_cli
from web.db import make_engine, migrate
from web.ops.cli import ops_cli
from web.partners.cli import partners_cli
from web.settings import get_settings

app = typer.Typer(help="支援策マッチ: match companies with public support programs.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
catalog_app = typer.Typer(help="Check, load and count the catalog.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(console_cli, name="console")
app.add_typer(partners_cli, name="partners")
app.add_typer(ops_cli)

DirsOption = typer.Option(None, "--dir", help="catalog directories (default: the packaged catalog)")


def _load(dirs: list[Path] | None, partial: bool = False) -> list[Program]:
    try:
        return load_programs(dirs or _default_dirs(), partial=partial)
    except CatalogError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def _default_dirs() -> list[Path]:
    return get_settings().catalog_dirs or [CATALOG_DIR]


@catalog_app.command("validate")
def catalog_validate(
    dirs: list[Path] = DirsOption,
    cases: bool = typer.Option(True, help="also run every program's cases"),
    partial: bool = typer.Option(False, help="allow relations to programs outside these directories"),
) -> None:
    """Validate every program file; report file, field and line for each problem."""
    programs = _load(dirs, partial)
    typer.echo(f"{len(programs)} programs valid")
    if cases:
        count, failures = run_cases(programs)
        for failure in failures:
            typer.echo(f"CASE FAILED {failure}", err=True)
        typer.echo(f"{count} cases, {len(failures)} failed")
        if failures:
            raise typer.Exit(1)


@catalog_app.command("load")
def catalog_load(dirs: list[Path] = DirsOption, database_url: str = typer.Option(None, help="overrides settings")) -> None:
    """Validate the catalog and publish it as the new current version (all or nothing)."""
    programs = _load(dirs)
    count, failures = run_cases(programs)
    if failures:
        for failure in failures:
            typer.echo(f"CASE FAILED {failure}", err=True)
        typer.echo("catalog not loaded: cases failed; the previous version stays current", err=True)
        raise typer.Exit(1)
    engine = make_engine(database_url or get_settings().database_url)
    migrate(engine)
    catalog = Catalog(programs)
    result = publish_catalog(engine, programs, catalog.content_hash, source=", ".join(str(d) for d in dirs or _default_dirs()))
    typer.echo(f"catalog version {result.version_id}: {len(programs)} programs "
               f"({len(result.added)} added, {len(result.changed)} changed, {len(result.removed)} removed), {count} cases passed")


def catalog_statistics(programs: list[Program]) -> dict[str, Any]:
    documents: Counter[str] = Counter()
    for p in programs:
        for doc in {s.document or (s.record or "").split(":")[0] for s in p.sources}:
            documents[doc] += 1
    return {
        "programs": len(programs),
        "applicable": sum(p.applicable for p in programs),
        "cases": sum(len(p.cases) for p in programs),
        "by_kind": dict(Counter(p.kind for p in programs).most_common()),
        "by_ministry": dict(Counter(p.ministry or "（不明）" for p in programs).most_common()),
        "by_source": dict(documents.most_common()),
    }


@catalog_app.command("stats")
def catalog_stats(dirs: list[Path] = DirsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Count the catalog: programs, cases, per kind, ministry and source."""
    stats = catalog_statistics(_load(dirs))
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    typer.echo(f"programs: {stats['programs']} (applicable {stats['applicable']}), cases: {stats['cases']}")
    for title in ("by_kind", "by_ministry", "by_source"):
        typer.echo(f"{title}:")
        for key, value in stats[title].items():
            typer.echo(f"  {key}: {value}")


def _read_profile(path: Path) -> CompanyProfile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return CompanyProfile.model_validate(data)
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"{path}: cannot read the profile ({exc})", err=True)
        raise typer.Exit(2) from None
    except ValidationError as exc:
        for err in explain_errors(exc):
            typer.echo(f"{path}: {err.field}: {err.message} / {err.message_en}", err=True)
        raise typer.Exit(2) from None


@catalog_app.command("docs")
def catalog_docs(
    out: Path = typer.Option(Path("docs/catalog.md"), help="where to write"),
    check_only: bool = typer.Option(False, "--check", help="exit 1 when the file is out of date, write nothing"),
) -> None:
    """Write docs/catalog.md: counts per document, kind and ministry; merged and left-out programs."""
    text = render_catalog_doc(_load(None), get_settings().shared_dir)
    if check_only:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            typer.echo(f"{out} is out of date: run shien catalog docs", err=True)
            raise typer.Exit(1)
        typer.echo(f"{out} is up to date")
        return
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}")


def render_catalog_doc(programs: list[Program], shared_dir: Path) -> str:
    checklist = read_checklist(shared_dir / "data" / "seed_items.csv")
    return render_coverage(programs, checklist, read_left_out(CATALOG_DIR))


@app.command("check")
def check(
    profile_path: Path = typer.Argument(..., metavar="PROFILE.json"),
    program: str = typer.Option(None, "--program", help="only this program id"),
    as_json: bool = typer.Option(False, "--json"),
    dirs: list[Path] = DirsOption,
) -> None:
    """Verdicts for a company profile, with reasons, in the terminal."""
    profile = _read_profile(profile_path)
    catalog = Catalog(_load(dirs))
    if program and catalog.get(program) is None:
        typer.echo(f"unknown program id: {program}", err=True)
        raise typer.Exit(2)
    ctx = catalog.context(profile)
    chosen = [catalog.by_id[program]] if program else catalog.applicable()
    verdicts = [catalog.judge(p, ctx, with_near_misses=True) for p in chosen]
    order = {"eligible": 0, "undetermined": 1, "ineligible": 2}
    verdicts.sort(key=lambda v: (order[v.status], v.program.id))
    if as_json:
        from web.api.present import verdict_out

        typer.echo(json.dumps([verdict_out(v) for v in verdicts], ensure_ascii=False, indent=2, default=str))
        return
    marks = {"pass": "✓", "fail": "✗", "unknown": "?"}
    for v in verdicts:
        typer.echo(f"[{STATUS_JA[v.status]}] {v.program.name} ({v.program.id})")
        for reason in v.reasons:
            source = reason.source.cite() if reason.source else ""
            typer.echo(f"    {marks[reason.outcome]} {reason.text}  [{source}]")
        for miss in v.near_misses:
            typer.echo(f"    → {miss.text}")
    counts = Counter(v.status for v in verdicts)
    typer.echo(f"対象 {counts['eligible']}件 / 要確認 {counts['undetermined']}件 / 対象外 {counts['ineligible']}件")


@app.command("serve")
def serve(port: int = typer.Option(None, "--port", help="default: $PORT or 8000"),
          host: str = typer.Option(None, "--host"), workers: int = typer.Option(1, "--workers")) -> None:
    """Serve the site and the API."""
    import uvicorn

    settings = get_settings()
    chosen_port = port or int(os.environ.get("PORT", settings.port))
    uvicorn.run("web.main:app", host=host or settings.host, port=chosen_port, workers=workers,
                log_level=settings.log_level)


JUDGED = Path("eval/judged.yaml")


def _feedback_judgements(database_url: str | None) -> list:
    from matcher.feedback import judgements_from_events, load_events

    try:
        engine = make_engine(database_url or get_settings().database_url)
        migrate(engine)
        return judgements_from_events(load_events(engine))
    except Exception as exc:  # noqa: BLE001 - evaluation still runs on the judged set alone
        typer.echo(f"(feedback not read: {exc.__class__.__name__})", err=True)
        return []


@app.command("eval")
def eval_command(
    judged_path: Path = typer.Option(JUDGED, "--judged", help="the judged set"),
    database_url: str = typer.Option(None, help="where feedback events are (default: settings)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Offline ranking evaluation: NDCG@5 and recall@10 for the fallback order and the learned models."""
    from matcher.evaluation import compare, load_judged
    from matcher.recommend import Matcher
    from matcher.text_methods import sudachi_available, sudachi_scorer

    judged = load_judged(judged_path)
    catalog = Catalog(_load(None))
    feedback = _feedback_judgements(database_url)
    matcher = Matcher(catalog)
    rows = {f"{name} [text: char 2–3-gram TF-IDF]": m for name, m in compare(matcher, judged, feedback).items()}
    if sudachi_available():
        sudachi = Matcher(catalog, text_scorer=sudachi_scorer(catalog))
        rows |= {f"{name} [text: SudachiPy tokens TF-IDF]": m for name, m in compare(sudachi, judged, feedback).items()}
    else:
        typer.echo("(SudachiPy not installed: pip install '.[ja]' to compare the morphological method)", err=True)
    if as_json:
        typer.echo(json.dumps({k: v.as_dict() for k, v in rows.items()}, ensure_ascii=False, indent=2))
        return
    typer.echo(f"judged profiles: {len(judged)}, feedback judgements: {len(feedback)}, programs: {len(catalog)}")
    typer.echo("| ranking | NDCG@5 | recall@10 |")
    typer.echo("|---|---|---|")
    for name, m in rows.items():
        typer.echo(f"| {name} | {m.ndcg5:.3f} | {m.recall10:.3f} |")


@app.command("train")
def train_command(
    judged_path: Path = typer.Option(JUDGED, "--judged", help="the judged set"),
    model: str = typer.Option("logistic (relevant = grade ≥ 2)", help="which model (see shien eval)"),
    out: Path = typer.Option(None, help="model file (default: settings ranker_model)"),
    database_url: str = typer.Option(None, help="where feedback events are (default: settings)"),
) -> None:
    """Train the ranking model from the judged set and recorded outcomes; write it with its metadata."""
    from matcher.evaluation import load_judged, model_factories, train_and_save
    from matcher.recommend import Matcher

    if model not in model_factories():
        typer.echo(f"unknown model {model!r}; one of: {', '.join(model_factories())}", err=True)
        raise typer.Exit(2)
    target = out or get_settings().ranker_model
    metadata = train_and_save(Matcher(Catalog(_load(None))), load_judged(judged_path), judged_path, target, model,
                              _feedback_judgements(database_url))
    typer.echo(f"wrote {target} ({metadata['rows']} rows; CV {metadata['metrics_cv']})")


@db_app.command("upgrade")
def db_upgrade(database_url: str = typer.Option(None, help="overrides settings")) -> None:
    """Apply the Alembic migrations up to the newest."""
    migrate(make_engine(database_url or get_settings().database_url))
    typer.echo("database schema is up to date")


if __name__ == "__main__":
    app()

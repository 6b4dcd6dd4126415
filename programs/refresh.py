"""A scheduled refresh of the Jグランツ calls: stage, show the difference, promote only when asked.

``stage_jgrants`` copies the live directory to a staging directory and imports the fetched records
there, so the live catalog files are never touched by a run that has not been reviewed. The
difference an admin reviews is ``RefreshDiff``: calls that are new, changed (with the fields),
closed since the last run, and no longer listed by the API. ``publish_staged`` — the one way a staged
run is published, from the command line or the console — checks the staged files, swaps them in
(``promote``), loads and publishes the whole catalog, and puts the previous files back (``roll_back``)
when anything fails.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from programs.cases import run_cases
from programs.catalog import Catalog
from programs.importers.jgrants import LOG_NAME, ImportReport, import_jgrants
from programs.loader import CatalogError, load_programs
from programs.store import PublishResult, publish_catalog

DIFF_NAME = "_refresh.json"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class RefreshDiff:
    as_of: str
    source: str
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    not_listed: list[str] = field(default_factory=list)  # in the catalog, no longer found by the sweep (kept)
    unmappable: list[list[str]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.changed or self.closed or self.not_listed)

    def lines(self) -> list[str]:
        out = [f"{len(self.new)} new, {len(self.changed)} changed, {len(self.closed)} closed, "
               f"{len(self.not_listed)} no longer listed, {len(self.unmappable)} unmappable (as of {self.as_of})"]
        out += [f"  new      {pid}" for pid in self.new]
        out += [f"  changed  {pid}: {', '.join(fields)}" for pid, fields in self.changed.items()]
        out += [f"  closed   {pid}" for pid in self.closed]
        out += [f"  unlisted {pid}" for pid in self.not_listed]
        out += [f"  UNMAPPABLE {rid}: {why}" for rid, why in self.unmappable]
        return out


def _last_statuses(live: Path) -> dict[str, str]:
    """Each call's open/closed status at the previous import, from the live directory's import log."""
    log = live / LOG_NAME
    if not log.exists():
        return {}
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines:
        return {}
    return {c["id"]: c.get("status", "") for c in json.loads(lines[-1]).get("changes", [])}


def diff_of(report: ImportReport, live: Path, previous: dict[str, str]) -> RefreshDiff:
    seen = set(report.status)
    listed_before = sorted(p.stem for p in live.glob("jgrants-*.yaml")) if live.is_dir() else []
    return RefreshDiff(
        as_of=report.as_of.isoformat(), source=report.source, new=sorted(report.new),
        changed=dict(sorted(report.changed.items())),
        closed=sorted(pid for pid in report.closed if previous.get(pid) != "ended"),
        not_listed=[pid for pid in listed_before if pid not in seen],
        unmappable=[[rid, why] for rid, why in report.unmappable],
    )


def stage_jgrants(records: list[dict[str, Any]], live: Path, staging: Path, as_of: dt.date,
                  source: str) -> RefreshDiff:
    """Import into a fresh copy of ``live`` at ``staging``; the diff is also written to staging/_refresh.json."""
    if staging.exists():
        shutil.rmtree(staging)
    if live.is_dir():
        shutil.copytree(live, staging)
    staging.mkdir(parents=True, exist_ok=True)
    report = import_jgrants(records, staging, as_of, source=source)
    diff = diff_of(report, live, _last_statuses(live))
    (staging / DIFF_NAME).write_text(json.dumps(asdict(diff), ensure_ascii=False, indent=2), encoding="utf-8")
    return diff


def staged_diff(staging: Path) -> RefreshDiff | None:
    path = staging / DIFF_NAME
    if not path.exists():
        return None
    return RefreshDiff(**json.loads(path.read_text(encoding="utf-8")))


def staged_names(staging: Path, ids: Iterable[str]) -> dict[str, str]:
    """The names in the staged files of these programs (for calls the current catalog does not know yet)."""
    names = {}
    for pid in ids:
        try:
            document = yaml.load((staging / f"{pid}.yaml").read_text(encoding="utf-8"), Loader=_Loader)
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(document, dict) and isinstance(document.get("name"), str):
            names[pid] = document["name"]
    return names


def previous_of(staging: Path) -> Path:
    """Where ``promote`` keeps the replaced live directory: beside the staging one, outside the catalog roots."""
    return staging.with_name(staging.name + ".previous")


def promote(staging: Path, live: Path) -> None:
    """Make the staged directory the live one; the old live directory is kept as ``<staging>.previous``."""
    previous = previous_of(staging)
    if previous.exists():
        shutil.rmtree(previous)
    if live.exists():
        shutil.move(str(live), str(previous))
    shutil.move(str(staging), str(live))
    (live / DIFF_NAME).unlink(missing_ok=True)


def roll_back(staging: Path, live: Path) -> None:
    """Put the directory that ``promote`` replaced back in place."""
    if live.exists():
        shutil.rmtree(live)
    shutil.move(str(previous_of(staging)), str(live))


class RefreshRefused(Exception):
    """A staged run that was not published: the live files and the current catalog version are as they were."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Published:
    result: PublishResult
    program_count: int


def staged_catalog_problems(staging: Path) -> list[str]:
    """Why the staged files cannot be published (validation errors, failing cases); empty when they can."""
    try:
        programs = load_programs([staging], partial=True)
    except CatalogError as exc:
        return [str(issue) for issue in exc.issues]
    _, failures = run_cases(programs)
    return [f"case failed: {failure}" for failure in failures]


def publish_staged(engine: Engine, staging: Path, live: Path, catalog_dirs: list[Path]) -> Published:
    """Publish a staged run: check it, swap it in, publish the whole catalog; on any failure swap back.

    Raises ``RefreshRefused`` with the problems; the previous files and catalog version then stay.
    """
    if staged_diff(staging) is None:
        raise RefreshRefused([f"nothing staged in {staging}"])
    problems = staged_catalog_problems(staging)
    if problems:
        raise RefreshRefused(problems)
    promote(staging, live)
    try:
        programs = load_programs(catalog_dirs)
        _, failures = run_cases(programs)
        if failures:
            raise RefreshRefused([f"case failed: {failure}" for failure in failures])
        result = publish_catalog(engine, programs, Catalog(programs).content_hash, source=f"refresh:{live}")
    except Exception as exc:
        roll_back(staging, live)
        if isinstance(exc, RefreshRefused):
            raise
        problems = [str(i) for i in exc.issues] if isinstance(exc, CatalogError) else [f"{exc.__class__.__name__}: {exc}"]
        raise RefreshRefused(problems) from exc
    return Published(result, len(programs))

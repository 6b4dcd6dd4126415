"""Load and validate the catalog: all or nothing, errors with file, field and line.

Files are parsed with PyYAML's C loader for speed; only when a file has an error is it composed
again to find the line of the offending field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from programs.schema import Program
from rules.profile import CompanyProfile, explain_errors

CATALOG_DIR = Path(__file__).parent / "catalog"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CatalogIssue:
    file: str
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "field": self.field, "line": self.line, "message": self.message}


class CatalogError(Exception):
    """The catalog did not load; nothing of it was used."""

    def __init__(self, issues: list[CatalogIssue]):
        self.issues = issues
        shown = "\n".join(str(i) for i in issues[:50])
        more = f"\n… and {len(issues) - 50} more" if len(issues) > 50 else ""
        super().__init__(f"{len(issues)} catalog error(s):\n{shown}{more}")


@dataclass(frozen=True)
class LoadedProgram:
    program: Program
    file: str
    index: int  # position in a family file (0 for single-program files)


def program_files(roots: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        found = sorted(root.rglob("*.yaml")) if root.is_dir() else [root]
        files.extend(f for f in found if not f.name.startswith("_"))  # _*.yaml: notes, not programs
    return files


def _documents(raw: Any) -> list[Any]:
    if isinstance(raw, list):
        return raw
    if isinstance(raw, dict) and "programs" in raw and isinstance(raw["programs"], list):
        return raw["programs"]
    return [raw]


def _line_of(text: str, path: tuple[Any, ...]) -> int | None:
    """The 1-based line of a path (keys and list indexes) in a YAML text, or the nearest parent's."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key = next((k for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            line, node = key.start_mark.line + 1, match  # type: ignore[union-attr]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _yaml_path(raw: Any, index: int, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Map a pydantic error location onto the YAML structure by walking the data alongside it.

    Parts that are not keys or indexes of the data (union tags, validator names) are skipped.
    """
    path: list[Any] = []
    node: Any = raw
    if isinstance(raw, list):
        path, node = [index], raw[index]
    elif isinstance(raw, dict) and isinstance(raw.get("programs"), list):
        path, node = ["programs", index], raw["programs"][index]
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
    return tuple(path)


def parse_file(path: Path, root: Path | None = None) -> tuple[list[LoadedProgram], list[CatalogIssue]]:
    shown = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [CatalogIssue(shown, "(yaml)", mark.line + 1 if mark else None, str(exc).splitlines()[0])]
    loaded: list[LoadedProgram] = []
    issues: list[CatalogIssue] = []
    for index, doc in enumerate(_documents(raw)):
        try:
            program = Program.model_validate(doc)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                path = _yaml_path(raw, index, loc)
                line = _line_of(text, path)
                prefix = 1 if isinstance(raw, list) else 2 if isinstance(raw, dict) and "programs" in raw else 0
                field = ".".join(str(p) for p in path[prefix:]) or ".".join(str(p) for p in loc)
                issues.append(CatalogIssue(shown, field, line, err["msg"]))
            continue
        issues.extend(_check_cases(program, shown, text, raw, index))
        loaded.append(LoadedProgram(program, shown, index))
    return loaded, issues


def _check_cases(program: Program, shown: str, text: str, raw: Any, index: int) -> list[CatalogIssue]:
    issues = []
    for n, case in enumerate(program.cases):
        try:
            CompanyProfile.model_validate(case.profile)
        except ValidationError as exc:
            for err in explain_errors(exc):
                line = _line_of(text, _yaml_path(raw, index, ("cases", n, "profile", err.field.split(".")[0])))
                issues.append(CatalogIssue(shown, f"cases.{n}.profile.{err.field}", line, err.message_en))
    return issues


def check_references(programs: list[LoadedProgram]) -> list[CatalogIssue]:
    """Duplicate ids and relations pointing at programs that do not exist."""
    issues: list[CatalogIssue] = []
    seen: dict[str, str] = {}
    for lp in programs:
        if lp.program.id in seen:
            issues.append(CatalogIssue(lp.file, "id", None, f"duplicate id {lp.program.id!r} (also in {seen[lp.program.id]})"))
        seen.setdefault(lp.program.id, lp.file)
    for lp in programs:
        for n, rel in enumerate(lp.program.relations):
            if rel.program and rel.program not in seen:
                issues.append(CatalogIssue(lp.file, f"relations.{n}.program", None,
                                           f"relation to unknown program {rel.program!r}"))
    return issues


def load_programs(roots: Iterable[Path] = (CATALOG_DIR,), partial: bool = False) -> list[Program]:
    """Every program under the roots, validated; raises CatalogError listing every problem.

    ``partial`` skips the check that related programs exist (for a directory that is part of a catalog).
    """
    roots = list(roots)
    loaded: list[LoadedProgram] = []
    issues: list[CatalogIssue] = []
    for path in program_files(roots):
        root = next((r for r in roots if r.is_dir() and path.is_relative_to(r)), None)
        got, bad = parse_file(path, root)
        loaded.extend(got)
        issues.extend(bad)
    references = check_references(loaded)
    issues.extend(i for i in references if not (partial and i.field.startswith("relations.")))
    if issues:
        raise CatalogError(issues)
    return [lp.program for lp in loaded]

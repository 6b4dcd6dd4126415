"""Shared helpers of the importers: deterministic YAML, idempotent writes, field-level diffs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml

from programs.schema import Program

Change = Literal["new", "changed", "unchanged"]


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Block style, no aliases: the same data always gives the same text."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_program_yaml(data: dict[str, Any], header: str | None = None) -> str:
    """One program as YAML: keys in the order given, Japanese unescaped, no anchors.

    The program is validated with the catalog model first, so a written file always loads.
    """
    Program.model_validate(data)
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
    return (f"# {header}\n" if header else "") + body


def read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None


def changed_fields(old: Any, new: dict[str, Any]) -> list[str]:
    """Top-level fields whose value differs (added, removed or changed), in a stable order.

    ``["(formatting)"]`` when only the text of the file changed (e.g. a new header or YAML layout).
    """
    if not isinstance(old, dict):
        return sorted(new)
    keys = list(new) + [k for k in old if k not in new]
    return [k for k in keys if old.get(k) != new.get(k)] or ["(formatting)"]


def write_if_changed(path: Path, text: str) -> Change:
    """Write ``text`` unless the file already holds exactly it."""
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return "unchanged"
        path.write_text(text, encoding="utf-8")
        return "changed"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return "new"

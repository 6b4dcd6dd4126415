"""docs/deploy.md names every ops command, every setting and every metric (docs are checked, not hand-synced)."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.ops import Metrics
from web.ops.cli import ops_cli
from web.settings import Settings

DOC = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [c.name for c in ops_cli.registered_commands])
def test_every_ops_command_is_documented(command: str) -> None:
    assert f"shien {command}" in DOC


@pytest.mark.parametrize("name", [n for n in Settings.model_fields if n not in ("shared_dir", "host", "port")])
def test_every_setting_is_documented(name: str) -> None:
    assert f"SHIEN_{name.upper()}" in DOC


def test_every_metric_is_documented() -> None:
    names = {m.name for m in Metrics(lambda: None).registry.collect()}
    for name in names:
        assert name in DOC or f"{name}_total" in DOC, name

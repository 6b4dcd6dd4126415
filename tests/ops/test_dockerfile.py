"""The Dockerfile, read as Docker reads it (no Docker engine on these machines): a pinned slim base,
a non-root user, migrations before serving, several workers, graceful shutdown, a health check."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    lines, current = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        current += raw.rstrip("\\").strip() + " " if raw.rstrip().endswith("\\") else raw.strip()
        if not raw.rstrip().endswith("\\"):
            if current.strip():
                lines.append(current)
            current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions()


def args_of(dockerfile: list[tuple[str, str]], name: str) -> list[str]:
    return [args for instruction, args in dockerfile if instruction == name]


def env_of(dockerfile: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for args in args_of(dockerfile, "ENV"):
        for pair in shlex.split(args):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def command(dockerfile: list[tuple[str, str]]) -> str:
    (cmd,) = args_of(dockerfile, "CMD")
    argv = json.loads(cmd)  # exec form: signals reach the shell, which execs uvicorn
    assert argv[:2] == ["sh", "-c"]
    return argv[2]


def test_the_base_image_is_a_pinned_python_slim(dockerfile) -> None:  # type: ignore[no-untyped-def]
    (base,) = args_of(dockerfile, "FROM")
    assert re.fullmatch(r"python:3\.1[1-9](\.\d+)?-slim(-\w+)?", base), base


def test_the_app_runs_as_a_non_root_user(dockerfile) -> None:  # type: ignore[no-untyped-def]
    names = [name for name, _ in dockerfile]
    users = args_of(dockerfile, "USER")
    assert users and users[-1] not in ("root", "0")
    assert names.index("USER") < names.index("CMD")
    assert any("useradd" in run and users[-1] in run for run in args_of(dockerfile, "RUN"))


def test_migrations_run_before_serving_with_several_workers_and_graceful_shutdown(dockerfile) -> None:  # type: ignore[no-untyped-def]
    cmd = command(dockerfile)
    steps = [step.strip() for step in cmd.split("&&")]
    upgrade = next(i for i, s in enumerate(steps) if s.startswith("shien db upgrade"))
    serve = next(i for i, s in enumerate(steps) if "uvicorn" in s)
    assert upgrade < serve and steps[serve].startswith("exec uvicorn web.main:app")
    assert "--workers ${WEB_CONCURRENCY}" in steps[serve] and int(env_of(dockerfile)["WEB_CONCURRENCY"]) >= 2
    assert re.search(r"--timeout-graceful-shutdown \d+", steps[serve])
    assert "--host 0.0.0.0" in steps[serve]


def test_a_healthcheck_asks_the_app_itself(dockerfile) -> None:  # type: ignore[no-untyped-def]
    (check,) = args_of(dockerfile, "HEALTHCHECK")
    assert "--interval=" in check and "--timeout=" in check and "/healthz" in check
    assert args_of(dockerfile, "EXPOSE") == [env_of(dockerfile)["PORT"]]


def test_production_settings_and_metrics_of_all_workers(dockerfile) -> None:  # type: ignore[no-untyped-def]
    env = env_of(dockerfile)
    assert env["SHIEN_ENVIRONMENT"] == "production"  # refuses the default secret (web/settings.py)
    assert "SHIEN_SECRET_KEY" not in env  # a secret is given at run time, never baked in
    assert env["PROMETHEUS_MULTIPROC_DIR"] and "PROMETHEUS_MULTIPROC_DIR" in command(dockerfile).split("&&")[0]


def test_everything_copied_exists_and_every_package_is_copied(dockerfile) -> None:  # type: ignore[no-untyped-def]
    copied = []
    for args in args_of(dockerfile, "COPY"):
        *sources, _ = shlex.split(args)
        for source in sources:
            assert (ROOT / source).exists(), source
            copied.append(source.strip("./"))
    for package in ("rules", "programs", "matcher", "web"):
        assert package in copied
    assert "alembic.ini" in copied and "pyproject.toml" in copied

"""Load from a separate process: wrk (Debian's package) driven by a generated Lua script.

wrk is written in C and keeps 8 connections busy with a fraction of one core, so on a 2-core machine the
server, not the load generator, sets the figures (an asyncio client in Python saturated a core at ≈ 400
requests/s, below what a bare FastAPI endpoint serves). Each scripted request is taken in turn from a list
(method, path, headers, body), so a run can send distinct profiles, or a mix of pages and API calls.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

WRK = "wrk"
MARK = "WRK-FIGURES "


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    errors: int  # answers ≥ 400, and connection errors and timeouts
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk_missing(skipped: str) -> bool:
    """True (after saying what is skipped) when wrk is not installed."""
    if shutil.which(WRK) is not None:
        return False
    print(f"wrk not found: `make bench` installs Debian's wrk; skipping {skipped}", file=sys.stderr)
    return True


def _lua_string(text: str) -> str:
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def lua_script(requests: list[Request]) -> str:
    """Requests in turn, round robin; the figures printed as one JSON line when wrk is done."""
    rows = []
    for r in requests:
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers)  # "[ [" : "[[" opens a string
        body = _lua_string(r.body) if r.body is not None else "nil"
        rows.append(f"{{{_lua_string(r.method)}, {_lua_string(r.path)}, {{{headers}}}, {body}}}")
    return (
        "local requests = {\n" + ",\n".join(rows) + "\n}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  local r = requests[(i - 1) % #requests + 1]\n"
        "  return wrk.format(r[1], r[2], r[3], r[4])\n"
        "end\n"
        "done = function(summary, latency, _)\n"
        "  local e = summary.errors\n"
        f"  io.write(string.format('{MARK}{{\"requests\": %d, \"us\": %d, \"errors\": %d, "
        "\"p50\": %d, \"p99\": %d}\\n', summary.requests, summary.duration, "
        "e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))\n"
        "end\n"
    )


def run(base_url: str, requests: list[Request], *, seconds: float, connections: int = 8,
        threads: int = 1, timeout_s: int = 10) -> Figures:
    """wrk against ``base_url`` for ``seconds`` with ``connections`` kept busy (one thread: it needs little)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8", delete=False) as script:
        script.write(lua_script(requests))
    try:
        out = subprocess.run([WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                              f"--timeout={timeout_s}s", "-s", script.name, base_url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next((ln for ln in out.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    raw = json.loads(line[len(MARK):])
    return Figures(requests=raw["requests"], seconds=raw["us"] / 1e6, errors=raw["errors"],
                   p50_ms=raw["p50"] / 1000, p99_ms=raw["p99"] / 1000)

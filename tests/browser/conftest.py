"""Browser fixtures: the real site served by uvicorn on 127.0.0.1, and Debian's headless Chromium via Playwright.

- ``site``: the real app (``web.main:app``) under uvicorn in a subprocess (tests/browser/serve_site.py) on a
  free loopback port, over a fresh SQLite database with the packaged catalog published (as ``shien catalog
  load`` does). It starts while the browser does. Its log goes to test-artifacts/browser-server.log.
- ``new_page(**context_options)``: a page in a fresh context whose requests outside 127.0.0.1 are aborted.
- ``browser``: Chromium at /usr/bin/chromium (Debian's, installed by ``make test``), never a downloaded
  one. Missing browser or Japanese fonts: a failure in CI (CI=true), a skip elsewhere.
- ``shots``: screenshots under test-artifacts/screenshots/<journey>/<NN>-<step>.png.
- ``axe(page, name)``: runs the vendored axe-core (tests/browser/vendor/axe-core) in a page; returns the
  serious and critical violations, and writes all of them to test-artifacts/axe/<name>.json.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path(os.environ.get("SHIEN_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
JA_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI requires the headless browser: {reason}", pytrace=False)
    pytest.skip(reason)


def _require_browser() -> None:
    """Debian's Chromium and a Japanese font, or a skip (a failure in CI) that says how to get them."""
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk (make test does)")
    if not JA_FONT.exists():
        _unavailable(f"no Japanese font at {JA_FONT}: apt-get install fonts-noto-cjk (make test does)")


# --- the site -------------------------------------------------------------------------------------------


class Site:
    """The site's process: started at once, waited for (``ready()``) only when a page is opened."""

    def __init__(self, directory: Path) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = ARTIFACTS / "browser-server.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHIEN_")}
        env.update(SHIEN_ENVIRONMENT="test", SHIEN_DATABASE_URL=f"sqlite:///{directory / 'site.db'}",
                   SHIEN_LOG_LEVEL="warning",
                   SHIEN_RANKER_MODEL=str(directory / "no-ranker.skops"))  # the fallback order: the same everywhere
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "tests.browser.serve_site", str(self.port)],
                                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._ready = False

    def ready(self) -> None:
        deadline = time.monotonic() + 90
        while not self._ready and time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as response:  # noqa: S310 - loopback
                    self._ready = response.status == 200
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        if not self._ready:
            pytest.fail(f"the site did not start on {self.url}; its log ({self.log}):\n{self.log_tail()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real app (``web.main:app`` under uvicorn) on 127.0.0.1, over a fresh SQLite database with the
    packaged catalog published; its log goes to test-artifacts/browser-server.log."""
    _require_browser()  # no site to start for tests that cannot run
    server = Site(tmp_path_factory.mktemp("site"))
    try:
        yield server
    finally:
        server.stop()


# --- the browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_api() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    """Debian's Chromium, headless. Never downloads a browser."""
    _require_browser()
    b = playwright_api.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def new_page(site: Site, browser: Any) -> Iterator[Callable[..., Any]]:
    """Opens pages in fresh contexts (own cookies); only 127.0.0.1 is reachable from them."""
    site.ready()  # the site starts while the browser does
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("locale", "ja-JP")
        options.setdefault("timezone_id", "Asia/Tokyo")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(base_url=site.url, **options)
        context.set_default_timeout(10_000)

        def only_loopback(route: Any) -> None:
            if re.match(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/", route.request.url) or \
                    not route.request.url.startswith(("http:", "https:", "ws:", "wss:")):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_loopback)
        contexts.append(context)
        page = context.new_page()
        page.server_errors = []  # type: ignore[attr-defined]
        page.on("response", lambda r: page.server_errors.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 500 else None)
        return page

    yield make
    for context in contexts:
        context.close()


# --- screenshots ----------------------------------------------------------------------------------------


class Shots:
    """Numbered full-page screenshots for one journey: test-artifacts/screenshots/<journey>/<NN>-<step>.png.

    A very long page is cut at MAX_HEIGHT CSS px (a full 20,000 px results page costs seconds to take).
    """

    MAX_HEIGHT = 6000

    def __init__(self, journey: str) -> None:
        self.directory = SCREENSHOTS / journey
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.paths: list[Path] = []

    def _next(self, step: str) -> Path:
        self.count += 1
        safe = re.sub(r"[^0-9A-Za-z_-]+", "-", step).strip("-")
        return self.directory / f"{self.count:02d}-{safe}.png"

    def element(self, locator: Any, step: str) -> Path:
        path = self._next(step)
        locator.screenshot(path=str(path))
        self.paths.append(path)
        return path

    def __call__(self, page: Any, step: str) -> Path:
        path = self._next(step)
        width, height = page.evaluate(
            "() => [document.documentElement.clientWidth, document.documentElement.scrollHeight]")
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, self.MAX_HEIGHT)}
        page.screenshot(path=str(path), full_page=True, clip=clip)
        self.paths.append(path)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    name = request.node.name.removeprefix("test_")
    return Shots(re.sub(r"[^0-9A-Za-z_-]+", "-", name))


# --- axe-core -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not vendored at {AXE_JS}")
    shutil.rmtree(ARTIFACTS / "axe", ignore_errors=True)
    return AXE_JS.read_text(encoding="utf-8")


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}: {len(violations)} serious or critical accessibility violation(s)"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


@pytest.fixture
def axe(axe_source: str) -> Callable[..., list[dict[str, Any]]]:
    """``axe(page, name)`` -> the serious and critical violations of axe-core's default rules on that page.

    Every violation, whatever its impact, is written to test-artifacts/axe/<name>.json.
    """

    def run(page: Any, name: str) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=axe_source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map(n => ({target: n.target, html: n.html, failureSummary: n.failureSummary}))}));
            }""")
        dump_json(ARTIFACTS / "axe" / f"{name}.json", {"url": page.url, "violations": result})
        return [v for v in result if v["impact"] in ("serious", "critical")]

    return run


def dump_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

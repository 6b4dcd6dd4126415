"""Every example in docs/api.md runs against a real server (uvicorn on 127.0.0.1) and succeeds."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.partners.server import ROOT, api_server, prepared_database
from web.db import make_engine
from web.partners.keys import create_key

DOC = ROOT / "docs" / "api.md"
RUNNERS = {"bash": ["bash", "-euo", "pipefail", "-c"], "python": [sys.executable, "-c"],
           "js": ["node", "--input-type=module", "-e"]}


def html_addresses() -> list[str]:
    """Our addresses in the page's HTML snippets (the widget's script, the iframe's page), as written."""
    blocks = re.findall(r"```html\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [html.unescape(url) for block in blocks for url in re.findall(r'src="(https://API-HOST/[^"]*)"', block)]


def examples() -> list[tuple[str, str]]:
    blocks = re.findall(r"```(bash|python|js)\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [(lang, code) for lang, code in blocks]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, catalog_programs) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    directory = tmp_path_factory.mktemp("docs")
    database = prepared_database(directory, catalog_programs)
    engine = make_engine(database)
    _, token = create_key(engine, "docs", per_minute=1000)
    engine.dispose()
    with api_server(database, directory / "server.log") as url:
        yield {"SHIEN_API": url, "SHIEN_KEY": token}


def test_the_page_has_curl_python_and_javascript_examples() -> None:
    assert {lang for lang, _ in examples()} == {"bash", "python", "js"}


@pytest.mark.parametrize(("lang", "code"), examples(), ids=lambda v: v if v in RUNNERS else None)
def test_each_example_runs(server: dict[str, str], lang: str, code: str) -> None:
    if lang == "js" and shutil.which("node") is None:
        pytest.skip("node is not installed")
    done = subprocess.run([*RUNNERS[lang], code], env=os.environ | server, capture_output=True, text=True, timeout=60,
                          cwd=Path(ROOT))
    assert done.returncode == 0, f"{lang} example failed:\n{code}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def test_each_address_in_the_html_snippets_is_served(server: dict[str, str]) -> None:
    addresses = html_addresses()
    assert {a.split("?")[0] for a in addresses} == {"https://API-HOST/widget.js", "https://API-HOST/widget/frame"}
    for address in addresses:
        url = address.replace("https://API-HOST", server["SHIEN_API"]).replace("smk_…", server["SHIEN_KEY"])
        response = httpx.get(url)
        assert response.status_code == 200, address
        if "/widget/frame" in address:  # the docs key has no origins: served, and no site may frame it
            assert response.headers["content-security-policy"].startswith("frame-ancestors 'none';")
            assert 'data-logo="https://bank.example/logo.png"' in response.text
            assert 'data-color="#0b6e4f"' in response.text and 'data-title="使える支援策を探す"' in response.text

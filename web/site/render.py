"""Templates: Jinja2 with autoescaping on, each rendered from its declared page dataclass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                  trim_blocks=True, lstrip_blocks=True, auto_reload=False)


def render(template: str, page: Any, status: int = 200) -> HTMLResponse:
    html = env.get_template(template).render(page=page)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

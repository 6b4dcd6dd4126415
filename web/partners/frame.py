"""The widget in an iframe: a small page on our origin that runs widget.js, for partners whose CMS forbids
third-party scripts.

The page is themed from its query string, each value checked here (a colour is ``#hex``, a logo an http(s) URL,
a title plain text); the template escapes them again. Only the key's own partner sites may frame the page: its
``Content-Security-Policy`` names the key's allowed origins in ``frame-ancestors``. An unknown or revoked key
gets an error page that nobody may frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_COLOR = "#0b6e4f"
DEFAULT_TITLE = "使える支援策を探す"
DEFAULT_LIMIT = 5
MAX_LIMIT = 100  # the API's own bound for /recommendations
MAX_TITLE = 60
MAX_LOGO_URL = 2000

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
QUESTION_FIELDS = re.compile(r"[a-z_]+(?:,[a-z_]+)*")
# what a CSP source expression may hold; a stored origin is normalised, but a header is no place to trust that
CSP_ORIGIN = re.compile(r"https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")

# The page itself loads only our script and API; the logo may come from the partner's site.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: http:; "
               "object-src 'none'; base-uri 'none'; form-action 'none'")
REFUSED_POLICY = "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"


@dataclass(frozen=True)
class FramePage:
    """widget/frame.html: the options handed to widget.js, each already checked."""

    key: str
    title: str
    color: str
    logo: str | None
    limit: int
    questions: str | None


@dataclass(frozen=True)
class FrameRefusedPage:
    """widget/frame_refused.html: the key is unknown or revoked."""

    title: str = "この診断は表示できません"


def theme_color(value: str | None) -> str:
    """``#rgb``, ``#rgba``, ``#rrggbb`` or ``#rrggbbaa``; anything else is the default colour (as in widget.js)."""
    return value if value and HEX_COLOR.fullmatch(value) else DEFAULT_COLOR


def logo_url(value: str | None) -> str | None:
    """An absolute http(s) URL, or no logo: ``javascript:``, ``data:`` and relative URLs are dropped."""
    if not value or len(value) > MAX_LOGO_URL or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    parts = urlsplit(value)
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def frame_title(value: str | None) -> str:
    """One line of plain text, at most MAX_TITLE characters (escaped by the template, never markup)."""
    text = " ".join((value or "").split())[:MAX_TITLE]
    return text or DEFAULT_TITLE


def result_limit(value: str | None) -> int:
    """How many results to show: 1…MAX_LIMIT, the default when not a number."""
    try:
        return min(max(int(value or DEFAULT_LIMIT), 1), MAX_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT


def question_fields(value: str | None) -> str | None:
    """``prefecture,employees,…`` for widget.js's data-questions; None (its default set) otherwise."""
    return value if value and QUESTION_FIELDS.fullmatch(value) else None


def frame_ancestors(origins: Iterable[str]) -> str:
    """The CSP directive that lets exactly these origins frame the page (``'none'`` when there are none)."""
    allowed = [o for o in origins if CSP_ORIGIN.fullmatch(o)]
    return "frame-ancestors " + (" ".join(allowed) if allowed else "'none'")


def frame_policy(origins: Iterable[str]) -> str:
    return f"{frame_ancestors(origins)}; {PAGE_POLICY}"

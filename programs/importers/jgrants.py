"""Jグランツ (jGrants) subsidy calls → catalog programs.

Each record of the public API's detail response (補助金情報取得API 1.0, official field names) becomes
one ``subsidy`` program ``jgrants-<id>``:

| API field | program |
|---|---|
| `title` | `name` |
| `institution_name` | `implementing_body` (absent when null) |
| `front_subsidy_detail_page_url` | `url`, and the `url` of every source |
| `target_number_of_employees` | employees rule (`5名以下` → `employees le 5` … `901名以上` → `ge 901`; `従業員数の制約なし`/null → none) |
| `target_area_search` | `全国` anywhere → none; prefectures → `prefecture in`; regions → `region in` or their prefectures; `海外` → none, said in the summary |
| `industry` | JSIC 大分類 letters → `industry in` (all 20 or blank → none) |
| `acceptance_start_datetime`, `acceptance_end_datetime` | `windows[0].start/end` (JST dates); `project_end_deadline` in its `text` |
| `subsidy_max_limit` (> 0), `subsidy_rate` | a `grant` benefit: `max_yen`, `rate` when the text gives one clear rate, `rate_text` always |
| `detail` (HTML) | plain text → `search_text`; with `subsidy_catch_phrase` → `summary` (≤ 200 characters) |
| `use_purpose` | `purposes` through ``PURPOSE_MAP`` |

The rule is ``all`` of the mapped conditions plus an ``unstated`` clause for the rest of the call's
guidelines (so a call is at best 要確認); with no mapped condition, ``unstated`` alone.
A record that cannot be mapped (unknown bucket, prefecture or industry label, no id or title) is
reported with its id and the reason, never dropped silently; the catalog keeps its previous file.

``import_jgrants`` writes the files idempotently and appends one line per run to
``<out_dir>/_import_log.jsonl``. Whether a call is open is derived from its window and ``as_of`` in the
report only: a closed call stays in the catalog (its window says it has closed).

``fetch_records`` reads the live API (list per keyword, then one detail request per id) and drops the
attachments (`application_guidelines`, `outline_of_grant`, `application_form`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from programs.importers.common import changed_fields, dump_program_yaml, read_yaml, write_if_changed
from rules import text as rtext
from rules.industry import JSIC_PATH
from rules.regions import PREFECTURES, REGION_OF_PREFECTURE, REGIONS

log = logging.getLogger(__name__)

SOURCE_NAME = "jgrants"
ATTRIBUTION = "出典：Jグランツ（jGrants）"
SUMMARY_SUFFIX = "（出典：Jグランツ）"
SUMMARY_MAX = 200
SUMMARY_SENTENCES = 2  # of the detail, after the catch phrase
UNSTATED_JA = "対象の条件はJグランツの公募要領で確認してください"
UNSTATED_EN = "The conditions are in the call's guidelines on jGrants; check them there"
GUIDELINES_JA = "そのほかの応募資格はJグランツの公募要領で確認が必要です"
GUIDELINES_EN = "Other eligibility conditions are in the call's guidelines on jGrants"
LOG_NAME = "_import_log.jsonl"
JST = dt.timezone(dt.timedelta(hours=9))

# --- employees -------------------------------------------------------------------------------

EMPLOYEE_BUCKETS: dict[str, tuple[str, int]] = {
    "5名以下": ("le", 5),
    "20名以下": ("le", 20),
    "50名以下": ("le", 50),
    "100名以下": ("le", 100),
    "300名以下": ("le", 300),
    "900名以下": ("le", 900),
    "901名以上": ("ge", 901),
}
NO_EMPLOYEE_LIMIT = "従業員数の制約なし"

# --- areas -----------------------------------------------------------------------------------

NATIONWIDE = "全国"
OVERSEAS = "海外"
# The region names of jGrants' area search (地方), with their prefectures. Only the 2026 data's one
# record with region names (a0W2x000003QZLqEAO) uses them, next to 全国. A name whose prefectures are
# exactly one of our regions (rules/regions.py) becomes a region rule; the others (関東・甲信越,
# 東海・北陸, and 近畿 without 三重県) are expanded to their prefectures.
JGRANTS_REGIONS: dict[str, tuple[str, ...]] = {
    "北海道地方": ("北海道",),
    "東北地方": ("青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県"),
    "関東・甲信越地方": ("茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "山梨県",
                    "長野県"),
    "東海・北陸地方": ("富山県", "石川県", "福井県", "岐阜県", "静岡県", "愛知県", "三重県"),
    "近畿地方": ("滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県"),
    "中国地方": ("鳥取県", "島根県", "岡山県", "広島県", "山口県"),
    "四国地方": ("徳島県", "香川県", "愛媛県", "高知県"),
    "九州・沖縄地方": ("福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"),
}


def _our_region(prefectures: tuple[str, ...]) -> str | None:
    for region in REGIONS:
        if set(prefectures) == {p for p, r in REGION_OF_PREFECTURE.items() if r == region}:
            return region
    return None


# jGrants region name → our region (same prefectures) or None (expand to prefectures).
REGION_MAP: dict[str, str | None] = {name: _our_region(prefs) for name, prefs in JGRANTS_REGIONS.items()}

# --- purposes --------------------------------------------------------------------------------

# jGrants 利用目的 (use_purpose, joined with " / ") → our purpose ids (rules/vocabulary.py PURPOSES).
# A label with no counterpart maps to nothing; an unknown label is reported as a warning.
PURPOSE_MAP: dict[str, tuple[str, ...]] = {
    "新たな事業を行いたい": ("startup", "growth"),
    "販路拡大・海外展開をしたい": ("sales_channel", "overseas"),
    "イベント・事業運営支援がほしい": (),
    "事業を引き継ぎたい": ("succession", "ma"),
    "研究開発・実証事業を行いたい": ("rnd",),
    "人材育成を行いたい": ("training",),
    "資金繰りを改善したい": ("cash_flow",),
    "設備整備・IT導入をしたい": ("equipment", "dx"),
    "雇用・職場環境を改善したい": ("hiring", "work_style"),
    "エコ・SDGs活動支援がほしい": ("gx", "energy_saving"),
    "災害（自然災害、感染症等）支援がほしい": ("disaster_recovery", "bcp"),
    "教育・子育て・少子化支援がほしい": ("work_style",),
    "スポーツ・文化支援がほしい": (),
    "安全・防災対策支援がほしい": ("bcp",),
    "まちづくり・地域振興支援がほしい": (),
}

ATTACHMENT_FIELDS = ("application_guidelines", "outline_of_grant", "application_form")


class MappingError(ValueError):
    """A record that cannot become a program; the message says why."""


# --- field mappers ---------------------------------------------------------------------------


def employees_rule(value: str | None) -> dict[str, Any] | None:
    """The employees condition of a jGrants bucket; None when there is no limit."""
    if value is None or not value.strip() or value.strip() == NO_EMPLOYEE_LIMIT:
        return None
    bucket = value.strip()
    if bucket not in EMPLOYEE_BUCKETS:
        raise MappingError(f"unknown target_number_of_employees {value!r}")
    op, limit = EMPLOYEE_BUCKETS[bucket]
    return {"fact": "employees", "op": op, "value": limit}


@dataclass(frozen=True)
class Area:
    rule: dict[str, Any] | None
    prefectures: tuple[str, ...] = ()
    overseas: bool = False


def area_rule(value: str | None) -> Area:
    """The area condition of ``target_area_search``."""
    if value is None or not value.strip():
        return Area(None)
    parts = [p.strip() for p in re.split(r"\s*/\s*", value.strip()) if p.strip()]
    overseas = OVERSEAS in parts
    if NATIONWIDE in parts:
        return Area(None, overseas=overseas)
    prefectures: list[str] = []
    regions: list[str] = []
    for part in parts:
        if part == OVERSEAS:
            continue
        if part in PREFECTURES:
            prefectures.append(part)
        elif part in REGION_MAP:
            ours = REGION_MAP[part]
            if ours is None:
                prefectures.extend(JGRANTS_REGIONS[part])
            else:
                regions.append(ours)
        elif part in REGIONS:
            regions.append(part)
        else:
            raise MappingError(f"unknown area {part!r} in target_area_search")
    # prefectures already inside a listed region add nothing
    prefectures = [p for p in dict.fromkeys(prefectures) if REGION_OF_PREFECTURE[p] not in regions]
    regions = list(dict.fromkeys(regions))
    covered = set(prefectures) | {p for p, r in REGION_OF_PREFECTURE.items() if r in regions}
    if covered == set(PREFECTURES):
        return Area(None, overseas=overseas)
    informational = tuple(p for p in PREFECTURES if p in covered)
    pref_rule = {"fact": "prefecture", "in": _in_canonical_order(prefectures, PREFECTURES)} if prefectures else None
    region_rule = {"fact": "region", "in": _in_canonical_order(regions, REGIONS)} if regions else None
    if pref_rule and region_rule:
        return Area({"any": [pref_rule, region_rule]}, informational, overseas)
    if pref_rule or region_rule:
        return Area(pref_rule or region_rule, informational, overseas)
    return Area(None, overseas=overseas)  # 海外 only


def _in_canonical_order(values: Iterable[str], order: tuple[str, ...]) -> list[str]:
    wanted = set(values)
    return [v for v in order if v in wanted]


@cache
def _jsic_parts() -> dict[str, str]:
    """Each 大分類 name and each of its 「、」-separated parts → its letter (jGrants splits on 「、」)."""
    codes = json.loads(JSIC_PATH.read_text(encoding="utf-8"))["codes"]
    parts: dict[str, str] = {}
    for code, entry in codes.items():
        if len(code) == 1:
            parts[entry["name"]] = code
            for piece in entry["name"].split("、"):
                parts[piece.strip()] = code
    return parts


def industry_letters(value: str | None) -> list[str]:
    """JSIC 大分類 letters of a jGrants industry value, sorted; all 20 or blank → []."""
    if value is None or not value.strip():
        return []
    parts = _jsic_parts()
    letters = set()
    for label in (p.strip() for p in value.split("/")):
        if not label:
            continue
        if label not in parts:
            raise MappingError(f"unknown industry label {label!r}")
        letters.add(parts[label])
    all_letters = set(parts.values())
    if letters == all_letters:
        return []
    return sorted(letters)


_FRACTION = re.compile(r"(?<![\d.])(?<!\d/)(\d{1,3})\s*/\s*(\d{1,3})(?!\d)(?!\s*/\s*\d)")
_BUNNO = re.compile(r"(?<![\d.])(\d{1,3})\s*分の\s*(\d{1,3})(?!\d)")
_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*%")
_RANGE = re.compile(r"\d\s*[%]?\s*[～〜~]\s*\d")  # 「8～10%」「1/2～3/4」: a range, not one rate
_FIXED_WITH_RATE = re.compile(r"定額[^、,。/]{0,4}[(][^)]*\d[^)]*[)]")  # 「定額補助（10/10）」
_NO_TEXT = {"", "-", "ー", "―", "‐", "−", "なし", "無し"}


@dataclass(frozen=True)
class Rate:
    rate: float | None
    fixed: bool = False  # 定額 with no rate


def parse_rate(value: str | None) -> Rate:
    """One clear rate (a fraction of the cost) from a subsidy_rate text; several, a range or none → None.

    「1/2以内」→ 0.5, 「3分の2」→ 0.6667, 「２／３」→ 0.6667, 「10/10」「100%」→ 1.0, 「定額補助（10/10）」→ 1.0;
    「定額」→ no rate (a fixed amount, not a share of the cost); 「定額、または2/3」「1/2又は2/3」「8～10%」→ none.
    """
    if not value:
        return Rate(None)
    norm = unicodedata.normalize("NFKC", value)
    found: set[float] = set()
    unclear = bool(_RANGE.search(norm))
    for num, den in _FRACTION.findall(norm):
        n, d = int(num), int(den)
        if 0 < n <= d:
            found.add(round(n / d, 4))
        else:
            unclear = True
    for den, num in _BUNNO.findall(norm):
        n, d = int(num), int(den)
        if 0 < n <= d:
            found.add(round(n / d, 4))
        else:
            unclear = True
    for pct in _PERCENT.findall(norm):
        p = float(pct)
        if 0 < p <= 100:
            found.add(round(p / 100, 4))
        else:
            unclear = True
    fixed = "定額" in norm
    if fixed and found and not _FIXED_WITH_RATE.search(norm):
        unclear = True  # 定額 or a rate: two ways of paying
    if len(found) == 1 and not unclear:
        return Rate(found.pop())
    return Rate(None, fixed=fixed and not found)


def rate_text_of(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = _collapse(value)
    return None if cleaned in _NO_TEXT else cleaned


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "br", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "article", "blockquote", "dd", "dt", "hr", "pre"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _collapse(value: str) -> str:
    return re.sub(r"[\s\u3000\xa0\u200b]+", " ", value).strip()


def html_lines(html: str | None) -> list[str]:
    """The text of an HTML fragment, one entry per block (paragraph, line break, list item)."""
    if not html:
        return []
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (_collapse(line) for line in "".join(parser.parts).split("\n"))
    return [line for line in lines if line]


def clean_html(html: str | None) -> str:
    """Plain text: tags stripped, entities decoded, whitespace (incl. 全角空白) collapsed."""
    return " ".join(html_lines(html))


_OPEN, _CLOSE = "（(「『【［[", "）)」』】］]"
_PLACEHOLDER = ("入力して下さい", "入力してください")


def _split_sentences(line: str) -> list[str]:
    """Sentences ending in 。 outside brackets (「…（以下「X」という。）…」 stays one sentence)."""
    out, current, depth = [], [], 0
    for ch in line:
        current.append(ch)
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            out.append("".join(current))
            current = []
    return out


def _sentences(lines: list[str]) -> list[str]:
    """Sentences (ending in 。) of the body lines; headings (no 。) and template placeholders skipped."""
    out = []
    for line in lines:
        if "。" not in line:
            continue
        for piece in _split_sentences(line):
            piece = re.sub(r"^[\s※・■◆●○◇□◎\-－]+", "", piece).strip()
            if len(piece) >= 8 and not any(p in piece for p in _PLACEHOLDER):
                out.append(piece)
    return out


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def build_summary(title: str, catch_phrase: str | None, lines: list[str], overseas: bool = False) -> str:
    """Catch phrase and the detail's first sentence(s), at most ``SUMMARY_MAX`` characters with the credit."""
    budget = SUMMARY_MAX - len(SUMMARY_SUFFIX)
    tail = "対象地域は海外です。" if overseas else ""
    budget -= len(tail)
    parts: list[str] = []
    catch = _collapse(catch_phrase or "")
    if catch and catch != title:
        if not catch.endswith(("。", "！", "!", "？", "?")):
            catch += "。"
        parts.append(_clip(catch, budget))
    for n, sentence in enumerate(_sentences(lines)):
        used = sum(len(p) for p in parts)
        if sentence in parts:
            continue
        if n >= SUMMARY_SENTENCES:
            break
        if used + len(sentence) <= budget:
            parts.append(sentence)
        elif not parts:
            parts.append(_clip(sentence, budget))
            break
        else:
            break
    if not parts:
        parts.append(_clip(f"「{title}」の公募です。", budget))
    return "".join(parts) + tail + SUMMARY_SUFFIX


def purposes_of(value: str | None) -> tuple[list[str], list[str]]:
    """Our purpose ids for a use_purpose value, and the labels the table does not know."""
    if not value:
        return [], []
    ids: list[str] = []
    unknown: list[str] = []
    for label in (p.strip() for p in value.split(" / ")):
        if not label:
            continue
        if label in PURPOSE_MAP:
            ids.extend(PURPOSE_MAP[label])
        else:
            unknown.append(label)
    return list(dict.fromkeys(ids)), unknown


def jst_date(value: str | None) -> dt.date | None:
    """The JST calendar date of an API datetime (``2026-03-31T00:00:00.000Z``) or a plain date."""
    if not value:
        return None
    raw = value.strip()
    if len(raw) == 10:
        return dt.date.fromisoformat(raw)
    moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(JST).date()


# --- record → program ------------------------------------------------------------------------


@dataclass
class Mapped:
    data: dict[str, Any]  # the program, in file order
    warnings: list[str] = field(default_factory=list)
    rate_parsed: bool = False
    rate_text_only: bool = False


_BRACKET = re.compile(r"【([^】]+)】")
_FISCAL_YEAR = re.compile(r"^\s*(令和\s*[0-9０-９元]+\s*年度)\s*")
_CITY = re.compile(r"^([^\s0-9０-９【「（(]{1,5}?[市区町村])(?![場民長議街])")


def municipality_of(title: str) -> str | None:
    """The municipality a local call is for, when its title names one (【福岡県宗像市】…, 令和8年度岡崎市…)."""
    bracket = _BRACKET.search(title)
    for text in ([bracket.group(1)] if bracket else []) + [_BRACKET.sub("", title)]:
        text = _FISCAL_YEAR.sub("", text.strip())
        for prefecture in PREFECTURES:
            if text.startswith(prefecture):
                text = text[len(prefecture):]
                break
        match = _CITY.match(text)
        if match and not match.group(1).endswith("地区"):  # 商工会地区 is a kind of area, not a ward
            return match.group(1)
    return None


def program_id(record_id: str) -> str:
    return f"jgrants-{record_id}"


def map_record(record: dict[str, Any]) -> Mapped:
    """One jGrants record as a program dict (validated); raises MappingError when it cannot be mapped."""
    rid = str(record.get("id") or "").strip()
    if not rid:
        raise MappingError("no id")
    if not re.fullmatch(r"[A-Za-z0-9]+", rid):
        raise MappingError(f"id {rid!r} is not alphanumeric")
    title = _collapse(record.get("title") or "")
    if not title:
        raise MappingError("no title")
    url = (record.get("front_subsidy_detail_page_url") or "").strip() or None
    source: dict[str, Any] = {"record": f"jgrants:{rid}"}
    if url:
        source["url"] = url
    warnings: list[str] = []

    conditions: list[dict[str, Any]] = []
    employees = employees_rule(record.get("target_number_of_employees"))
    area = area_rule(record.get("target_area_search"))
    letters = industry_letters(record.get("industry"))
    if area.rule:
        conditions.append(area.rule)
        city = municipality_of(title)
        if city:
            conditions.append({"fact": "municipality", "in": [city]})
    if letters:
        conditions.append({"fact": "industry", "in": letters})
    if employees:
        conditions.append(employees)
    # The API lists area, industry and headcount; the rest of the conditions are in the call's guidelines,
    # so a call is at best 要確認 here — never silently 対象.
    rest = {"unstated": GUIDELINES_JA, "unstated_en": GUIDELINES_EN}
    eligibility: dict[str, Any] = {"all": [*conditions, rest]} if conditions else {
        "unstated": UNSTATED_JA, "unstated_en": UNSTATED_EN}

    lines = html_lines(record.get("detail"))
    summary = build_summary(title, record.get("subsidy_catch_phrase"), lines, area.overseas)
    purposes, unknown_purposes = purposes_of(record.get("use_purpose"))
    warnings += [f"use_purpose {label!r} has no mapping" for label in unknown_purposes]

    mapped = Mapped({}, warnings)
    benefit = _benefit(record, source, mapped)
    window = _window(record, source, warnings)

    search_parts = [" ".join(lines)]  # = clean_html(detail), parsed once
    if record.get("target_area_detail"):
        search_parts.insert(0, "対象地域: " + _collapse(str(record["target_area_detail"])))
    search_text = " ".join(p for p in search_parts if p)

    data: dict[str, Any] = {"id": program_id(rid), "name": title, "kind": "subsidy"}
    institution = _collapse(record.get("institution_name") or "")
    if institution:
        data["implementing_body"] = institution
    if record.get("request_reception_presence") == "有":
        data["applies_via_text"] = "Jグランツで電子申請を受け付けています。"
    data["summary"] = summary
    if url:
        data["url"] = url
    if letters:
        data["industries"] = letters
    if area.prefectures:
        data["prefectures"] = list(area.prefectures)
    if purposes:
        data["purposes"] = purposes
    if benefit:
        data["benefits"] = [benefit]
    if window:
        data["windows"] = [window]
    data["eligibility"] = eligibility
    data["eligibility_source"] = dict(source)
    data["sources"] = [dict(source)]
    data["attribution"] = ATTRIBUTION
    if search_text:
        data["search_text"] = search_text
    mapped.data = data
    return mapped


def _benefit(record: dict[str, Any], source: dict[str, Any], mapped: Mapped) -> dict[str, Any] | None:
    limit = record.get("subsidy_max_limit")
    max_yen = int(limit) if isinstance(limit, (int, float)) and limit > 0 else None
    rate_text = rate_text_of(record.get("subsidy_rate"))
    if max_yen is None and rate_text is None:
        return None
    rate = parse_rate(rate_text)
    said = []
    if max_yen is not None:
        said.append(f"補助上限額は{rtext.yen_ja(max_yen)}です。")
    if rate_text is not None:
        said.append(f"補助率は「{rate_text}」です。")
    benefit: dict[str, Any] = {"type": "grant", "text": "".join(said)}
    if max_yen is not None:
        benefit["max_yen"] = max_yen
    if rate.rate is not None:
        benefit["rate"] = rate.rate
        mapped.rate_parsed = True
    elif rate_text is not None:
        mapped.rate_text_only = True
    if rate_text is not None:
        benefit["rate_text"] = rate_text
    if rate.fixed:
        benefit["basis"] = "fixed"
    benefit["source"] = dict(source)
    return benefit


def _window(record: dict[str, Any], source: dict[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    try:
        start = jst_date(record.get("acceptance_start_datetime"))
        end = jst_date(record.get("acceptance_end_datetime"))
        project_end = jst_date(record.get("project_end_deadline"))
    except ValueError as exc:
        raise MappingError(f"unreadable date: {exc}") from None
    if start is None and end is None and project_end is None:
        return None
    window: dict[str, Any] = {}
    texts = []
    if start and end and end < start:
        warnings.append(f"acceptance ends ({end}) before it starts ({start}); dates kept as text only")
        texts.append(f"受付期間 {start.isoformat()}〜{end.isoformat()}（データ上の開始日と終了日が逆転しています）")
        start = end = None
    if start:
        window["start"] = start
    if end:
        window["end"] = end
    if project_end:
        texts.append(f"事業完了期限 {project_end.isoformat()}")
    if texts:
        window["text"] = "。".join(texts)
    window["source"] = dict(source)
    return window


def call_status(window: dict[str, Any] | None, as_of: dt.date) -> str:
    """active / ended / planned relative to ``as_of``; unknown without dates."""
    if not window or ("start" not in window and "end" not in window):
        return "unknown"
    if window.get("end") and window["end"] < as_of:
        return "ended"
    if window.get("start") and window["start"] > as_of:
        return "planned"
    return "active"


# --- import run ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    source: str
    as_of: dt.date
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # window ended before as_of (kept in the catalog)
    status: dict[str, str] = field(default_factory=dict)
    unmappable: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    rates_parsed: int = 0
    rates_text_only: int = 0
    timestamp: str = ""

    @property
    def mapped(self) -> int:
        return len(self.new) + len(self.changed) + len(self.unchanged)

    def counts(self) -> dict[str, int]:
        return {
            "records": self.mapped + len(self.unmappable),
            "mapped": self.mapped,
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "closed": len(self.closed),
            "active": sum(1 for s in self.status.values() if s == "active"),
            "unmappable": len(self.unmappable),
            "rates_parsed": self.rates_parsed,
            "rates_text_only": self.rates_text_only,
        }

    def log_entry(self) -> dict[str, Any]:
        changes = []
        for pid in sorted(self.status):
            entry: dict[str, Any] = {"id": pid}
            if pid in self.changed:
                entry.update(change="changed", fields=self.changed[pid])
            else:
                entry["change"] = "new" if pid in self.new else "unchanged"
            entry["status"] = self.status[pid]
            if pid in self.closed:
                entry["closed_as_of"] = self.as_of.isoformat()
            changes.append(entry)
        return {
            "timestamp": self.timestamp,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "counts": self.counts(),
            "changes": changes,
            "unmappable": [{"id": rid, "reason": why} for rid, why in self.unmappable],
            "warnings": [{"id": rid, "warning": w} for rid, w in self.warnings],
        }

    def summary_lines(self) -> list[str]:
        c = self.counts()
        lines = [
            f"{c['records']} records from {self.source} (as of {self.as_of.isoformat()}): "
            f"{c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged, "
            f"{c['closed']} closed (kept), {c['unmappable']} unmappable",
            f"rates: {c['rates_parsed']} parsed, {c['rates_text_only']} kept as text only",
        ]
        lines += [f"changed {pid}: {', '.join(fields)}" for pid, fields in sorted(self.changed.items())]
        lines += [f"UNMAPPABLE {rid}: {why}" for rid, why in self.unmappable]
        lines += [f"warning {rid}: {w}" for rid, w in self.warnings]
        return lines


HEADER = "Generated by programs/importers/jgrants.py from Jグランツ data; edits are overwritten on re-import."


def import_jgrants(records: Iterable[dict[str, Any]], out_dir: Path, as_of: dt.date,
                   source: str = "jgrants", now: Callable[[], dt.datetime] | None = None) -> ImportReport:
    """Write one YAML file per mappable record; report new/changed/unchanged/closed/unmappable.

    Idempotent: a file is rewritten only when its content changes. Nothing is deleted. One JSON line
    describing the run is appended to ``<out_dir>/_import_log.jsonl``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or (lambda: dt.datetime.now(dt.UTC)))()
    report = ImportReport(source=source, as_of=as_of, timestamp=stamp.isoformat(timespec="seconds"))
    by_id: dict[str, dict[str, Any]] = {}
    for n, record in enumerate(records):
        rid = str(record.get("id") or "").strip() if isinstance(record, dict) else ""
        if not rid:
            report.unmappable.append((f"#{n + 1}", "record has no id"))
            continue
        if rid in by_id:
            report.warnings.append((rid, "id appears more than once; the later record is used"))
        by_id[rid] = record
    families = _families(by_id)
    for rid in sorted(by_id):
        record = by_id[rid]
        try:
            mapped = map_record(record)
            if rid in families:
                mapped.data["family"] = families[rid]
            text = dump_program_yaml(mapped.data, HEADER)
        except MappingError as exc:
            report.unmappable.append((rid, str(exc)))
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            report.unmappable.append((rid, f"invalid program: {where}: {first['msg']}"))
            continue
        pid = mapped.data["id"]
        path = out_dir / f"{pid}.yaml"
        old_text = path.read_text(encoding="utf-8") if path.exists() else None
        old = read_yaml(path) if old_text is not None and old_text != text else None
        change = write_if_changed(path, text)
        if change == "new":
            report.new.append(pid)
        elif change == "changed":
            report.changed[pid] = changed_fields(old, mapped.data)
        else:
            report.unchanged.append(pid)
        window = mapped.data.get("windows", [None])[0]
        status = call_status(window, as_of)
        report.status[pid] = status
        if status == "ended":
            report.closed.append(pid)
        report.rates_parsed += mapped.rate_parsed
        report.rates_text_only += mapped.rate_text_only
        report.warnings += [(rid, w) for w in mapped.warnings]
    with (out_dir / LOG_NAME).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(report.log_entry(), ensure_ascii=False, sort_keys=False) + "\n")
    return report


def _families(by_id: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Records that share a title (the same call listed twice, or per round) share a family: the first id."""
    by_title: dict[str, list[str]] = {}
    for rid in sorted(by_id):
        by_title.setdefault(_collapse(by_id[rid].get("title") or ""), []).append(rid)
    return {rid: program_id(ids[0]) for ids in by_title.values() if len(ids) > 1 for rid in ids}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
    return records


# --- the live API ----------------------------------------------------------------------------

DEFAULT_BASE_URL = "https://api.jgrants-portal.go.jp/exp"
DEFAULT_KEYWORDS = ("事業", "補助金", "補助", "助成", "支援", "促進")
RETRY_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class FetchResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    listed_ids: list[str] = field(default_factory=list)
    requests: int = 0


class _Fetcher:
    def __init__(self, client: httpx.Client, delay: float, retries: int, backoff: float,
                 sleep: Callable[[float], None], result: FetchResult):
        self.client, self.delay, self.retries, self.backoff = client, delay, retries, backoff
        self.sleep, self.result = sleep, result

    def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response | str:
        """The response, or a short description of why there is none (never the body of a file)."""
        problem = ""
        for attempt in range(self.retries + 1):
            if self.result.requests and self.delay > 0:
                self.sleep(self.delay)
            self.result.requests += 1
            try:
                response = self.client.get(url, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"HTTP {response.status_code}{_api_error(response)}"
            if attempt < self.retries:
                wait = self.backoff * (2 ** attempt)
                log.info("retrying %s after %s (attempt %d, wait %.1fs)", url, problem, attempt + 1, wait)
                if wait > 0:
                    self.sleep(wait)
        return f"{problem} after {self.retries + 1} attempts"


def _json_answer(response: httpx.Response | str, label: str, errors: list[str]) -> Any | None:
    """The JSON of a 200 answer; otherwise None, with the reason (a transport error, an HTTP error in the
    API's error format, or a body that is not JSON) added to ``errors``."""
    if isinstance(response, str):
        errors.append(f"{label}: {response}")
        return None
    if response.status_code != 200:
        errors.append(f"{label}: HTTP {response.status_code}{_api_error(response)}")
        return None
    try:
        return response.json()
    except ValueError:
        errors.append(f"{label}: the answer is not the API's JSON")
        return None


def _api_error(response: httpx.Response) -> str:
    """The API's error fields {errorCode, title} when the body has them."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and ("errorCode" in body or "title" in body):
        return f" ({body.get('errorCode', '')} {body.get('title', '')})".replace("( ", "(")
    return ""


def fetch_records(base_url: str = DEFAULT_BASE_URL, keywords: Iterable[str] = DEFAULT_KEYWORDS,
                  client: httpx.Client | None = None, delay: float = 1.0, *, timeout: float = 30.0,
                  retries: int = 3, backoff: float = 2.0, acceptance: int = 0,
                  sleep: Callable[[float], None] = time.sleep) -> FetchResult:
    """Every call the keywords find (union of ids), with its details; attachments dropped.

    ``delay`` seconds pass between requests (about one request a second by default). 5xx answers and
    timeouts are retried ``retries`` times with exponential backoff (``backoff`` × 2^n seconds).
    Errors (a listed id that is gone, a keyword that keeps failing) are collected, not raised.
    """
    base = base_url.rstrip("/")
    result = FetchResult()
    own = client is None
    http = client or httpx.Client(timeout=timeout, headers={"User-Agent": "shien-match importer"})
    fetcher = _Fetcher(http, delay, retries, backoff, sleep, result)
    try:
        seen: dict[str, None] = {}
        for keyword in keywords:
            if len(keyword.strip()) < 2:
                result.errors.append(f"keyword {keyword!r}: shorter than 2 characters, the API returns nothing for it")
                continue
            params = {"keyword": keyword.strip(), "sort": "created_date", "order": "DESC", "acceptance": acceptance}
            body = _json_answer(fetcher.get(f"{base}/v1/public/subsidies", params), f"keyword {keyword!r}", result.errors)
            if body is None:
                continue
            items = (body.get("result") or []) if isinstance(body, dict) else []
            for item in items:
                if isinstance(item, dict) and item.get("id"):
                    seen.setdefault(str(item["id"]), None)
        result.listed_ids = list(seen)
        for rid in result.listed_ids:
            body = _json_answer(fetcher.get(f"{base}/v1/public/subsidies/id/{rid}"), f"id {rid}", result.errors)
            if body is None:
                continue
            found = body.get("result") if isinstance(body, dict) else None
            detail = found[0] if isinstance(found, list) and found else None
            if not isinstance(detail, dict):
                result.errors.append(f"id {rid}: the detail answer has no result")
                continue
            for key in ATTACHMENT_FIELDS:
                detail.pop(key, None)
            detail.setdefault("id", rid)
            result.records.append(detail)
    finally:
        if own:
            http.close()
    return result

"""日本標準産業分類 (JSIC Rev.14) codes and the size-definition category each code falls under.

The size class of 中小企業基本法 depends on the main industry: 製造業その他, 卸売業, 小売業 (飲食店を含む),
サービス業, and the 政令 special cases (ゴム製品製造業, ソフトウェア業・情報処理サービス業, 旅館業).
The mapping follows 中小企業庁「中小企業・小規模企業者の定義」and its FAQ on the JSIC correspondence.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

JSIC_PATH = Path(__file__).parent / "data" / "jsic.json"

# Size categories. "lodging_entertainment" matters only for 小規模企業者 (宿泊業・娯楽業 count 20人).
MANUFACTURING = "manufacturing"  # 製造業・建設業・運輸業その他
WHOLESALE = "wholesale"
RETAIL = "retail"
SERVICE = "service"
RUBBER = "rubber"  # 政令: ゴム製品製造業 (タイヤ・チューブ, 工業用ベルトを除く)
SOFTWARE = "software"  # 政令: ソフトウェア業・情報処理サービス業
RYOKAN = "ryokan"  # 政令: 旅館業
ENTERTAINMENT = "entertainment"  # サービス業だが小規模企業者は20人 (政令)
LODGING_OTHER = "lodging_other"  # 宿泊業のうち旅館業以外: サービス業, 小規模は20人

CATEGORIES = (MANUFACTURING, WHOLESALE, RETAIL, SERVICE, RUBBER, SOFTWARE, RYOKAN, ENTERTAINMENT, LODGING_OTHER)

# Longest prefix wins. Codes are the letter followed by JSIC digits, as in the profile.
_CATEGORY_BY_PREFIX: dict[str, str] = {
    "E19": RUBBER,
    "E1911": MANUFACTURING,  # 自動車タイヤ・チューブ製造業: excluded from the ゴム製品 special case
    "E1931": MANUFACTURING,  # ゴムベルト製造業 (工業用ベルト): excluded from the special case
    "G38": SERVICE,
    "G39": SERVICE,
    "G391": SOFTWARE,
    "G392": SOFTWARE,
    "G41": SERVICE,
    "I50": WHOLESALE,
    "I51": WHOLESALE,
    "I52": WHOLESALE,
    "I53": WHOLESALE,
    "I54": WHOLESALE,
    "I55": WHOLESALE,
    "I56": RETAIL,
    "I57": RETAIL,
    "I58": RETAIL,
    "I59": RETAIL,
    "I60": RETAIL,
    "I61": RETAIL,
    "K693": SERVICE,
    "K70": SERVICE,
    "L": SERVICE,
    "M75": LODGING_OTHER,
    "M751": RYOKAN,
    "M752": RYOKAN,
    "M76": RETAIL,
    "M77": RETAIL,
    "N": SERVICE,
    "N80": ENTERTAINMENT,
    "O": SERVICE,
    "P": SERVICE,
    "Q": SERVICE,
    "R": SERVICE,
}


@cache
def jsic_codes() -> dict[str, dict]:
    """Every JSIC code (大分類 letter, and letter + 2/3/4 digits) with its names."""
    return json.loads(JSIC_PATH.read_text(encoding="utf-8"))["codes"]


def is_known_code(code: str) -> bool:
    return code in jsic_codes()


def category_of_leaf(code: str) -> str:
    """The size category of a fully specified code (longest matching prefix)."""
    for length in range(len(code), 0, -1):
        category = _CATEGORY_BY_PREFIX.get(code[:length])
        if category is not None:
            return category
    return MANUFACTURING


@cache
def candidate_categories(code: str | None) -> frozenset[str]:
    """Every size category a company with this (possibly coarse) code could fall under.

    ``E19`` could be a tyre maker (製造業) or another rubber maker (ゴム製品, 900人); ``I`` could be
    wholesale or retail. Unknown industry: every category.
    """
    if code is None:
        return frozenset(CATEGORIES)
    leaves = [c for c in jsic_codes() if c.startswith(code) and len(c) == 5] or [code]
    return frozenset(category_of_leaf(leaf) for leaf in leaves)


def name_of(code: str) -> str | None:
    entry = jsic_codes().get(code)
    return entry["name"] if entry else None

"""Industry from everyday words: 「パン屋」 → パン小売業（製造小売） or パン製造業, never a JSIC code to type.

Suggestions come from a small hand-written table of words owners use (with a plain hint that tells the
choices apart) and from the names and examples of 日本標準産業分類 (rules/data/jsic.json).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from rules.industry import jsic_codes

MAX_SUGGESTIONS = 8
MAX_QUERY = 40

# word → (code, hint in plain words). A word with several rows is ambiguous: the owner is asked which.
EVERYDAY: dict[str, tuple[tuple[str, str], ...]] = {
    "パン屋": (("I5863", "店でパンを焼いて、その店で売っている"), ("E0971", "工場でパンを作り、店や会社に卸している"),
              ("I5864", "仕入れたパンを売っている")),
    "ケーキ屋": (("I5861", "店でお菓子を作って、その店で売っている"), ("E0972", "工場でケーキや和菓子を作り、卸している")),
    "菓子屋": (("I5861", "店でお菓子を作って、その店で売っている"), ("I5862", "仕入れたお菓子を売っている"),
              ("E0979", "工場でお菓子を作り、卸している")),
    "和菓子屋": (("I5861", "店でお菓子を作って、その店で売っている"), ("E0972", "工場で和菓子を作り、卸している")),
    "豆腐屋": (("E0993", "豆腐や油揚げを作っている"), ("I5896", "仕入れた豆腐などを売っている")),
    "弁当屋": (("M7711", "店で作った弁当を持ち帰りで売っている"), ("E0997", "工場で弁当を作り、卸している")),
    "ソフト開発": (("G3911", "注文を受けてソフトウェアやシステムを作っている"), ("G3913", "自社のソフトウェア製品を売っている")),
    "システム開発": (("G3911", "注文を受けてソフトウェアやシステムを作っている"),),
    "アプリ開発": (("G3911", "注文を受けてアプリを作っている"), ("G3913", "自社のアプリを売っている")),
    "ホームページ制作": (("G3911", "注文を受けてウェブサイトを作っている"), ("L7261", "デザインを請け負っている")),
    "IT": (("G3911", "注文を受けてソフトウェアやシステムを作っている"), ("G3921", "データ処理などのサービスをしている")),
    "民宿": (("M7521", "簡易宿所（民宿・ゲストハウスなど）"), ("M7511", "旅館・ホテル")),
    "旅館": (("M7511", "旅館・ホテル"),),
    "ゲストハウス": (("M7521", "簡易宿所（民宿・ゲストハウスなど）"),),
    "工務店": (("D0651", "木造の家を建てている"), ("D0661", "リフォームをしている"), ("D0641", "木造以外の建物を建てている")),
    "大工": (("D0651", "木造の家を建てている"), ("D0661", "リフォームをしている")),
    "美容室": (("N7831", "美容室・美容院"),),
    "美容院": (("N7831", "美容室・美容院"),),
    "床屋": (("N7821", "理容室・床屋"),),
    "理髪店": (("N7821", "理容室・床屋"),),
    "居酒屋": (("M7651", "居酒屋・酒場"),),
    "カフェ": (("M7671", "喫茶店・カフェ"),),
    "ラーメン屋": (("M7624", "ラーメン店"),),
    "寿司屋": (("M7641", "すし店"),),
    "焼肉屋": (("M7625", "焼肉店"),),
    "レストラン": (("M7611", "食堂・レストラン"),),
    "八百屋": (("I5821", "野菜を売っている"),),
    "魚屋": (("I5841", "鮮魚を売っている"),),
    "肉屋": (("I5831", "食肉を売っている"),),
    "酒屋": (("I5851", "お酒を売っている"),),
    "花屋": (("I6092", "花や植木を売っている"),),
    "本屋": (("I6061", "本や雑誌を売っている"),),
    "ネット通販": (("I6119", "ネットで商品を売っている（小売）"),),
    "町工場": (("E", "ものづくり（製造業）"),),
    "鉄工所": (("E", "金属の加工・製造（製造業）"),),
    "製造業": (("E", "ものづくり（製造業）"),),
    "建設業": (("D", "建設業"),),
    "運送業": (("H4411", "トラックで荷物を運んでいる"), ("H4321", "タクシー")),
    "運送屋": (("H4411", "トラックで荷物を運んでいる"),),
    "タクシー": (("H4321", "タクシー"),),
    "農家": (("A01", "農業"),),
    "漁師": (("B03", "漁業"),),
    "介護": (("P854", "介護の事業所"),),
    "歯医者": (("P8331", "歯科診療所"),),
    "クリーニング屋": (("N7811", "クリーニング店"),),
    "不動産屋": (("K6821", "不動産の仲介をしている"), ("K6919", "不動産を貸している")),
    "学習塾": (("O8231", "学習塾"),),
    "塾": (("O8231", "学習塾"),),
    "税理士": (("L7242", "税理士事務所"),),
    "コンサル": (("L7281", "経営コンサルタント"),),
}


@dataclass(frozen=True)
class IndustryChoice:
    code: str
    name: str
    division: str
    hint: str = ""

    @property
    def label(self) -> str:
        detail = f"（{self.division}）" if self.division and self.division != self.name else ""
        return f"{self.name}{detail}"


def normalize(text: str) -> str:
    """Full-width and spacing differences away (the JSIC examples carry line-break spaces)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


@cache
def _entries() -> tuple[tuple[str, str, str], ...]:
    """(code, normalized name, normalized examples) for every detailed code."""
    return tuple((code, normalize(e["name"]), "|".join(normalize(x) for x in e.get("examples", [])))
                 for code, e in jsic_codes().items() if len(code) >= 4)


def choice(code: str, hint: str = "") -> IndustryChoice | None:
    entry = jsic_codes().get(code)
    if entry is None:
        return None
    division = jsic_codes().get(code[0], {}).get("name", "")
    return IndustryChoice(code, entry["name"], division, hint)


def _stems(query: str) -> list[str]:
    """「パン屋」 also searches 「パン」; 「美容室」 also 「美容」."""
    stems = [query]
    for suffix in ("屋さん", "さん", "屋", "店", "業", "室", "院", "所"):
        if query.endswith(suffix) and len(query) > len(suffix):
            stems.append(query[: -len(suffix)])
            break
    return stems


def _from_table(query: str) -> list[IndustryChoice]:
    rows = EVERYDAY.get(query) or next((v for k, v in EVERYDAY.items() if normalize(k) == query), ())
    return [c for c in (choice(code, hint) for code, hint in rows) if c]


def _from_jsic(stems: list[str]) -> list[str]:
    scored: dict[str, int] = {}
    for code, name, examples in _entries():
        for rank, stem in enumerate(stems):
            score = 0
            if name == stem or name == stem + "業":
                score = 100
            elif name.startswith(stem):
                score = 60
            elif stem in name:
                score = 40
            elif stem in examples:
                score = 20
            if score:
                score -= rank * 5 + (len(code) < 5) * 3
                scored[code] = max(scored.get(code, 0), score)
    return sorted(scored, key=lambda c: (-scored[c], c))


def suggest(query: str, limit: int = MAX_SUGGESTIONS) -> list[IndustryChoice]:
    """Industries matching everyday words, the hand-written meanings first."""
    q = normalize(query)[:MAX_QUERY]
    if not q:
        return []
    found = _from_table(q)
    seen = {c.code for c in found} | {c.name for c in found}
    for code in _from_jsic(_stems(q)):
        if len(found) >= limit:
            break
        c = choice(code)
        if c and code not in seen and c.name not in seen:  # 美容業 is both N783 and N7831: offer one
            found.append(c)
            seen |= {code, c.name}
    return found[:limit]


def clear_choice(query: str) -> IndustryChoice | None:
    """The one industry the words mean, when they mean only one (otherwise the owner is asked which)."""
    q = normalize(query)[:MAX_QUERY]
    table = _from_table(q)
    if table:
        return table[0] if len(table) == 1 else None
    exact = [code for code, name, _ in _entries() if name in (q, q + "業")]
    return choice(exact[0]) if len(exact) == 1 else None

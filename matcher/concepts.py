"""Owners' words → what they need.

Owners describe problems (「FAXで受注している」「人が回らない」「社長が70歳を超えた」); programs describe
instruments (IT導入, 省力化投資, 事業承継). Character overlap between the two is weak, so the owner's
free text is first mapped to purpose ids through this table of everyday phrasings, written by us.
"""

from __future__ import annotations

import re
import unicodedata

# purpose id → phrasings an owner might use (matched on NFKC-normalised, lower-cased text)
PHRASES: dict[str, tuple[str, ...]] = {
    "succession": ("後継", "跡継", "あとつぎ", "事業承継", "承継", "引退", "世代交代", "代替わり", "代がわり", "廃業",
                   "息子に継", "娘に継", "社長が7", "社長が8", "歳を超え", "高齢", "譲りたい", "継ぐ人"),
    "ma": ("m&a", "買収", "売却", "会社を売", "事業を売", "譲渡", "合併", "引き継ぎ先", "買い手"),
    "dx": ("fax", "ファックス", "ファクス", "紙で", "手書き", "エクセル", "excel", "デジタル", "dx", "it化", "システム",
           "ホームページ", "ネット販売", "ec", "電子化", "キャッシュレス", "インボイス", "クラウド", "電話で受注", "アナログ"),
    "productivity": ("人が回ら", "手が回ら", "省力", "自動化", "ロボット", "効率", "残業", "生産性", "手作業",
                     "人手に頼", "時間がかかる"),
    "hiring": ("人手不足", "人手が足り", "人が足り", "人が足ら", "人が集まら", "採用", "求人", "応募がない", "人材確保",
               "辞めてしまう", "定着", "若手がいない", "外国人"),
    "training": ("研修", "育成", "教育", "スキル", "リスキリング", "技能", "資格", "職人が育たない"),
    "wage_increase": ("賃上げ", "最低賃金", "給料を上げ", "給与を上げ", "時給", "ベースアップ", "待遇"),
    "energy_saving": ("電気代", "光熱費", "省エネ", "燃料費", "ガス代", "エネルギー", "空調", "照明", "ボイラー"),
    "gx": ("脱炭素", "co2", "カーボン", "温室効果", "太陽光", "再エネ", "ev", "環境対応"),
    "cash_flow": ("資金繰り", "運転資金", "借入", "融資", "返済", "つなぎ資金", "支払いが", "資金が足り", "お金が足り",
                  "売上が落ち", "売上が減", "赤字", "借り換え"),
    "restructuring": ("再生", "立て直", "債務", "業態転換", "事業転換", "新分野", "撤退", "経営改善", "リスケ"),
    "overseas": ("海外", "輸出", "外国に", "越境", "現地法人", "アジア", "アメリカ", "欧州"),
    "inbound": ("訪日", "インバウンド", "外国人観光客", "観光客", "免税"),
    "sales_channel": ("販路", "新規顧客", "集客", "お客が減", "客が減", "展示会", "商談", "売り先", "取引先を増",
                      "知名度", "宣伝", "pr", "ブランド", "新商品を売"),
    "equipment": ("設備", "機械", "老朽", "更新", "導入したい", "工場", "車両", "厨房", "店舗の改装", "改装"),
    "rnd": ("研究", "開発", "新製品", "試作", "新技術", "大学と", "共同研究"),
    "ip": ("特許", "商標", "模倣", "知財", "知的財産", "意匠"),
    "bcp": ("災害に備", "bcp", "事業継続", "停電", "地震に備", "防災", "サイバー", "セキュリティ"),
    "disaster_recovery": ("被災", "復旧", "浸水", "水害", "地震で", "豪雨", "台風で", "火災で"),
    "startup": ("創業", "起業", "開業", "独立したい", "会社を作", "新しく店を", "脱サラ"),
    "logistics": ("物流", "配送", "運送", "トラック", "2024年問題", "倉庫", "ドライバー"),
    "work_style": ("育休", "育児", "子育て", "介護", "両立", "テレワーク", "女性", "働き方", "休みが取れ"),
    "relocation": ("工場を建て", "新工場", "移転", "拠点", "用地", "増設"),
    "consultation": ("相談", "誰に聞け", "どこに聞け", "分からない", "わからない", "アドバイス", "専門家"),
}

_NOISE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


# the phrasings normalised once, beside the words shown in the explanation
_NORMALISED = {purpose: tuple((normalise(p), p) for p in phrases) for purpose, phrases in PHRASES.items()}


def purposes_from_text(text: str | None) -> dict[str, list[str]]:
    """Purpose ids the owner's words point to, each with the phrasings found (for the explanation)."""
    if not text:
        return {}
    plain = normalise(text)
    found: dict[str, list[str]] = {}
    for purpose, phrases in _NORMALISED.items():
        hits = [shown for key, shown in phrases if key in plain]
        if hits:
            found[purpose] = hits
    return found

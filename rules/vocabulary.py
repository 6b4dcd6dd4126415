"""Stable identifiers of the profile's vocabularies, with their Japanese and English labels.

Every id here is part of the public contract (../shared/API.md); docs/profile.md lists them all and a
test fails when one is missing there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    id: str
    ja: str
    en: str


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {row[0]: Term(*row) for row in rows}


LEGAL_FORMS = _terms(
    ("kabushiki", "株式会社", "stock company (kabushiki kaisha)"),
    ("godo", "合同会社", "limited liability company (godo kaisha)"),
    ("yugen", "有限会社", "special limited company (yugen kaisha)"),
    ("sole_proprietor", "個人事業主", "sole proprietor"),
    ("npo", "特定非営利活動法人（NPO法人）", "non-profit organisation"),
    ("association", "一般社団法人・一般財団法人", "general incorporated association or foundation"),
    ("cooperative", "組合（事業協同組合など）", "cooperative"),
    ("other", "その他", "other"),
)

CERTIFICATIONS = _terms(
    ("keiei_kakushin", "経営革新計画の承認", "approved management innovation plan"),
    ("keieiryoku_kojo", "経営力向上計画の認定", "certified management enhancement plan"),
    ("sentan_setsubi", "先端設備等導入計画の認定", "certified advanced equipment introduction plan"),
    ("jigyo_keizoku", "事業継続力強化計画の認定", "certified business continuity enhancement plan"),
    ("renkei_jigyo_keizoku", "連携事業継続力強化計画の認定", "certified joint business continuity plan"),
    ("dx_nintei", "DX認定", "DX certification"),
    ("kurumin", "くるみん認定", "Kurumin (childcare support) certification"),
    ("platinum_kurumin", "プラチナくるみん認定", "Platinum Kurumin certification"),
    ("eruboshi", "えるぼし認定", "Eruboshi (women's advancement) certification"),
    ("youth_yell", "ユースエール認定", "Youth Yell (young workers) certification"),
    ("chiiki_mirai_kenin", "地域未来牽引企業の選定", "selected regional future-driving company"),
    ("chiiki_keizai_kenin", "地域経済牽引事業計画の承認", "approved regional economy-driving project plan"),
    ("partnership_sengen", "パートナーシップ構築宣言", "declaration of partnership building"),
    ("security_action", "SECURITY ACTION（自己宣言）", "SECURITY ACTION self-declaration"),
    ("gbizid_prime", "GビズIDプライム", "gBizID Prime account"),
    ("kenko_keiei", "健康経営優良法人の認定", "certified health and productivity management organisation"),
    ("keiei_hattatsu_shido", "商工会・商工会議所の経営指導", "management guidance from a chamber of commerce"),
    ("tokutei_kenkyu_kaihatsu", "特定研究開発等計画の認定", "certified specified R&D plan"),
    ("jigyo_shokei_keikaku", "特例承継計画の確認（事業承継税制）", "confirmed special succession plan"),
    ("chuken_keiei_kyoka", "中堅企業の特定事業再編計画等の認定", "certified mid-sized company restructuring plan"),
    ("shinjigyo_katsudo", "新事業活動計画の認定", "certified new business activity plan"),
    ("jisedai_ikusei_plan", "一般事業主行動計画の策定・届出", "filed general employer action plan"),
    ("seicho_kasoku", "成長加速化の計画（100億宣言）", "100-oku sales growth declaration"),
    ("startup_nintei", "スタートアップ認定（J-Startup等）", "selected startup (J-Startup etc.)"),
    ("kyoryoku_kigyo", "サプライチェーン協力会社の登録", "registered supply-chain partner"),
)

PURPOSES = _terms(
    ("equipment", "設備投資", "capital investment"),
    ("dx", "デジタル化・DX", "digitalisation and DX"),
    ("gx", "脱炭素・GX", "decarbonisation (GX)"),
    ("energy_saving", "省エネ", "energy saving"),
    ("succession", "事業承継", "business succession"),
    ("ma", "M&A", "mergers and acquisitions"),
    ("restructuring", "事業再生・再構築", "restructuring and turnaround"),
    ("overseas", "海外展開・輸出", "overseas expansion and export"),
    ("rnd", "研究開発", "research and development"),
    ("hiring", "人材の採用", "hiring"),
    ("training", "人材育成・リスキリング", "training and reskilling"),
    ("wage_increase", "賃上げ", "wage increase"),
    ("startup", "創業・起業", "starting a business"),
    ("cash_flow", "資金繰り", "cash flow"),
    ("bcp", "防災・事業継続（BCP）", "disaster preparedness and business continuity"),
    ("ip", "知的財産", "intellectual property"),
    ("sales_channel", "販路開拓", "new sales channels"),
    ("inbound", "インバウンド（訪日客）", "inbound tourism"),
    ("logistics", "物流", "logistics"),
    ("relocation", "立地・拠点整備", "siting and new facilities"),
    ("productivity", "生産性向上・省力化", "productivity and labour saving"),
    ("work_style", "働き方改革・両立支援", "work-style reform and work-life balance"),
    ("growth", "規模拡大・成長", "scale-up and growth"),
    ("disaster_recovery", "災害からの復旧", "disaster recovery"),
    ("consultation", "経営相談", "management consultation"),
)

PARTNERS = _terms(
    ("university", "大学", "university"),
    ("public_lab", "公設試験研究機関", "public research institute"),
    ("bank", "金融機関", "financial institution"),
    ("large_company", "大企業", "large company"),
    ("sme", "他の中小企業", "other SMEs"),
    ("startup", "スタートアップ", "startup"),
    ("municipality", "自治体", "local government"),
    ("support_org", "支援機関（商工会・商工会議所など）", "support organisation"),
    ("research_institute", "国の研究機関", "national research institute"),
)

EVENT_TYPES = _terms(
    ("disaster", "自然災害", "natural disaster"),
    ("pandemic", "感染症の流行", "pandemic"),
    ("price_surge", "原材料・エネルギー価格の高騰", "surge in input or energy prices"),
    ("trade_partner_failure", "取引先の倒産", "failure of a trading partner"),
)

KINDS = _terms(
    ("subsidy", "補助金・助成金", "subsidy or grant"),
    ("tax", "税制", "tax measure"),
    ("loan", "融資", "loan"),
    ("guarantee", "保証", "credit guarantee"),
    ("investment", "出資・ファンド", "equity and funds"),
    ("consultation", "相談窓口", "consultation desk"),
    ("certification", "認定・計画制度", "certification or plan approval"),
    ("human_resources", "人材支援", "human resources support"),
    ("matching", "マッチング", "matching"),
    ("information", "情報提供", "information"),
)

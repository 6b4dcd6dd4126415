"""The question bank: what the owner questionnaire and partner forms can ask, in plain Japanese.

Every question can be answered 「分からない」; an unanswered question leaves the fact unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.regions import PREFECTURES
from rules.vocabulary import CERTIFICATIONS, EVENT_TYPES, LEGAL_FORMS, PURPOSES


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    field: str
    text: str
    text_en: str
    type: str  # choice | multi | integer | number | date | boolean | text | industry
    help: str = ""
    unit: str = ""
    options: tuple[Option, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "text": self.text,
            "text_en": self.text_en,
            "type": self.type,
            "help": self.help,
            "unit": self.unit,
            "options": [{"value": o.value, "label": o.label} for o in self.options],
            "allows_unknown": True,
        }


def _options(terms: dict[str, Any]) -> tuple[Option, ...]:
    return tuple(Option(t.id, t.ja) for t in terms.values())


QUESTIONS: tuple[Question, ...] = (
    Question("prefecture", "本社はどの都道府県にありますか？", "Which prefecture is the head office in?", "choice",
             options=tuple(Option(p, p) for p in PREFECTURES)),
    Question("industry", "どんなお仕事をしていますか？", "What does the business do?", "industry",
             help="「パン屋」「ソフト開発」「民宿」のように、ふだんの言葉で探せます。"),
    Question("employees", "常時働いている従業員は何人ですか？", "How many regular employees?", "integer",
             help="パート・アルバイトは、日々雇い入れる人などを除き、常時使用していれば数えます。役員と家族従業員は含めません。",
             unit="人"),
    Question("capital_yen", "資本金（出資金）はいくらですか？", "What is the capital?", "integer",
             help="個人事業主の方は「分からない」のままで大丈夫です。", unit="円"),
    Question("legal_form", "会社の形態を教えてください。", "What is the legal form?", "choice", options=_options(LEGAL_FORMS)),
    Question("purposes", "これからやりたいことは何ですか？（いくつでも）", "What do you want to do? (any)", "multi",
             options=_options(PURPOSES)),
    Question("founded_on", "設立日（個人事業主は開業日）はいつですか？", "When was the business founded?", "date"),
    Question("planning_to_found", "これから創業する予定ですか？", "Are you about to start a business?", "boolean"),
    Question("planned_investment_yen", "予定している投資や事業の金額はどのくらいですか？", "How large is the planned investment?",
             "integer", unit="円"),
    Question("planned_wage_increase_pct", "賃上げを予定していますか？何％くらいですか？", "Planned pay rise (%)?", "number", unit="%"),
    Question("certifications", "すでに受けている認定や計画はありますか？（いくつでも）",
             "Which plans or certifications do you hold?", "multi", options=_options(CERTIFICATIONS),
             help="何もなければ「なし」を選んでください。"),
    Question("large_company_share_pct", "大企業から出資を受けていますか？合計で何％ですか？",
             "What share of equity do large companies hold in total?", "number", unit="%",
             help="出資を受けていなければ 0 と答えてください。"),
    Question("largest_large_company_share_pct", "そのうち、いちばん多く出資している大企業の割合は何％ですか？",
             "Share of the single largest large-company shareholder?", "number", unit="%"),
    Question("large_company_officer_share_pct", "役員のうち、大企業の役員や社員を兼ねている人の割合は何％ですか？",
             "Share of officers who also serve a large company?", "number", unit="%"),
    Question("avg_taxable_income_yen", "過去3年の平均の課税所得はどのくらいですか？", "Average taxable income, last 3 years?",
             "integer", unit="円"),
    Question("annual_revenue_yen", "直近1年の売上高はどのくらいですか？", "Latest annual revenue?", "integer", unit="円"),
    Question("sales_change_pct", "売上は前の年（比べる時期）と比べて何％増えましたか、減りましたか？",
             "Sales change versus the comparison period (%)?", "number", unit="%", help="減った場合はマイナスで入力します（例: -20）。"),
    Question("tax_filings", "これまでに税務申告（決算）を何回済ませましたか？", "How many tax filings completed?", "integer", unit="期"),
    Question("consortium_size", "ほかの会社と一緒に申請しますか？何社ですか？", "How many companies apply together?", "integer",
             unit="社", help="1社だけで申請する場合は 0 です。"),
    Question("energy_use_kl", "年間のエネルギー使用量（原油換算kl）はどのくらいですか？", "Annual energy use (kl crude oil eq.)?",
             "number", unit="kl"),
    Question("events", "この1〜2年に、次のような影響を受けましたか？（いくつでも）",
             "Has the business been hit by any of these in the last year or two?", "multi",
             options=_options(EVENT_TYPES),
             help="被災や取引先の倒産などに向けた特別な制度があります。当てはまらなければ「どれも当てはまらない」を選んでください。"),
    Question("municipality", "市区町村を教えてください。", "Which municipality?", "text"),
    Question("challenges", "いま困っていることを、ふだんの言葉で書いてください。", "Describe your challenges in your own words.",
             "text", help="例: 「FAXで受注している」「人が足りない」「社長が70歳を超えた」"),
)

BY_FIELD = {q.field: q for q in QUESTIONS}

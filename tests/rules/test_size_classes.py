"""Derived size facts against the statutes (../shared/facts/size-definitions.md).

Each row: a company, the derived fact, and what the statute says it is (None = cannot be decided).
"""

from __future__ import annotations

import datetime as dt

import pytest

from rules.facts import FactContext
from rules.profile import CompanyProfile

OKU = 100_000_000
MAN = 10_000


def fact(name: str, **profile: object) -> object:
    return FactContext(CompanyProfile.model_validate(profile)).value(name)


# 中小企業基本法 第2条第1項 (+ 政令 special industries): capital OR employees within the industry's limit.
SME_CASES = [
    # 製造業その他: 3億円 / 300人
    ("製造業 従業員ちょうど300人は中小", dict(industry="E", employees=300, capital_yen=10 * OKU), True),
    ("製造業（金属製品 E24）301人・資本金3億円超は中小でない", dict(industry="E24", employees=301, capital_yen=3 * OKU + 1), False),
    ("製造業 E だけで 500人・資本金5億円は判断できない（ゴム製品なら900人まで中小）",
     dict(industry="E", employees=500, capital_yen=5 * OKU), None),
    ("製造業 資本金ちょうど3億円なら1,000人でも中小", dict(industry="E", employees=1000, capital_yen=3 * OKU), True),
    ("製造業 資本金3億円+1円・従業員300人は中小", dict(industry="E", employees=300, capital_yen=3 * OKU + 1), True),
    ("建設業 250人・資本金不明でも中小", dict(industry="D", employees=250), True),
    ("運輸業 400人・資本金不明は判断できない", dict(industry="H", employees=400), None),
    ("運輸業 400人・資本金5億円は中小でない", dict(industry="H", employees=400, capital_yen=5 * OKU), False),
    ("その他（不動産取引 K68）301人・資本金4億円は中小でない", dict(industry="K68", employees=301, capital_yen=4 * OKU), False),
    # 卸売業: 1億円 / 100人
    ("卸売業 ちょうど100人は中小", dict(industry="I50", employees=100, capital_yen=5 * OKU), True),
    ("卸売業 101人・資本金1億円超は中小でない", dict(industry="I52", employees=101, capital_yen=OKU + 1), False),
    ("卸売業 資本金ちょうど1億円は中小", dict(industry="I53", employees=500, capital_yen=OKU), True),
    # 小売業（飲食店を含む）: 5,000万円 / 50人
    ("小売業 ちょうど50人は中小", dict(industry="I58", employees=50, capital_yen=2 * OKU), True),
    ("小売業 51人・資本金5,000万円超は中小でない", dict(industry="I58", employees=51, capital_yen=5000 * MAN + 1), False),
    ("小売業 資本金ちょうど5,000万円は中小", dict(industry="I60", employees=200, capital_yen=5000 * MAN), True),
    ("飲食店 M76 は小売扱い: 51人・資本金1億円は中小でない", dict(industry="M76", employees=51, capital_yen=OKU), False),
    ("飲食店 M76 ちょうど50人は中小", dict(industry="M76", employees=50, capital_yen=OKU), True),
    # サービス業: 5,000万円 / 100人
    ("サービス業 ちょうど100人は中小", dict(industry="R", employees=100, capital_yen=OKU), True),
    ("サービス業 101人・資本金5,000万円超は中小でない", dict(industry="P", employees=101, capital_yen=6000 * MAN), False),
    ("学術研究 L 資本金ちょうど5,000万円は中小", dict(industry="L", employees=150, capital_yen=5000 * MAN), True),
    ("情報サービス（G39 全体）は ソフトウェア300人/一般100人の両方がありうる", dict(industry="G39", employees=200, capital_yen=2 * OKU), None),
    # 政令: ゴム製品製造業 3億円 / 900人 (タイヤ・チューブ, 工業用ベルトを除く)
    ("ゴム製品（医療用 E1992）ちょうど900人は中小", dict(industry="E1992", employees=900, capital_yen=10 * OKU), True),
    ("ゴム製品（E1992）901人・資本金3億円超は中小でない", dict(industry="E1992", employees=901, capital_yen=4 * OKU), False),
    ("自動車タイヤ製造 E1911 は特例外: 800人・資本金4億円は中小でない", dict(industry="E1911", employees=800, capital_yen=4 * OKU), False),
    ("ゴムベルト製造 E1931 は特例外: 800人・資本金4億円は中小でない", dict(industry="E1931", employees=800, capital_yen=4 * OKU), False),
    ("E19 だけでは タイヤ か否か分からず 800人・4億円は判断できない", dict(industry="E19", employees=800, capital_yen=4 * OKU), None),
    ("E19 でも 300人以下なら業種によらず中小", dict(industry="E19", employees=300, capital_yen=4 * OKU), True),
    # 政令: ソフトウェア業・情報処理サービス業 3億円 / 300人
    ("ソフトウェア業 G391 ちょうど300人は中小", dict(industry="G391", employees=300, capital_yen=10 * OKU), True),
    ("ソフトウェア業 G391 301人・資本金3億円超は中小でない", dict(industry="G391", employees=301, capital_yen=4 * OKU), False),
    ("情報処理サービス G392 資本金ちょうど3億円は中小", dict(industry="G392", employees=999, capital_yen=3 * OKU), True),
    # 政令: 旅館業 5,000万円 / 200人
    ("旅館 M751 ちょうど200人は中小", dict(industry="M751", employees=200, capital_yen=OKU), True),
    ("旅館 M751 201人・資本金5,000万円超は中小でない", dict(industry="M751", employees=201, capital_yen=OKU), False),
    ("下宿業 M753 は一般サービス: 150人・資本金1億円は中小でない", dict(industry="M753", employees=150, capital_yen=OKU), False),
    # 個人事業主: capital test does not apply
    ("個人事業主 資本金なし・従業員10人は中小", dict(industry="I58", legal_form="sole_proprietor", employees=10), True),
    ("個人事業主 小売 51人は中小でない（資本金の基準はない）", dict(industry="I58", legal_form="sole_proprietor", employees=51), False),
    ("個人事業主 従業員数不明は判断できない", dict(industry="E", legal_form="sole_proprietor"), None),
    # unknowns
    ("資本金不明でも従業員が基準以下なら中小", dict(industry="E", employees=120), True),
    ("従業員不明でも資本金が基準以下なら中小", dict(industry="E", capital_yen=OKU), True),
    ("資本金も従業員数も不明なら判断できない", dict(industry="E"), None),
    ("業種不明でも50人以下かつ資本金5,000万円以下なら中小", dict(employees=50, capital_yen=5000 * MAN), True),
    ("業種不明で 120人・資本金2億円は業種しだい", dict(employees=120, capital_yen=2 * OKU), None),
    ("業種不明でも 901人・資本金3億円超なら中小でない", dict(employees=901, capital_yen=4 * OKU), False),
    ("卸売か小売か不明（I）で 80人・資本金不明は判断できない", dict(industry="I", employees=80), None),
    ("卸売か小売か不明（I）でも 40人なら中小", dict(industry="I", employees=40), True),
]


@pytest.mark.parametrize(("name", "profile", "expected"), SME_CASES, ids=[c[0] for c in SME_CASES])
def test_sme_under_basic_act(name: str, profile: dict, expected: object) -> None:
    assert fact("is_sme", **profile) is expected


# 中小企業基本法 第2条第5項 and its 政令 (宿泊業・娯楽業 20人)
SMALL_CASES = [
    ("製造業 ちょうど20人は小規模", dict(industry="E", employees=20), True),
    ("製造業 21人は小規模でない", dict(industry="E", employees=21), False),
    ("小売業 ちょうど5人は小規模", dict(industry="I58", employees=5), True),
    ("小売業 6人は小規模でない", dict(industry="I58", employees=6), False),
    ("卸売業 6人は小規模でない", dict(industry="I51", employees=6), False),
    ("サービス業 ちょうど5人は小規模", dict(industry="N78", employees=5), True),
    ("宿泊業 M75 ちょうど20人は小規模（政令）", dict(industry="M75", employees=20), True),
    ("宿泊業 M751 21人は小規模でない", dict(industry="M751", employees=21), False),
    ("娯楽業 N80 ちょうど20人は小規模（政令）", dict(industry="N80", employees=20), True),
    ("娯楽業 N80 21人は小規模でない", dict(industry="N80", employees=21), False),
    ("生活関連サービス N 全体では 15人は判断できない（娯楽業なら小規模）", dict(industry="N", employees=15), None),
    ("業種不明でも 5人以下なら小規模", dict(employees=5), True),
    ("業種不明で 10人は判断できない", dict(employees=10), None),
    ("業種不明でも 21人なら小規模でない", dict(employees=21), False),
    ("従業員数不明は判断できない", dict(industry="E"), None),
]


@pytest.mark.parametrize(("name", "profile", "expected"), SMALL_CASES, ids=[c[0] for c in SMALL_CASES])
def test_small_business(name: str, profile: dict, expected: object) -> None:
    assert fact("is_small_business", **profile) is expected


# 租税特別措置法: capital ≤ 1億円, not owned ≥1/2 by one / ≥2/3 by large companies, income ≤ 15億円
NO_OWNER = dict(large_company_share_pct=0, largest_large_company_share_pct=0, avg_taxable_income_yen=5 * OKU)
TAX_CASES = [
    ("資本金ちょうど1億円・大企業出資なしは中小企業者", dict(legal_form="kabushiki", capital_yen=OKU, **NO_OWNER), True),
    ("資本金1億円+1円は中小企業者でない", dict(legal_form="kabushiki", capital_yen=OKU + 1, **NO_OWNER), False),
    ("同一の大企業が1/2以上保有は中小企業者でない",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=50, largest_large_company_share_pct=50,
          avg_taxable_income_yen=0), False),
    ("同一の大企業が49.9%なら中小企業者",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=49.9, largest_large_company_share_pct=49.9,
          avg_taxable_income_yen=0), True),
    ("大企業合計で2/3以上は中小企業者でない",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=70, largest_large_company_share_pct=35,
          avg_taxable_income_yen=0), False),
    ("大企業合計 66%（2/3未満）なら中小企業者",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=66, largest_large_company_share_pct=33,
          avg_taxable_income_yen=0), True),
    ("平均所得15億円ちょうどは中小企業者",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=0, largest_large_company_share_pct=0,
          avg_taxable_income_yen=15 * OKU), True),
    ("平均所得15億円超は適用除外事業者",
     dict(legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=0, largest_large_company_share_pct=0,
          avg_taxable_income_yen=15 * OKU + 1), False),
    ("2019年4月より前は15億円基準がない",
     dict(as_of=dt.date(2019, 3, 31), legal_form="kabushiki", capital_yen=OKU, large_company_share_pct=0,
          largest_large_company_share_pct=0, avg_taxable_income_yen=20 * OKU), True),
    ("出資比率が不明なら判断できない", dict(legal_form="kabushiki", capital_yen=OKU, avg_taxable_income_yen=0), None),
    ("資本金2億円なら出資比率が不明でも中小企業者でない", dict(legal_form="kabushiki", capital_yen=2 * OKU), False),
    ("個人事業主 従業員ちょうど1,000人は中小事業者", dict(legal_form="sole_proprietor", employees=1000, avg_taxable_income_yen=0), True),
    ("個人事業主 1,001人は中小事業者でない", dict(legal_form="sole_proprietor", employees=1001, avg_taxable_income_yen=0), False),
    ("資本を持たない法人（一般社団）は従業員1,000人以下で判定", dict(legal_form="association", employees=30, avg_taxable_income_yen=0), True),
]


@pytest.mark.parametrize(("name", "profile", "expected"), TAX_CASES, ids=[c[0] for c in TAX_CASES])
def test_sme_for_tax(name: str, profile: dict, expected: object) -> None:
    assert fact("is_sme_tax", **profile) is expected


MINASHI_CASES = [
    ("同一の大企業がちょうど1/2保有はみなし大企業", dict(largest_large_company_share_pct=50, large_company_share_pct=50), True),
    ("大企業合計2/3以上はみなし大企業", dict(largest_large_company_share_pct=40, large_company_share_pct=67), True),
    ("役員の1/2以上が大企業の役員・職員はみなし大企業", dict(large_company_officer_share_pct=50), True),
    ("出資も役員もなしならみなし大企業でない",
     dict(largest_large_company_share_pct=0, large_company_share_pct=0, large_company_officer_share_pct=0), False),
    ("出資なしでも役員構成が不明なら判断できない", dict(largest_large_company_share_pct=0, large_company_share_pct=0), None),
    ("何も分からなければ判断できない", dict(), None),
]


@pytest.mark.parametrize(("name", "profile", "expected"), MINASHI_CASES, ids=[c[0] for c in MINASHI_CASES])
def test_minashi_large(name: str, profile: dict, expected: object) -> None:
    assert fact("is_minashi_large", **profile) is expected


# 産業競争力強化法: 中堅企業者 = ≤ 2,000 employees and not 中小企業者
CHUKEN_CASES = [
    ("製造業 2,000人ちょうど・資本金10億円は中堅", dict(industry="E", employees=2000, capital_yen=10 * OKU), True),
    ("製造業 2,001人は中堅でない（大企業）", dict(industry="E", employees=2001, capital_yen=10 * OKU), False),
    ("製造業 300人は中小なので中堅でない", dict(industry="E", employees=300, capital_yen=10 * OKU), False),
    ("小売 60人・資本金1億円は中堅", dict(industry="I58", employees=60, capital_yen=OKU), True),
    ("資本金不明の製造業 500人は中小か判断できず中堅も判断できない", dict(industry="E", employees=500), None),
    ("2024年9月より前も、中堅企業と書く制度には産業競争力強化法の定義を当てる",
     dict(as_of=dt.date(2021, 6, 1), industry="E24", employees=1000, capital_yen=10 * OKU), True),
]


@pytest.mark.parametrize(("name", "profile", "expected"), CHUKEN_CASES, ids=[c[0] for c in CHUKEN_CASES])
def test_chuken(name: str, profile: dict, expected: object) -> None:
    assert fact("is_chuken", **profile) is expected


SIZE_CLASS_CASES = [
    ("製造業 10人は小規模", dict(industry="E", employees=10), "small"),
    ("製造業 100人・資本金1億円は中小", dict(industry="E", employees=100, capital_yen=OKU), "sme"),
    ("製造業 1,500人・資本金10億円は中堅", dict(industry="E", employees=1500, capital_yen=10 * OKU), "chuken"),
    ("製造業 3,000人・資本金10億円は大企業", dict(industry="E", employees=3000, capital_yen=10 * OKU), "large"),
    ("業種・規模が不明なら分からない", dict(), None),
]


@pytest.mark.parametrize(("name", "profile", "expected"), SIZE_CLASS_CASES, ids=[c[0] for c in SIZE_CLASS_CASES])
def test_size_class(name: str, profile: dict, expected: object) -> None:
    assert fact("size_class", **profile) == expected


def test_years_since_founding_counts_from_the_founding_date_to_as_of() -> None:
    assert fact("years_since_founding", founded_on="2020-04-01", as_of="2025-04-01") == pytest.approx(5.0, abs=0.01)
    assert fact("years_since_founding", planning_to_found=True) == 0.0
    assert fact("years_since_founding") is None


@pytest.mark.parametrize(
    ("prefecture", "region"),
    [("宮城県", "東北"), ("東京都", "関東"), ("新潟県", "中部"), ("三重県", "近畿"), ("沖縄県", "九州・沖縄"), ("北海道", "北海道"), (None, None)],
)
def test_region_of_prefecture(prefecture: str | None, region: str | None) -> None:
    assert fact("region", prefecture=prefecture) == region


def test_deemed_sme_keeps_sme_support_for_five_years_after_plan_approval() -> None:
    grown = dict(industry="E24", employees=500, capital_yen=5 * OKU, minashi_sme_plan_approved_on="2022-04-01")
    assert fact("is_sme", **grown, as_of="2025-04-01") is False
    assert fact("is_sme_or_deemed", **grown, as_of="2025-04-01") is True
    assert fact("is_sme_or_deemed", **grown, as_of="2027-06-01") is False


def test_there_are_at_least_sixty_statutory_cases() -> None:
    total = len(SME_CASES) + len(SMALL_CASES) + len(TAX_CASES) + len(MINASHI_CASES) + len(CHUKEN_CASES) + len(SIZE_CLASS_CASES)
    assert total >= 60

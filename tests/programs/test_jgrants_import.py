"""The Jグランツ importer: field mapping, the committed catalog, idempotent re-import, the live-API reader."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from programs.cases import check_case
from programs.importers.jgrants import (
    ATTRIBUTION,
    MappingError,
    area_rule,
    clean_html,
    employees_rule,
    fetch_records,
    import_jgrants,
    industry_letters,
    map_record,
    parse_rate,
    purposes_of,
    read_jsonl,
)
from programs.loader import load_programs
from programs.schema import Case, Program
from programs.verdict import judge
from rules.facts import FactContext
from rules.profile import CompanyProfile
from web.cli_import import import_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from fakes.jgrants_server import FakeJGrants  # noqa: E402

DATA = Path("/work/shared/data/jgrants/subsidies.jsonl")
CATALOG = Path(__file__).resolve().parents[2] / "programs" / "catalog" / "jgrants"
AS_OF = dt.date(2026, 8, 21)
ALL_PREFS = "北海道/青森県/岩手県/宮城県/秋田県/山形県/福島県/茨城県/栃木県/群馬県/埼玉県/千葉県/東京都/神奈川県/新潟県/富山県/石川県/福井県/山梨県/長野県/岐阜県/静岡県/愛知県/三重県/滋賀県/京都府/大阪府/兵庫県/奈良県/和歌山県/鳥取県/島根県/岡山県/広島県/山口県/徳島県/香川県/愛媛県/高知県/福岡県/佐賀県/長崎県/熊本県/大分県/宮崎県/鹿児島県/沖縄県"  # noqa: E501
ALL_INDUSTRIES = (
    "農業 / 林業 / 漁業 / 鉱業 / 採石業 / 砂利採取業 / 建設業 / 製造業 / 電気・ガス・熱供給・水道業 / 情報通信業 / "
    "運輸業 / 郵便業 / 卸売業 / 小売業 / 金融業 / 保険業 / 不動産業 / 物品賃貸業 / 学術研究 / 専門・技術サービス業 / "
    "宿泊業 / 飲食サービス業 / 生活関連サービス業 / 娯楽業 / 教育 / 学習支援業 / 医療 / 福祉 / 複合サービス事業 / "
    "サービス業（他に分類されないもの） / 公務（他に分類されるものを除く） / 分類不能の産業"
)


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return read_jsonl(DATA)


def record(**changes: Any) -> dict[str, Any]:
    """A minimal record in the API's field names."""
    base: dict[str, Any] = {
        "id": "a0WTEST0000000001AB", "name": None, "title": "テスト設備投資補助金",
        "subsidy_catch_phrase": "設備投資を応援します！",
        "detail": "<p><strong>■概要</strong></p><p>都内の中小企業が行う設備投資の経費の一部を助成します。対象は製造業です。</p>",
        "use_purpose": None, "industry": "製造業", "target_area_search": "東京都", "target_area_detail": None,
        "target_number_of_employees": "300名以下", "subsidy_rate": "1/2以内", "subsidy_max_limit": 5000000,
        "acceptance_start_datetime": "2026-04-01T00:00:00.000Z", "acceptance_end_datetime": "2026-06-30T00:00:00.000Z",
        "project_end_deadline": "2027-03-31T00:00:00.000Z", "request_reception_presence": "有",
        "is_enable_multiple_request": False, "institution_name": None,
        "front_subsidy_detail_page_url": "https://www.jgrants-portal.go.jp/subsidy/a0WTEST0000000001AB",
    }
    base.update(changes)
    return base


def program_of(rec: dict[str, Any]) -> Program:
    return Program.model_validate(map_record(rec).data)


def verdict(program: Program, status: str, **profile: Any) -> list[str]:
    case = Case(name="t", profile={"as_of": "2026-05-01", **profile}, status=status)  # type: ignore[arg-type]
    return check_case(program, case)


def mapped_conditions_met(program: Program, **profile: Any) -> bool:
    """Every condition taken from the API passes; only the guidelines' own conditions are left to check."""
    result = judge(program, FactContext(CompanyProfile.model_validate({"as_of": "2026-05-01", **profile})))
    mapped = [r for r in result.reasons if r.op != "unstated"]
    left = [r for r in result.reasons if r.op == "unstated"]
    return (result.status == "undetermined" and all(r.outcome == "pass" for r in mapped)
            and len(left) == 1 and "公募要領" in left[0].text)


# --- field mapping ---------------------------------------------------------------------------


@pytest.mark.parametrize(("bucket", "op", "value"), [
    ("5名以下", "le", 5), ("20名以下", "le", 20), ("50名以下", "le", 50), ("100名以下", "le", 100),
    ("300名以下", "le", 300), ("900名以下", "le", 900), ("901名以上", "ge", 901),
])
def test_employee_buckets_become_employee_limits(bucket: str, op: str, value: int) -> None:
    assert employees_rule(bucket) == {"fact": "employees", "op": op, "value": value}


@pytest.mark.parametrize("bucket", ["従業員数の制約なし", None, ""])
def test_no_employee_limit_gives_no_rule(bucket: str | None) -> None:
    assert employees_rule(bucket) is None


def test_an_unknown_bucket_cannot_be_mapped() -> None:
    with pytest.raises(MappingError, match="7名以下"):
        employees_rule("7名以下")


def test_the_employee_limit_decides_on_both_sides_of_300() -> None:
    program = program_of(record(industry=None, target_area_search="全国"))
    assert mapped_conditions_met(program, employees=300)
    assert verdict(program, "ineligible", employees=301) == []
    assert not mapped_conditions_met(program)


@pytest.mark.parametrize("area", ["全国", "全国/宮崎県", "全国/" + ALL_PREFS + "/中国地方/近畿地方", ALL_PREFS, None])
def test_nationwide_areas_give_no_area_rule(area: str | None) -> None:
    assert area_rule(area).rule is None


def test_prefectures_joined_with_spaced_slashes_become_a_prefecture_rule() -> None:
    area = area_rule("北海道 / 青森県/岩手県 / 東京都")
    assert area.rule == {"fact": "prefecture", "in": ["北海道", "青森県", "岩手県", "東京都"]}


def test_region_names_map_to_our_regions_or_expand_to_prefectures() -> None:
    assert area_rule("東北地方").rule == {"fact": "region", "in": ["東北"]}
    assert area_rule("九州・沖縄地方").rule == {"fact": "region", "in": ["九州・沖縄"]}
    # 関東・甲信越 is not one of our regions: its prefectures are listed instead
    kanto = area_rule("関東・甲信越地方").rule
    assert kanto == {"fact": "prefecture", "in": ["茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都",
                                                  "神奈川県", "新潟県", "山梨県", "長野県"]}
    mixed = area_rule("四国地方/大阪府").rule
    assert mixed == {"any": [{"fact": "prefecture", "in": ["大阪府"]}, {"fact": "region", "in": ["四国"]}]}


def test_a_regional_call_excludes_companies_elsewhere() -> None:
    program = program_of(record(target_area_search="東北地方", industry=None, target_number_of_employees=None))
    assert mapped_conditions_met(program, prefecture="宮城県")
    assert verdict(program, "ineligible", prefecture="東京都") == []
    nagano = program_of(record(target_area_search="関東・甲信越地方", industry=None, target_number_of_employees=None))
    assert mapped_conditions_met(nagano, prefecture="長野県")


def test_overseas_gives_no_prefecture_rule_and_the_summary_says_so() -> None:
    program = program_of(record(target_area_search="海外", industry=None, target_number_of_employees=None))
    assert program.rule().TAG == "unstated"
    assert "海外" in program.summary


def test_an_unknown_area_cannot_be_mapped() -> None:
    with pytest.raises(MappingError, match="火星"):
        area_rule("東京都/火星")


@pytest.mark.parametrize(("labels", "letters"), [
    ("医療 / 福祉", ["P"]),
    ("鉱業 / 採石業 / 砂利採取業", ["C"]),
    ("製造業 / 情報通信業", ["E", "G"]),
    ("学術研究 / 専門・技術サービス業 / 宿泊業 / 飲食サービス業", ["L", "M"]),
    ("公務（他に分類されるものを除く）", ["S"]),
    (ALL_INDUSTRIES, []),
    ("", []),
    (None, []),
])
def test_industry_labels_become_jsic_letters(labels: str | None, letters: list[str]) -> None:
    assert industry_letters(labels) == letters


def test_an_industry_rule_matches_subclasses_and_excludes_others() -> None:
    program = program_of(record(industry="医療 / 福祉", target_area_search="全国", target_number_of_employees=None))
    assert mapped_conditions_met(program, industry="P83")
    assert verdict(program, "ineligible", industry="E") == []


@pytest.mark.parametrize(("text", "rate"), [
    ("1/2以内", 0.5), ("3分の2", 0.6667), ("２／３", 0.6667), ("10/10", 1.0), ("100%", 1.0),
    ("補助対象経費の３／４", 0.75), ("事業の実施に直接必要な額（10分の10）", 1.0), ("定額補助（１０／１０）", 1.0),
])
def test_one_clear_rate_is_parsed(text: str, rate: float) -> None:
    assert parse_rate(text).rate == rate


@pytest.mark.parametrize("text", [
    "1/2 もしくは 2/3", "中小企業：1/2以内、小規模事業者：2/3以内", "21％～55％（ZEBランク、建物用途により異なる）",
    "固定資産取得費用の8～10％", "定額、または２／３", "公募要領を参照", "中小企業等 最大1/2／大企業 最大1/3",
])
def test_several_or_no_rates_give_no_rate(text: str) -> None:
    assert parse_rate(text).rate is None


def test_the_benefit_keeps_the_rate_text_and_the_cap() -> None:
    [benefit] = program_of(record(subsidy_rate="1/2以内", subsidy_max_limit=5000000)).benefits
    assert (benefit.type, benefit.rate, benefit.rate_text, benefit.max_yen) == ("grant", 0.5, "1/2以内", 5000000)
    assert "500万円" in benefit.text
    [fixed] = program_of(record(subsidy_rate="定額", subsidy_max_limit=100000)).benefits
    assert (fixed.rate, fixed.rate_text, fixed.basis) == (None, "定額", "fixed")
    [several] = program_of(record(subsidy_rate="1/2 もしくは 2/3", subsidy_max_limit=0)).benefits
    assert (several.rate, several.rate_text, several.max_yen) == (None, "1/2 もしくは 2/3", None)
    assert program_of(record(subsidy_rate=None, subsidy_max_limit=0)).benefits == []


def test_html_is_cleaned_to_plain_text() -> None:
    html = ("<p><strong style=\"color: red\">１　事業の概要</strong></p><p>　A&amp;B社の&lt;設備&gt;を&nbsp;補助します。</p>"
            "<script>alert(1)</script><ul><li>対象：中小企業</li></ul>")
    assert clean_html(html) == "１ 事業の概要 A&B社の<設備>を 補助します。 対象：中小企業"


def test_the_summary_is_short_clean_and_credited() -> None:
    program = program_of(record())
    assert program.summary == "設備投資を応援します！都内の中小企業が行う設備投資の経費の一部を助成します。対象は製造業です。（出典：Jグランツ）"
    long = program_of(record(subsidy_catch_phrase=None, detail="<p>" + "長い説明" * 100 + "です。</p>"))
    assert len(long.summary) <= 200 and long.summary.endswith("…（出典：Jグランツ）")
    assert "<" not in long.summary


def test_the_program_carries_id_sources_window_and_attribution() -> None:
    program = program_of(record(id="a0WJ200000CDNujMAH"))
    assert program.id == "jgrants-a0WJ200000CDNujMAH"  # the record id keeps its case
    assert program.kind == "subsidy" and program.name == "テスト設備投資補助金"
    assert program.attribution == ATTRIBUTION == "出典：Jグランツ（jGrants）"
    assert [s.record for s in program.sources] == ["jgrants:a0WJ200000CDNujMAH"]
    assert program.sources[0].url == "https://www.jgrants-portal.go.jp/subsidy/a0WTEST0000000001AB"
    [window] = program.windows
    assert (window.start, window.end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert "2027-03-31" in (window.text or "")


def test_api_datetimes_are_read_as_japanese_dates() -> None:
    # the live API gives UTC: 2026-04-30T15:00Z is 1 May in Japan
    program = program_of(record(acceptance_start_datetime="2026-04-30T15:00:00.000Z",
                                acceptance_end_datetime="2026-05-31T08:00:00.000Z"))
    assert (program.windows[0].start, program.windows[0].end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def test_use_purposes_map_through_the_table() -> None:
    ids, unknown = purposes_of("設備整備・IT導入をしたい / 事業を引き継ぎたい / 宇宙に行きたい")
    assert ids == ["equipment", "dx", "succession", "ma"] and unknown == ["宇宙に行きたい"]
    assert program_of(record(use_purpose="資金繰りを改善したい")).purposes == ["cash_flow"]


def test_no_conditions_give_the_unstated_rule() -> None:
    program = program_of(record(industry=None, target_area_search="全国", target_number_of_employees="従業員数の制約なし"))
    assert program.eligibility.unstated == "対象の条件はJグランツの公募要領で確認してください"  # type: ignore[union-attr]
    assert verdict(program, "undetermined", employees=10, prefecture="東京都") == []


def test_a_tokyo_manufacturing_call_for_300_or_fewer() -> None:
    program = program_of(record())
    assert mapped_conditions_met(program, prefecture="東京都", industry="E24", employees=120)
    assert verdict(program, "ineligible", prefecture="大阪府", industry="E24", employees=120) == []
    assert verdict(program, "ineligible", prefecture="東京都", industry="I58", employees=120) == []
    assert verdict(program, "undetermined", prefecture="東京都", employees=120) == []


# --- the shared data and the committed catalog -----------------------------------------------


def test_all_404_records_map_and_load(records: list[dict[str, Any]], tmp_path: Path) -> None:
    report = import_jgrants(records, tmp_path, AS_OF)
    assert report.unmappable == []
    assert len(report.new) == 404
    assert len(load_programs([tmp_path])) == 404
    assert report.rates_parsed + report.rates_text_only > 300


def test_the_committed_catalog_is_what_the_importer_writes(records: list[dict[str, Any]], tmp_path: Path) -> None:
    import_jgrants(records, tmp_path, AS_OF)
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in CATALOG.glob("*.yaml")}
    assert len(committed) == 404
    assert committed == fresh


def test_a_record_that_cannot_be_mapped_is_reported_not_dropped(tmp_path: Path) -> None:
    report = import_jgrants([record(), record(id="a0WBAD", target_number_of_employees="7名以下"), {"title": "x"}],
                            tmp_path, AS_OF)
    assert report.new == ["jgrants-a0WTEST0000000001AB"]
    assert ("a0WBAD", "unknown target_number_of_employees '7名以下'") in report.unmappable
    assert any(why == "record has no id" for _, why in report.unmappable)
    assert not (tmp_path / "jgrants-a0WBAD.yaml").exists()
    logged = json.loads((tmp_path / "_import_log.jsonl").read_text(encoding="utf-8"))
    assert {"id": "a0WBAD", "reason": "unknown target_number_of_employees '7名以下'"} in logged["unmappable"]
    assert "UNMAPPABLE a0WBAD" in "\n".join(report.summary_lines())


def test_files_are_deterministic_yaml_with_japanese_unescaped(tmp_path: Path) -> None:
    import_jgrants([record()], tmp_path, AS_OF)
    text = (tmp_path / "jgrants-a0WTEST0000000001AB.yaml").read_text(encoding="utf-8")
    assert "テスト設備投資補助金" in text and "\\u" not in text
    data = yaml.safe_load(text)
    assert list(data)[:3] == ["id", "name", "kind"]


# --- idempotent re-import, the log, closed calls ---------------------------------------------


def test_a_second_run_changes_nothing_and_a_modified_record_is_reported(
        records: list[dict[str, Any]], tmp_path: Path) -> None:
    import_jgrants(records, tmp_path, AS_OF)
    target = tmp_path / "jgrants-a0WJ200000CDNujMAH.yaml"
    before = target.stat().st_mtime_ns
    again = import_jgrants(records, tmp_path, AS_OF)
    assert (len(again.new), len(again.changed), len(again.unchanged)) == (0, 0, 404)
    assert target.stat().st_mtime_ns == before

    edited = copy.deepcopy(records)
    rec = next(r for r in edited if r["id"] == "a0WJ200000CDNujMAH")
    rec["subsidy_max_limit"] = 1500000000
    rec["acceptance_end_datetime"] = "2026-09-30T00:00:00.000Z"
    third = import_jgrants(edited, tmp_path, AS_OF)
    assert third.changed == {"jgrants-a0WJ200000CDNujMAH": ["benefits", "windows"]}
    assert len(third.unchanged) == 403
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["benefits"][0]["max_yen"] == 1500000000

    lines = [json.loads(line) for line in (tmp_path / "_import_log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["counts"]["new"] for line in lines] == [404, 0, 0]
    assert [line["counts"]["changed"] for line in lines] == [0, 0, 1]
    entry = next(c for c in lines[2]["changes"] if c["id"] == "jgrants-a0WJ200000CDNujMAH")
    assert entry == {"id": "jgrants-a0WJ200000CDNujMAH", "change": "changed", "fields": ["benefits", "windows"],
                     "status": "active"}
    assert {"timestamp", "source", "as_of", "counts", "changes"} <= set(lines[0])


def test_a_closed_call_stays_in_the_catalog_and_is_reported_closed(tmp_path: Path) -> None:
    rec = record(acceptance_end_datetime="2026-06-30T00:00:00.000Z")
    open_run = import_jgrants([rec], tmp_path, dt.date(2026, 5, 1))
    assert open_run.closed == [] and open_run.status == {"jgrants-a0WTEST0000000001AB": "active"}
    closed_run = import_jgrants([rec], tmp_path, dt.date(2026, 7, 1))
    assert closed_run.closed == ["jgrants-a0WTEST0000000001AB"]
    assert closed_run.unchanged == ["jgrants-a0WTEST0000000001AB"]  # the file does not depend on the date
    assert (tmp_path / "jgrants-a0WTEST0000000001AB.yaml").exists()
    entry = json.loads((tmp_path / "_import_log.jsonl").read_text(encoding="utf-8").splitlines()[-1])["changes"][0]
    assert entry["status"] == "ended" and entry["closed_as_of"] == "2026-07-01"
    # a later run without the record (e.g. the API no longer lists it) deletes nothing
    import_jgrants([record(id="a0WOTHER")], tmp_path, dt.date(2026, 7, 1))
    assert (tmp_path / "jgrants-a0WTEST0000000001AB.yaml").exists()


def test_the_shared_data_has_closed_calls_as_of_collection(records: list[dict[str, Any]], tmp_path: Path) -> None:
    report = import_jgrants(records, tmp_path, AS_OF)
    assert 0 < len(report.closed) < 404
    assert "jgrants-a0WJ200000CDNujMAH" in report.closed  # its window ended on 2026-03-31


# --- the live API reader against a local fake -------------------------------------------------


@pytest.fixture
def fake_api(records: list[dict[str, Any]]) -> Iterator[FakeJGrants]:
    fake = FakeJGrants(records)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def ids_with(records: list[dict[str, Any]], keyword: str) -> set[str]:
    return {r["id"] for r in records if any(keyword.lower() in str(r.get(f) or "").lower()
                                            for f in ("title", "subsidy_catch_phrase", "detail"))}


def test_fetch_unions_the_keywords_and_drops_attachments(fake_api: FakeJGrants, records: list[dict[str, Any]]) -> None:
    result = fetch_records(fake_api.base_url, ["設備", "賃上げ"], delay=0)
    expected = ids_with(records, "設備") | ids_with(records, "賃上げ")
    assert result.errors == []
    assert {r["id"] for r in result.records} == expected
    assert len(result.records) == len(expected)  # each id fetched once
    assert all("application_guidelines" not in r and "outline_of_grant" not in r and "application_form" not in r
               for r in result.records)
    lists = [q for q in fake_api.requests if q.startswith("/v1/public/subsidies?")]
    assert len(lists) == 2 and all("sort=created_date" in q and "order=DESC" in q and "acceptance=0" in q for q in lists)
    first = next(r for r in result.records if r["id"] == sorted(expected)[0])
    source = next(r for r in records if r["id"] == first["id"])
    assert first["title"] == source["title"] and first["detail"] == source["detail"]


def test_fetched_records_import_like_the_file(fake_api: FakeJGrants, tmp_path: Path) -> None:
    result = fetch_records(fake_api.base_url, ["外国出願"], delay=0)
    report = import_jgrants(result.records, tmp_path, AS_OF, source="api")
    assert report.unmappable == [] and len(report.new) == len(result.records) > 0
    for path in tmp_path.glob("*.yaml"):
        assert path.read_text(encoding="utf-8") == (CATALOG / path.name).read_text(encoding="utf-8")


def test_fetch_waits_between_requests(fake_api: FakeJGrants) -> None:
    sleeps = Sleeps()
    result = fetch_records(fake_api.base_url, ["外国出願"], delay=1.0, sleep=sleeps)
    assert result.requests >= 2
    assert sleeps == [1.0] * (result.requests - 1)


def test_a_listed_id_that_is_gone_is_reported(fake_api: FakeJGrants, records: list[dict[str, Any]]) -> None:
    gone = sorted(ids_with(records, "外国出願"))[0]
    # the list still names it (as a stale index would) but its detail answers 404
    fake_api.records["stale-index-entry"] = fake_api.records.pop(gone)
    result = fetch_records(fake_api.base_url, ["外国出願"], delay=0)
    assert gone in result.listed_ids
    [error] = [e for e in result.errors if gone in e]
    assert "404" in error and "Not Found" in error
    assert gone not in {r["id"] for r in result.records}
    assert len(result.records) == len(result.listed_ids) - 1


def test_a_500_is_retried_with_backoff_then_succeeds(fake_api: FakeJGrants) -> None:
    fake_api.fail_next["/v1/public/subsidies"] = [500]
    rid = "a0WJ200000CDNujMAH"
    fake_api.fail_next[f"/v1/public/subsidies/id/{rid}"] = [503, 500]
    sleeps = Sleeps()
    result = fetch_records(fake_api.base_url, ["情報通信拠点"], delay=0, backoff=0.5, sleep=sleeps)
    assert result.errors == []
    assert [r["id"] for r in result.records] == [rid]
    assert sleeps == [0.5, 0.5, 1.0]  # one retry of the list, two of the detail (0.5 × 2^n)


def test_a_server_that_keeps_failing_is_reported_not_raised(fake_api: FakeJGrants) -> None:
    fake_api.fail_next["/v1/public/subsidies"] = [500] * 10
    result = fetch_records(fake_api.base_url, ["情報通信拠点"], delay=0, retries=2, backoff=0)
    assert result.records == []
    assert result.errors == ["keyword '情報通信拠点': HTTP 500 (E500 Internal Server Error) after 3 attempts"]


def test_a_timeout_is_retried(fake_api: FakeJGrants) -> None:
    rid = "a0WJ200000CDNujMAH"
    fake_api.stall_next[f"/v1/public/subsidies/id/{rid}"] = 1
    fake_api.stall_seconds = 1.0
    with httpx.Client(timeout=0.3) as client:
        result = fetch_records(fake_api.base_url, ["情報通信拠点"], client=client, delay=0, backoff=0)
    assert result.errors == [] and [r["id"] for r in result.records] == [rid]


def test_short_keywords_find_nothing(fake_api: FakeJGrants) -> None:
    answer = httpx.get(f"{fake_api.base_url}/v1/public/subsidies", params={"keyword": "事", "acceptance": 0})
    assert answer.status_code == 200 and answer.json()["result"] == []
    result = fetch_records(fake_api.base_url, ["事", "情報通信拠点"], delay=0)
    assert [r["id"] for r in result.records] == ["a0WJ200000CDNujMAH"]
    assert any("'事'" in e and "2 characters" in e for e in result.errors)


def test_the_fake_answers_unknown_ids_in_the_api_error_format(fake_api: FakeJGrants) -> None:
    answer = httpx.get(f"{fake_api.base_url}/v1/public/subsidies/id/nope")
    assert answer.status_code == 404
    assert set(answer.json()) == {"type", "errorCode", "title", "instance"}
    assert answer.json()["instance"] == "/v1/public/subsidies/id/nope"


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_counts(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(import_app, ["jgrants", "--file", str(DATA), "--out", str(tmp_path), "--as-of", "2026-08-21"])
    assert first.exit_code == 0, first.output
    assert "404 new, 0 changed, 0 unchanged" in first.output and "0 unmappable" in first.output
    second = runner.invoke(import_app, ["jgrants", "--file", str(DATA), "--out", str(tmp_path), "--as-of", "2026-08-21"])
    assert "0 new, 0 changed, 404 unchanged" in second.output
    assert "closed (kept)" in second.output and "kept as text only" in second.output


def test_the_command_fetches_from_an_api(fake_api: FakeJGrants, tmp_path: Path) -> None:
    result = CliRunner().invoke(import_app, ["jgrants", "--base-url", fake_api.base_url, "--keyword", "外国出願",
                                             "--delay", "0", "--out", str(tmp_path), "--as-of", "2026-08-21"])
    assert result.exit_code == 0, result.output
    assert "fetched" in result.output and "0 unmappable" in result.output
    assert list(tmp_path.glob("jgrants-*.yaml"))


def test_the_command_needs_exactly_one_source(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(import_app, ["jgrants", "--out", str(tmp_path)]).exit_code == 2
    both = runner.invoke(import_app, ["jgrants", "--file", str(DATA), "--base-url", "http://127.0.0.1:9", "--out",
                                      str(tmp_path)])
    assert both.exit_code == 2


@pytest.mark.parametrize(("title", "city"), [
    ("【福岡県宗像市】令和8年度 食のまち宗像推進補助金", "宗像市"),
    ("【愛知県大府市】カーボンニュートラル推進補助金", "大府市"),
    ("令和8年度岡崎市ものづくり補助金", "岡崎市"),
    ("松戸市事業用省エネルギー設備等導入促進事業費補助金", "松戸市"),
    ("【東京都】中小企業の省エネ補助", None),
    ("【商工会地区】小規模事業者持続化補助金", None),
    ("市場開拓支援事業", None),
])
def test_a_municipal_call_is_limited_to_its_municipality(title: str, city: str | None) -> None:
    from programs.importers.jgrants import municipality_of

    assert municipality_of(title) == city


def test_a_company_elsewhere_in_the_prefecture_is_out_of_a_city_call() -> None:
    program = program_of(record(title="【福岡県宗像市】創業応援補助金", target_area_search="福岡県", industry=None,
                                target_number_of_employees=None))
    assert verdict(program, "ineligible", prefecture="福岡県", municipality="久留米市") == []
    assert mapped_conditions_met(program, prefecture="福岡県", municipality="宗像市")
    assert verdict(program, "undetermined", prefecture="福岡県") == []


def test_calls_with_the_same_title_are_one_family(records: list[dict[str, Any]], tmp_path: Path) -> None:
    twins = [copy.deepcopy(records[0]) for _ in range(2)]
    twins[1]["id"] = twins[0]["id"][:-1] + ("Z" if twins[0]["id"][-1] != "Z" else "Y")
    import_jgrants(twins, tmp_path, AS_OF)
    families = {p.family for p in load_programs([tmp_path])}
    assert len(families) == 1 and None not in families

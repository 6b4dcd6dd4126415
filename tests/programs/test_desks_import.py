"""The consultation desk importer: one よろず支援拠点 and one 信用保証協会 per prefecture, plus city associations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from programs.cases import check_case
from programs.importers.desks import import_desks, parse_extra_hosho
from programs.loader import load_programs
from programs.schema import Case, Program
from rules.regions import PREFECTURES
from web.cli_import import import_app

DATA = Path("/work/shared/data/desks/prefecture_desks.csv")
CATALOG = Path(__file__).resolve().parents[2] / "programs" / "catalog" / "desks"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Program]:
    out = tmp_path_factory.mktemp("desks")
    report = import_desks(DATA, out)
    assert report.errors == []
    return {p.id: p for p in load_programs([out])}


def verdict(program: Program, status: str, **profile: Any) -> list[str]:
    return check_case(program, Case(name="t", profile={"as_of": "2026-08-01", **profile}, status=status))  # type: ignore[arg-type]


def test_every_prefecture_has_both_desks_and_the_four_cities_their_association(imported: dict[str, Program]) -> None:
    assert len(imported) == 47 * 2 + 4
    assert sum(i.startswith("yorozu-") for i in imported) == 47
    assert {i for i in imported if i.startswith("hosho-city-")} == {
        "hosho-city-yokohama", "hosho-city-kawasaki", "hosho-city-nagoya", "hosho-city-gifu"}
    assert {p.prefectures[0] for p in imported.values()} == set(PREFECTURES)
    assert all(p.kind == "consultation" for p in imported.values())


def test_a_yorozu_desk(imported: dict[str, Program]) -> None:
    desk = imported["yorozu-miyagi"]
    assert desk.name == "宮城県よろず支援拠点"
    assert desk.url == "https://yorozu-miyagi.go.jp/"
    assert desk.eligibility.model_dump(by_alias=True, exclude_none=True) == {"fact": "prefecture", "in": ["宮城県"]}
    assert [(s.record, s.url) for s in desk.sources] == [("desks:宮城県", "https://yorozu-miyagi.go.jp/")]
    assert "無料" in desk.summary and "資金繰り" in desk.summary and "事業承継" in desk.summary
    assert "consultation" in desk.purposes


def test_a_guarantee_corporation(imported: dict[str, Program]) -> None:
    hosho = imported["hosho-hokkaido"]
    assert hosho.name == "北海道信用保証協会" and hosho.url == "http://www.cgc-hokkaido.or.jp/"
    assert "借り" in hosho.summary and hosho.benefits[0].type == "guarantee"
    assert hosho.sources[0].record == "desks:北海道"


def test_desks_serve_companies_of_their_prefecture_only(imported: dict[str, Program]) -> None:
    assert verdict(imported["yorozu-miyagi"], "eligible", prefecture="宮城県") == []
    assert verdict(imported["yorozu-miyagi"], "ineligible", prefecture="岩手県") == []
    assert verdict(imported["yorozu-miyagi"], "undetermined") == []
    assert verdict(imported["hosho-kochi"], "eligible", prefecture="高知県") == []


def test_a_city_association_needs_the_city(imported: dict[str, Program]) -> None:
    yokohama = imported["hosho-city-yokohama"]
    assert yokohama.name == "横浜市信用保証協会" and yokohama.url == "https://www.sinpo-yokohama.or.jp/"
    assert yokohama.sources[0].record == "desks:神奈川県"
    assert verdict(yokohama, "eligible", prefecture="神奈川県", municipality="横浜市") == []
    assert verdict(yokohama, "ineligible", prefecture="神奈川県", municipality="川崎市") == []
    assert verdict(yokohama, "undetermined", prefecture="神奈川県") == []
    assert verdict(imported["hosho-city-nagoya"], "eligible", prefecture="愛知県", municipality="名古屋市") == []


def test_extra_associations_are_parsed() -> None:
    value = "横浜市信用保証協会 https://www.sinpo-yokohama.or.jp/ | 川崎市信用保証協会 https://www.cgc-kawasaki.or.jp/"
    assert parse_extra_hosho(value) == [
        ("横浜市", "横浜市信用保証協会", "https://www.sinpo-yokohama.or.jp/"),
        ("川崎市", "川崎市信用保証協会", "https://www.cgc-kawasaki.or.jp/"),
    ]


def test_a_bad_row_is_reported(tmp_path: Path) -> None:
    csv_path = tmp_path / "desks.csv"
    csv_path.write_text(
        "prefecture,region,yorozu_name,yorozu_url,hosho_name,hosho_url,extra_hosho\n"
        "宮城県,東北,宮城県よろず支援拠点,https://yorozu-miyagi.go.jp/,宮城県信用保証協会,https://www.miyagi-shinpo.or.jp/,\n"
        "ミヤギ県,東北,x,https://x/,y,https://y/,\n"
        "静岡県,中部,静岡県よろず支援拠点,https://s/,静岡県信用保証協会,https://h/,浜松市信用保証協会 https://hm/\n",
        encoding="utf-8")
    report = import_desks(csv_path, tmp_path / "out")
    assert sorted(report.new) == ["hosho-miyagi", "hosho-shizuoka", "yorozu-miyagi", "yorozu-shizuoka"]
    reasons = dict(report.errors)
    assert "unknown prefecture 'ミヤギ県'" in reasons["line 3 (ミヤギ県)"]
    assert "浜松市信用保証協会" in reasons["line 4 (静岡県)"]


def test_reimport_is_idempotent_and_the_committed_files_are_current(tmp_path: Path) -> None:
    first = import_desks(DATA, tmp_path)
    second = import_desks(DATA, tmp_path)
    assert (len(first.new), len(second.new), len(second.changed), len(second.unchanged)) == (98, 0, 0, 98)
    fresh = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.glob("*.yaml")}
    committed = {p.name: p.read_text(encoding="utf-8") for p in CATALOG.glob("*.yaml")}
    assert committed == fresh


def test_the_command_writes_the_desks(tmp_path: Path) -> None:
    result = CliRunner().invoke(import_app, ["desks", "--file", str(DATA), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "98 desk programs: 98 new" in result.output
    assert (tmp_path / "yorozu-miyagi.yaml").exists()

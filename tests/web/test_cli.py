"""The shien command as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from web.cli import app

runner = CliRunner()


def test_check_prints_each_verdict_with_reasons_and_sources(tmp_path: Path) -> None:
    profile = tmp_path / "me.json"
    profile.write_text(json.dumps({"as_of": "2022-06-01", "industry": "E", "capital_yen": 200_000_000, "employees": 150,
                                   "legal_form": "kabushiki"}), encoding="utf-8")
    result = runner.invoke(app, ["check", str(profile), "--program", "chusho_toshi_sokushin_zeisei"])
    assert result.exit_code == 0, result.output
    assert "[対象外] 中小企業投資促進税制" in result.output
    assert "✗ 租税特別措置法上の中小企業者に当たりません" in result.output
    assert "003_98a7ad4e509f988b.txt:2217" in result.output


def test_check_explains_a_bad_profile_instead_of_crashing(tmp_path: Path) -> None:
    profile = tmp_path / "bad.json"
    profile.write_text(json.dumps({"employees": -3}), encoding="utf-8")
    result = runner.invoke(app, ["check", str(profile)])
    assert result.exit_code == 2
    assert "employees" in result.output and "0以上" in result.output


def test_check_as_json_gives_the_api_shape(tmp_path: Path) -> None:
    profile = tmp_path / "me.json"
    profile.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["check", str(profile), "--program", "chusho_toshi_sokushin_zeisei", "--json"])
    [verdict] = json.loads(result.output)
    assert verdict["status"] == "undetermined" and verdict["program"]["id"] == "chusho_toshi_sokushin_zeisei"


def test_validate_reports_file_field_and_line(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("id: x_y\nname: 名前\nkind: loan\nsummary: 説明です。\n"
                                     "sources: [{document: a.txt, line: 1}]\neligibility: {is: is_big}\n", encoding="utf-8")
    result = runner.invoke(app, ["catalog", "validate", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "x.yaml:6: eligibility.is" in result.output


def test_load_and_stats(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    loaded = runner.invoke(app, ["catalog", "load", "--database-url", url])
    assert loaded.exit_code == 0, loaded.output
    assert "catalog version 1" in loaded.output
    stats = runner.invoke(app, ["catalog", "stats", "--json"])
    assert json.loads(stats.output)["programs"] >= 1

"""Loading the catalog: all or nothing, every error with file, field and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from programs.loader import CatalogError, load_programs

GOOD = """\
id: sample_program
name: サンプル補助金
kind: subsidy
summary: テスト用の制度です。中小企業が使えます。
sources: [{document: 004_25da525713403037.txt, line: 10}]
eligibility:
  all:
    - is: is_sme
    - {fact: employees, op: le, value: 300}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    [program] = load_programs([tmp_path])
    assert program.id == "sample_program"


@pytest.mark.parametrize(
    ("bad", "field", "line"),
    [
        (GOOD.replace("op: le", "op: lee"), "eligibility.all.1.op", 9),
        (GOOD.replace("kind: subsidy", "kind: grant"), "kind", 3),
        (GOOD.replace("is: is_sme", "is: is_smee"), "eligibility.all.0.is", 8),
        (GOOD.replace("sources: [{document: 004_25da525713403037.txt, line: 10}]", "sources: []"), "sources", 5),
        (GOOD + "cases:\n  - name: x\n    profile: {employees: -5}\n    status: eligible\n", "cases.0.profile.employees", 12),
    ],
)
def test_an_error_names_file_field_and_line(tmp_path: Path, bad: str, field: str, line: int) -> None:
    write(tmp_path, "bad.yaml", bad)
    with pytest.raises(CatalogError) as exc:
        load_programs([tmp_path])
    [issue] = exc.value.issues
    assert (issue.file, issue.field, issue.line) == ("bad.yaml", field, line)
    assert f"bad.yaml:{line}: {field}" in str(exc.value)


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", GOOD.replace("kind: subsidy", "kind: [subsidy"))
    with pytest.raises(CatalogError) as exc:
        load_programs([tmp_path])
    assert exc.value.issues[0].file == "broken.yaml" and exc.value.issues[0].line is not None


def test_loading_is_all_or_nothing(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("sample_program", "other").replace("op: le", "op: x"))
    with pytest.raises(CatalogError):
        load_programs([tmp_path])


def test_duplicate_ids_and_dangling_relations_are_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD + "relations:\n  - {type: requires, program: nowhere, text: 前提, "
          "source: {document: 004_25da525713403037.txt, line: 3}}\n")
    with pytest.raises(CatalogError) as exc:
        load_programs([tmp_path])
    messages = " ".join(i.message for i in exc.value.issues)
    assert "duplicate id 'sample_program'" in messages and "unknown program 'nowhere'" in messages


def test_notes_starting_with_underscore_are_not_programs(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "_left_out.yaml", "- {line: 1, reason: x}\n")
    assert len(load_programs([tmp_path])) == 1

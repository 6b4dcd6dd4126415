"""CORS per key, and a partner's view: its prefecture's programs first, its own programs merged, verdicts unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.loader import CatalogError, load_programs
from tests.web.partners.conftest import BANK_PROGRAMS, bearer
from web.partners.keys import create_key
from web.partners.scope import documents_of, load_partner_programs

BANK = "https://bank.example"
PREF = "https://pref.miyagi.example"
MIYAGI_MAKER = {"prefecture": "宮城県", "industry": "E", "legal_form": "kabushiki", "capital_yen": 10_000_000,
                "employees": 20, "purposes": ["equipment"]}


def _preflight(client: TestClient, origin: str):  # type: ignore[no-untyped-def]
    return client.options("/api/v1/recommendations", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})


def test_a_preflight_is_answered_for_origins_on_any_keys_list(client: TestClient, published: Engine) -> None:
    create_key(published, "demo-bank", origins=[BANK + "/"])
    ok = _preflight(client, BANK)
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == BANK
    assert "Authorization" in ok.headers["access-control-allow-headers"]
    assert _preflight(client, "https://evil.example").status_code == 403


def test_the_real_request_is_checked_against_its_own_keys_list(client: TestClient, published: Engine) -> None:
    _, bank_token = create_key(published, "demo-bank", origins=[BANK])
    create_key(published, "miyagi-pref", origins=[PREF])
    mine = client.get("/api/v1/questions", headers=bearer(bank_token) | {"Origin": BANK})
    assert mine.status_code == 200 and mine.headers["access-control-allow-origin"] == BANK
    assert "RateLimit-Remaining" in mine.headers["access-control-expose-headers"]
    other = client.get("/api/v1/questions", headers=bearer(bank_token) | {"Origin": PREF})
    assert other.status_code == 403 and "access-control-allow-origin" not in other.headers
    server_side = client.get("/api/v1/questions", headers=bearer(bank_token))
    assert server_side.status_code == 200 and "access-control-allow-origin" not in server_side.headers


def _ranked(client: TestClient, headers: dict[str, str]) -> list[dict]:
    body = client.post("/api/v1/recommendations", json={"profile": MIYAGI_MAKER, "limit": 30}, headers=headers)
    assert body.status_code == 200
    return body.json()["results"]  # type: ignore[no-any-return]


def test_a_prefecture_partner_sees_its_own_programs_first_with_the_same_verdicts(client: TestClient,
                                                                                 published: Engine) -> None:
    _, token = create_key(published, "miyagi-pref", prefecture="宮城県")
    plain, scoped = _ranked(client, {}), _ranked(client, bearer(token))
    local = [r["program"]["id"] for r in scoped if "宮城県" in r["program"]["prefectures"]]
    assert local, "the catalog has programs for 宮城県"
    assert [r["program"]["id"] for r in scoped[: len(local)]] == local
    plain_status = {r["program"]["id"]: (r["status"], r["missing_facts"]) for r in plain}
    for r in scoped:
        if r["program"]["id"] in plain_status:
            assert (r["status"], r["missing_facts"]) == plain_status[r["program"]["id"]]


def test_a_banks_own_products_appear_in_its_view_only(client: TestClient, published: Engine,
                                                      catalog_programs) -> None:  # type: ignore[no-untyped-def]
    own = documents_of(load_partner_programs(BANK_PROGRAMS, catalog_programs))
    _, token = create_key(published, "demo-bank", programs=own)
    scoped = _ranked(client, bearer(token))
    assert scoped[0]["program"]["id"] == "demo_bank_setsubi_loan" and scoped[0]["status"] == "eligible"
    assert "demo_bank_setsubi_loan" not in [r["program"]["id"] for r in _ranked(client, {})]
    verdict = client.post("/api/v1/eligibility", headers=bearer(token),
                          json={"profile": MIYAGI_MAKER | {"prefecture": "東京都"}, "program_ids": ["demo_bank_setsubi_loan"]})
    assert verdict.json()["results"][0]["status"] == "ineligible"
    assert client.get("/api/v1/programs/demo_bank_setsubi_loan", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/programs/demo_bank_setsubi_loan").status_code == 404


def test_a_partner_program_set_is_validated_like_the_catalog(tmp_path: Path, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(BANK_PROGRAMS / "shichiju_setsubi_loan.yaml", tmp_path / "loan.yaml")
    broken = (tmp_path / "loan.yaml").read_text(encoding="utf-8").replace("kind: loan", "kind: lone")
    (tmp_path / "loan.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(CatalogError) as problem:
        load_partner_programs(tmp_path, catalog_programs)
    assert "loan.yaml" in str(problem.value) and "kind" in str(problem.value)
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "p.yaml").write_text(broken.replace("kind: lone", "kind: loan").replace(
        "id: demo_bank_setsubi_loan", f"id: {catalog_programs[0].id}"), encoding="utf-8")
    with pytest.raises(CatalogError, match="already a catalog program"):
        load_partner_programs(clash, load_programs())

"""The catalog page (/console/catalog): the current version and its history with what changed, a staged
Jグランツ refresh and its 「公開する」 button, which makes the new calls visible in the same app's API at once;
an invalid staged catalog is refused and the old one still served. System admins only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from programs.catalog import Catalog
from programs.loader import load_programs
from programs.refresh import stage_jgrants
from programs.store import publish_catalog
from tests.fakes.jgrants_sample import five_imported_eight_served, sample_calls
from web.app import create_app
from web.settings import Settings

from .conftest import csrf_of, login, make_account

AS_OF = dt.date(2026, 8, 1)


@dataclass
class Site:
    client: TestClient  # a signed-in system admin
    engine: Engine
    live: Path
    staging: Path
    records: list[dict]

    def new_client(self) -> TestClient:
        return TestClient(self.client.app, raise_server_exceptions=False, follow_redirects=False)

    def program(self, n: int):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1/programs/jgrants-{self.records[n]['id']}")


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return sample_calls()


@pytest.fixture
def site(engine: Engine, records, tmp_path: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    """A catalog of five Jグランツ calls, published; a staged refresh with eight, one of them changed."""
    catalog, staging = tmp_path / "catalog", tmp_path / "var" / "staging" / "jgrants"
    live = catalog / "jgrants"
    served = five_imported_eight_served(records, live, AS_OF)
    programs = load_programs([catalog])
    publish_catalog(engine, programs, Catalog(programs).content_hash, source="packaged catalog")
    stage_jgrants(served, live, staging, AS_OF, source="api:https://jgrants.example/exp")
    settings = Settings(environment="test", database_url="sqlite://", catalog_dirs=[catalog],
                        refresh_live_dir=live, refresh_staging_dir=staging)
    app = create_app(settings, engine=engine)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        assert login(client, make_account(engine, role="system_admin", office="東京都")).status_code == 303
        yield Site(client, engine, live, staging, records)


def publish(client: TestClient, csrf: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf or csrf_of(client.get("/console/catalog").text)
    return client.post("/console/catalog/publish", data={"csrf_token": token})


def files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir())}


def test_the_page_shows_the_current_version_and_the_staged_refresh(site: Site) -> None:
    page = site.client.get("/console/catalog")
    assert page.status_code == 200
    assert "<dt>バージョン</dt><dd>1</dd>" in page.text and "<dd>5件</dd>" in page.text
    assert "packaged catalog" in page.text and "令和" in page.text
    assert "令和8年（2026年）8月1日時点でJグランツから取り込んだ内容です" in page.text
    assert "新しい公募 3件" in page.text and "内容が変わった公募 1件" in page.text
    changed = site.records[1]
    assert f"（jgrants-{changed['id']}）" in page.text and "支援の内容（benefits）" in page.text
    new = site.records[7]
    assert f"（jgrants-{new['id']}）" in page.text  # named from its staged file
    assert "<button type=\"submit\">公開する</button>" in page.text


def test_publishing_makes_the_new_calls_visible_in_the_same_apps_api(site: Site) -> None:
    assert site.program(7).status_code == 404
    done = publish(site.client)
    assert done.status_code == 200, done.text[:3000]
    assert "バージョン2として公開しました（制度8件。追加3件・変更1件・削除0件）" in done.text
    assert "公開を待っている取り込みはありません" in done.text
    assert site.program(7).status_code == 200 and site.program(7).json()["id"] == f"jgrants-{site.records[7]['id']}"
    assert site.client.get("/readyz").json()["catalog_version"].startswith("2:")
    assert len(list(site.live.glob("jgrants-*.yaml"))) == 8 and not site.staging.exists()
    page = site.client.get("/console/catalog").text
    assert "2（公開中）" in page and "追加 3件" in page and "変更 1件" in page
    assert "制度の一覧の公開" in site.client.get("/console/audit").text


def test_an_invalid_staged_catalog_is_refused_and_the_old_one_still_served(site: Site) -> None:
    (site.staging / "jgrants-broken.yaml").write_text("id: jgrants-broken\nname: 壊れた公募\nkind: nonsense\n",
                                                      encoding="utf-8")
    before = files(site.live)
    refused = publish(site.client)
    assert refused.status_code == 422
    assert "公開できませんでした。公開中の制度の一覧は変わっていません" in refused.text
    assert "jgrants-broken.yaml:3: kind:" in refused.text
    assert files(site.live) == before
    assert site.program(7).status_code == 404 and site.program(0).status_code == 200
    assert site.client.get("/readyz").json()["catalog_version"].startswith("1:")
    assert "<dt>バージョン</dt><dd>1</dd>" in site.client.get("/console/catalog").text
    assert "制度の一覧の公開（できず）" in site.client.get("/console/audit").text


def test_the_history_lists_what_changed_in_each_version(site: Site, catalog_programs) -> None:  # type: ignore[no-untyped-def]
    first = load_programs([site.live.parent])
    gone, kept = first[0], first[1:]
    renamed = kept[0].model_copy(update={"summary": "要約を書き換えました。"})
    publish_catalog(site.engine, [renamed, *kept[1:]], "second", source="test: one removed, one changed")
    publish_catalog(site.engine, [renamed, *kept[1:], catalog_programs[0]], "third", source="test: one added")
    page = site.client.get("/console/catalog").text
    assert "この画面を表示しているサーバーは、まだバージョン1で答えています" in page  # published elsewhere
    history = page[page.index("これまでのバージョン"):]
    assert history.index("3（公開中）") < history.index("<td>2</td>") < history.index("<td>1</td>")
    assert "test: one removed, one changed" in history and "test: one added" in history
    third = history[history.index("3（公開中）"):history.index("<td>2</td>")]
    assert "追加 1件" in third and f"{catalog_programs[0].name} <small>（{catalog_programs[0].id}）</small>" in third
    second = history[history.index("<td>2</td>"):history.index("<td>1</td>")]
    assert "削除 1件" in second and f"<li>{gone.id}</li>" in second  # not in the current catalog: its id only
    assert f"{renamed.name} <small>（{renamed.id}）</small>" in second and "追加 0件" in second
    first_row = history[history.index("<td>1</td>"):]
    assert "追加 5件" in first_row and "<details>" in first_row


def test_without_a_staged_run_there_is_nothing_to_publish(site: Site) -> None:
    csrf = csrf_of(site.client.get("/console/catalog").text)
    assert publish(site.client, csrf).status_code == 200
    again = publish(site.client, csrf)
    assert again.status_code == 409 and "公開を待っている取り込みはありません" in again.text


def test_a_publish_without_its_csrf_token_changes_nothing(site: Site) -> None:
    assert publish(site.client, "forged").status_code == 400
    assert site.staging.exists() and site.program(7).status_code == 404


def test_only_system_admins_see_or_use_the_page(site: Site) -> None:
    assert "制度の一覧の管理" in site.client.get("/console").text
    anonymous = site.new_client()
    assert anonymous.get("/console/catalog").headers["location"] == "/console/login"
    assert anonymous.post("/console/catalog/publish", data={}).headers["location"] == "/console/login"
    for role in ("advisor", "office_admin"):
        client = site.new_client()
        login(client, make_account(site.engine, role=role))
        home = client.get("/console")
        assert "制度の一覧の管理" not in home.text and "/console/catalog" not in home.text
        denied = client.get("/console/catalog")
        assert denied.status_code == 403 and "システム管理者だけ" in denied.text
        assert publish(client, csrf_of(home.text)).status_code == 403
    assert site.staging.exists() and site.program(7).status_code == 404

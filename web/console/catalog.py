"""The console's catalog page (/console/catalog), for system admins: the current version, the history of
versions with what changed in each, and a staged Jグランツ refresh with its 「公開する」 button.

Publishing is ``programs.refresh.publish_staged``, exactly as ``shien refresh-publish``; afterwards this
worker serves the new version at once (``web.app.reload_catalog``).
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from programs.loader import CATALOG_DIR
from programs.refresh import RefreshRefused, staged_diff, staged_names
from programs.store import current_program_names, version_history
from web.console import service, views
from web.console.db import unit_of_work
from web.console.models import ConsoleAccount
from web.console.routes import EXPIRED, _account, _engine, _form, _layout
from web.settings import Settings
from web.site.render import render
from web.site.security import csrf_ok

router = APIRouter(prefix="/console", include_in_schema=False)

HISTORY = 50
REFUSED = "公開できませんでした。公開中の制度の一覧は変わっていません。下の問題を直してから、取り込みをやり直してください。"
NOTHING_STAGED = "公開を待っている取り込みはありません。"
BUSY = "ほかの方が公開の処理をしています。しばらくしてから、この画面を開き直してください。"
_publishing = threading.Lock()  # one publish at a time in this worker: they would move the same directories


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _catalog_page(request: Request, account: ConsoleAccount, *, message: str | None = None,
                  notice: str | None = None, problems: list[str] | None = None, status: int = 200) -> HTMLResponse:
    names = current_program_names(_engine(request))
    history = [views.version_view(v, names) for v in version_history(_engine(request), limit=HISTORY)]
    staging = _settings(request).refresh_staging_dir
    diff = staged_diff(staging)
    staged = None
    if diff is not None:
        unknown = [pid for pid in diff.new + diff.not_listed + list(diff.changed) if pid not in names]
        staged = views.staged_run(diff, names | staged_names(staging, unknown))
    served = getattr(request.app.state, "catalog", None)
    page = views.CatalogPage(
        **_layout(request, account, "制度の一覧の管理", message=message, notice=notice),
        current=next((v for v in history if v.current), None),
        served_version=_version_id(served.version) if served is not None else None,
        history=history, history_limit=HISTORY, staged=staged, problems=problems or [])
    return render("console/catalog.html", page, status)


def _version_id(label: str) -> int | None:
    """The version id in a served catalog's label (``12:3fa9…``)."""
    head = label.split(":")[0]
    return int(head) if head.isdigit() else None


@router.get("/catalog", response_class=HTMLResponse)
def catalog(request: Request) -> Response:
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
    return _catalog_page(request, account)


@router.post("/catalog/publish")
async def publish(request: Request) -> Response:
    form = await _form(request)
    # checking, loading and publishing a whole catalog takes seconds: not on the event loop
    return await run_in_threadpool(_publish, request, form)


def _publish(request: Request, form: FormData) -> Response:
    settings = _settings(request)
    with unit_of_work(_engine(request)) as db:
        account = _account(request, db)
        service.require_system_admin(account)
        if not csrf_ok(request, form):
            return _catalog_page(request, account, message=EXPIRED, status=400)
        if staged_diff(settings.refresh_staging_dir) is None:
            return _catalog_page(request, account, message=NOTHING_STAGED, status=409)
        if not _publishing.acquire(blocking=False):
            return _catalog_page(request, account, message=BUSY, status=409)
        try:
            published = service.publish_staged_run(
                db, account, _engine(request), staging=settings.refresh_staging_dir,
                live=settings.refresh_live_dir, catalog_dirs=settings.catalog_dirs or [CATALOG_DIR])
        except RefreshRefused as exc:
            refused = exc.problems  # the audit entry of the refusal is committed with this request all the same
        else:
            refused = None
        finally:
            _publishing.release()
    if refused is not None:
        return _catalog_page(request, account, message=REFUSED, problems=refused, status=422)
    from web.app import reload_catalog  # web.app imports the console, so not at the top

    reload_catalog(request.app)
    result = published.result
    return _catalog_page(request, account, notice=(
        f"バージョン{result.version_id}として公開しました（制度{published.program_count:,}件。追加{len(result.added)}件・"
        f"変更{len(result.changed)}件・削除{len(result.removed)}件）。この画面のサーバーは、すでに新しい一覧で答えています。"))

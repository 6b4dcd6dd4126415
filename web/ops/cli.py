"""``shien backup``, ``shien restore`` and ``shien refresh``.

The lead mounts these as top-level commands in web/cli.py with ``app.add_typer(ops_cli)`` (no name:
typer merges the commands into ``shien``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import typer

from programs.importers.jgrants import DEFAULT_BASE_URL, DEFAULT_KEYWORDS, fetch_records
from programs.loader import CATALOG_DIR
from programs.refresh import RefreshRefused, publish_staged, stage_jgrants, staged_catalog_problems, staged_diff
from web.db import make_engine, migrate
from web.ops.backup import BackupError, backup, restore
from web.settings import get_settings

ops_cli = typer.Typer(help="Backups and scheduled catalog refresh.", no_args_is_help=True)

DatabaseOption = typer.Option(None, "--database-url", help="overrides settings (SHIEN_DATABASE_URL)")


@ops_cli.command("backup")
def backup_cmd(
    out: Path = typer.Argument(..., metavar="OUT", help="the backup file to write"),
    fmt: str = typer.Option("auto", "--format", help="auto (SQLite: online backup; PostgreSQL: pg_dump, "
                                                      "or JSON when pg_dump is not on PATH), native or json"),
    database_url: str = DatabaseOption,
) -> None:
    """Back up the whole database while the app keeps serving."""
    if fmt not in ("auto", "native", "json"):
        typer.echo("--format is auto, native or json", err=True)
        raise typer.Exit(2)
    engine = make_engine(database_url or get_settings().database_url)
    try:
        result = backup(engine, out, fmt=fmt)
    except BackupError as exc:
        typer.echo(f"backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"backup written: {result.describe()}")


@ops_cli.command("restore")
def restore_cmd(
    source: Path = typer.Argument(..., metavar="IN", help="a file written by shien backup"),
    yes: bool = typer.Option(False, "--yes", help="do not ask before replacing the data"),
    database_url: str = DatabaseOption,
) -> None:
    """Replace the database's data with a backup (stop the app first; one transaction)."""
    if not source.exists():
        typer.echo(f"{source} does not exist", err=True)
        raise typer.Exit(2)
    url = database_url or get_settings().database_url
    if not yes and not typer.confirm(f"Replace every row of {make_engine(url).url!r} with {source}?"):
        raise typer.Exit(1)
    engine = make_engine(url)
    try:
        result = restore(engine, source)
    except BackupError as exc:
        typer.echo(f"restore failed, nothing changed: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"restored: {result.describe()}")


# --- the scheduled refresh of Jグランツ calls -------------------------------------------------------

LiveOption = typer.Option(None, "--live", help="the catalog directory of jGrants calls "
                          "(default: settings refresh_live_dir, SHIEN_REFRESH_LIVE_DIR)")
StagingOption = typer.Option(None, "--staging", help="where the run is staged, outside the catalog "
                             "(default: settings refresh_staging_dir, SHIEN_REFRESH_STAGING_DIR)")
CatalogDirsOption = typer.Option(None, "--catalog-dir", help="catalog roots to publish "
                                 "(default: settings, or the packaged catalog)")


@ops_cli.command("refresh")
def refresh_cmd(
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url", help="the jGrants API base (…/exp)"),
    keywords: list[str] = typer.Option(list(DEFAULT_KEYWORDS), "--keyword", help="search keywords (ids are unioned)"),
    live: Path | None = LiveOption,
    staging: Path | None = StagingOption,
    publish: bool = typer.Option(False, "--publish", help="publish when the staged catalog is valid "
                                                         "(default: settings auto_publish, SHIEN_AUTO_PUBLISH)"),
    as_of: str = typer.Option(None, "--as-of", help="date (YYYY-MM-DD) for open/closed; default today"),
    delay: float = typer.Option(1.0, "--delay", help="seconds between API requests"),
    retries: int = typer.Option(3, "--retries", help="retries of a 5xx or timeout"),
    backoff: float = typer.Option(2.0, "--backoff", help="seconds before the first retry (doubling)"),
    catalog_dirs: list[Path] = CatalogDirsOption,
    database_url: str = DatabaseOption,
) -> None:
    """Fetch Jグランツ, stage the import, print new/changed/closed; publish only with --publish or auto_publish.

    Exit codes (for cron and systemd): 0 staged or published, 1 the sweep or the staged catalog failed
    (nothing changed), 2 bad arguments.
    """
    day = _day(as_of)
    settings = get_settings()
    live, staging = live or settings.refresh_live_dir, staging or settings.refresh_staging_dir
    fetched = fetch_records(base_url, keywords, delay=delay, retries=retries, backoff=backoff)
    typer.echo(f"fetched {len(fetched.records)} of {len(fetched.listed_ids)} listed calls in {fetched.requests} requests")
    if fetched.errors:
        for error in fetched.errors:
            typer.echo(f"fetch: {error}", err=True)
        typer.echo("refresh abandoned: the sweep was incomplete; nothing was staged or published", err=True)
        raise typer.Exit(1)
    diff = stage_jgrants(fetched.records, live, staging, day, source=f"api:{base_url}")
    for line in diff.lines():
        typer.echo(line)
    problems = staged_catalog_problems(staging)
    if problems:
        typer.echo("staged catalog invalid, not published:\n" + "\n".join(problems), err=True)
        shutil.rmtree(staging)
        raise typer.Exit(1)
    if not (publish or settings.auto_publish):
        typer.echo(f"staged in {staging}; review, then run: shien refresh-publish --staging {staging} --live {live}")
        return
    _publish(staging, live, catalog_dirs, database_url)


@ops_cli.command("refresh-publish")
def refresh_publish_cmd(
    live: Path | None = LiveOption,
    staging: Path | None = StagingOption,
    catalog_dirs: list[Path] = CatalogDirsOption,
    database_url: str = DatabaseOption,
) -> None:
    """Publish a run staged by ``shien refresh`` after review (the console's 制度の一覧 page does the same)."""
    settings = get_settings()
    live, staging = live or settings.refresh_live_dir, staging or settings.refresh_staging_dir
    diff = staged_diff(staging)
    if diff is None:
        typer.echo(f"nothing staged in {staging}: run shien refresh first", err=True)
        raise typer.Exit(1)
    for line in diff.lines():
        typer.echo(line)
    _publish(staging, live, catalog_dirs, database_url)


def _day(as_of: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        typer.echo(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None


def _publish(staging: Path, live: Path, catalog_dirs: list[Path] | None, database_url: str | None) -> None:
    """``programs.refresh.publish_staged`` on the configured database, reported for a terminal."""
    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        migrate(engine)
        published = publish_staged(engine, staging, live, catalog_dirs or settings.catalog_dirs or [CATALOG_DIR])
    except Exception as exc:  # the database, or RefreshRefused: either way nothing was published
        problems = exc.problems if isinstance(exc, RefreshRefused) else [f"{exc.__class__.__name__}: {exc}"]
        typer.echo("not published, the previous files and catalog version stay:\n" + "\n".join(problems), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    result = published.result
    typer.echo(f"published catalog version {result.version_id}: {published.program_count} programs "
               f"({len(result.added)} added, {len(result.changed)} changed, {len(result.removed)} removed)")


@ops_cli.command("alerts")
def alerts_cmd(
    send: bool = typer.Option(True, help="e-mail what is pending (needs SHIEN_SMTP_HOST)"),
    today: str = typer.Option(None, "--today", help="the day to check (YYYY-MM-DD); default today"),
    database_url: str = DatabaseOption,
) -> None:
    """Find new, opened and closing programs for every subscription, then e-mail them (cron: daily)."""
    from web.app import load_catalog
    from web.ops.alerts import MailSettings, detect, send_pending

    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    catalog = load_catalog(engine)
    if catalog is None:
        typer.echo("no catalog published: shien catalog load first", err=True)
        raise typer.Exit(1)
    found = detect(engine, catalog, _day(today))
    typer.echo(f"{found} new alert events")
    if send and settings.smtp_host:
        mail = MailSettings(settings.smtp_host, settings.smtp_port, settings.mail_from, settings.public_url,
                            settings.smtp_user, settings.smtp_password, settings.smtp_starttls)
        typer.echo(f"{send_pending(engine, mail)} e-mails sent")
    elif send:
        typer.echo("SHIEN_SMTP_HOST not set: nothing e-mailed (the Atom feeds have the events)")
    engine.dispose()

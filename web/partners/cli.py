"""``shien partners …``: create, revoke and list API keys, and print usage per key per day."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from programs.loader import CatalogError, load_programs
from rules.regions import PREFECTURES
from web.db import make_engine, migrate
from web.partners import keys, limits
from web.partners.scope import documents_of, load_partner_programs
from web.settings import get_settings

partners_cli = typer.Typer(help="Partner API keys, limits and usage.", no_args_is_help=True,
                           pretty_exceptions_enable=False)


def _engine():  # type: ignore[no-untyped-def]
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    return engine


@partners_cli.command("create-key")
def create_key(
    partner: str = typer.Option(..., "--partner", help="partner name (created on its first key)"),
    origins: list[str] = typer.Option([], "--origins", help="browser origin allowed to call with this key (repeat)"),
    per_minute: int = typer.Option(600, "--per-minute", min=1, help="requests per minute"),
    per_day: int = typer.Option(50_000, "--per-day", min=1, help="requests per day (JST)"),
    prefecture: str | None = typer.Option(None, "--prefecture", help="the partner's prefecture: its programs first"),
    programs: Path | None = typer.Option(None, "--programs", help="directory of the partner's own programs (YAML, "
                                         "validated like the catalog) merged into its view only"),
) -> None:
    """Create a key and print its token once (only a SHA-256 digest is stored)."""
    if prefecture is not None and prefecture not in PREFECTURES:
        typer.echo(f"unknown prefecture {prefecture!r}: write it as 宮城県, 東京都, 北海道 …", err=True)
        raise typer.Exit(2)
    documents = None
    if programs is not None:
        try:
            documents = documents_of(load_partner_programs(programs, load_programs()))
        except CatalogError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
    try:
        row, token = keys.create_key(_engine(), partner, origins=origins, per_minute=per_minute, per_day=per_day,
                                     prefecture=prefecture, programs=documents)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"key {row.id} for {partner} (shown once, store it now):")
    typer.echo(token)


@partners_cli.command("revoke-key")
def revoke_key(key_id: str = typer.Argument(..., help="the key id (k_…), not the token")) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    if not keys.revoke_key(_engine(), key_id):
        typer.echo(f"no key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@partners_cli.command("list-keys")
def list_keys(partner: str | None = typer.Option(None, "--partner"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Every key: id, partner, token prefix, origins, limits, revoked or not."""
    rows = keys.list_keys(_engine(), partner)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = f"revoked {r['revoked_at'][:10]}" if r["revoked_at"] else "live"
        typer.echo(f"{r['id']}  {r['partner']:<20} {r['prefix']}…  {r['per_minute']}/min {r['per_day']}/day  "
                   f"{state}  {' '.join(r['origins']) or '-'}")


@partners_cli.command("usage")
def usage(days: int = typer.Option(7, "--days", min=1, max=366), as_json: bool = typer.Option(False, "--json")) -> None:
    """Requests served and refused per key per day (JST), newest first."""
    rows = limits.usage(_engine(), None, days=days)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        typer.echo(f"{r['date']}  {r['key_id']:<12} {r['requests']:>8} served {r['rejected']:>6} refused")

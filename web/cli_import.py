"""``shien import``: turn shared data into catalog files (Jグランツ calls, consultation desks).

The lead mounts it in web/cli.py with ``app.add_typer(import_app, name="import")``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from programs.importers.desks import import_desks
from programs.importers.jgrants import DEFAULT_KEYWORDS, fetch_records, import_jgrants, read_jsonl

import_app = typer.Typer(help="Import programs from shared data into the catalog.", no_args_is_help=True)


@import_app.command("jgrants")
def import_jgrants_cmd(
    file: Path = typer.Option(None, "--file", help="a JSONL file of jGrants detail records"),
    base_url: str = typer.Option(None, "--base-url", help="the jGrants API base (…/exp) to fetch from"),
    keywords: list[str] = typer.Option(list(DEFAULT_KEYWORDS), "--keyword",
                                       help="search keywords for --base-url (2+ characters; ids are unioned)"),
    out: Path = typer.Option(Path("programs/catalog/jgrants"), "--out", help="output directory"),
    as_of: str = typer.Option(None, "--as-of", help="date (YYYY-MM-DD) to report open/closed calls; default today"),
    delay: float = typer.Option(1.0, "--delay", help="seconds between API requests"),
) -> None:
    """Write one program file per jGrants call; report new, changed, unchanged, closed and unmappable."""
    if (file is None) == (base_url is None):
        typer.echo("give exactly one of --file or --base-url", err=True)
        raise typer.Exit(2)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        typer.echo(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)", err=True)
        raise typer.Exit(2) from None
    if file is not None:
        if not file.exists():
            typer.echo(f"{file} does not exist", err=True)
            raise typer.Exit(2)
        records, source = read_jsonl(file), f"file:{file.name}"
    else:
        fetched = fetch_records(base_url, keywords, delay=delay)
        for error in fetched.errors:
            typer.echo(f"fetch: {error}", err=True)
        typer.echo(f"fetched {len(fetched.records)} of {len(fetched.listed_ids)} listed calls "
                   f"in {fetched.requests} requests")
        records, source = fetched.records, f"api:{base_url}"
    report = import_jgrants(records, out, day, source=source)
    for line in report.summary_lines():
        typer.echo(line)


@import_app.command("desks")
def import_desks_cmd(
    file: Path = typer.Option(..., "--file", help="prefecture_desks.csv"),
    out: Path = typer.Option(Path("programs/catalog/desks"), "--out", help="output directory"),
) -> None:
    """Write the よろず支援拠点 and 信用保証協会 program files of each prefecture."""
    if not file.exists():
        typer.echo(f"{file} does not exist", err=True)
        raise typer.Exit(2)
    report = import_desks(file, out)
    for line in report.summary_lines():
        typer.echo(line)

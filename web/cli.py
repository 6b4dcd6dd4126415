"""The ``shien`` command: catalog, check, serve (see ../shared/API.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from programs.cases import run_cases
from programs.loader import CATALOG_DIR, CatalogError, load_programs

app = typer.Typer(help="支援策マッチ: match companies with public support programs.", no_args_is_help=True)
catalog_app = typer.Typer(help="Check, load and count the catalog.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


def _load(dirs: list[Path] | None, partial: bool = False) -> list:
    try:
        return load_programs(dirs or [CATALOG_DIR], partial=partial)
    except CatalogError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


@catalog_app.command("validate")
def catalog_validate(
    dirs: list[Path] = typer.Option(None, "--dir", help="catalog directories (default: the packaged catalog)"),
    cases: bool = typer.Option(True, help="also run every program's cases"),
    partial: bool = typer.Option(False, help="allow relations to programs outside these directories"),
) -> None:
    """Validate every program file; report file, field and line for each problem."""
    programs = _load(dirs, partial)
    typer.echo(f"{len(programs)} programs valid")
    if cases:
        count, failures = run_cases(programs)
        for failure in failures:
            typer.echo(f"CASE FAILED {failure}", err=True)
        typer.echo(f"{count} cases, {len(failures)} failed")
        if failures:
            raise typer.Exit(1)


if __name__ == "__main__":
    app()

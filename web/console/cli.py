"""``console_cli``: accounts for the advisor console (the first system admin, then users)."""

from __future__ import annotations

import typer

from rules.regions import PREFECTURES
from web.console.db import unit_of_work
from web.console.models import ROLES
from web.console.service import InvalidAccount, create_account
from web.db import make_engine, migrate
from web.settings import get_settings

console_cli = typer.Typer(help="Accounts of the advisor console.", no_args_is_help=True)


def _create(email: str, name: str, office: str, role: str, password: str | None) -> None:
    if office not in PREFECTURES:
        typer.echo(f"拠点は都道府県名で指定してください（例: 宮城県）: {office}", err=True)
        raise typer.Exit(2)
    password = password or typer.prompt("パスワード（10文字以上）", hide_input=True, confirmation_prompt=True)
    engine = make_engine(get_settings().database_url)
    migrate(engine)
    try:
        with unit_of_work(engine) as db:
            account = create_account(db, email=email, name=name, password=password, role=role, office=office)
            account_id = account.id
    except InvalidAccount as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"{ROLES[role]}のアカウントを作りました: {email}（{office}、id {account_id}）")


@console_cli.command("create-admin")
def create_admin(
    email: str = typer.Option(..., help="sign-in address"),
    name: str = typer.Option(..., help="display name"),
    office: str = typer.Option(..., help="the 拠点's prefecture, e.g. 宮城県"),
    password: str = typer.Option(None, help="omit to be prompted (not kept in shell history)"),
) -> None:
    """Create a system admin (the first account)."""
    _create(email, name, office, "system_admin", password)


@console_cli.command("create-user")
def create_user(
    email: str = typer.Option(...),
    name: str = typer.Option(...),
    office: str = typer.Option(..., help="the 拠点's prefecture, e.g. 宮城県"),
    role: str = typer.Option("advisor", help="advisor | office_admin | system_admin"),
    password: str = typer.Option(None, help="omit to be prompted"),
) -> None:
    """Create an advisor or a 拠点 admin."""
    if role not in ROLES:
        typer.echo(f"role must be one of: {', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    _create(email, name, office, role, password)

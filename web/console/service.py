"""What the console does with its records: accounts, clients (always within the advisor's 拠点),
consultations, outcomes (which are also the ranker's feedback events), reports and the audit log; and for
system admins, partner API keys and publishing a staged catalog refresh.

Every function takes the request's session and adds to it; the route's ``unit_of_work`` commits once.
(Publishing a catalog is the exception: files and catalog version are swapped in a step of their own.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select

from matcher.feedback import FeedbackEvent, profile_key
from programs import refresh
from rules.regions import PREFECTURES
from web.console.auth import hash_password, is_system_admin, normalise_email, password_problem
from web.console.models import (
    OUTCOMES,
    ROLES,
    AuditEntry,
    Client,
    ConsoleAccount,
    Consultation,
    Outcome,
    now,
)
from web.partners import keys
from web.partners.models import Partner, PartnerKey

MAX_LIST = 200


class ConsoleError(Exception):
    """An error the advisor sees as a page; carries its HTTP status."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFoundHere(ConsoleError):
    """Missing, or belonging to another 拠点: the two look the same, so nothing leaks."""

    status = 404


class Forbidden(ConsoleError):
    status = 403


class InvalidAccount(ConsoleError):
    status = 422


# --- the audit log --------------------------------------------------------------------------------


def audit(db: Session, account: ConsoleAccount, action: str, client: Client | None = None, detail: str = "") -> None:
    db.add(AuditEntry(account_id=account.id, office=client.office if client else account.office,
                      client_id=client.id if client else None, action=action, detail=detail[:500]))


def audit_entries(db: Session, account: ConsoleAccount, client_id: int | None = None) -> list[AuditEntry]:
    """The office's audit log, newest first (admins only)."""
    require_admin(account)
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(MAX_LIST)
    if account.role != "system_admin":
        query = query.where(AuditEntry.office == account.office)
    if client_id is not None:
        query = query.where(AuditEntry.client_id == client_id)
    return list(db.exec(query).all())


# --- accounts -------------------------------------------------------------------------------------


def require_admin(account: ConsoleAccount) -> None:
    if account.role not in ("office_admin", "system_admin"):
        raise Forbidden("この画面は拠点管理者だけが使えます。")


def require_system_admin(account: ConsoleAccount) -> None:
    if not is_system_admin(account):
        raise Forbidden("この画面はシステム管理者だけが使えます。")


def create_account(db: Session, *, email: str, name: str, password: str, role: str, office: str,
                   by: ConsoleAccount | None = None) -> ConsoleAccount:
    """A new account; an office admin may add accounts to their own 拠点 only, never a system admin."""
    email = normalise_email(email)
    if by is not None:
        require_admin(by)
        if by.role != "system_admin" and (office != by.office or role == "system_admin"):
            raise Forbidden("ほかの拠点のアカウントやシステム管理者は作れません。")
    problems = [p for p in (
        None if "@" in email and 3 <= len(email) <= 200 else "メールアドレスを正しく入力してください。",
        None if name.strip() and len(name) <= 100 else "氏名を入力してください（100文字以内）。",
        None if role in ROLES else "役割を選んでください。",
        None if office in PREFECTURES else "拠点（都道府県）を選んでください。",
        password_problem(password),
    ) if p]
    if not problems and db.exec(select(ConsoleAccount).where(ConsoleAccount.email == email)).first():
        problems.append("このメールアドレスのアカウントはすでにあります。")
    if problems:
        raise InvalidAccount(" ".join(problems))
    account = ConsoleAccount(email=email, name=name.strip(), password_hash=hash_password(password), role=role,
                             office=office)
    db.add(account)
    db.flush()
    return account


def office_accounts(db: Session, account: ConsoleAccount) -> list[ConsoleAccount]:
    require_admin(account)
    query = select(ConsoleAccount).order_by(ConsoleAccount.office, ConsoleAccount.name)
    if account.role != "system_admin":
        query = query.where(ConsoleAccount.office == account.office)
    return list(db.exec(query).all())


# --- partner API keys and the catalog (system admins) ---------------------------------------------


def create_partner_key(db: Session, account: ConsoleAccount, *, partner: str, origins: list[str], per_minute: int,
                       per_day: int, prefecture: str | None) -> tuple[PartnerKey, str]:
    """A new key (``keys.add_key``) and its audit entry, in the request's transaction; the token is shown once."""
    require_system_admin(account)
    key, token = keys.add_key(db, partner, origins=origins, per_minute=per_minute, per_day=per_day,
                              prefecture=prefecture)
    audit(db, account, "partner_key_create", detail=f"{partner}: {key.id}（{per_minute:,}件/分・{per_day:,}件/日）")
    return key, token


def revoke_partner_key(db: Session, account: ConsoleAccount, key_id: str) -> PartnerKey:
    require_system_admin(account)
    key = keys.mark_revoked(db, key_id)
    if key is None:
        raise NotFoundHere("このAPIキーは見つかりません。一覧から開き直してください。")
    partner = db.get(Partner, key.partner_id)
    audit(db, account, "partner_key_revoke", detail=f"{partner.name if partner else '―'}: {key.id}")
    return key


def publish_staged_run(db: Session, account: ConsoleAccount, engine: Engine, *, staging: Path, live: Path,
                       catalog_dirs: list[Path]) -> refresh.Published:
    """``programs.refresh.publish_staged`` (as ``shien refresh-publish``), audited whether or not it succeeds.

    The publish commits on its own (files and catalog version go together); the audit entry is the request's.
    """
    require_system_admin(account)
    try:
        published = refresh.publish_staged(engine, staging, live, catalog_dirs)
    except refresh.RefreshRefused as exc:
        audit(db, account, "catalog_publish_refused", detail=f"{len(exc.problems)}件の問題: {exc.problems[0]}")
        raise
    result = published.result
    audit(db, account, "catalog_publish", detail=f"バージョン{result.version_id}: 追加{len(result.added)}件・"
                                                  f"変更{len(result.changed)}件・削除{len(result.removed)}件")
    return published


# --- clients --------------------------------------------------------------------------------------


def _scoped(query: Any, account: ConsoleAccount, office_column: Any) -> Any:
    """Only the advisor's own 拠点 (a system admin sees every 拠点)."""
    return query if account.role == "system_admin" else query.where(office_column == account.office)


def search_clients(db: Session, account: ConsoleAccount, query: str = "") -> list[Client]:
    """The office's clients whose name or contact contains ``query``, most recently updated first."""
    statement = _scoped(select(Client), account, Client.office)
    if query:
        like = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(or_(col(Client.name).ilike(like), col(Client.contact).ilike(like)))
    return list(db.exec(statement.order_by(col(Client.updated_at).desc()).limit(MAX_LIST)).all())


def client_for(db: Session, account: ConsoleAccount, client_id: int, action: str = "view") -> Client:
    """The client, when the advisor may see it; records the view in the audit log."""
    client = db.get(Client, client_id)
    if client is None or (account.role != "system_admin" and client.office != account.office):
        raise NotFoundHere("この相談先は見つかりません。一覧から開き直してください。")
    if action:
        audit(db, account, action, client)
    return client


def create_client(db: Session, account: ConsoleAccount, *, name: str, contact: str | None,
                  profile: dict[str, Any], owner_case_token: str | None = None) -> Client:
    client = Client(office=account.office, name=name, contact=contact or None, profile=profile,
                    owner_case_token=owner_case_token, created_by=account.id)
    db.add(client)
    db.flush()
    audit(db, account, "import" if owner_case_token else "create", client,
          "公開サイトの回答から取り込み" if owner_case_token else "")
    return client


def update_client(db: Session, account: ConsoleAccount, client: Client, *, name: str, contact: str | None,
                  profile: dict[str, Any]) -> None:
    changed = sorted(k for k in set(client.profile) | set(profile) if client.profile.get(k) != profile.get(k))
    if name != client.name:
        changed.insert(0, "name")
    client.name, client.contact, client.profile, client.updated_at = name, contact or None, dict(profile), now()
    db.add(client)
    audit(db, account, "update", client, "変更: " + ", ".join(changed) if changed else "変更なし")


# --- consultations and outcomes -------------------------------------------------------------------


def consultations_of(db: Session, client: Client) -> list[Consultation]:
    return list(db.exec(select(Consultation).where(Consultation.client_id == client.id)
                        .order_by(col(Consultation.held_on).desc(), col(Consultation.id).desc())).all())


def consultation_for(db: Session, account: ConsoleAccount, consultation_id: int, action: str = "view") -> \
        tuple[Consultation, Client]:
    consultation = db.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFoundHere("この相談記録は見つかりません。")
    return consultation, client_for(db, account, consultation.client_id, action)


def add_consultation(db: Session, account: ConsoleAccount, client: Client, *, held_on: dt.date, themes: list[str],
                     notes: str, programs: list[str], agreed: list[str], next_steps: str) -> Consultation:
    entry = Consultation(client_id=client.id, office=client.office, advisor_id=account.id, held_on=held_on,
                         themes=themes, notes=notes, programs=programs, agreed=agreed, next_steps=next_steps,
                         profile=dict(client.profile))
    db.add(entry)
    db.flush()
    audit(db, account, "consultation", client, f"相談記録 {held_on.isoformat()}")
    return entry


def outcomes_of(db: Session, client: Client) -> list[Outcome]:
    return list(db.exec(select(Outcome).where(Outcome.client_id == client.id).order_by(col(Outcome.id).desc())).all())


def record_outcome(db: Session, account: ConsoleAccount, client: Client, *, program_id: str, outcome: str,
                   consultation_id: int | None = None) -> Outcome:
    """The outcome, and the same fact as a feedback event (source "advisor") for the ranker, in one transaction.

    The event is built exactly as ``matcher.feedback.record`` builds it (same profile key), but added to this
    request's session so that the outcome and its event are saved together or not at all.
    """
    if outcome not in OUTCOMES:
        raise ConsoleError("結果を選んでください。")
    profile = {k: v for k, v in client.profile.items() if v is not None}
    event = FeedbackEvent(program_id=program_id, event=outcome, source="advisor", partner=f"office:{client.office}",
                          profile=json.dumps(profile, ensure_ascii=False, default=str) if profile else None,
                          profile_hash=profile_key(profile))
    db.add(event)
    db.flush()
    row = Outcome(client_id=client.id, office=client.office, program_id=program_id, outcome=outcome,
                  advisor_id=account.id, consultation_id=consultation_id, feedback_event_id=event.id)
    db.add(row)
    audit(db, account, "outcome", client, f"{program_id}: {OUTCOMES[outcome]}")
    return row


def advisor_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.exec(select(ConsoleAccount).where(col(ConsoleAccount.id).in_(ids))).all()
    return {a.id: a.name for a in rows if a.id is not None}


# --- reporting ------------------------------------------------------------------------------------


@dataclass
class OfficeReport:
    office: str
    year: int
    consultations_by_month: list[tuple[str, int]]
    clients: int
    themes: list[tuple[str, int]]
    programs: list[tuple[str, int, dict[str, int]]]  # program id, times discussed, outcomes by kind
    outcomes: dict[str, int] = field(default_factory=dict)


def office_report(db: Session, account: ConsoleAccount, office: str, year: int) -> OfficeReport:
    """Consultations by month, themes, programs discussed and how they ended, for one 拠点 and year."""
    if account.role != "system_admin" and office != account.office:
        raise Forbidden("ほかの拠点の集計は見られません。")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows = db.exec(select(Consultation).where(Consultation.office == office, Consultation.held_on >= start,
                                              Consultation.held_on <= end)).all()
    months = Counter(f"{r.held_on.year}-{r.held_on.month:02d}" for r in rows)
    themes = Counter(t for r in rows for t in r.themes)
    discussed = Counter(p for r in rows for p in r.programs)
    outcome_rows = db.exec(select(Outcome).where(Outcome.office == office)).all()
    outcome_rows = [o for o in outcome_rows if start <= o.created_at.date() <= end]
    per_program: dict[str, Counter[str]] = {}
    for o in outcome_rows:
        per_program.setdefault(o.program_id, Counter())[o.outcome] += 1
    programs = sorted(set(discussed) | set(per_program), key=lambda p: (-discussed[p], p))
    return OfficeReport(
        office=office, year=year,
        consultations_by_month=[(f"{year}-{m:02d}", months.get(f"{year}-{m:02d}", 0)) for m in range(1, 13)],
        clients=len({r.client_id for r in rows}),
        themes=themes.most_common(),
        programs=[(p, discussed[p], dict(per_program.get(p, {}))) for p in programs],
        outcomes=dict(Counter(o.outcome for o in outcome_rows)),
    )


def report_csv(report: OfficeReport, names: dict[str, str]) -> str:
    """The report as CSV (UTF-8 with BOM so that Excel opens the Japanese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["区分", "項目", "件数", *OUTCOMES.values()])
    for month, count in report.consultations_by_month:
        writer.writerow(["月別相談件数", month, count])
    for theme, count in report.themes:
        writer.writerow(["相談テーマ", theme, count])
    for program_id, count, outcomes in report.programs:
        writer.writerow(["制度", names.get(program_id, program_id), count, *(outcomes.get(k, 0) for k in OUTCOMES)])
    return "\ufeff" + out.getvalue()

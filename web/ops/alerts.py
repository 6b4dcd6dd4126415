"""Alerts: tell a saved profile when a program that fits it is added or opens, or when a saved
program's deadline is two weeks away; by e-mail (one per event, or a digest) and by an Atom feed.

"Fits" means 対象 or 要確認 for the saved profile (unknown is never silently "no"). Each event has a
key (kind, program, date) unique per subscription, so a run repeated, or two workers running at
once, never sends the same alert twice.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import unicodedata
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from programs.catalog import Catalog
from programs.schema import Program
from rules.profile import CompanyProfile
from web.ops.models import AlertEvent, AlertSubscription

DEADLINE_DAYS = 14
MAX_EMAIL = 200
# One plain address: no display name, no list, no spaces or line breaks (it goes into a To: header).
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
FITS = ("eligible", "undetermined")
KIND_JA = {"added": "新しく追加された制度", "opened": "受付が始まった制度", "deadline": "締切まで2週間の制度"}


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    public_url: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False


def fitting(catalog: Catalog, profile: dict[str, Any], today: dt.date) -> list[Program]:
    ctx = catalog.context(CompanyProfile.model_validate(profile), today)
    return [p for p in catalog.applicable() if catalog.judge(p, ctx).status in FITS]


def email_address(typed: str) -> str | None:
    """The address to write to, from what an owner typed: full-width characters made half-width, spaces
    around it dropped, lower case (so the same address is recognised when typed again); None if empty.
    Raises ValueError for anything but one plain address."""
    address = unicodedata.normalize("NFKC", typed).strip().lower()
    if not address:
        return None
    if len(address) > MAX_EMAIL or not EMAIL.fullmatch(address):
        raise ValueError("not an e-mail address")
    return address


def feed_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/alerts/{token}/feed.atom"


def unsubscribe_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/alerts/{token}/unsubscribe"


def subscribe(engine: Engine, catalog: Catalog | None, profile: dict[str, Any], email: str | None,
              saved_programs: list[str], digest: bool, today: dt.date, *,
              case_token: str | None = None) -> AlertSubscription:
    """A subscription; what fits today is known already (only what comes later is news).

    Saved from an owner's case (``case_token``), there is one subscription per case and e-mail address
    (no address counts as one): subscribing again updates it with the profile as answered now, the saved
    programs and the digest choice, and starts it again if it was stopped. Its token stays, and with it
    the feed and unsubscribe links.
    """
    known = [p.id for p in fitting(catalog, profile, today)] if catalog is not None else []
    try:
        return _save(engine, case_token, email, profile, saved_programs, digest, known, today)
    except IntegrityError:  # the same case and address saved at the same moment: this one updates the other
        return _save(engine, case_token, email, profile, saved_programs, digest, known, today)


def _save(engine: Engine, case_token: str | None, email: str | None, profile: dict[str, Any],
          saved_programs: list[str], digest: bool, known: list[str], today: dt.date) -> AlertSubscription:
    with Session(engine) as session:
        row = _of_case(session, case_token, email) if case_token else None
        if row is None:
            row = AlertSubscription(case_token=case_token, case_key=case_key(case_token, email) if case_token else None,
                                    email=email, profile=profile, saved_programs=saved_programs, known_programs=known,
                                    digest=digest, checked_on=today)
        else:
            _renew(row, profile, saved_programs, digest, known, today)
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
    return row


def _of_case(session: Session, case_token: str, email: str | None) -> AlertSubscription | None:
    return session.exec(select(AlertSubscription)
                        .where(AlertSubscription.case_key == case_key(case_token, email))).first()


def case_key(case_token: str, email: str | None) -> str:
    """What makes a subscription saved from a case unique: the case and the address (none counts as one)."""
    return f"{case_token} {email or ''}"


def _renew(row: AlertSubscription, profile: dict[str, Any], saved_programs: list[str], digest: bool,
           known: list[str], today: dt.date) -> None:
    if not row.active:
        row.checked_on = today  # what opened while it was stopped is not news now
    row.profile, row.saved_programs, row.digest, row.active = profile, list(saved_programs), digest, True
    row.known_programs = sorted(set(row.known_programs) | set(known))


def case_subscriptions(engine: Engine, case_token: str) -> list[AlertSubscription]:
    """The active subscriptions saved from an owner's case, newest first."""
    with Session(engine) as session:
        rows = session.exec(select(AlertSubscription)
                            .where(AlertSubscription.case_token == case_token,
                                   col(AlertSubscription.active).is_(True))
                            .order_by(col(AlertSubscription.id).desc())).all()
        for row in rows:
            session.expunge(row)
    return list(rows)


def events_for(subscription: AlertSubscription, catalog: Catalog, today: dt.date) -> list[AlertEvent]:
    """What is news for one subscription today (before de-duplication)."""
    since = subscription.checked_on or today
    out = []
    fits = fitting(catalog, subscription.profile, today)
    for program in fits:
        if program.id not in subscription.known_programs:
            out.append(_event(subscription, "added", program, "new"))
        for window in program.windows:
            if window.start and since < window.start <= today:
                out.append(_event(subscription, "opened", program, window.start.isoformat()))
    for pid in subscription.saved_programs:
        program = catalog.get(pid)
        for window in program.windows if program else []:
            if window.end and 0 <= (window.end - today).days <= DEADLINE_DAYS:
                out.append(_event(subscription, "deadline", program, window.end.isoformat()))  # type: ignore[arg-type]
    return out


def _event(subscription: AlertSubscription, kind: str, program: Program, when: str) -> AlertEvent:
    assert subscription.id is not None
    return AlertEvent(subscription_id=subscription.id, key=f"{kind}:{program.id}:{when}", kind=kind,
                      program_id=program.id, title=program.name)


def detect(engine: Engine, catalog: Catalog, today: dt.date) -> int:
    """Record today's events for every active subscription; returns how many were new."""
    added = 0
    with Session(engine) as session:
        subscriptions = session.exec(select(AlertSubscription).where(col(AlertSubscription.active).is_(True))).all()
    for subscription in subscriptions:
        for event in events_for(subscription, catalog, today):
            added += _insert_once(engine, event)
        _mark_checked(engine, subscription.id, catalog, today)  # type: ignore[arg-type]
    return added


def _insert_once(engine: Engine, event: AlertEvent) -> int:
    """1 when stored, 0 when the same key was there already (the unique constraint decides, not a read)."""
    with Session(engine) as session:
        session.add(event)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return 0
    return 1


def _mark_checked(engine: Engine, subscription_id: int, catalog: Catalog, today: dt.date) -> None:
    with Session(engine) as session:
        row = session.get(AlertSubscription, subscription_id)
        assert row is not None
        row.known_programs = sorted(set(row.known_programs) | {p.id for p in fitting(catalog, row.profile, today)})
        row.checked_on = today
        session.add(row)
        session.commit()


def pending(engine: Engine) -> list[tuple[AlertSubscription, list[AlertEvent]]]:
    with Session(engine) as session:
        rows = session.exec(select(AlertSubscription, AlertEvent)
                            .join(AlertEvent, col(AlertEvent.subscription_id) == col(AlertSubscription.id))
                            .where(col(AlertEvent.emailed_at).is_(None), col(AlertSubscription.active).is_(True),
                                   col(AlertSubscription.email).is_not(None))
                            .order_by(col(AlertEvent.id))).all()
        grouped: dict[int, tuple[AlertSubscription, list[AlertEvent]]] = {}
        for subscription, event in rows:
            grouped.setdefault(subscription.id, (subscription, []))[1].append(event)  # type: ignore[index]
            session.expunge(event)
        for subscription, _ in grouped.values():
            session.expunge(subscription)
    return list(grouped.values())


def send_pending(engine: Engine, mail: MailSettings) -> int:
    """E-mail every event not yet e-mailed: one message per event, or one digest per subscription."""
    sent = 0
    with smtplib.SMTP(mail.host, mail.port, timeout=30) as smtp:
        if mail.starttls:
            smtp.starttls()
        if mail.user:
            smtp.login(mail.user, mail.password or "")
        for subscription, events in pending(engine):
            batches = [events] if subscription.digest else [[e] for e in events]
            for batch in batches:
                smtp.send_message(message(subscription, batch, mail))
                _mark_emailed(engine, [e.id for e in batch])  # type: ignore[misc]
                sent += 1
    return sent


def _mark_emailed(engine: Engine, ids: list[int]) -> None:
    with Session(engine) as session:
        for event in session.exec(select(AlertEvent).where(col(AlertEvent.id).in_(ids))).all():
            event.emailed_at = dt.datetime.now(dt.UTC)
            session.add(event)
        session.commit()


def message(subscription: AlertSubscription, events: list[AlertEvent], mail: MailSettings) -> EmailMessage:
    base = mail.public_url.rstrip("/")
    unsubscribe = unsubscribe_url(base, subscription.token)
    msg = EmailMessage()
    msg["From"], msg["To"] = mail.sender, subscription.email
    msg["Subject"] = (f"【支援策マッチ】お知らせ {len(events)}件" if len(events) > 1
                      else f"【支援策マッチ】{KIND_JA[events[0].kind]}: {events[0].title}")
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058: the mail client's button
    lines = [f"・{KIND_JA[e.kind]}: {e.title}\n  {base}/programs/{e.program_id}" for e in events]
    msg.set_content("保存したプロフィールに合う支援策のお知らせです。\n\n" + "\n".join(lines)
                    + f"\n\nフィード: {feed_url(base, subscription.token)}\n配信停止（1クリック）: {unsubscribe}\n")
    return msg

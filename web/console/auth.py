"""Passwords (argon2id), lockout after repeated failures, and the signed-in account kept in the session.

The session cookie is the site's signed one (SessionMiddleware); it carries the account id, when the
advisor signed in and when they were last seen. A session ends on logout, after ``IDLE`` without a
request, or ``ABSOLUTE`` after sign-in, whichever comes first; a deactivated account is signed out at once.
"""

from __future__ import annotations

import datetime as dt
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, func, select
from starlette.requests import Request

from web.console.models import ConsoleAccount, LoginAttempt, now

HASHER = PasswordHasher()  # argon2id with the library's current recommended cost
MAX_FAILURES = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
IDLE = 30 * 60
ABSOLUTE = 10 * 60 * 60
MIN_PASSWORD = 10
KEY, SIGNED_IN, SEEN = "console_account", "console_signed_in", "console_seen"
SYSTEM_ADMIN = "system_admin"  # the role that manages partner API keys and publishes the catalog
# verified against when the address is unknown, so that a wrong address costs as long as a wrong password
_DUMMY_HASH = HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in Japanese, or None."""
    if len(password) < MIN_PASSWORD:
        return f"パスワードは{MIN_PASSWORD}文字以上にしてください。"
    return None


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_locked_out(db: Session, email: str, at: dt.datetime | None = None) -> bool:
    """``MAX_FAILURES`` failed sign-ins for the address within ``LOCKOUT_WINDOW`` (since its last success)."""
    at = at or now()
    since = at - LOCKOUT_WINDOW
    last_ok = db.exec(select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email,
                                                              col(LoginAttempt.succeeded).is_(True))).one()
    if last_ok is not None and _aware(last_ok) > since:
        since = _aware(last_ok)
    failures = db.exec(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.email == email, col(LoginAttempt.succeeded).is_(False), LoginAttempt.at > since)).one()
    return int(failures) >= MAX_FAILURES


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def authenticate(db: Session, email: str, password: str) -> tuple[ConsoleAccount | None, bool]:
    """(the account, locked out?). Every try is recorded; a locked-out address is not even checked."""
    email = normalise_email(email)
    if is_locked_out(db, email):
        db.add(LoginAttempt(email=email, succeeded=False))
        return None, True
    account = db.exec(select(ConsoleAccount).where(ConsoleAccount.email == email)).first()
    ok = verify_password(account.password_hash if account else _DUMMY_HASH, password) and bool(account and account.active)
    db.add(LoginAttempt(email=email, succeeded=ok))
    if ok and account is not None and HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
        db.add(account)
    return (account if ok else None), False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_in(request: Request, account: ConsoleAccount) -> None:
    csrf = request.session.get("csrf")
    request.session.clear()  # a new session on sign-in: nothing from before carries over (fixation)
    if csrf:
        request.session["csrf"] = csrf
    stamp = int(time.time())
    request.session.update({KEY: account.id, SIGNED_IN: stamp, SEEN: stamp})


def sign_out(request: Request) -> None:
    for key in (KEY, SIGNED_IN, SEEN):
        request.session.pop(key, None)


def signed_in_account(request: Request, db: Session) -> ConsoleAccount | None:
    """The account of a live session, or None (and the session ended) when missing, expired or deactivated."""
    account_id, signed, seen = (request.session.get(k) for k in (KEY, SIGNED_IN, SEEN))
    if not isinstance(account_id, int) or not isinstance(signed, int) or not isinstance(seen, int):
        return None
    stamp = int(time.time())
    if stamp - seen > IDLE or stamp - signed > ABSOLUTE:
        sign_out(request)
        return None
    account = db.get(ConsoleAccount, account_id)
    if account is None or not account.active:
        sign_out(request)
        return None
    request.session[SEEN] = stamp
    return account


def is_system_admin(account: ConsoleAccount | None) -> bool:
    return account is not None and account.role == SYSTEM_ADMIN


def signed_in_system_admin(request: Request, db: Session) -> ConsoleAccount | None:
    """The account of a live session when it is a system admin, else None."""
    account = signed_in_account(request, db)
    return account if is_system_admin(account) else None

"""API keys: created and revoked by an admin, shown once, stored as a SHA-256 digest.

A token is ``smk_`` plus 32 random bytes (urlsafe base64). With 256 bits of entropy nobody can guess or
brute-force a token from its digest, so a plain SHA-256 is enough: a slow password hash (bcrypt, argon2)
protects low-entropy secrets and would only cost time on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from web.partners.models import Partner, PartnerKey

TOKEN_PREFIX = "smk_"


@dataclass(frozen=True)
class Caller:
    """Who is calling: a partner's key, or the shared anonymous bucket."""

    key_id: str
    partner: str | None = None
    partner_id: int | None = None
    prefecture: str | None = None
    origins: tuple[str, ...] = ()
    per_minute: int = 0
    per_day: int = 0
    has_programs: bool = False
    programs: list[dict[str, Any]] = field(default_factory=list, compare=False, repr=False)

    @property
    def anonymous(self) -> bool:
        return self.partner is None


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def normalise_origin(origin: str) -> str:
    """``https://Bank.example/`` → ``https://bank.example`` (scheme://host[:port], as browsers send it)."""
    origin = origin.strip().rstrip("/")
    scheme, _, rest = origin.partition("://")
    if not rest or scheme.lower() not in ("http", "https") or "/" in rest or not _printable(rest):
        raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
    return f"{scheme.lower()}://{rest.lower()}"


def add_key(session: Session, partner: str, *, origins: list[str] | None = None, per_minute: int = 600,
            per_day: int = 50_000, prefecture: str | None = None,
            programs: list[dict[str, Any]] | None = None) -> tuple[PartnerKey, str]:
    """A new key for the partner (created on first use) in the caller's transaction; the row and the token.

    Raises ValueError for an origin that is not ``scheme://host[:port]``.
    """
    clean = sorted({normalise_origin(o) for o in origins or []})
    token = new_token()
    row = session.exec(select(Partner).where(Partner.name == partner)).first()
    if row is None:
        row = Partner(name=partner)
    if prefecture is not None:
        row.prefecture = prefecture
    if programs is not None:
        row.programs = programs
    session.add(row)
    session.flush()
    assert row.id is not None
    key = PartnerKey(id="k_" + secrets.token_hex(4), partner_id=row.id, digest=digest_of(token),
                     prefix=token[:10], origins=clean, per_minute=per_minute, per_day=per_day)
    session.add(key)
    session.flush()
    return key, token


def _printable(text: str) -> bool:
    return all(c.isprintable() and not c.isspace() for c in text)


def create_key(engine: Engine, partner: str, *, origins: list[str] | None = None, per_minute: int = 600,
               per_day: int = 50_000, prefecture: str | None = None,
               programs: list[dict[str, Any]] | None = None) -> tuple[PartnerKey, str]:
    """``add_key`` in a transaction of its own; returns the row and the token, shown once."""
    with Session(engine) as session:
        key, token = add_key(session, partner, origins=origins, per_minute=per_minute, per_day=per_day,
                             prefecture=prefecture, programs=programs)
        session.commit()
        session.refresh(key)
        return key, token


def mark_revoked(session: Session, key_id: str) -> PartnerKey | None:
    """Revoke the key in the caller's transaction (once: a revoked key keeps its first date); None if unknown."""
    key = session.get(PartnerKey, key_id)
    if key is not None and key.revoked_at is None:
        key.revoked_at = dt.datetime.now(dt.UTC)
        session.add(key)
        # once committed, this process forgets the keys it had read (other workers: within KEY_TTL); not
        # before, or a request in between could read the key as live again and keep it
        event.listen(session, "after_commit", _forget_read_keys, once=True)
    return key


def _forget_read_keys(_session: Session) -> None:
    global _revocations
    _revocations += 1


def revoke_key(engine: Engine, key_id: str) -> bool:
    with Session(engine) as session:
        key = mark_revoked(session, key_id)
        session.commit()
        return key is not None


def list_keys(engine: Engine, partner: str | None = None) -> list[dict[str, Any]]:
    with Session(engine) as session:
        query = select(PartnerKey, Partner).where(PartnerKey.partner_id == Partner.id)
        if partner:
            query = query.where(Partner.name == partner)
        return [{"id": k.id, "partner": p.name, "prefix": k.prefix, "origins": k.origins,
                 "per_minute": k.per_minute, "per_day": k.per_day, "prefecture": p.prefecture,
                 "own_programs": len(p.programs), "created_at": k.created_at.isoformat(),
                 "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None}
                for k, p in session.exec(query.order_by(Partner.name, PartnerKey.created_at)).all()]


def caller_for(engine: Engine, token: str) -> Caller | None:
    """The live key with this token, or None (unknown or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    with Session(engine) as session:
        found = session.exec(select(PartnerKey, Partner).where(PartnerKey.digest == digest_of(token))
                             .where(PartnerKey.partner_id == Partner.id)).first()
    if found is None or found[0].revoked_at is not None:
        return None
    key, partner = found
    return Caller(key_id=key.id, partner=partner.name, partner_id=partner.id, prefecture=partner.prefecture,
                  origins=tuple(key.origins), per_minute=key.per_minute, per_day=key.per_day,
                  has_programs=bool(partner.programs), programs=partner.programs)


def all_origins(engine: Engine) -> set[str]:
    """Origins on any live key's list (a preflight is answered for these)."""
    with Session(engine) as session:
        rows = session.exec(select(PartnerKey.origins).where(PartnerKey.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    return {o for origins in rows for o in origins}


KEY_TTL = 5.0  # seconds a worker trusts what it read of a key; a revocation reaches every worker within this
LAST_KNOWN_TTL = 3600.0  # while the database is unreachable, a key read within the last hour is still honoured
_revocations = 0  # bumped when a revocation commits: every CallerCache of this process forgets what it read


class CallerCache:
    """The keys one worker has read, so a request costs a digest and a dict look-up, not a query.

    ``get`` reads the database at most once per token every ``KEY_TTL`` seconds (unknown tokens too, so
    junk keys cannot make every request a query). ``last_known`` answers from what was read within the
    last hour: the gate uses it when the database cannot be reached.
    """

    def __init__(self, engine: Engine, ttl: float = KEY_TTL, size: int = 10_000):
        self.engine = engine
        self._fresh: TTLCache[str, Caller | None] = TTLCache(size, ttl)
        self._known: TTLCache[str, Caller] = TTLCache(size, LAST_KNOWN_TTL)
        self._seen_revocations = _revocations
        self._lock = threading.Lock()

    def get(self, token: str) -> Caller | None:
        """The live key with this token, or None; raises the database's error when it cannot be read."""
        digest = digest_of(token)
        with self._lock:
            if self._seen_revocations != _revocations:
                self._fresh.clear()
                self._known.clear()
                self._seen_revocations = _revocations
            if digest in self._fresh:
                return self._fresh[digest]
            seen = self._seen_revocations
        caller = caller_for(self.engine, token)
        with self._lock:
            if seen == _revocations:  # a revocation committed while reading may have come too late for the read
                self._fresh[digest] = caller
                if caller is not None:
                    self._known[digest] = caller
                else:
                    self._known.pop(digest, None)
        return caller

    def last_known(self, token: str) -> Caller | None:
        with self._lock:
            return self._known.get(digest_of(token))

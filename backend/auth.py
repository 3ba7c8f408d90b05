"""Accounts, argon2 password hashes, opaque bearer tokens (expiring, revocable) and the
failed-login limit."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from backend.db import WRITE
from backend.models import AuthToken, LoginFailure, User
from backend.rules import Actor

_users = User.__table__
_tokens = AuthToken.__table__
_failures = LoginFailure.__table__


@dataclass(frozen=True)
class AuthPolicy:
    token_ttl_ms: int = 12 * 3600 * 1000
    #: a device's sign-in (OAuth2 scope ``device``): the app keeps it, encrypted, until the
    #: person signs out (which revokes it), so they are not asked again twice a day
    device_token_ttl_ms: int = 30 * 24 * 3600 * 1000
    max_failures: int = 5
    lockout_ms: int = 15 * 60 * 1000


class AuthFailed(Exception):
    """Wrong username or password (deliberately not saying which)."""


class LockedOut(Exception):
    def __init__(self, retry_after_ms: int) -> None:
        super().__init__("too many failed logins")
        self.retry_after_ms = retry_after_ms


class UsernameTaken(Exception):
    pass


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    engine: Engine,
    hasher: PasswordHasher,
    *,
    username: str,
    password: str,
    role: str,
    dealer_id: str | None,
    now_ms: int,
) -> dict:
    row = {
        "id": str(uuid.uuid4()),
        "username": username,
        "password_hash": hasher.hash(password),
        "role": role,
        "dealer_id": dealer_id,
        "created_ms": now_ms,
    }
    try:
        with engine.connect().execution_options(**WRITE) as conn, conn.begin():
            conn.execute(_users.insert().values(**row))
    except IntegrityError:
        raise UsernameTaken(username) from None
    return row


def login(
    engine: Engine,
    hasher: PasswordHasher,
    policy: AuthPolicy,
    *,
    username: str,
    password: str,
    now_ms: int,
    device: bool = False,
) -> tuple[str, int]:
    """A new token and its expiry (``device``: a device's longer-lived one), or AuthFailed /
    LockedOut. Failures are counted per username whether or not it exists, so the limit
    reveals nothing."""
    user = _verified(engine, hasher, policy, username, password, now_ms)
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        token = secrets.token_urlsafe(32)
        expires = now_ms + (policy.device_token_ttl_ms if device else policy.token_ttl_ms)
        conn.execute(
            _tokens.insert().values(
                token_hash=_token_hash(token),
                user_id=user.id,
                expires_ms=expires,
                revoked=False,
                created_ms=now_ms,
            )
        )
    return token, expires


def check_password(
    engine: Engine,
    hasher: PasswordHasher,
    policy: AuthPolicy,
    *,
    user_id: str,
    password: str,
    now_ms: int,
) -> None:
    """Ask the signed-in person for their password again, before what cannot be undone:
    AuthFailed or LockedOut, counted toward the same limit as sign-ins (a stolen token alone
    must not be enough, nor let anyone guess the password faster)."""
    user = get_user(engine, user_id)
    _verified(engine, hasher, policy, user.username if user is not None else "", password, now_ms)


def _verified(
    engine: Engine,
    hasher: PasswordHasher,
    policy: AuthPolicy,
    username: str,
    password: str,
    now_ms: int,
):
    """``username``'s row when ``password`` is theirs (their failures forgotten); else the
    failure is counted and AuthFailed (or LockedOut, at the limit) raised."""
    with engine.connect() as conn:
        failure = conn.execute(select(_failures).where(_failures.c.username == username)).first()
        user = conn.execute(select(_users).where(_users.c.username == username)).first()
    if failure is not None and failure.locked_until_ms > now_ms:
        raise LockedOut(failure.locked_until_ms - now_ms)
    ok = False
    if user is not None:
        try:
            ok = hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        hasher.hash(password)  # spend the same time as a real check
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        if ok:  # unconditionally: a failure may have been counted since the read above
            conn.execute(_failures.delete().where(_failures.c.username == username))
            return user
        locked = _count_failure(conn, engine, policy, username, now_ms)
    if locked:
        raise LockedOut(policy.lockout_ms)
    raise AuthFailed()


def _count_failure(conn, engine: Engine, policy: AuthPolicy, username: str, now_ms: int) -> int:
    """Add one failed login for ``username`` with a single upsert, so two first failures
    arriving at once both count instead of colliding on the primary key; on reaching the
    limit the counter restarts and the lock is set. Returns the lock's end (0: not locked)."""
    dialect = sqlite_insert if engine.dialect.name == "sqlite" else pg_insert
    statement = dialect(_failures).values(username=username, failures=1, locked_until_ms=0)
    statement = statement.on_conflict_do_update(
        index_elements=[_failures.c.username],
        set_={"failures": _failures.c.failures + 1},
    ).returning(_failures.c.failures)
    failures = conn.execute(statement).scalar_one()
    if failures < policy.max_failures:
        return 0
    locked = now_ms + policy.lockout_ms
    conn.execute(
        update(_failures)
        .where(_failures.c.username == username)
        .values(failures=0, locked_until_ms=locked)
    )
    return locked


def authenticate(engine: Engine, token: str, now_ms: int) -> Actor | None:
    """The actor a bearer token stands for, or None if unknown, expired or revoked."""
    query = (
        select(_users.c.id, _users.c.role, _users.c.dealer_id)
        .join(_tokens, _tokens.c.user_id == _users.c.id)
        .where(
            _tokens.c.token_hash == _token_hash(token),
            _tokens.c.revoked.is_(False),
            _tokens.c.expires_ms > now_ms,
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else Actor(row.id, row.role, row.dealer_id)


#: What replaces a closed account's password hash (``backend.closure``): no argon2 hash, so
#: no password matches it.
CLOSED_HASH = "closed"


def of_a_closed_account(engine: Engine, token: str) -> bool:
    """Whether ``token`` was one of an account since closed: its devices are told so (they
    forget the account's data), not only that the token is refused."""
    query = (
        select(_users.c.password_hash)
        .join(_tokens, _tokens.c.user_id == _users.c.id)
        .where(_tokens.c.token_hash == _token_hash(token))
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar() == CLOSED_HASH


def revoke(engine: Engine, token: str) -> None:
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        conn.execute(
            update(_tokens).where(_tokens.c.token_hash == _token_hash(token)).values(revoked=True)
        )


def get_user(engine: Engine, user_id: str):
    with engine.connect() as conn:
        return conn.execute(select(_users).where(_users.c.id == user_id)).first()


#: Demo accounts, created only when the server runs with --demo (the passwords are public).
#: The staff account works for the demo world's first dealer (``backend.demo``), so that its
#: dealership is one the demo server publishes.
DEMO_ACCOUNTS = (
    ("demo-buyer", "demo-buyer-pass", "buyer"),
    ("demo-dealer", "demo-dealer-pass", "dealer_staff"),
    ("demo-admin", "demo-admin-pass", "admin"),
)


def ensure_demo_accounts(
    engine: Engine, hasher: PasswordHasher, now_ms: int, *, dealer_id: str
) -> None:
    """Create the demo accounts that are missing (hashing only their passwords: a restart
    hashes none); the staff account works for ``dealer_id``, and an existing one is moved
    there (a database from before the demo server published its dealers has it at a
    dealership that does not exist)."""
    names = [username for username, _, _ in DEMO_ACCOUNTS]
    with engine.connect() as conn:
        existing = {
            row.username: row
            for row in conn.execute(
                select(_users.c.username, _users.c.role, _users.c.dealer_id).where(
                    _users.c.username.in_(names)
                )
            )
        }
    for username, password, role in DEMO_ACCOUNTS:
        dealer = dealer_id if role == "dealer_staff" else None
        found = existing.get(username)
        if found is None:
            with contextlib.suppress(UsernameTaken):  # another server made it meanwhile
                create_user(
                    engine,
                    hasher,
                    username=username,
                    password=password,
                    role=role,
                    dealer_id=dealer,
                    now_ms=now_ms,
                )
        elif dealer is not None and found.role == role and found.dealer_id != dealer:
            with engine.connect().execution_options(**WRITE) as conn, conn.begin():
                conn.execute(
                    update(_users).where(_users.c.username == username).values(dealer_id=dealer)
                )

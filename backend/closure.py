"""Closing a buyer's account (注销账户): what the person gave us is erased, the loans the law
makes us keep are kept, and the account can no longer be signed in to.

    outcome = close_account(engine, user_id=..., today=date(...))   # Closed | LoanOpen

- **Refused** (:class:`LoanOpen`) while a loan is in progress: a contract signed and not yet
  paid out (``backend.rules.is_signed``, which counts a contract stored before the
  application's step to contracted; even once its first repayment date has passed, since a
  payout the dealership confirmed offline before that date may still arrive: the dealership
  cancels a lapsed contract), or a paid-out loan not yet repaid in full (folded, as the
  devices fold it, from the loan its contract carries and the payments recorded). The lender
  and the dealership still need to reach the borrower; the person repays first, and closes
  after.
- **Kept**: each repaid loan, whole (its application, offers, contract versions, payments)
  and the buyer's consents: records of a credit relationship that lenders and the platform
  must keep for years after it ends (PIPL Art. 47 allows keeping what a law requires).
- **Erased**: everything else the buyer owns (profile, interactions, notes, applications that
  came to nothing with their offers and contracts): each record becomes a tombstone, which
  every device holding it pulls (a dealership's tablet then no longer shows it), and its data
  is removed from the change history too, not only from the current record, as is the
  car an erased application was for (``records.car``).
- **The account**: its tokens are revoked, its password hash is replaced by one no password
  matches, and its username is released for anyone to register.

One write transaction under the push lock (``backend.store.lock_pushes``): no push can slip a
record in between the check and the erasure. On SQLite ``secure_delete`` zeroes the pages
that held the erased values; on PostgreSQL old row versions stay until VACUUM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update

from backend.auth import CLOSED_HASH
from backend.db import WRITE, is_sqlite
from backend.models import AuthToken, ChangeRow, Idempotency, LoginFailure, Record, User
from backend.rules import is_signed
from backend.sealing import open_data
from backend.store import lock_pushes
from local_db.crypto import FieldCipher

_records = Record.__table__
_changes = ChangeRow.__table__
_users = User.__table__
_tokens = AuthToken.__table__
_failures = LoginFailure.__table__
_idem = Idempotency.__table__


@dataclass(frozen=True)
class Closed:
    """The account is closed: ``erased`` records, ``kept_loans`` repaid loans kept."""

    erased: int
    kept_loans: int


@dataclass(frozen=True)
class LoanOpen:
    """Refused: these applications' loans are in progress (signed, or not yet repaid)."""

    application_ids: tuple[str, ...]


def close_account(
    engine: Engine, *, user_id: str, today: date, now_ms: int, cipher: FieldCipher | None = None
) -> Closed | LoanOpen:
    """Close the buyer ``user_id``'s account, or say which loans stop it (nothing changes)."""
    with engine.connect().execution_options(**WRITE) as conn, conn.begin():
        lock_pushes(engine, conn)
        owned = _owned(conn, user_id, cipher)
        open_loans, kept = _loans(owned, today)
        if open_loans:
            return LoanOpen(tuple(sorted(open_loans)))
        keep = {key for key, data in owned.items() if _kept(key, data, kept)}
        erase = sorted(key for key in owned if key not in keep)
        if is_sqlite(engine):
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        _erase(conn, user_id, erase, now_ms)
        _close_user(conn, user_id)
    return Closed(erased=len(erase), kept_loans=len(kept))


def _kept(key: tuple[str, str], data: dict[str, Any], repaid: set[str]) -> bool:
    """Whether a record belongs to a repaid loan (or is a consent, kept with any)."""
    entity, entity_id = key
    if entity == "consent":
        return bool(repaid)
    if entity == "application":
        return entity_id in repaid
    return data.get("application_id") in repaid  # its offers, contracts and payments


def _owned(
    conn: Connection, user_id: str, cipher: FieldCipher | None
) -> dict[tuple[str, str], dict[str, Any]]:
    """The buyer's live records, key -> data (``{}`` for a record without any)."""
    rows = conn.execute(
        select(_records.c.entity, _records.c.entity_id, _records.c.data).where(
            _records.c.owner_id == user_id, _records.c.deleted.is_(False)
        )
    ).all()
    return {
        (r.entity, r.entity_id): open_data(cipher, r.entity, r.entity_id, r.data) or {}
        for r in rows
    }


def _loans(owned: dict[tuple[str, str], dict[str, Any]], today: date) -> tuple[set[str], set[str]]:
    """(applications whose loan is in progress, applications whose loan is repaid)."""
    in_progress, repaid = set(), set()
    for (entity, app_id), data in owned.items():
        if entity != "application":
            continue
        if data.get("status") == "funded":
            (repaid if _repaid(owned, app_id, today) else in_progress).add(app_id)
        elif is_signed(data):
            in_progress.add(app_id)  # signed, waiting for its payout
    return in_progress, repaid


def _repaid(owned: dict[tuple[str, str], dict[str, Any]], app_id: str, today: date) -> bool:
    """Whether the application's latest contract's loan, folded with its payments as of
    ``today``, is closed; False when the server cannot tell (no loan with the contract)."""
    from domain.loans import quote
    from domain.repayment_plan import plan_from_quote
    from domain.repayments import as_recorded, fold
    from sync import contract_loan

    contracts = [
        (data.get("version", 0), key[1], data)
        for key, data in owned.items()
        if key[0] == "contract" and data.get("application_id") == app_id
    ]
    if not contracts:
        return False
    _, contract_id, contract = max(contracts, key=lambda c: (c[0], c[1]))
    if not isinstance(contract.get("loan"), dict):
        return False
    loan = contract_loan.stored(contract["loan"])
    events = as_recorded(
        _payment_events(
            (key[1], data) for key, data in owned.items()
            if key[0] == "payment" and data.get("contract_id") == contract_id
        ),
        loan.terms.loan_date,
    )  # fmt: skip
    plan = plan_from_quote(quote(loan.terms))
    return fold(plan, events, max(today, loan.terms.loan_date), loan.servicing).closed


def _payment_events(payments: Iterable[tuple[str, dict[str, Any]]]) -> list:
    """The payment records, (id, data), as the repayment engine's events (as a device reads
    its rows: ``local_db.repositories.repayments``)."""
    from datetime import UTC, datetime

    from domain.money import ZERO, from_cents
    from domain.repayments import EventKind, PaymentEvent

    events = []
    for payment_id, p in payments:
        kind = EventKind(p.get("event_kind", "payment"))
        paid_on = (
            date.fromisoformat(p["paid_on"])
            if isinstance(p.get("paid_on"), str)
            else datetime.fromtimestamp(p["paid_ms"] / 1000, UTC).date()
        )
        amount = from_cents(p["amount_cents"]) if kind is EventKind.PAYMENT else ZERO
        events.append(PaymentEvent(payment_id, paid_on, amount, p.get("channel", "bank_transfer"),
                                   kind, p.get("reverses")))  # fmt: skip
    return sorted(events, key=lambda e: (e.date, e.op_id))


def _erase(conn: Connection, user_id: str, keys: list[tuple[str, str]], now_ms: int) -> None:
    """Each record a tombstone with a new change, pulled like any, and its data gone from the
    history as well. A few statements whatever the number of records: the history is read in
    one pass (``changes`` has no index by record, and pushes are faster without one)."""
    if not keys:
        return
    erased = set(keys)
    seq = conn.execute(select(func.coalesce(func.max(_changes.c.seq), 0))).scalar()
    dealers = {
        (r.entity, r.entity_id): r.dealer_id
        for r in conn.execute(
            select(_records.c.entity, _records.c.entity_id, _records.c.dealer_id).where(
                _records.c.owner_id == user_id
            )
        )
    }
    history = conn.execute(
        select(_changes.c.seq, _changes.c.entity, _changes.c.entity_id).where(
            _changes.c.entity_id.in_({entity_id for _, entity_id in keys}),
            _changes.c.data.is_not(None),
        )
    )
    redacted = [{"at": r.seq} for r in history if (r.entity, r.entity_id) in erased]
    if redacted:
        conn.execute(
            update(_changes).where(_changes.c.seq == bindparam("at")).values(data=None), redacted
        )
    numbered = [(seq + n, key) for n, key in enumerate(keys, start=1)]
    conn.execute(
        _changes.insert(),
        [
            {"seq": at, "entity": entity, "entity_id": entity_id, "owner_id": user_id,
             "dealer_id": dealers[(entity, entity_id)], "deleted": True, "data": None,
             "updated_ms": now_ms}
            for at, (entity, entity_id) in numbered
        ],
    )  # fmt: skip
    conn.execute(
        update(_records)
        .where(
            _records.c.entity == bindparam("k_entity"), _records.c.entity_id == bindparam("k_id")
        )
        .values(
            data=None, meta="{}", deleted=True, updated_ms=now_ms, seq=bindparam("at"), car=None
        ),
        [{"k_entity": entity, "k_id": entity_id, "at": at} for at, (entity, entity_id) in numbered],
    )


def _close_user(conn: Connection, user_id: str) -> None:
    username = conn.execute(
        select(_users.c.username).where(_users.c.id == user_id)
    ).scalar_one_or_none()
    conn.execute(
        update(_users)
        .where(_users.c.id == user_id)
        .values(username=f"closed:{user_id}", password_hash=CLOSED_HASH)
    )
    conn.execute(update(_tokens).where(_tokens.c.user_id == user_id).values(revoked=True))
    if username is not None:
        conn.execute(delete(_failures).where(_failures.c.username == username))
    conn.execute(delete(_idem).where(_idem.c.user_id == user_id))

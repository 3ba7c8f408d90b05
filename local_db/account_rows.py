"""Every row a buyer's account has on the device, table by table: one definition for what
closing the account forgets and what the buyer's copy of their data holds.

    forget_account(session, user_id) -> int         # rows deleted; the caller commits
    export_account(session, user_id, cipher) -> dict    # JSON-ready; money in integer cents

Forgetting runs with ``secure_delete`` on, so SQLite zeroes the pages that held the rows, and
also empties the outbox, which on a device holds one account's changes at a time, and the
server's refusals of them. The audit log
stays: it is append-only by design (its triggers refuse deletes) and holds ids and amounts, not
the buyer's name, ID number or figures.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, select, text
from sqlmodel import Session, SQLModel

from local_db.crypto import FieldCipher
from local_db.repositories import people as people_repo
from local_db.tables import (
    ApplicationRow,
    BuyerProfileRow,
    ConsentRow,
    ContractRow,
    InteractionRow,
    OfferRow,
    OutboxRow,
    PaymentRow,
    SyncParkedRow,
    SyncRefusalRow,
    UnsealedProfileRow,
    UserRow,
)

#: Columns never copied out, besides every bytes column (the signed PDF, which the contract
#: links serve; sealed values, which the opened profile replaces): bookkeeping of no use to
#: the buyer.
_NOT_COPIED = frozenset({"password_hash", "search_text"})
_PROFILE_TABLES = (BuyerProfileRow, UnsealedProfileRow)
#: Columns holding JSON text: copied out as the JSON they hold.
_JSON_TEXT = frozenset({"loan", "review", "reasons"})


def account_rows(user_id: str) -> tuple[tuple[type[SQLModel], ColumnElement[bool]], ...]:
    """(table, which of its rows) for every table holding the account's rows, dependents
    first (deleting in this order keeps the foreign keys whole)."""
    applications = select(ApplicationRow.id).where(ApplicationRow.user_id == user_id)
    contracts = select(ContractRow.id).where(ContractRow.application_id.in_(applications))
    profiles = select(BuyerProfileRow.id).where(BuyerProfileRow.user_id == user_id)
    return (
        (PaymentRow, PaymentRow.contract_id.in_(contracts)),
        (ContractRow, ContractRow.application_id.in_(applications)),
        (OfferRow, OfferRow.application_id.in_(applications)),
        (ApplicationRow, ApplicationRow.user_id == user_id),
        (InteractionRow, InteractionRow.user_id == user_id),
        (ConsentRow, ConsentRow.user_id == user_id),
        (UnsealedProfileRow, UnsealedProfileRow.id.in_(profiles)),
        (BuyerProfileRow, BuyerProfileRow.user_id == user_id),
        (UserRow, UserRow.id == user_id),
    )


def forget_account(session: Session, user_id: str) -> int:
    """Delete the account's rows, the outbox and the server's refusals of it."""
    session.execute(text("PRAGMA secure_delete=ON"))
    statements = [delete(table).where(which) for table, which in account_rows(user_id)]
    statements += [delete(OutboxRow), delete(SyncParkedRow), delete(SyncRefusalRow)]
    return sum(session.execute(statement).rowcount for statement in statements)


def export_account(session: Session, user_id: str, cipher: FieldCipher) -> dict[str, Any]:
    """The account's rows as the buyer's copy: its profile opened (ID number, phone and
    figures in clear: it is theirs), then each table's rows, the account first."""
    profile = people_repo.get_buyer_profile(session, user_id=user_id, cipher=cipher)
    out: dict[str, Any] = {
        "profile": None if profile is None else {
            **people_repo.profile_payload(profile),
            "id_number": profile.id_number, "phone": profile.phone,
        },
    }  # fmt: skip
    for table, which in reversed(account_rows(user_id)):
        if table in _PROFILE_TABLES:
            continue
        rows = session.execute(select(table).where(which)).scalars()
        out[table.__tablename__] = [_copied(row) for row in rows]
    return out


def _copied(row: SQLModel) -> dict[str, Any]:
    return {
        name: _value(name, value)
        for name, value in row.model_dump().items()
        if name not in _NOT_COPIED and not isinstance(value, bytes)
    }


def _value(name: str, value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if name in _JSON_TEXT and isinstance(value, str):
        return json.loads(value) if value else None
    return value

"""A closed account forgotten by the device: every row of the buyer's, and whatever was waiting
to be sent, deleted; the catalogue stays (it is no one's).

    forget_account(session, user_id) -> int    # rows deleted; the caller commits

``secure_delete`` is on for it, so SQLite zeroes the pages that held the rows. The audit log
stays: it is append-only by design (its triggers refuse deletes) and holds ids and amounts, not
the buyer's name, ID number or figures.
"""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlmodel import Session

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
    UnsealedProfileRow,
    UserRow,
)


def forget_account(session: Session, user_id: str) -> int:
    """Delete ``user_id``'s rows (dependents first: the foreign keys hold) and the outbox,
    which on a device holds one account's changes at a time."""
    session.execute(text("PRAGMA secure_delete=ON"))
    applications = select(ApplicationRow.id).where(ApplicationRow.user_id == user_id)
    contracts = select(ContractRow.id).where(ContractRow.application_id.in_(applications))
    profiles = select(BuyerProfileRow.id).where(BuyerProfileRow.user_id == user_id)
    statements = (
        delete(PaymentRow).where(PaymentRow.contract_id.in_(contracts)),
        delete(ContractRow).where(ContractRow.application_id.in_(applications)),
        delete(OfferRow).where(OfferRow.application_id.in_(applications)),
        delete(ApplicationRow).where(ApplicationRow.user_id == user_id),
        delete(InteractionRow).where(InteractionRow.user_id == user_id),
        delete(ConsentRow).where(ConsentRow.user_id == user_id),
        delete(UnsealedProfileRow).where(UnsealedProfileRow.id.in_(profiles)),
        delete(BuyerProfileRow).where(BuyerProfileRow.user_id == user_id),
        delete(OutboxRow),
        delete(SyncParkedRow),
        delete(UserRow).where(UserRow.id == user_id),
    )
    return sum(session.execute(statement).rowcount for statement in statements)

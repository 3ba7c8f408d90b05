"""A loan's repayment events: the payments table in the repayment engine's form.

Payments are append-only and deduplicated by op_id (the row's ``id``), as
:func:`domain.repayments.dedupe` does: recording the same op_id again with the same details
changes nothing; with different details it is refused (InputError, rule ``conflict``), so a
retried request can never silently rewrite a payment. A reversal is a new row naming the
payment it reverses.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain.catalog import PaymentKind
from domain.errors import InputError
from domain.money import ZERO, from_cents, to_cents
from domain.repayments import EventKind, PaymentEvent, dedupe
from local_db.codec import to_ms
from local_db.repositories._sync import write
from local_db.tables import PaymentRow

__all__ = ["loan_events", "record_payment_event", "refuse_conflicting_payment"]

# The columns that make a payment what it is (not when this device wrote it down).
_DETAILS = ("contract_id", "paid_on", "amount_cents", "kind", "channel", "event_kind", "reverses")


def refuse_conflicting_payment(existing: PaymentRow, new: dict[str, Any]) -> None:
    """Raise InputError when ``new`` (a row dict; absent columns take the table's defaults)
    posts ``existing.id`` again with different details."""
    defaults = {"channel": "bank_transfer", "event_kind": "payment", "reverses": None}
    for column in _DETAILS:
        value = new.get(column, defaults.get(column))
        if getattr(existing, column) != value:
            raise InputError(
                "payment.op_id",
                "conflict",
                "operation {op_id} was already posted with different details",
                {"op_id": existing.id},
            )


def record_payment_event(
    session: Session,
    *,
    contract_id: str,
    event: PaymentEvent,
    kind: PaymentKind = PaymentKind.INSTALMENT,
    created_at: datetime | None = None,
    enqueue: bool = True,
) -> bool:
    """Append ``event`` to the contract's payments (in the caller's transaction, with its
    outbox row). Returns False when the same op_id was already recorded with the same
    details; raises InputError when its details differ, or when the event itself is invalid
    (the domain's rules: a positive whole-cent amount, a reversal naming another op_id)."""
    dedupe([event])  # validates it exactly as the engine will
    created_ms = to_ms(created_at or datetime.now(UTC))
    row = {
        "id": event.op_id,
        "contract_id": contract_id,
        "paid_on": event.date,
        "amount_cents": to_cents(event.amount),
        "kind": kind.value,
        "channel": event.channel,
        "event_kind": event.kind.value,
        "reverses": event.reverses,
        "created_ms": created_ms,
        "updated_ms": created_ms,
        "deleted": False,
    }
    existing = session.get(PaymentRow, event.op_id)
    if existing is not None:
        refuse_conflicting_payment(existing, row)
        return False
    # deals imports this module (for refuse_conflicting_payment): import at call time
    from local_db.repositories.deals import payment_payload

    write(
        session,
        PaymentRow.__table__,
        row,
        entity="payment",
        op="append",
        enqueue=enqueue,
        payload=payment_payload(session, row) if enqueue else None,
    )
    return True


def _event(r: PaymentRow) -> PaymentEvent:
    kind = EventKind(r.event_kind)
    return PaymentEvent(
        op_id=r.id,
        date=r.paid_on,
        amount=from_cents(r.amount_cents) if kind is EventKind.PAYMENT else ZERO,
        channel=r.channel,
        kind=kind,
        reverses=r.reverses,
    )


def loan_events(
    session: Session, *, contract_id: str, through: date | None = None
) -> list[PaymentEvent]:
    """The contract's payments and reversals (tombstoned rows left out) as the engine's
    events, in (date, op_id) order, as recorded (``domain.repayments.as_recorded`` takes them
    as the engine folds them)."""
    query = select(PaymentRow).where(
        PaymentRow.contract_id == contract_id, PaymentRow.deleted.is_(False)
    )
    if through is not None:
        query = query.where(PaymentRow.paid_on <= through)
    rows = session.execute(query.order_by(PaymentRow.paid_on, PaymentRow.id)).scalars()
    return [_event(r) for r in rows]

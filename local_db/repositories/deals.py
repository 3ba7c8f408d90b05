"""Applications, offers, contracts and payments."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session

from domain.catalog import (
    Application,
    ApplicationStatus,
    ContractRecord,
    OfferRecord,
    PaymentKind,
    PaymentRecord,
    RiskTier,
    VehicleUse,
)
from domain.money import from_cents, to_cents
from local_db.codec import dumps, from_ms, to_ms
from local_db.repositories._sync import write, write_many
from local_db.repositories.repayments import refuse_conflicting_payment
from local_db.tables import ApplicationRow, ContractRow, OfferRow, PaymentRow, VehicleRow


def _ms(moment: datetime | None) -> int:
    return to_ms(moment or datetime.now(UTC))


# --- applications ---------------------------------------------------------------------------


def application_to_row(a: Application) -> dict:
    created_ms = _ms(a.created_at)
    return {
        "id": a.id,
        "user_id": a.user_id,
        "vehicle_id": a.vehicle_id,
        "product_id": a.product_id,
        "dealer_id": a.dealer_id,
        "status": a.status.value,
        "cash_price_cents": to_cents(a.cash_price),
        "down_payment_cents": to_cents(a.down_payment),
        "trade_in_cents": to_cents(a.trade_in),
        "term": a.term,
        "use": a.use.value,
        "created_ms": created_ms,
        "review": json.dumps(list(a.review)),
        "review_decision": a.review_decision,
        "updated_ms": a.updated_ms or created_ms,
        "deleted": a.deleted,
        "pay_out_by": a.pay_out_by,
    }


def _application(r: ApplicationRow) -> Application:
    return Application(
        id=r.id,
        user_id=r.user_id,
        vehicle_id=r.vehicle_id,
        cash_price=from_cents(r.cash_price_cents),
        down_payment=from_cents(r.down_payment_cents),
        term=r.term,
        status=ApplicationStatus(r.status),
        trade_in=from_cents(r.trade_in_cents),
        use=VehicleUse(r.use),
        product_id=r.product_id,
        dealer_id=r.dealer_id,
        created_at=from_ms(r.created_ms),
        review=tuple(json.loads(r.review or "[]")),
        review_decision=r.review_decision,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
        pay_out_by=r.pay_out_by,
    )


def application_payload(session: Session, row: dict) -> dict:
    """The row plus what the server's application rule reads: ``amount_cents`` (the amount
    to finance) and a ``dealer_id`` (the car's dealer when the buyer applied on their own);
    without ``pay_out_by``, which is the server's (it sets it from the contract)."""
    dealer_id = row["dealer_id"]
    if dealer_id is None:
        dealer_id = session.execute(
            select(VehicleRow.dealer_id).where(VehicleRow.id == row["vehicle_id"])
        ).scalar_one_or_none()
    amount = row["cash_price_cents"] - row["down_payment_cents"] - row["trade_in_cents"]
    sent = {k: v for k, v in row.items() if k != "pay_out_by"}
    return {**sent, "dealer_id": dealer_id, "amount_cents": max(amount, 0)}


def save_application(session: Session, *, application: Application, enqueue: bool = True) -> None:
    row = application_to_row(application)
    write(
        session,
        ApplicationRow.__table__,
        row,
        entity="application",
        enqueue=enqueue,
        payload=application_payload(session, row) if enqueue else None,
    )


def get_application(session: Session, *, application_id: str) -> Application | None:
    row = session.get(ApplicationRow, application_id)
    return None if row is None else _application(row)


def list_applications(
    session: Session, *, user_id: str, limit: int | None = None
) -> list[Application]:
    """The buyer's applications, newest first."""
    rows = session.execute(
        select(ApplicationRow)
        .where(ApplicationRow.user_id == user_id, ApplicationRow.deleted.is_(False))
        .order_by(ApplicationRow.created_ms.desc(), ApplicationRow.id)
        .limit(limit)
    ).scalars()
    return [_application(r) for r in rows]


def list_dealer_applications(session: Session, *, dealer_id: str) -> list[Application]:
    """The applications made at a dealership (walk-ins started by its staff), newest first."""
    rows = session.execute(
        select(ApplicationRow)
        .where(ApplicationRow.dealer_id == dealer_id, ApplicationRow.deleted.is_(False))
        .order_by(ApplicationRow.created_ms.desc(), ApplicationRow.id)
    ).scalars()
    return [_application(r) for r in rows]


# --- offers ---------------------------------------------------------------------------------


def offer_to_row(o: OfferRecord) -> dict:
    created_ms = _ms(o.created_at)
    return {
        "id": o.id,
        "application_id": o.application_id,
        "product_id": o.product_id,
        "eligible": o.eligible,
        "tier": None if o.tier is None else o.tier.value,
        "term": o.term,
        "principal_cents": to_cents(o.principal),
        "payment_cents": to_cents(o.payment),
        "finance_charge_cents": to_cents(o.finance_charge),
        "total_of_payments_cents": to_cents(o.total_of_payments),
        "apr": str(o.apr),
        "reasons": dumps(list(o.reasons)),
        "created_ms": created_ms,
        "updated_ms": o.updated_ms or created_ms,
        "deleted": o.deleted,
    }


def _offer(r: OfferRow) -> OfferRecord:
    return OfferRecord(
        id=r.id,
        application_id=r.application_id,
        product_id=r.product_id,
        eligible=r.eligible,
        tier=None if r.tier is None else RiskTier(r.tier),
        term=r.term,
        principal=from_cents(r.principal_cents),
        payment=from_cents(r.payment_cents),
        finance_charge=from_cents(r.finance_charge_cents),
        total_of_payments=from_cents(r.total_of_payments_cents),
        apr=Decimal(r.apr),
        reasons=tuple(json.loads(r.reasons)),
        created_at=from_ms(r.created_ms),
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


def save_offers(session: Session, *, offers: list[OfferRecord], enqueue: bool = True) -> None:
    rows = [offer_to_row(offer) for offer in offers]
    write_many(session, OfferRow.__table__, rows, entity="offer", enqueue=enqueue)


def list_offers(session: Session, *, application_id: str) -> list[OfferRecord]:
    return list_offers_of(session, application_ids=[application_id]).get(application_id, [])


def list_offers_of(session: Session, *, application_ids: list[str]) -> dict[str, list[OfferRecord]]:
    """Every lender's answer to each of the applications (one query): application id ->
    offers and declines in the order they were saved."""
    out: dict[str, list[OfferRecord]] = {}
    if not application_ids:
        return out
    rows = session.execute(
        select(OfferRow)
        .where(OfferRow.application_id.in_(application_ids), OfferRow.deleted.is_(False))
        .order_by(OfferRow.created_ms, OfferRow.id)
    ).scalars()
    for r in rows:
        out.setdefault(r.application_id, []).append(_offer(r))
    return out


# --- contracts (immutable: a change is a new version) ---------------------------------------


def _contract(r: ContractRow) -> ContractRecord:
    return ContractRecord(
        id=r.id,
        application_id=r.application_id,
        offer_id=r.offer_id,
        version=r.version,
        pdf_sha256=r.pdf_sha256,
        signed_at=from_ms(r.signed_ms),
        pdf=r.pdf,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
        loan=json.loads(r.loan) if r.loan else None,
    )


def save_contract(session: Session, *, contract: ContractRecord, enqueue: bool = True) -> None:
    """Add a contract version. Raises IntegrityError when that version already exists."""
    signed_ms = to_ms(contract.signed_at)
    row = ContractRow(
        id=contract.id,
        application_id=contract.application_id,
        offer_id=contract.offer_id,
        version=contract.version,
        pdf_sha256=contract.pdf_sha256,
        signed_ms=signed_ms,
        pdf=contract.pdf,
        updated_ms=contract.updated_ms or signed_ms,
        deleted=contract.deleted,
        loan="" if contract.loan is None else json.dumps(contract.loan, sort_keys=True),
    )
    session.add(row)
    session.flush()
    if enqueue:
        from local_db.outbox import enqueue as enqueue_op
        from local_db.repositories._sync import wire_payload

        enqueue_op(
            session,
            entity="contract",
            entity_id=contract.id,
            op="append",
            payload=contract_payload(session, wire_payload(row.model_dump(exclude={"pdf"}))),
        )


def contract_payload(session: Session, row: dict) -> dict:
    """What travels for a contract: its hash under the server's name (``content_sha256``), the
    version it ``supersedes``, the ``loan`` it signs (an object, when known), and not the PDF
    itself (the server's 64 KiB payload limit; the signed file stays on the device that signed
    it)."""
    previous = session.execute(
        select(ContractRow.id).where(
            ContractRow.application_id == row["application_id"],
            ContractRow.version == row["version"] - 1,
        )
    ).scalar_one_or_none()
    payload = {k: v for k, v in row.items() if k not in ("pdf", "loan")}
    payload["content_sha256"] = row["pdf_sha256"]
    if row.get("loan"):
        payload["loan"] = json.loads(row["loan"])
    if previous is not None:
        payload["supersedes"] = previous
    return payload


def contract_application(session: Session, *, contract_id: str) -> Application | None:
    """The application a contract was signed for (None for an unknown contract)."""
    application_id = session.execute(
        select(ContractRow.application_id).where(ContractRow.id == contract_id)
    ).scalar_one_or_none()
    return (
        None if application_id is None else get_application(session, application_id=application_id)
    )


def latest_contract(session: Session, *, application_id: str) -> ContractRecord | None:
    row = session.execute(
        select(ContractRow)
        .where(ContractRow.application_id == application_id)
        .order_by(ContractRow.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    return None if row is None else _contract(row)


# --- payments (append-only events, deduplicated by id) --------------------------------------


def record_payment(session: Session, *, payment: PaymentRecord, enqueue: bool = True) -> bool:
    """Append a payment; a payment id seen before with the same details changes nothing and
    returns False; with different details it raises InputError (rule ``conflict``)."""
    created_ms = _ms(payment.created_at)
    row = {
        "id": payment.id,
        "contract_id": payment.contract_id,
        "paid_on": payment.paid_on,
        "amount_cents": to_cents(payment.amount),
        "kind": payment.kind.value,
        "created_ms": created_ms,
        "updated_ms": created_ms,
        "deleted": False,
    }
    existing = session.get(PaymentRow, payment.id)
    if existing is not None:
        refuse_conflicting_payment(existing, row)
        return False
    payload = payment_payload(session, row) if enqueue else None
    write(
        session,
        PaymentRow.__table__,
        row,
        entity="payment",
        op="append",
        enqueue=enqueue,
        payload=payload,
    )
    return True


def payment_payload(session: Session, row: dict) -> dict:
    """The row plus the server's fields: the contract's ``application_id`` and ``paid_ms``
    (the payment date's midnight UTC in epoch ms)."""
    application_id = session.execute(
        select(ContractRow.application_id).where(ContractRow.id == row["contract_id"])
    ).scalar_one_or_none()
    paid = row["paid_on"]
    paid_ms = to_ms(datetime(paid.year, paid.month, paid.day, tzinfo=UTC))
    return {**row, "application_id": application_id, "paid_ms": paid_ms}


def list_payments(session: Session, *, contract_id: str) -> list[PaymentRecord]:
    """The contract's payments, oldest first, each with the date of the reversal that undid
    it (if any); reversals themselves are not payments and are not listed."""
    rows = (
        session.execute(
            select(PaymentRow)
            .where(PaymentRow.contract_id == contract_id, PaymentRow.deleted.is_(False))
            .order_by(PaymentRow.paid_on, PaymentRow.created_ms)
        )
        .scalars()
        .all()
    )
    reversed_on: dict[str, date] = {}
    for r in rows:
        if r.event_kind == "reversal" and r.reverses:
            reversed_on.setdefault(r.reverses, r.paid_on)
    return [
        PaymentRecord(
            id=r.id,
            contract_id=r.contract_id,
            paid_on=r.paid_on,
            amount=from_cents(r.amount_cents),
            kind=PaymentKind(r.kind),
            created_at=from_ms(r.created_ms),
            reversed_on=reversed_on.get(r.id),
        )
        for r in rows
        if r.event_kind != "reversal"
    ]

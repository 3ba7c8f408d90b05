"""The payments table as the repayment engine's event log: append-only, deduplicated by
op_id, a conflicting retry refused, events read back in the domain's form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from sqlalchemy import inspect
from sqlmodel import Session

from domain.catalog import ContractRecord, OfferRecord, PaymentKind, PaymentRecord
from domain.errors import InputError
from domain.repayment_plan import level_plan
from domain.repayments import EventKind, PaymentEvent, fold
from local_db import outbox
from local_db.codec import dealer_to_row, vehicle_to_row
from local_db.engine import make_engine
from local_db.migrations import LATEST, migrate
from local_db.repositories import catalog, deals, people
from local_db.repositories.repayments import loan_events, record_payment_event
from local_db.tables import ApplicationRow, ContractRow, DealerRow, VehicleRow
from tests.factories import (
    make_application,
    make_dealer,
    make_lender,
    make_product,
    make_user,
    make_vehicle,
)

LOAN_DATE = date(2026, 1, 15)


def make_contract(session, *, older_schema: bool = False) -> str:
    """A signed contract with everything it references; returns its id. ``older_schema``:
    the rows of the tables later versions widened as the database's (older) schema holds
    them."""
    dealer, lender, user = make_dealer(), make_lender(), make_user()
    vehicle = make_vehicle(dealer_id=dealer.id)
    if older_schema:
        insert_as_the_schema_has_it(session, DealerRow.__table__, [dealer_to_row(dealer)])
        insert_as_the_schema_has_it(session, VehicleRow.__table__, [vehicle_to_row(vehicle)])
    else:
        catalog.save_dealers(session, dealers=[dealer])
        catalog.save_vehicles(session, vehicles=[vehicle])
    catalog.save_lenders(session, lenders=[lender])
    people.save_user(session, user=user)
    product = make_product(lender_id=lender.id)
    catalog.save_products(session, products=[product])
    application = make_application(user_id=user.id, vehicle_id=vehicle.id)
    if older_schema:
        row = deals.application_to_row(application)
        insert_as_the_schema_has_it(session, ApplicationRow.__table__, [row])
    else:
        deals.save_application(session, application=application)
    offer = OfferRecord(
        id=f"offer-{application.id}",
        application_id=application.id,
        product_id=product.id,
        eligible=True,
    )
    deals.save_offers(session, offers=[offer])
    contract = ContractRecord(
        id=f"contract-{application.id}",
        application_id=application.id,
        offer_id=offer.id,
        version=1,
        pdf_sha256="0" * 64,
        signed_at=datetime(2026, 1, 15, tzinfo=UTC),
    )
    if older_schema:
        signed_ms = int(contract.signed_at.timestamp() * 1000)
        row = {"id": contract.id, "application_id": application.id, "offer_id": offer.id,
               "version": 1, "pdf_sha256": contract.pdf_sha256, "signed_ms": signed_ms,
               "pdf": b"", "updated_ms": signed_ms, "deleted": False}  # fmt: skip
        insert_as_the_schema_has_it(session, ContractRow.__table__, [row])
    else:
        deals.save_contract(session, contract=contract)
    return contract.id


def pay(op_id, day, amount, channel="bank_transfer"):
    return PaymentEvent(op_id, day, D(amount), channel)


def payment_outbox_ops(session) -> list[str]:
    return [op.entity_id for op in outbox.peek(session, limit=1000) if op.entity == "payment"]


def test_recorded_events_read_back_as_the_engines_events_and_fold_the_same(session):
    contract_id = make_contract(session)
    events = [
        pay("p1", date(2026, 2, 15), "8648.07", "alipay"),
        pay("p2", date(2026, 3, 14), "8648.07", "wechat_pay"),
        PaymentEvent("r1", date(2026, 3, 20), kind=EventKind.REVERSAL, reverses="p2"),
        pay("p3", date(2026, 3, 21), "8648.07"),
    ]
    for event in reversed(events):
        assert record_payment_event(session, contract_id=contract_id, event=event)
    session.commit()
    stored = loan_events(session, contract_id=contract_id)
    assert stored == events
    plan = level_plan(10_000_000, D("0.069"), 12, LOAN_DATE)
    as_of = date(2026, 4, 1)
    assert fold(plan, stored, as_of).allocations == fold(plan, events, as_of).allocations
    assert loan_events(session, contract_id=contract_id, through=date(2026, 3, 14)) == events[:2]


def test_a_recorded_event_is_queued_with_the_fields_the_server_requires(session):
    contract_id = make_contract(session)
    event = PaymentEvent("r1", date(2026, 2, 20), kind=EventKind.REVERSAL, reverses="p0")
    record_payment_event(session, contract_id=contract_id, event=event)
    [op] = [op for op in outbox.peek(session, limit=1000) if op.entity == "payment"]
    assert op.op == "append"
    assert op.payload["application_id"] == session.get(ContractRow, contract_id).application_id
    assert (op.payload["event_kind"], op.payload["reverses"]) == ("reversal", "p0")
    assert op.payload["paid_ms"] == int(datetime(2026, 2, 20, tzinfo=UTC).timestamp() * 1000)


def test_recording_the_same_operation_twice_changes_nothing(session):
    contract_id = make_contract(session)
    event = pay("p1", date(2026, 2, 15), "100.00", "alipay")
    assert record_payment_event(session, contract_id=contract_id, event=event)
    assert not record_payment_event(session, contract_id=contract_id, event=event)
    assert loan_events(session, contract_id=contract_id) == [event]
    assert payment_outbox_ops(session) == ["p1"]


@pytest.mark.parametrize(
    "retry",
    [
        pytest.param(pay("p1", date(2026, 2, 15), "100.01", "alipay"), id="other-amount"),
        pytest.param(pay("p1", date(2026, 2, 16), "100.00", "alipay"), id="other-date"),
        pytest.param(pay("p1", date(2026, 2, 15), "100.00", "bank_transfer"), id="other-channel"),
        pytest.param(
            PaymentEvent("p1", date(2026, 2, 15), kind=EventKind.REVERSAL, reverses="p0"),
            id="now-a-reversal",
        ),
    ],
)
def test_the_same_op_id_with_different_details_is_refused(session, retry):
    contract_id = make_contract(session)
    original = pay("p1", date(2026, 2, 15), "100.00", "alipay")
    record_payment_event(session, contract_id=contract_id, event=original)
    with pytest.raises(InputError) as refused:
        record_payment_event(session, contract_id=contract_id, event=retry)
    assert (refused.value.field, refused.value.rule) == ("payment.op_id", "conflict")
    assert loan_events(session, contract_id=contract_id) == [original]
    assert payment_outbox_ops(session) == ["p1"]


@pytest.mark.parametrize(
    ("event", "field", "rule"),
    [
        pytest.param(pay("p1", LOAN_DATE, "0"), "payments[0].amount", "positive", id="zero"),
        pytest.param(
            pay("p1", LOAN_DATE, "1.005"), "payments[0].amount", "max_two_decimals", id="mills"
        ),
        pytest.param(
            PaymentEvent("r1", LOAN_DATE, kind=EventKind.REVERSAL),
            "payments[0].reverses",
            "required",
            id="reversal-of-nothing",
        ),
    ],
)
def test_an_event_the_engine_would_refuse_is_not_recorded(session, event, field, rule):
    contract_id = make_contract(session)
    with pytest.raises(InputError) as refused:
        record_payment_event(session, contract_id=contract_id, event=event)
    assert (refused.value.field, refused.value.rule) == (field, rule)
    assert loan_events(session, contract_id=contract_id) == []


def test_record_payment_refuses_a_retry_with_different_details(session):
    contract_id = make_contract(session)
    record = PaymentRecord("p1", contract_id, date(2026, 2, 15), D("100.00"))
    assert deals.record_payment(session, payment=record)
    assert not deals.record_payment(session, payment=record)
    for changed in (
        PaymentRecord("p1", contract_id, date(2026, 2, 15), D("99.00")),
        PaymentRecord("p1", contract_id, date(2026, 2, 15), D("100.00"), PaymentKind.LATE_FEE),
    ):
        with pytest.raises(InputError) as refused:
            deals.record_payment(session, payment=changed)
        assert refused.value.rule == "conflict"
    assert [p.amount for p in deals.list_payments(session, contract_id=contract_id)] == [
        D("100.00")
    ]
    # recorded the old way, it reads back as a bank-transfer payment
    assert loan_events(session, contract_id=contract_id) == [pay("p1", date(2026, 2, 15), "100.00")]


def insert_as_the_schema_has_it(session, table, rows) -> None:
    """Rows as an older schema held them: only the columns its table has there."""
    connection = session.connection()
    have = {c["name"] for c in inspect(connection).get_columns(table.name)}
    for row in rows:  # plain SQL: the model would add its defaults for the newer columns
        kept = {k: v for k, v in row.items() if k in have}
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(kept)}) VALUES ({', '.join('?' * len(kept))})",
            tuple(kept.values()),
        )


def test_upgrading_from_version_2_keeps_payments_as_bank_transfers(tmp_path):
    engine = make_engine(tmp_path / "v2.db")
    assert migrate(engine, target=2) == 2
    with Session(engine) as session:
        contract_id = make_contract(session, older_schema=True)
        session.commit()
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO payments (updated_ms, deleted, id, contract_id, paid_on, amount_cents, "
            "kind, created_ms) VALUES (0, 0, 'old', ?, '2026-02-15', 864807, 'instalment', 0)",
            (contract_id,),
        )
    assert migrate(engine) == LATEST
    with Session(engine) as session:
        assert loan_events(session, contract_id=contract_id) == [
            pay("old", date(2026, 2, 15), "8648.07")
        ]
        record_payment_event(
            session,
            contract_id=contract_id,
            event=PaymentEvent("rev", date(2026, 2, 20), kind=EventKind.REVERSAL, reverses="old"),
        )
        session.commit()
        [_, reversal] = loan_events(session, contract_id=contract_id)
    assert (reversal.kind, reversal.reverses) == (EventKind.REVERSAL, "old")
    engine.dispose()


def test_a_reversal_is_listed_on_its_payment_not_as_a_payment(session):
    contract_id = make_contract(session)
    paid = pay("p1", date(2026, 2, 15), "8648.07")
    reversal = PaymentEvent("r1", date(2026, 2, 18), kind=EventKind.REVERSAL, reverses="p1")
    for event in (paid, reversal, pay("p2", date(2026, 2, 20), "100.00")):
        record_payment_event(session, contract_id=contract_id, event=event, enqueue=False)
    session.commit()
    listed = deals.list_payments(session, contract_id=contract_id)
    assert [(p.id, p.reversed_on) for p in listed] == [("p1", reversal.date), ("p2", None)]

"""A car is financed once (``backend.rules``): two contracts on one car, signed offline on
two devices, meet at the server, and the first to reach it stands. Run against SQLite and
PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from backend import closure, db, store
from backend.models import Record
from sync.contract_loan import to_wire
from tests.backend.factories import (
    DEALER_X,
    application,
    listed_cars,
    make_actor,
    make_op,
    new_id,
)
from tests.factories import SIGNED_LOAN

CAR, OTHER_CAR = new_id(), new_id()
SIGNED_ON = date(2026, 11, 30)  # the loan's date: its first repayment falls on 2026-12-30
FIRST_DUE = date(2026, 12, 30)


@pytest.fixture(autouse=True)
def cars_on_sale(engine):
    """The catalogue lists both cars, at the dealership the applications name."""
    listed_cars(engine, {CAR: DEALER_X, OTHER_CAR: DEALER_X})


def ms(day: date) -> int:
    return int(datetime.combine(day, time(12), tzinfo=UTC).timestamp() * 1000)


def push(engine, actor, ops, day=SIGNED_ON):
    return store.push(engine, actor, "phone", ops, ms(day))


def approved(engine, buyer, car=CAR) -> str:
    """A new application of ``buyer``'s for ``car``, checked and approved (not signed)."""
    app_id = new_id()
    ops = [make_op("application", app_id, application(vehicle_id=car))]
    ops += [make_op("application", app_id, {"status": s})
            for s in ("prequalified", "submitted", "approved")]  # fmt: skip
    assert all(r.status == "applied" for r in push(engine, buyer, ops))
    return app_id


def signing(app_id: str, day: date = SIGNED_ON) -> list:
    """What a device pushes when its buyer signs: the contract (with the loan it signs,
    dated ``day``), then the application stepped to contracted."""
    loan = replace(SIGNED_LOAN, terms=replace(SIGNED_LOAN.terms, loan_date=day))
    body = {"application_id": app_id, "version": 1, "content_sha256": "a" * 64,
            "loan": to_wire(loan)}  # fmt: skip
    return [
        make_op("contract", new_id(), body, created_ms=ms(day)),
        make_op("application", app_id, {"status": "contracted"}, created_ms=ms(day)),
    ]


def one_signed_one_waiting(engine) -> tuple[str, object, str]:
    """Two buyers' applications for ``CAR``, the first signed: its id, the second buyer and
    the second application's id (approved, not signed)."""
    first, second = make_actor(), make_actor()
    first_app, second_app = approved(engine, first), approved(engine, second)
    assert [r.status for r in push(engine, first, signing(first_app))] == ["applied"] * 2
    return first_app, second, second_app


def status_on_server(engine, app_id: str) -> str:
    admin = make_actor("admin")
    [record] = [c for c in store.pull(engine, admin, 0, 1000).changes if c.entity_id == app_id]
    return record.data["status"]


def test_the_second_contract_on_a_car_is_refused_and_the_first_stands(engine):
    first, second = make_actor(), make_actor()
    first_app, second_app = approved(engine, first), approved(engine, second)
    assert [r.status for r in push(engine, first, signing(first_app))] == ["applied"] * 2
    refused = push(engine, second, signing(second_app))
    assert [(r.status, r.reason) for r in refused] == [("rejected", "under_contract")] * 2
    assert "vehicle_id" in refused[0].message
    assert status_on_server(engine, first_app) == "contracted"
    assert status_on_server(engine, second_app) == "approved"


def test_another_car_is_not_held(engine):
    first, second = make_actor(), make_actor()
    first_app, second_app = approved(engine, first), approved(engine, second, OTHER_CAR)
    push(engine, first, signing(first_app))
    assert [r.status for r in push(engine, second, signing(second_app))] == ["applied"] * 2


def test_a_contract_that_lapsed_unpaid_out_frees_the_car(engine):
    _, second, second_app = one_signed_one_waiting(engine)
    day_before = push(engine, second, signing(second_app, date(2026, 12, 29)), date(2026, 12, 29))
    on_the_day = push(engine, second, signing(second_app, FIRST_DUE), FIRST_DUE)
    assert {r.reason for r in day_before} == {"under_contract"}
    assert [r.status for r in on_the_day] == ["applied"] * 2


def test_a_contract_the_dealership_cancelled_frees_the_car(engine):
    first_app, second, second_app = one_signed_one_waiting(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    [cancelled] = push(engine, staff, [make_op("application", first_app, {"status": "withdrawn"})])
    assert cancelled.status == "applied"
    assert [r.status for r in push(engine, second, signing(second_app))] == ["applied"] * 2


def test_a_paid_out_car_stays_held_after_its_first_repayment_date(engine):
    first_app, second, second_app = one_signed_one_waiting(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    [paid_out] = push(engine, staff, [make_op("application", first_app, {"status": "funded"})])
    assert paid_out.status == "applied"
    later = date(2027, 6, 1)
    assert {r.reason for r in push(engine, second, signing(second_app, later), later)} == {
        "under_contract"
    }


def test_a_contract_stored_before_its_signed_step_already_holds_the_car(engine):
    """A device's push may be cut between its contract and the application's step (a batch
    ends there): the car is held from the contract on."""
    first, second = make_actor(), make_actor()
    first_app, second_app = approved(engine, first), approved(engine, second)
    contract, step = signing(first_app)
    assert push(engine, first, [contract])[0].status == "applied"
    assert {r.reason for r in push(engine, second, signing(second_app))} == {"under_contract"}
    assert push(engine, first, [step])[0].status == "applied"


def test_two_walk_ins_signed_for_one_car_in_one_push_keep_the_first(engine):
    staff = make_actor("dealer_staff", DEALER_X)
    first_app, second_app = new_id(), new_id()
    ops = []
    for app_id in (first_app, second_app):
        ops.append(make_op("application", app_id, application(vehicle_id=CAR)))
        ops += [make_op("application", app_id, {"status": s})
                for s in ("prequalified", "submitted", "approved")]  # fmt: skip
    results = push(engine, staff, ops + signing(first_app) + signing(second_app))
    assert [r.status for r in results[-4:]] == ["applied", "applied", "rejected", "rejected"]


def test_a_signed_applications_car_does_not_change(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    push(engine, buyer, signing(app_id))
    [moved] = push(engine, buyer, [make_op("application", app_id, {"vehicle_id": OTHER_CAR})])
    assert (moved.status, moved.reason) == ("rejected", "immutable_field")


def test_the_migration_finds_the_cars_of_applications_stored_before_it(engine):
    _, second, second_app = one_signed_one_waiting(engine)
    with engine.begin() as conn:  # as a database from before the column was kept
        conn.execute(Record.__table__.update().values(car=None))
        db._records_car(conn)
    assert {r.reason for r in push(engine, second, signing(second_app))} == {"under_contract"}


def test_closing_an_account_forgets_the_cars_of_its_erased_applications(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    result = closure.close_account(
        engine, user_id=buyer.user_id, today=date(2027, 1, 1), now_ms=ms(date(2027, 1, 1))
    )
    assert isinstance(result, closure.Closed)
    with engine.connect() as conn:
        car = conn.execute(select(Record.car).where(Record.entity_id == app_id)).scalar_one()
    assert car is None


def close(engine, buyer, day: date):
    return closure.close_account(engine, user_id=buyer.user_id, today=day, now_ms=ms(day))


def test_a_contract_stored_before_its_signed_step_stops_closing_the_account(engine):
    """The car's mark would otherwise stay until the first repayment date, naming a loan
    that was erased."""
    buyer = make_actor()
    app_id = approved(engine, buyer)
    contract, _ = signing(app_id)
    push(engine, buyer, [contract])
    assert close(engine, buyer, SIGNED_ON) == closure.LoanOpen((app_id,))


def test_a_lapsed_contract_stops_closing_until_the_dealership_cancels_it(engine):
    """A payout the dealership confirmed offline before the first repayment date may still
    reach the server after it: erasing the application would lose a real loan."""
    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = approved(engine, buyer)
    push(engine, buyer, signing(app_id))
    assert close(engine, buyer, date(2027, 1, 15)) == closure.LoanOpen((app_id,))
    confirmed_offline = make_op(
        "application", app_id, {"status": "funded"}, created_ms=ms(date(2026, 12, 29))
    )
    [late] = push(engine, staff, [confirmed_offline], date(2027, 1, 15))
    assert late.status == "applied"


def test_a_contract_the_dealership_cancelled_no_longer_stops_closing_the_account(engine):
    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id = approved(engine, buyer)
    push(engine, buyer, signing(app_id))
    push(engine, staff, [make_op("application", app_id, {"status": "withdrawn"})], FIRST_DUE)
    assert close(engine, buyer, FIRST_DUE) == closure.Closed(erased=2, kept_loans=0)


def test_a_payout_that_reaches_the_server_after_another_signing_is_refused(engine):
    """The first contract lapsed, a second buyer signed the car, and then a payout of the
    first, confirmed offline before its date, arrives: the car is not paid out twice."""
    first_app, second, second_app = one_signed_one_waiting(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    assert {r.status for r in push(engine, second, signing(second_app, FIRST_DUE), FIRST_DUE)} == {
        "applied"
    }
    late = make_op(
        "application", first_app, {"status": "funded"}, created_ms=ms(date(2026, 12, 29))
    )
    [payout] = push(engine, staff, [late], FIRST_DUE)
    assert (payout.status, payout.reason) == ("rejected", "under_contract")
    assert status_on_server(engine, first_app) == "contracted"


def test_a_device_clock_set_ahead_does_not_make_another_contract_lapse(engine):
    _, second, second_app = one_signed_one_waiting(engine)
    months_ahead = date(2027, 3, 1)  # the phone's clock; the server's is still SIGNED_ON
    refused = push(engine, second, signing(second_app, months_ahead), SIGNED_ON)
    assert {r.reason for r in refused} == {"under_contract"}


def test_a_car_named_in_capitals_is_the_same_car(engine):
    first, second = make_actor(), make_actor()
    first_app, second_app = approved(engine, first), approved(engine, second, CAR.upper())
    push(engine, first, signing(first_app))
    assert {r.reason for r in push(engine, second, signing(second_app))} == {"under_contract"}


def test_a_car_does_not_change_once_a_contract_is_stored_before_the_signed_step(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    contract, _ = signing(app_id)
    push(engine, buyer, [contract])
    [moved] = push(engine, buyer, [make_op("application", app_id, {"vehicle_id": OTHER_CAR})])
    assert (moved.status, moved.reason) == ("rejected", "immutable_field")

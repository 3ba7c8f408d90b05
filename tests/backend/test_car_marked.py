"""A car another buyer has signed for leaves everyone's catalogue: the server marks the car's
catalogue record held (``backend.rules.car_marked``), and every device pulls it. Run against
SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from datetime import date

from backend import store
from tests.backend.factories import DEALER_X, make_actor, make_op
from tests.backend.test_car_financed_once import (
    CAR,
    FIRST_DUE,
    approved,
    cars_on_sale,  # noqa: F401  (the autouse fixture listing the cars)
    ms,
    one_signed_one_waiting,
    push,
    signing,
)


def car_as_pulled(engine, by=None) -> dict:
    """``CAR``'s catalogue record as another buyer's device pulls it."""
    changes = store.pull(engine, by or make_actor(), 0, 1000).changes
    [car] = [c for c in changes if (c.entity, c.entity_id) == ("vehicle", CAR)]
    return car.data


def held(data: dict) -> str | None:
    return data.get("held_until")


def test_a_car_is_listed_free_until_a_contract_is_signed_on_it(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    assert held(car_as_pulled(engine)) is None
    push(engine, buyer, signing(app_id))
    assert held(car_as_pulled(engine)) == FIRST_DUE.isoformat()


def test_a_contract_alone_marks_the_car_before_the_signed_step(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    contract, _ = signing(app_id)
    push(engine, buyer, [contract])
    assert held(car_as_pulled(engine)) == FIRST_DUE.isoformat()


def test_a_payout_marks_the_car_sold(engine):
    first_app, _, _ = one_signed_one_waiting(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    push(engine, staff, [make_op("application", first_app, {"status": "funded"})])
    assert held(car_as_pulled(engine)) == "sold"


def test_cancelling_the_contract_frees_the_car(engine):
    first_app, _, _ = one_signed_one_waiting(engine)
    staff = make_actor("dealer_staff", DEALER_X)
    push(engine, staff, [make_op("application", first_app, {"status": "withdrawn"})])
    assert held(car_as_pulled(engine)) is None


def test_a_lapsed_contract_cancelled_late_leaves_the_next_buyers_mark(engine):
    first_app, second, second_app = one_signed_one_waiting(engine)
    on_the_day = push(engine, second, signing(second_app, FIRST_DUE), FIRST_DUE)  # lapsed
    assert [r.status for r in on_the_day] == ["applied"] * 2
    staff = make_actor("dealer_staff", DEALER_X)
    cancel = make_op("application", first_app, {"status": "withdrawn"}, created_ms=ms(FIRST_DUE))
    push(engine, staff, [cancel], FIRST_DUE)
    assert held(car_as_pulled(engine)) == "2027-01-30"


def test_a_refused_second_contract_leaves_the_first_buyers_mark(engine):
    _, second, second_app = one_signed_one_waiting(engine)
    push(engine, second, signing(second_app, date(2026, 12, 1)), date(2026, 12, 1))
    assert held(car_as_pulled(engine)) == FIRST_DUE.isoformat()


def test_the_mark_names_neither_the_buyer_nor_their_application(engine):
    """Who signed stays private: devices pull a date; the holding application's id stays in
    the server's bookkeeping (``meta``, never pulled)."""
    buyer = make_actor()
    app_id = approved(engine, buyer)
    push(engine, buyer, signing(app_id))
    data = car_as_pulled(engine)
    assert set(data) == {"dealer_id", "held_until"} and app_id not in str(data)


def test_a_lapsed_contract_pushed_again_does_not_take_the_mark_back(engine):
    """A device re-sends the whole row of an application whose contract lapsed while
    another buyer signed: the car stays marked for the one who holds it."""
    first_app, second, second_app = one_signed_one_waiting(engine)
    push(engine, second, signing(second_app, FIRST_DUE), FIRST_DUE)
    later = date(2027, 1, 2)
    again = {"status": "contracted", "vehicle_id": CAR, "term_months": 48}
    resent = make_op("application", first_app, again, created_ms=ms(later))
    push(engine, make_actor("admin"), [resent], later)  # applied: it changes a field
    assert held(car_as_pulled(engine)) == "2027-01-30"


def test_declining_an_application_signed_before_its_step_frees_the_car(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    contract, _ = signing(app_id)
    push(engine, buyer, [contract])
    assert push(engine, buyer, [make_op("application", app_id, {"status": "declined"})])
    assert held(car_as_pulled(engine)) is None


def test_an_admins_edit_of_the_car_keeps_its_mark(engine):
    buyer = make_actor()
    app_id = approved(engine, buyer)
    push(engine, buyer, signing(app_id))
    edit = {"dealer_id": DEALER_X, "price_cents": 1, "held_until": None}  # cannot clear it
    [edited] = push(engine, make_actor("admin"), [make_op("vehicle", CAR, edit)])
    assert edited.status == "applied"
    assert car_as_pulled(engine) == {"dealer_id": DEALER_X, "price_cents": 1,
                                     "held_until": FIRST_DUE.isoformat()}  # fmt: skip
    staff = make_actor("dealer_staff", DEALER_X)  # and its application still frees it
    push(engine, staff, [make_op("application", app_id, {"status": "withdrawn"})])
    assert held(car_as_pulled(engine)) is None


def test_the_migration_marks_the_cars_held_before_it(engine):
    """A database from before the marks: the migration marks the car a signed application
    holds, as a change every device pulls, and names the holder so its withdrawal frees it."""
    import json

    from sqlalchemy import update

    from backend import db
    from backend.models import Record

    first_app, _, _ = one_signed_one_waiting(engine)
    records = Record.__table__
    with engine.begin() as conn:  # as the car's record was before this version
        conn.execute(update(records).where(records.c.entity == "vehicle")
                     .values(data=json.dumps({"dealer_id": DEALER_X}), meta="{}"))  # fmt: skip
    assert held(car_as_pulled(engine)) is None
    with engine.begin() as conn:
        db._marked_cars(conn, now_ms=ms(date(2026, 12, 1)))
    assert held(car_as_pulled(engine)) == FIRST_DUE.isoformat()
    staff = make_actor("dealer_staff", DEALER_X)
    push(engine, staff, [make_op("application", first_app, {"status": "withdrawn"})])
    assert held(car_as_pulled(engine)) is None

"""An application's car is one the server's catalogue lists, at the application's own
dealership (``backend.rules``): a device cannot apply for a car the catalogue never had, or
another dealership's. Run against SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

import pytest

from backend import store
from backend.demo import PUBLISHER
from tests.backend.factories import (
    DEALER_X,
    DEALER_Y,
    application,
    listed_cars,
    make_actor,
    make_op,
    make_user,
    new_id,
    server_app,
)

CAR, Y_CAR, DELISTED = new_id(), new_id(), new_id()


@pytest.fixture(autouse=True)
def catalogue(engine):
    listed_cars(engine, {CAR: DEALER_X, Y_CAR: DEALER_Y, DELISTED: DEALER_X})
    [gone] = store.push(engine, PUBLISHER, "server", [make_op("vehicle", DELISTED, op="delete")], 2)
    assert gone.status == "applied"


def push_one(engine, actor, op):
    [result] = store.push(engine, actor, "phone", [op], 1_000)
    return result


def test_a_buyer_applies_for_a_listed_car_at_its_dealership(engine):
    op = make_op("application", payload=application(vehicle_id=CAR))
    assert push_one(engine, make_actor(), op).status == "applied"


def test_a_car_the_catalogue_never_listed_is_refused_by_name(engine):
    result = push_one(
        engine, make_actor(), make_op("application", payload=application(vehicle_id=new_id()))
    )
    assert (result.status, result.reason) == ("rejected", "not_found")
    assert "vehicle_id" in result.message


def test_a_delisted_car_takes_no_new_application(engine):
    op = make_op("application", payload=application(vehicle_id=DELISTED))
    assert push_one(engine, make_actor(), op).reason == "not_found"


def test_another_dealerships_car_is_refused(engine):
    op = make_op("application", payload=application(dealer_id=DEALER_X, vehicle_id=Y_CAR))
    result = push_one(engine, make_actor(), op)
    assert (result.reason, "vehicle_id" in result.message) == ("invalid_payload", True)
    staff = make_actor("dealer_staff", DEALER_X)  # a walk-in takes the staff's dealership
    walk_in = make_op("application", payload={"status": "draft", "vehicle_id": Y_CAR})
    assert push_one(engine, staff, walk_in).reason == "invalid_payload"


def test_a_car_changed_before_signing_must_be_listed_too(engine):
    buyer, app_id = make_actor(), new_id()
    created = make_op("application", app_id, application(vehicle_id=CAR))
    assert push_one(engine, buyer, created).status == "applied"
    unlisted = push_one(engine, buyer, make_op("application", app_id, {"vehicle_id": new_id()}))
    assert unlisted.reason == "not_found"
    elsewhere = push_one(engine, buyer, make_op("application", app_id, {"vehicle_id": Y_CAR}))
    assert elsewhere.reason == "invalid_payload"


def test_a_car_named_in_capitals_is_the_listed_car(engine):
    op = make_op("application", payload=application(vehicle_id=CAR.upper()))
    assert push_one(engine, make_actor(), op).status == "applied"


def test_a_dealership_named_in_capitals_is_refused_by_name(engine):
    """Staff find their dealership's applications by its id: one in capitals would hide the
    application from them."""
    for actor in (make_actor(), make_actor("admin")):
        op = make_op("application", payload=application(dealer_id=DEALER_X.upper()))
        result = push_one(engine, actor, op)
        assert (result.reason, "dealer_id" in result.message) == ("invalid_payload", True)


def test_a_car_whose_dealership_is_named_in_capitals_is_refused_by_name(engine):
    car = {"dealer_id": DEALER_X.upper(), "make": "BYD"}
    [result] = store.push(engine, PUBLISHER, "server", [make_op("vehicle", new_id(), car)], 3)
    assert (result.reason, "dealer_id" in result.message) == ("invalid_payload", True)


def test_a_staff_account_for_a_dealership_named_in_capitals_is_refused(tmp_path):
    """Its walk-ins would all be refused, or hidden from its colleagues."""
    admin, _ = make_user(server_app(tmp_path), "admin")
    new_staff = {"username": "staff.upper", "password": "long-enough", "role": "dealer_staff"}
    refused = admin.post("/admin/users", json={**new_staff, "dealer_id": DEALER_X.upper()})
    assert refused.status_code == 422 and "dealer_id" in refused.text
    assert admin.post("/admin/users", json={**new_staff, "dealer_id": DEALER_X}).status_code == 201


def test_an_application_that_names_no_car_yet_is_taken(engine):
    op = make_op("application", payload=application())
    assert push_one(engine, make_actor(), op).status == "applied"


def test_the_catalogue_takes_only_lower_case_ids_the_cars_are_named_by(engine):
    upper = new_id().upper()
    [result] = store.push(engine, PUBLISHER, "server", [make_op("vehicle", upper, {})], 3)
    assert (result.status, result.reason) == ("rejected", "invalid_id")


def test_a_closed_application_says_it_is_closed_whatever_car_it_names(engine):
    buyer, app_id = make_actor(), new_id()
    ops = [make_op("application", app_id, application(vehicle_id=CAR)),
           make_op("application", app_id, {"status": "withdrawn"})]  # fmt: skip
    assert [r.status for r in store.push(engine, buyer, "phone", ops, 1_000)] == ["applied"] * 2
    moved = push_one(engine, buyer, make_op("application", app_id, {"vehicle_id": new_id()}))
    assert moved.reason == "application_closed"

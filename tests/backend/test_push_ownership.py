"""Through sync, no account writes records into another account's data, nor into
another dealership's view; tokens are checked on the sync routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.backend.factories import (
    DEALER_X,
    DEALER_Y,
    Clock,
    application,
    funded_application_over_http,
    make_user,
    new_id,
    payment,
    server_app,
)


@pytest.fixture(scope="module")
def clock():
    return Clock()


@pytest.fixture(scope="module")
def api(tmp_path_factory, clock):
    return server_app(tmp_path_factory.mktemp("push_ownership"), clock=clock)


def _op(entity, entity_id=None, payload=None, created_ms=1_000) -> dict:
    return {"op_id": new_id(), "entity": entity, "entity_id": entity_id or new_id(),
            "payload": payload or {}, "created_ms": created_ms}  # fmt: skip


def _push_one(client, op) -> dict:
    response = client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return result


def _pulled(client) -> set[tuple[str, str]]:
    return {(c["entity"], c["entity_id"]) for c in client.get("/sync/pull").json()["changes"]}


# --- staff name as buyer only the customers at their desk ----------------------------------


@pytest.mark.parametrize(
    ("entity", "body"),
    [
        pytest.param(
            "consent", {"purpose": "marketing", "text_version": "v1", "given_ms": 1}, id="consent"
        ),
        pytest.param("note", {"text": "call me"}, id="note"),
        pytest.param(
            "interaction", {"product_id": new_id(), "at_ms": 1, "kind": "fund"}, id="interaction"
        ),
        pytest.param("application", application(dealer_id=DEALER_Y), id="application"),
    ],
)
def test_dealer_staff_cannot_plant_a_record_in_a_strangers_account(api, entity, body):
    stranger, stranger_row = make_user(api)  # never dealt with dealership Y
    staff, _ = make_user(api, "dealer_staff", DEALER_Y)
    record_id = new_id()
    result = _push_one(staff, _op(entity, record_id, {**body, "buyer_id": stranger_row["id"]}))
    assert (entity, record_id) not in _pulled(stranger)
    assert result["status"] == "rejected"


def test_dealer_staff_cannot_plant_a_contract_and_payment_via_an_application_in_a_strangers_name(
    api,
):
    stranger, stranger_row = make_user(api)
    staff, _ = make_user(api, "dealer_staff", DEALER_Y)
    app_id = new_id()
    planted = {**application(dealer_id=DEALER_Y, status="prequalified"),
               "buyer_id": stranger_row["id"]}  # fmt: skip
    _push_one(staff, _op("application", app_id, planted))
    contract = {"application_id": app_id, "version": 1, "content_sha256": "b" * 64}
    _push_one(staff, _op("contract", None, contract))
    _push_one(staff, _op("payment", None, payment(app_id)))
    assert {entity for entity, _ in _pulled(stranger)} & {"contract", "payment"} == set()


# --- a loan's records are filed under the loan's dealership ----------------------------------


@pytest.mark.parametrize("entity", ["payment", "contract", "offer"])
def test_a_buyers_loan_record_cannot_be_filed_under_another_dealership(api, entity):
    buyer, _ = make_user(api)
    staff_x, _ = make_user(api, "dealer_staff", DEALER_X)
    staff_y, _ = make_user(api, "dealer_staff", DEALER_Y)
    if entity == "payment":  # a payment is taken on a loan paid out
        app_id = funded_application_over_http(buyer, staff_x)
    else:
        app_id = new_id()
        assert _push_one(buyer, _op("application", app_id, application()))["status"] == "applied"
    bodies = {
        "payment": payment(app_id),
        "contract": {"application_id": app_id, "version": 1, "content_sha256": "a" * 64},
        "offer": {"application_id": app_id, "product_id": new_id(), "principal_cents": 1},
    }
    record_id = new_id()
    result = _push_one(buyer, _op(entity, record_id, {**bodies[entity], "dealer_id": DEALER_Y}))
    assert result["status"] in ("applied", "rejected")
    assert staff_y.get(f"/records/{entity}/{record_id}").status_code == 404
    assert (entity, record_id) not in _pulled(staff_y)
    assert ("application", app_id) in _pulled(staff_x)


# --- what each role may write and read ------------------------------------------------------------


def test_dealer_staff_cannot_write_a_buyers_profile(api):
    _, stranger_row = make_user(api)
    staff, _ = make_user(api, "dealer_staff", DEALER_X)
    op = _op("profile", None, {"name": "x", "buyer_id": stranger_row["id"]})
    assert (_push_one(staff, op)["reason"]) == "forbidden"


@pytest.mark.parametrize("field", ["role", "dealer_id"])
def test_sign_up_cannot_choose_a_role_or_a_dealership(api, field):
    extra = {"role": "admin", "dealer_id": DEALER_X}
    body = {"username": f"u{new_id()[:8]}", "password": "password-123", field: extra[field]}
    response = TestClient(api).post("/auth/register", json=body)
    assert response.status_code == 422
    assert ("body." + field, "extra_forbidden") in {
        (f["field"], f["rule"]) for f in response.json()["fields"]
    }


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/sync/push"), ("GET", "/sync/pull")], ids=["push", "pull"]
)
def test_an_expired_or_revoked_token_is_refused_on_the_sync_routes(api, clock, method, path):
    expired, _ = make_user(api)
    revoked, _ = make_user(api)
    assert revoked.post("/auth/logout").status_code == 204
    clock.advance(12 * 3600 * 1000 + 1)
    try:
        body = {"json": {"device_id": "phone", "ops": []}} if method == "POST" else {}
        for client in (expired, revoked):
            response = client.request(method, path, **body)
            assert response.status_code == 401
            assert response.json()["code"] == "invalid_token"
    finally:
        clock.advance(-(12 * 3600 * 1000 + 1))

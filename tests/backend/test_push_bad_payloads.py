"""Bad input pushed through /sync/push (and the admin catalogue route) is refused by
name — never a 500, never stored."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.backend.factories import (
    DEALER_X,
    application,
    funded_application_over_http,
    make_user,
    new_id,
    payment,
    server_app,
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    return server_app(tmp_path_factory.mktemp("push_bad_payloads"))


def _signed_in(api, role="buyer", dealer_id=None) -> TestClient:
    """A signed-in client that answers a server error as a 500 instead of raising it."""
    client, _ = make_user(api, role, dealer_id)
    quiet = TestClient(api, raise_server_exceptions=False)
    quiet.headers["Authorization"] = client.headers["Authorization"]
    return quiet


def _op(entity, entity_id=None, payload=None, created_ms=1_000) -> dict:
    return {"op_id": new_id(), "entity": entity, "entity_id": entity_id or new_id(),
            "payload": payload or {}, "created_ms": created_ms}  # fmt: skip


def _push_one(client, op) -> tuple[int, dict | None]:
    """The HTTP status and, on a 200, the op's result."""
    response = client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    if response.status_code != 200:
        return response.status_code, None
    [result] = response.json()["results"]
    return 200, result


def _new_application(client, **extra) -> str:
    app_id = new_id()
    status, result = _push_one(client, _op("application", app_id, application(**extra)))
    assert (status, result["status"]) == (200, "applied"), result
    return app_id


# --- the cents of a payment ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(375.5, id="float"),
        pytest.param(375.0, id="integral-float"),
        pytest.param("37550", id="string"),
        pytest.param(True, id="bool"),
        pytest.param(-1, id="negative"),
        pytest.param(0, id="zero"),
        pytest.param(2**62, id="huge"),
        pytest.param(None, id="null"),
    ],
)
def test_a_payment_whose_amount_cents_is_not_a_positive_integer_is_rejected_by_name(api, amount):
    buyer = _signed_in(api)
    app_id = funded_application_over_http(buyer, _signed_in(api, "dealer_staff", DEALER_X))
    status, result = _push_one(buyer, _op("payment", None, payment(app_id, amount_cents=amount)))
    assert status == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")
    assert "payload.amount_cents" in result["message"]


# --- payload values of the wrong JSON type: refused by name, not a 500 ----------------------


@pytest.mark.parametrize("status", [["draft"], {"s": "draft"}], ids=["list", "object"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "update"])
def test_an_application_status_that_is_not_text_is_rejected_not_a_500(api, status, existing):
    buyer = _signed_in(api)
    app_id = _new_application(buyer) if existing else new_id()
    payload = {"status": status} if existing else {**application(), "status": status}
    code, result = _push_one(buyer, _op("application", app_id, payload))
    assert code == 200
    assert result["status"] == "rejected"


@pytest.mark.parametrize("entity", ["payment", "offer", "contract"])
@pytest.mark.parametrize("bad_id", [[], {"id": 1}], ids=["list", "object"])
def test_a_loan_record_whose_application_id_is_not_text_is_rejected_not_a_500(api, entity, bad_id):
    buyer = _signed_in(api)
    payload = {"application_id": bad_id, "product_id": new_id(), "amount_cents": 1,
               "paid_ms": 1, "version": 1, "content_sha256": "a" * 64}  # fmt: skip
    code, result = _push_one(buyer, _op(entity, None, payload))
    assert code == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")


@pytest.mark.parametrize("existing", [False, True], ids=["new", "update"])
def test_deeply_nested_review_flags_text_is_rejected_not_a_500(api, existing):
    buyer = _signed_in(api)
    review = "[" * 30_000 + "]" * 30_000  # 60 KB: under the payload limit
    app_id = _new_application(buyer) if existing else new_id()
    payload = {"review": review} if existing else {**application(), "review": review}
    code, result = _push_one(buyer, _op("application", app_id, payload))
    assert code == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")


# --- values that would leave a record broken ------------------------------------------------


def test_a_null_status_on_an_open_application_is_rejected(api):
    buyer = _signed_in(api)
    app_id = _new_application(buyer)
    code, result = _push_one(buyer, _op("application", app_id, {"status": None}))
    stored = buyer.get(f"/records/application/{app_id}").json()["data"]
    assert code == 200
    assert result["status"] == "rejected"
    assert stored["status"] == "draft"


def test_a_flagged_application_cannot_be_parked_outside_the_reviewers_reach(api):
    buyer, admin = _signed_in(api), _signed_in(api, "admin")
    app_id = _new_application(buyer, status="prequalified", review=["income_mismatch"])
    _push_one(buyer, _op("application", app_id, {"status": "submitted"}))
    _push_one(buyer, _op("application", app_id, {"status": None}))
    pending = {r["entity_id"] for r in admin.get("/admin/reviews").json()}
    if app_id in pending:  # listed for review: then the reviewer must be able to decide it
        decided = admin.post(f"/admin/reviews/{app_id}", json={"decision": "approved"})
        assert decided.status_code == 200, decided.text


@pytest.mark.parametrize("value", [12.5, "1250"], ids=["float", "string"])
@pytest.mark.parametrize(
    ("entity", "field"),
    [
        pytest.param("application", "cash_price_cents", id="application-cash_price"),
        pytest.param("application", "down_payment_cents", id="application-down_payment"),
        pytest.param("application", "trade_in_cents", id="application-trade_in"),
        pytest.param("offer", "total_of_payments_cents", id="offer-total_of_payments"),
    ],
)
def test_a_float_or_string_in_any_cents_field_of_a_push_is_rejected(api, entity, field, value):
    buyer = _signed_in(api)
    if entity == "application":
        payload = {**application(), field: value}
    else:
        payload = {"application_id": _new_application(buyer), "product_id": new_id(),
                   "principal_cents": 1_000, field: value}  # fmt: skip
    code, result = _push_one(buyer, _op(entity, None, payload))
    assert code == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")
    assert f"payload.{field}" in result["message"]


def test_a_float_price_cents_in_a_catalogue_put_is_refused_with_a_4xx(api):
    admin = _signed_in(api, "admin")
    response = admin.put(f"/catalogue/vehicles/{new_id()}", json={"price_cents": 1999.5})
    assert 400 <= response.status_code < 500
    assert "price_cents" in response.text


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_non_json_number_literal_in_a_push_is_refused(api, literal):
    buyer = _signed_in(api)
    op = _op("profile", None, {"name": "x"})
    raw = json.dumps({"device_id": "phone", "ops": [op]}).replace('"x"', literal)
    response = buyer.post(
        "/sync/push", content=raw.encode(), headers={"Content-Type": "application/json"}
    )
    applied = response.status_code == 200 and response.json()["results"][0]["status"] == "applied"
    assert not applied
    assert response.status_code < 500


def test_a_created_ms_given_as_text_is_refused_by_name(api):
    buyer = _signed_in(api)
    code = buyer.post(
        "/sync/push",
        json={"device_id": "phone", "ops": [_op("application", None, application(), "5")]},
    )
    assert code.status_code == 422
    assert any(f["field"].endswith("created_ms") for f in code.json()["fields"])


@pytest.mark.parametrize("role", ["buyer", "dealer_staff"])
@pytest.mark.parametrize("buyer_id", [[], {"id": 1}], ids=["list", "object"])
def test_a_buyer_id_that_is_not_text_is_refused_by_name_not_a_500(api, role, buyer_id):
    client = _signed_in(api, role, DEALER_X if role == "dealer_staff" else None)
    consent = {"purpose": "marketing", "text_version": "v1", "given_ms": 1, "buyer_id": buyer_id}
    code, result = _push_one(client, _op("consent", None, consent))
    assert code == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")
    assert "payload.buyer_id" in result["message"]


@pytest.mark.parametrize(
    "loan",
    [
        "terms",
        {"terms": {}, "servicing": {}, "lender": "x"},
        {"lender": "x", "terms": "[" * 20_000 + "]" * 20_000, "servicing": {}},
        "DEEP",
    ],
    ids=["text", "empty", "nested_text", "nested_objects"],
)
def test_a_contract_whose_loan_is_not_a_loans_terms_is_rejected_not_a_500(api, loan):
    buyer = _signed_in(api)
    app_id = _new_application(buyer)
    if loan == "DEEP":  # objects within objects
        loan = {}
        for _ in range(50):
            loan = {"terms": loan}
    payload = {"application_id": app_id, "version": 1, "content_sha256": "a" * 64,
               "loan": loan}  # fmt: skip
    code, result = _push_one(buyer, _op("contract", None, payload))
    assert code == 200
    assert (result["status"], result["reason"]) == ("rejected", "invalid_payload")
    assert "payload.loan" in result["message"]

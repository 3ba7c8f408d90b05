"""The lender's reviewer: the queue of applications referred to manual review, and the decision,
which reaches the buyer's device by sync."""

from __future__ import annotations

import pytest

from tests.backend.factories import DEALER_X, application, make_app, make_user, new_id

FLAGS = '["fraud.velocity_person"]'


@pytest.fixture
def api(engine, tmp_path):
    return make_app(engine, tmp_path)


def push(client, *ops) -> list[dict]:
    body = {"device_id": "phone", "ops": [
        {"op_id": new_id(), "entity": "application", "entity_id": entity_id, "payload": payload,
         "created_ms": 1_000}
        for entity_id, payload in ops
    ]}  # fmt: skip
    response = client.post("/sync/push", json=body)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def checked(buyer, review: str = FLAGS, *statuses: str) -> str:
    """A buyer's application, checked (with these flags) and moved along ``statuses``."""
    app_id = new_id()
    push(buyer, (app_id, application(review=review)), (app_id, {"status": "prequalified"}))
    for status in statuses:
        push(buyer, (app_id, {"status": status}))
    return app_id


def test_the_queue_lists_only_flagged_open_undecided_applications_oldest_first(api):
    buyer, _ = make_user(api)
    admin, _ = make_user(api, "admin")
    first = checked(buyer, FLAGS, "submitted")
    checked(buyer, "[]", "submitted", "approved")  # no flag: approved by its own rules
    second = checked(buyer)  # flagged at the check, no offer chosen yet
    withdrawn = checked(buyer, FLAGS, "withdrawn")
    decided = checked(buyer, FLAGS, "submitted")
    assert admin.post(f"/admin/reviews/{decided}", json={"decision": "declined"}).is_success
    queue = admin.get("/admin/reviews").json()
    assert [r["entity_id"] for r in queue] == [first, second]
    assert withdrawn not in {r["entity_id"] for r in queue}
    assert queue[0]["data"]["review"] == FLAGS
    assert [r["entity_id"] for r in admin.get("/admin/reviews?limit=1").json()] == [first]


def test_an_approval_reaches_the_buyers_device_and_lets_them_sign(api):
    buyer, _ = make_user(api)
    admin, _ = make_user(api, "admin")
    app_id = checked(buyer, FLAGS, "submitted")
    [refused] = push(buyer, (app_id, {"status": "contracted"}))  # not approved yet
    assert refused["status"] == "rejected"
    response = admin.post(f"/admin/reviews/{app_id}", json={"decision": "approved"})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["status"], data["review_decision"]) == ("approved", "approved")
    pulled = [c for c in buyer.get("/sync/pull").json()["changes"] if c["entity_id"] == app_id]
    assert pulled[-1]["data"]["review_decision"] == "approved"
    [signed] = push(buyer, (app_id, {"status": "contracted", "review_decision": "approved"}))
    assert signed["status"] == "applied"


def test_a_check_not_yet_submitted_is_reviewed_along_the_legal_path(api):
    buyer, _ = make_user(api)
    admin, _ = make_user(api, "admin")
    app_id = checked(buyer)
    response = admin.post(f"/admin/reviews/{app_id}", json={"decision": "declined"})
    assert response.json()["data"]["status"] == "declined"
    statuses = [
        c["data"]["status"]
        for c in admin.get("/sync/pull").json()["changes"]
        if c["entity_id"] == app_id
    ]
    assert statuses[-1] == "declined"


@pytest.mark.parametrize(
    ("setup", "decision", "code", "status"),
    [
        pytest.param("unflagged", "approved", "not_in_review", 409, id="nothing-to-review"),
        pytest.param("decided", "approved", "not_in_review", 409, id="decided-already"),
        pytest.param("unknown", "approved", "not_found", 404, id="unknown-application"),
        pytest.param("flagged", "maybe", None, 422, id="no-such-decision"),
    ],
)
def test_a_review_that_cannot_be_made_is_refused_by_name(api, setup, decision, code, status):
    buyer, _ = make_user(api)
    admin, _ = make_user(api, "admin")
    app_id = {
        "unflagged": lambda: checked(buyer, "[]", "submitted"),
        "decided": lambda: checked(buyer, FLAGS, "submitted"),
        "unknown": new_id,
        "flagged": lambda: checked(buyer),
    }[setup]()
    if setup == "decided":
        admin.post(f"/admin/reviews/{app_id}", json={"decision": "approved"})
    response = admin.post(f"/admin/reviews/{app_id}", json={"decision": decision})
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


def test_dealer_staff_cannot_decide_their_own_customers_review(api):
    buyer, _ = make_user(api)
    staff, _ = make_user(api, "dealer_staff", DEALER_X)
    app_id = checked(buyer, FLAGS, "submitted")
    assert staff.get("/admin/reviews").status_code == 403
    assert staff.post(f"/admin/reviews/{app_id}", json={"decision": "approved"}).status_code == 403

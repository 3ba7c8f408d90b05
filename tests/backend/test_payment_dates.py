"""A loan's payment events as the server takes them: none before the lender pays the loan
out (its application ``funded``), none dated before the loan starts (the day its contract was
signed: the server holds no other loan date), a reversal on or after the payment it reverses,
naming a payment of its own contract, reversing a payment (never a reversal) and each payment
once. What breaks a rule is rejected by name, and nothing of it is stored. Run against SQLite
and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend import db, rules, store
from tests.backend.factories import (
    DEALER_X,
    funded_application,
    funded_application_over_http,
    make_actor,
    make_app,
    make_op,
    make_user,
    new_id,
    paid_out_journey,
    payment,
    payout_op,
)

NOW = 1_800_000_000_000


def _ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


SIGNED_MS = _ms(2026, 11, 1, 9, 30)  # the contract's signing: the loan starts on 2026-11-01


def push(engine, actor, *ops):
    return store.push(engine, actor, "phone", list(ops), NOW)


def _contract(app_id: str, version: int = 1, signed_ms: int = SIGNED_MS) -> dict:
    """A contract's payload as a device sends it (``local_db.repositories.deals``)."""
    return {"application_id": app_id, "version": version, "content_sha256": "a" * 64,
            "signed_ms": signed_ms}  # fmt: skip


def _loan(engine, buyer) -> tuple[str, str]:
    """(application id, contract id) of a new loan of ``buyer``, signed and paid out."""
    app_id, contract_id = new_id(), new_id()
    signing = [make_op("contract", contract_id, _contract(app_id))]
    funded_application(engine, buyer, app_id=app_id, signing=signing)
    return app_id, contract_id


def _paid(app_id: str, contract_id: str | None, paid_ms: int, **extra) -> dict:
    """A payment's payload as a device sends it: its contract and day (UTC midnight)."""
    return payment(app_id, paid_ms=paid_ms, contract_id=contract_id, **extra)


def _reversal(app_id: str, contract_id: str | None, paid_ms: int, reverses: str) -> dict:
    return _paid(app_id, contract_id, paid_ms, amount_cents=0, event_kind="reversal",
                 reverses=reverses)  # fmt: skip


def _stored_payments(engine, buyer) -> set[str]:
    return {c.entity_id for c in store.pull(engine, buyer, 0, 1000).changes
            if c.entity == "payment"}  # fmt: skip


def _pay(engine, buyer, app_id, contract_id, paid_ms) -> str:
    pay_id = new_id()
    [result] = push(engine, buyer, make_op("payment", pay_id, _paid(app_id, contract_id, paid_ms)))
    assert result.status == "applied", result
    return pay_id


# --- no payment before the lender pays the loan out ---------------------------------------


def _signed(engine, buyer) -> tuple[str, str]:
    """(application id, contract id) of a loan ``buyer`` signed, not paid out yet."""
    app_id, contract_id = new_id(), new_id()
    steps, _ = paid_out_journey(app_id)
    results = push(engine, buyer, *steps, make_op("contract", contract_id, _contract(app_id)))
    assert all(r.status == "applied" for r in results), results
    return app_id, contract_id


def test_a_payment_before_the_payout_is_rejected_and_taken_once_staff_fund_the_loan(engine):
    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    app_id, contract_id = _signed(engine, buyer)
    pay_id, body = new_id(), _paid(app_id, contract_id, _ms(2026, 12, 1))
    [refused] = push(engine, buyer, make_op("payment", pay_id, body))
    assert (refused.status, refused.reason, refused.seq) == ("rejected", "not_paid_out", None)
    assert "payload.application_id" in refused.message and "funded" in refused.message
    assert _stored_payments(engine, buyer) == set()
    [funded] = push(engine, staff, payout_op(app_id))
    [applied] = push(engine, buyer, make_op("payment", pay_id, body))  # recorded again
    assert (funded.status, applied.status) == ("applied", "applied")
    assert _stored_payments(engine, buyer) == {pay_id}


def test_staff_fund_a_loan_and_take_its_payment_in_one_push_in_that_order_only(engine):
    """Each op of a push is decided with the earlier ones applied: the payout, then the
    payment, is taken; the payment before the payout is refused (and the payout still taken)."""
    buyer, desk = make_actor(), make_actor("dealer_staff", DEALER_X)
    first, first_contract = _signed(engine, buyer)
    second, second_contract = _signed(engine, buyer)
    paid = make_op("payment", new_id(), _paid(first, first_contract, _ms(2026, 12, 1)))
    early = make_op("payment", new_id(), _paid(second, second_contract, _ms(2026, 12, 1)))
    in_order = push(engine, desk, payout_op(first), paid)
    reversed_order = push(engine, desk, early, payout_op(second))
    assert [(r.status, r.reason) for r in in_order] == [("applied", None)] * 2
    assert [(r.status, r.reason) for r in reversed_order] == [
        ("rejected", "not_paid_out"), ("applied", None)
    ]  # fmt: skip
    assert _stored_payments(engine, buyer) == {paid.entity_id}


def test_a_payment_taken_before_the_rule_is_still_reversed_while_new_ones_wait(engine, monkeypatch):
    """A server from before took payments on loans not paid out: a reversal undoes one (a
    reversal is no payment: the rule leaves it be), a new payment is refused."""
    buyer = make_actor()
    app_id, contract_id = _signed(engine, buyer)
    with monkeypatch.context() as server_from_before:
        server_from_before.setattr(rules, "_paid_out", lambda application: None)
        paid = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1))
    reversal = new_id()
    body = _reversal(app_id, contract_id, _ms(2026, 12, 2), paid)
    [undone] = push(engine, buyer, make_op("payment", reversal, body))
    later = _paid(app_id, contract_id, _ms(2026, 12, 3))
    [again] = push(engine, buyer, make_op("payment", new_id(), later))
    assert (undone.status, undone.reason) == ("applied", None)
    assert (again.status, again.reason) == ("rejected", "not_paid_out")
    assert _stored_payments(engine, buyer) == {paid, reversal}


@pytest.mark.parametrize("one_push", [False, True], ids=["contract-pushed-before", "same-push"])
def test_a_payment_dated_before_the_day_its_contract_was_signed_is_rejected(engine, one_push):
    buyer = make_actor()
    app_id, contract_id = funded_application(engine, buyer), new_id()
    contract = make_op("contract", contract_id, _contract(app_id))
    early, on_the_day = new_id(), new_id()
    ops = [
        make_op("payment", early, _paid(app_id, contract_id, _ms(2026, 10, 31))),
        make_op("payment", on_the_day, _paid(app_id, contract_id, _ms(2026, 11, 1))),
    ]
    if one_push:
        _, refused, applied = push(engine, buyer, contract, *ops)
    else:
        push(engine, buyer, contract)
        refused, applied = push(engine, buyer, *ops)
    assert (refused.status, refused.reason) == ("rejected", "payment_before_loan")
    assert "payload.paid_ms (2026-10-31)" in refused.message
    assert "before the loan starts" in refused.message and "2026-11-01" in refused.message
    assert refused.seq is None
    assert applied.status == "applied"  # the signing day itself, before the hour it was signed
    assert _stored_payments(engine, buyer) == {on_the_day}


def test_a_reversal_dated_before_the_payment_it_reverses_is_rejected(engine):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1))
    early = new_id()
    [refused] = push(
        engine, buyer, make_op("payment", early, _reversal(app_id, contract_id,
                                                           _ms(2026, 11, 30), paid))
    )  # fmt: skip
    assert (refused.status, refused.reason) == ("rejected", "reversal_before_payment")
    assert "payload.paid_ms (2026-11-30)" in refused.message
    assert "payload.reverses" in refused.message and "2026-12-01" in refused.message
    assert _stored_payments(engine, buyer) == {paid}
    # nothing of the refused one stayed behind: the payment can still be reversed, on its day
    [same_day] = push(
        engine, buyer, make_op("payment", new_id(), _reversal(app_id, contract_id,
                                                              _ms(2026, 12, 1), paid))
    )  # fmt: skip
    assert same_day.status == "applied"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("unknown", id="no-such-payment"),
        pytest.param("other-loan", id="another-loans-payment"),
        pytest.param("other-version", id="payment-of-another-contract-of-the-application"),
        pytest.param("itself", id="names-itself"),
        pytest.param("not-a-uuid", id="not-a-uuid"),
    ],
)
def test_a_reversal_naming_no_payment_of_its_contract_is_rejected(engine, target):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    reversal_id = new_id()
    if target == "other-loan":
        other_app, other_contract = _loan(engine, buyer)
        reverses = _pay(engine, buyer, other_app, other_contract, _ms(2026, 12, 1))
    elif target == "other-version":
        v2 = new_id()
        body = {**_contract(app_id, 2), "supersedes": contract_id}
        [ok] = push(engine, buyer, make_op("contract", v2, body))
        assert ok.status == "applied"
        reverses = _pay(engine, buyer, app_id, v2, _ms(2026, 12, 1))
    else:
        reverses = {"unknown": new_id(), "itself": reversal_id, "not-a-uuid": "pay-1"}[target]
    before = _stored_payments(engine, buyer)
    body = _reversal(app_id, contract_id, _ms(2026, 12, 2), reverses)
    [result] = push(engine, buyer, make_op("payment", reversal_id, body))
    assert (result.status, result.reason) == ("rejected", "not_found")
    assert "payload.reverses" in result.message
    assert _stored_payments(engine, buyer) == before


@pytest.mark.parametrize("target", ["unknown", "other-loan"])
def test_a_payment_naming_no_contract_of_its_application_is_rejected(engine, target):
    buyer = make_actor()
    app_id, _ = _loan(engine, buyer)
    contract_id = _loan(engine, buyer)[1] if target == "other-loan" else new_id()
    body = _paid(app_id, contract_id, _ms(2026, 12, 1))
    [result] = push(engine, buyer, make_op("payment", new_id(), body))
    assert (result.status, result.reason) == ("rejected", "not_found")
    assert "payload.contract_id" in result.message
    assert _stored_payments(engine, buyer) == set()


def test_a_payment_is_reversed_at_most_once(engine):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1))
    first_id, second_id = new_id(), new_id()
    first = _reversal(app_id, contract_id, _ms(2026, 12, 3), paid)
    [applied] = push(engine, buyer, make_op("payment", first_id, first))
    [again] = push(engine, buyer, make_op("payment", first_id, first))  # a new op id, same event
    second = _reversal(app_id, contract_id, _ms(2026, 12, 5), paid)
    [refused] = push(engine, buyer, make_op("payment", second_id, second))
    assert applied.status == "applied"
    assert (again.status, again.seq) == ("applied", None)  # delivered again: changes nothing
    assert (refused.status, refused.reason) == ("rejected", "already_reversed")
    assert "payload.reverses" in refused.message
    assert _stored_payments(engine, buyer) == {paid, first_id}


def test_two_reversals_of_one_payment_in_one_push_apply_the_first_only(engine):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid, first, second = new_id(), new_id(), new_id()
    results = push(
        engine,
        buyer,
        make_op("payment", paid, _paid(app_id, contract_id, _ms(2026, 12, 1))),
        make_op("payment", first, _reversal(app_id, contract_id, _ms(2026, 12, 2), paid)),
        make_op("payment", second, _reversal(app_id, contract_id, _ms(2026, 12, 2), paid)),
    )
    assert [(r.status, r.reason) for r in results] == [
        ("applied", None), ("applied", None), ("rejected", "already_reversed")
    ]  # fmt: skip
    later = _reversal(app_id, contract_id, _ms(2026, 12, 9), paid)
    [refused] = push(engine, buyer, make_op("payment", new_id(), later))  # the mark was stored
    assert refused.reason == "already_reversed"


def test_a_reversal_of_a_reversal_is_rejected(engine):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid, reversal = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1)), new_id()
    body = _reversal(app_id, contract_id, _ms(2026, 12, 2), paid)
    push(engine, buyer, make_op("payment", reversal, body))
    undo = _reversal(app_id, contract_id, _ms(2026, 12, 3), reversal)
    [result] = push(engine, buyer, make_op("payment", new_id(), undo))
    assert (result.status, result.reason) == ("rejected", "reversal_of_reversal")
    assert "payload.reverses" in result.message
    assert _stored_payments(engine, buyer) == {paid, reversal}


def test_a_plain_payment_naming_a_payment_to_reverse_is_rejected(engine):
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1))
    body = _paid(app_id, contract_id, _ms(2026, 12, 2), reverses=paid)  # no event_kind
    [result] = push(engine, buyer, make_op("payment", new_id(), body))
    assert (result.status, result.reason) == ("rejected", "invalid_payload")
    assert "payload.reverses" in result.message
    assert _stored_payments(engine, buyer) == {paid}
    plain = _paid(app_id, contract_id, _ms(2026, 12, 2), reverses=None)  # as devices send it
    [result] = push(engine, buyer, make_op("payment", new_id(), plain))
    assert result.status == "applied", result


def test_reversals_stored_before_the_rule_count_once_the_server_migrates(engine):
    """A server from before marked no reversed payment: migrating marks them, so a second
    reversal of a payment reversed back then is refused too."""
    buyer = make_actor()
    app_id, contract_id = _loan(engine, buyer)
    paid = _pay(engine, buyer, app_id, contract_id, _ms(2026, 12, 1))
    body = _reversal(app_id, contract_id, _ms(2026, 12, 2), paid)
    push(engine, buyer, make_op("payment", new_id(), body))
    step = next(
        n for n, f in enumerate(db.MIGRATIONS, 1) if f.__name__.endswith("reversed_payments")
    )
    with engine.begin() as conn:  # as the server from before left them
        conn.execute(text("UPDATE records SET meta = '{}' WHERE entity = 'payment'"))
        conn.execute(text("DELETE FROM schema_version WHERE version >= :n"), {"n": step})
    db.migrate(engine)
    [result] = push(engine, buyer, make_op("payment", new_id(), {**body, "paid_ms": NOW}))
    assert (result.status, result.reason) == ("rejected", "already_reversed")


@pytest.fixture
def api(engine, tmp_path):
    return make_app(engine, tmp_path)


@pytest.fixture
def client(api) -> TestClient:
    """A signed-in buyer's client that answers a server error as a 500 instead of raising it."""
    signed_in, _ = make_user(api)
    quiet = TestClient(api, raise_server_exceptions=False)
    quiet.headers["Authorization"] = signed_in.headers["Authorization"]
    return quiet


@pytest.fixture
def paid_out(api, client) -> str:
    """The id of a loan of ``client`` 's buyer, signed and paid out by its dealership's staff."""
    staff, _ = make_user(api, "dealer_staff", DEALER_X)
    return funded_application_over_http(client, staff)


def _push_one(client: TestClient, entity: str, entity_id: str, payload: dict) -> dict:
    op = {"op_id": new_id(), "entity": entity, "entity_id": entity_id, "payload": payload,
          "created_ms": 1_000}  # fmt: skip
    response = client.post("/sync/push", json={"device_id": "phone", "ops": [op]})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return result


@pytest.mark.parametrize(
    ("contract_id", "reason"),
    [
        pytest.param([], "invalid_payload", id="list"),
        pytest.param({"id": 1}, "invalid_payload", id="object"),
        pytest.param("contract-1", "invalid_payload", id="not-a-uuid"),
        pytest.param("\u0000" * 36, "invalid_payload", id="nul-characters"),
    ],
)
def test_a_contract_id_that_names_no_record_is_rejected_by_name_over_http(
    client, paid_out, contract_id, reason
):
    app_id = paid_out
    result = _push_one(client, "payment", new_id(), _paid(app_id, contract_id, _ms(2026, 12, 1)))
    assert (result["status"], result["reason"]) == ("rejected", reason)
    assert "payload.contract_id" in result["message"]


def test_a_contract_signed_past_the_calendar_refuses_payments_by_name_over_http(client, paid_out):
    app_id, contract_id = paid_out, new_id()
    far = _push_one(client, "contract", contract_id, _contract(app_id, signed_ms=2**62 - 1))
    text_ = _push_one(client, "contract", new_id(), {**_contract(app_id), "signed_ms": "today"})
    result = _push_one(client, "payment", new_id(), _paid(app_id, contract_id, _ms(2026, 12, 1)))
    assert far["status"] == "applied"
    assert (text_["status"], text_["reason"]) == ("rejected", "invalid_payload")
    assert "payload.signed_ms" in text_["message"]
    assert (result["status"], result["reason"]) == ("rejected", "payment_before_loan")
    assert "payload.paid_ms" in result["message"]

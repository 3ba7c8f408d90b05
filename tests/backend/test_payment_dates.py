"""A loan's payment events as the server takes them: none dated before the loan starts (the
day its contract was signed: the server holds no other loan date), a reversal on or after the
payment it reverses, naming a payment of its own contract, reversing a payment (never a
reversal) and each payment once. What breaks a rule is rejected by name, and nothing of it is
stored. Run against SQLite and PostgreSQL (the ``engine`` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from backend import db, store
from tests.backend.factories import (
    application,
    make_actor,
    make_app,
    make_op,
    make_user,
    new_id,
    payment,
)

NOW = 1_800_000_000_000


def _ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp() * 1000)


SIGNED_MS = _ms(2026, 11, 1, 9, 30)  # the contract's signing: the loan starts on 2026-11-01


def push(engine, actor, *ops):
    return store.push(engine, actor, "phone", list(ops), NOW)


def _application(engine, buyer) -> str:
    app_id = new_id()
    [result] = push(engine, buyer, make_op("application", app_id, application()))
    assert result.status == "applied", result
    return app_id


def _contract(app_id: str, version: int = 1, signed_ms: int = SIGNED_MS) -> dict:
    """A contract's payload as a device sends it (``local_db.repositories.deals``)."""
    return {"application_id": app_id, "version": version, "content_sha256": "a" * 64,
            "signed_ms": signed_ms}  # fmt: skip


def _loan(engine, buyer) -> tuple[str, str]:
    """(application id, contract id) of a new signed loan of ``buyer``."""
    app_id, contract_id = _application(engine, buyer), new_id()
    [result] = push(engine, buyer, make_op("contract", contract_id, _contract(app_id)))
    assert result.status == "applied", result
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


@pytest.mark.parametrize("one_push", [False, True], ids=["contract-pushed-before", "same-push"])
def test_a_payment_dated_before_the_day_its_contract_was_signed_is_rejected(engine, one_push):
    buyer = make_actor()
    app_id, contract_id = _application(engine, buyer), new_id()
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
def client(engine, tmp_path) -> TestClient:
    """A signed-in buyer's client that answers a server error as a 500 instead of raising it."""
    api = make_app(engine, tmp_path)
    signed_in, _ = make_user(api)
    quiet = TestClient(api, raise_server_exceptions=False)
    quiet.headers["Authorization"] = signed_in.headers["Authorization"]
    return quiet


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
    client, contract_id, reason
):
    app_id = new_id()
    assert _push_one(client, "application", app_id, application())["status"] == "applied"
    result = _push_one(client, "payment", new_id(), _paid(app_id, contract_id, _ms(2026, 12, 1)))
    assert (result["status"], result["reason"]) == ("rejected", reason)
    assert "payload.contract_id" in result["message"]


def test_a_contract_signed_past_the_calendar_refuses_payments_by_name_over_http(client):
    app_id, contract_id = new_id(), new_id()
    assert _push_one(client, "application", app_id, application())["status"] == "applied"
    far = _push_one(client, "contract", contract_id, _contract(app_id, signed_ms=2**62 - 1))
    text_ = _push_one(client, "contract", new_id(), {**_contract(app_id), "signed_ms": "today"})
    result = _push_one(client, "payment", new_id(), _paid(app_id, contract_id, _ms(2026, 12, 1)))
    assert far["status"] == "applied"
    assert (text_["status"], text_["reason"]) == ("rejected", "invalid_payload")
    assert "payload.signed_ms" in text_["message"]
    assert (result["status"], result["reason"]) == ("rejected", "payment_before_loan")
    assert "payload.paid_ms" in result["message"]

"""Closing a buyer's account (``backend.closure``, ``POST /account/close``): erased where the
law allows, kept where it requires, refused while a loan is in progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from backend import closure, store
from backend.models import ChangeRow
from sync.contract_loan import to_wire
from tests.backend.factories import (
    DEALER_X,
    application,
    funded_application,
    make_actor,
    make_op,
    make_user,
    new_id,
    server_app,
)
from tests.factories import SIGNED_LOAN

NOW = 1_800_000_000_000
TODAY = date(2027, 3, 1)


def push(engine, actor, *ops):
    results = store.push(engine, actor, "phone", list(ops), NOW)
    assert all(r.status == "applied" for r in results), results
    return results


def live(engine, actor) -> dict[tuple[str, str], object]:
    return {
        (c.entity, c.entity_id): c
        for c in store.pull(engine, actor, 0, 1000).changes
        if not c.deleted
    }


def ms(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp() * 1000)


def a_buyers_records(engine, buyer) -> dict[str, str]:
    """A profile, an interaction, a consent and a draft application: what any buyer leaves."""
    ids = {name: new_id() for name in ("profile", "interaction", "consent", "application")}
    push(
        engine,
        buyer,
        make_op("profile", ids["profile"], {"display_name": "李伟", "city": "上海"}),
        make_op("interaction", ids["interaction"],
                {"product_id": new_id(), "kind": "view", "at_ms": 1_000}),
        make_op("consent", ids["consent"],
                {"purpose": "soft_credit_check", "text_version": "1", "given_ms": 1_000}),
        make_op("application", ids["application"], application()),
    )  # fmt: skip
    return ids


def a_loan(engine, buyer, *, repaid: bool) -> str:
    """A paid-out loan (SIGNED_LOAN's terms); ``repaid``: paid off in one payment."""
    from domain.loans import quote
    from domain.repayment_plan import plan_from_quote
    from domain.repayments import payoff_quote

    app_id, contract_id = new_id(), new_id()
    body = {"application_id": app_id, "version": 1, "content_sha256": "a" * 64,
            "loan": to_wire(SIGNED_LOAN)}  # fmt: skip
    funded_application(
        engine, buyer, app_id=app_id, signing=[make_op("contract", contract_id, body)]
    )
    if repaid:
        day = date(2027, 1, 15)
        plan = plan_from_quote(quote(SIGNED_LOAN.terms))
        amount = payoff_quote(plan, [], day, SIGNED_LOAN.servicing).amount
        paid = {"application_id": app_id, "contract_id": contract_id, "paid_ms": ms(day),
                "amount_cents": int(amount * 100)}  # fmt: skip
        push(engine, buyer, make_op("payment", new_id(), paid))
    return app_id


def close(engine, buyer):
    return closure.close_account(engine, user_id=buyer.user_id, today=TODAY, now_ms=NOW)


def test_closing_erases_what_a_buyer_left_from_the_records_and_the_history(engine):
    buyer, staff = make_actor(), make_actor("dealer_staff", DEALER_X)
    ids = a_buyers_records(engine, buyer)
    assert ("application", ids["application"]) in live(engine, staff)

    outcome = close(engine, buyer)

    assert outcome == closure.Closed(erased=4, kept_loans=0)
    assert not live(engine, buyer) and not live(engine, staff)
    # the dealership's tablets pull a tombstone and drop the application
    [gone] = [c for c in store.pull(engine, staff, 0, 1000).changes if c.entity == "application"]
    assert gone.deleted and gone.data is None
    with engine.connect() as conn:
        history = conn.execute(select(ChangeRow.__table__.c.data)).scalars().all()
    assert history and all(data is None for data in history)  # not only the current rows


def test_a_repaid_loan_is_kept_whole_with_the_consents_and_the_rest_erased(engine):
    buyer = make_actor()
    ids = a_buyers_records(engine, buyer)
    loan = a_loan(engine, buyer, repaid=True)
    kept_before = {
        key for key, c in live(engine, buyer).items()
        if key == ("application", loan) or (c.data or {}).get("application_id") == loan
    }  # fmt: skip

    outcome = close(engine, buyer)

    assert outcome.kept_loans == 1
    left = set(live(engine, make_actor("admin")))
    assert kept_before | {("consent", ids["consent"])} <= left
    for name in ("profile", "interaction", "application"):
        assert (name, ids[name]) not in left


def test_a_loan_not_yet_repaid_stops_the_closing_and_nothing_changes(engine):
    buyer = make_actor()
    a_buyers_records(engine, buyer)
    loan = a_loan(engine, buyer, repaid=False)
    before = live(engine, buyer)

    assert close(engine, buyer) == closure.LoanOpen((loan,))
    assert live(engine, buyer).keys() == before.keys()


def test_a_signed_loan_waiting_for_its_payout_stops_the_closing(engine):
    buyer = make_actor()
    app_id = new_id()
    push(engine, buyer, make_op("application", app_id, application()))
    for status in ("prequalified", "submitted", "approved", "contracted"):
        push(engine, buyer, make_op("application", app_id, {"status": status}))
    assert close(engine, buyer) == closure.LoanOpen((app_id,))


def test_another_buyers_records_are_untouched(engine):
    buyer, other = make_actor(), make_actor()
    a_buyers_records(engine, buyer)
    theirs = a_buyers_records(engine, other)
    close(engine, buyer)
    assert set(live(engine, other)) == {(name, i) for name, i in theirs.items()}


# --- over HTTP ------------------------------------------------------------------------------


def test_the_closed_account_cannot_sign_in_and_its_username_is_free_again(tmp_path):
    app = server_app(tmp_path)
    client, row = make_user(app, password="password-123")
    response = client.post("/account/close", json={"password": "password-123"})
    assert response.status_code == 200, response.text
    assert response.json() == {"erased": 0, "kept_loans": 0}
    refused = client.get("/sync/pull")  # every token revoked, its devices told why
    assert refused.status_code == 401 and refused.json()["code"] == "account_closed"
    signin = {"username": row["username"], "password": "password-123"}
    assert client.post("/auth/token", data=signin).status_code == 401
    again = client.post("/auth/register", json=dict(signin))
    assert again.status_code == 201 and again.json()["id"] != row["id"]


def test_closing_asks_for_the_password_again_and_counts_wrong_ones(tmp_path):
    app = server_app(tmp_path)
    client, _ = make_user(app, password="password-123")
    for _ in range(4):
        wrong = client.post("/account/close", json={"password": "not-it-at-all"})
        assert wrong.status_code == 403 and wrong.json()["code"] == "bad_credentials"
    locked = client.post("/account/close", json={"password": "not-it-at-all"})
    assert locked.status_code == 429 and locked.headers["Retry-After"]
    assert client.get("/auth/me").status_code == 200  # still open


def test_staff_accounts_are_not_closed_from_the_app(tmp_path):
    app = server_app(tmp_path)
    client, _ = make_user(app, "dealer_staff", DEALER_X, password="password-123")
    response = client.post("/account/close", json={"password": "password-123"})
    assert response.status_code == 403 and response.json()["code"] == "not_a_buyer"


def test_a_loan_in_progress_is_a_409_naming_it(tmp_path):
    from backend.rules import Actor

    app = server_app(tmp_path)
    client, row = make_user(app, password="password-123")
    buyer = Actor(row["id"], "buyer")
    loan = a_loan(app.state.backend.engine, buyer, repaid=False)
    response = client.post("/account/close", json={"password": "password-123"})
    assert response.status_code == 409
    assert response.json()["code"] == "loan_open" and loan in response.text


def test_closing_needs_a_signed_in_buyer(tmp_path):
    from fastapi.testclient import TestClient

    app = server_app(tmp_path)
    response = TestClient(app).post("/account/close", json={"password": "password-123"})
    assert response.status_code == 401

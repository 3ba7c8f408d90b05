"""A payment reversed by the lender (a reversal event arriving by sync, as a bounced transfer
does) undoes that payment on the loan screen: the instalment is unpaid again, and the payment
is listed as reversed rather than counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.repayments import EventKind, PaymentEvent
from local_db.repositories import repayments as repayments_repo
from tests.ui.test_contract import at_contract
from tests.ui.test_journey import sign, sign_and_pay_out

pytestmark = pytest.mark.asyncio


async def paid_once(world):
    h, _ = await at_contract(world)
    cid = await sign_and_pay_out(h)
    await h.click("pay-record")  # the first instalment, prefilled
    await h.wait_until(lambda: h.has("loan-notice"))
    (paid,) = world.services.loan(world.buyer_id, cid).payments
    return h, cid, paid


def receive_reversal(world, cid: str, paid, *, days_later: int = 2) -> str:
    """The reversal as a pull writes it: a payments row naming the reversed one."""
    with world.services.session() as s:
        repayments_repo.record_payment_event(
            s, contract_id=cid, enqueue=False,
            event=PaymentEvent("rev-1", paid.paid_on + timedelta(days=days_later),
                               kind=EventKind.REVERSAL, reverses=paid.id),
        )  # fmt: skip
        s.commit()
    world.services._today = paid.paid_on + timedelta(days=days_later)  # the day it arrives
    return "rev-1"


async def test_a_reversed_payment_no_longer_counts_as_paid(world):
    h, cid, paid = await paid_once(world)
    n = len(world.services.loan(world.buyer_id, cid).quote.schedule)
    assert f"1/{n}" in h.text()
    receive_reversal(world, cid, paid)
    await h.route("/loans")
    await h.route(f"/loans/{cid}")
    loan = world.services.loan(world.buyer_id, cid)
    assert loan.paid_count == 0
    assert f"0/{n}" in h.text() and f"1/{n}" not in h.text()


async def test_a_reversed_payment_is_listed_as_reversed_and_the_reversal_not_as_a_payment(world):
    h, cid, paid = await paid_once(world)
    receive_reversal(world, cid, paid, days_later=2)
    await h.route("/loans")
    await h.route(f"/loans/{cid}")
    assert not h.has("payment-rev-1")  # not a ¥0.00 "payment"
    row = h.texts(h.find(f"payment-{paid.id}"))
    when = f"{(paid.paid_on + timedelta(days=2)):%Y年%-m月%-d日}"
    assert any("已冲正" in t and when in t for t in row), row


async def test_a_synced_payment_dated_before_the_loan_still_shows_the_loans(world):
    """A lender's record dated the day before the loan (a time zone away) is taken on the
    loan date: My loans and the loan's page still open."""
    from decimal import Decimal

    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    loan_date = world.services.loan(world.buyer_id, cid).quote.terms.loan_date
    with world.services.session() as s:
        repayments_repo.record_payment_event(
            s, contract_id=cid, enqueue=False,
            event=PaymentEvent("early-1", loan_date - timedelta(days=1), Decimal("100.00")),
        )  # fmt: skip
        s.commit()
    await h.route("/loans")
    assert h.has(f"loan-{cid}")
    await h.route(f"/loans/{cid}")
    assert h.has("payment-early-1") and h.has("loan-status")

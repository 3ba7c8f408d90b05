"""The whole buyer journey, headless: catalogue -> car -> prequal -> offer -> contract signed
-> payment recorded; and the loans screens' empty state."""

from __future__ import annotations

import pytest

from tests.ui.conftest import signed_in
from tests.ui.test_contract import at_contract, draw

pytestmark = pytest.mark.asyncio


async def sign(h) -> None:
    await h.click("contract-open-pdf")
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)


async def test_buyer_journey_from_catalogue_to_a_recorded_payment(world):
    h, _ = await at_contract(world)
    await sign(h)
    await h.click("contract-to-loans")
    assert h.top.route == "/loans"
    assert len(h.find_all("loan-")) == 1
    cid = h.state.contract.record.id
    await h.route(f"/loans/{cid}")
    assert h.find("loan-status").value == "按时还款"
    first = h.state.prequal_result.offer(h.state.prequal_result.cheapest_id).quote.payment
    assert h.find("pay-amount").value == f"{first:.2f}"
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"))
    assert h.find("loan-notice").value == "已记录还款"
    loan = world.services.loan(world.buyer_id, cid)
    assert [p.amount for p in loan.payments] == [first]
    (paid,) = loan.payments  # listed under the payments made
    assert h.texts(h.find(f"payment-{paid.id}"))[1:] == ["按期还款", f"¥{first:,.2f}"]
    n = len(loan.quote.schedule)  # paid ahead of its due date, it counts as paid
    assert f"1/{n}" in h.text() and f"0/{n}" not in h.text()


async def test_a_bad_payment_amount_is_refused_with_the_reason(world):
    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    await h.route(f"/loans/{cid}")
    await h.type_text("pay-amount", "12.345")
    await h.click("pay-record")
    await h.wait_until(lambda: h.find("pay-amount").error is not None)
    field = h.find("pay-amount")  # the reason next to the amount, which is kept
    assert (field.error, field.value) == ("最多只能有两位小数", "12.345")
    assert not h.has("loan-notice")


async def test_no_loans_says_what_to_do(world):
    h = await signed_in(world)
    await h.route("/loans")
    assert "还没有贷款" in h.find("loans-empty-text").value


async def test_an_overdue_loan_says_how_much_how_late_and_the_fees(world):
    from datetime import timedelta

    h, _ = await at_contract(world)
    await sign(h)
    cid = h.state.contract.record.id
    first_due = world.services.loan(world.buyer_id, cid).quote.schedule[0].date
    world.services._today = first_due + timedelta(days=20)  # the first instalment unpaid
    await h.route(f"/loans/{cid}")
    status = world.services.loan(world.buyer_id, cid).status
    assert status.past_due_amount > 0 and status.days_past_due == 20
    said = h.find("loan-past-due").value
    assert said.startswith("已逾期 ¥") and "逾期 20 天" in said
    assert not h.has("loan-payments")  # nothing paid yet

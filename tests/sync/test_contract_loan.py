"""A contract's loan travels with it, money in cents, and comes back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.loans import FlatRate, LoanTerms
from domain.repayments import Terms
from sync.contract_loan import ContractLoan, from_wire, to_wire
from tests.factories import SIGNED_LOAN as LOAN


def test_a_loan_comes_back_from_the_wire_as_it_went():
    assert from_wire(to_wire(LOAN)) == LOAN
    flat = ContractLoan(
        terms=LoanTerms(cash_price=Decimal("100000"), down_payment=Decimal("30000"),
                        loan_date=date(2026, 1, 31), count=12,
                        flat_rate=FlatRate(Decimal("0.0025"), "month")),
        servicing=Terms(), lender="x",
    )  # fmt: skip
    assert from_wire(to_wire(flat)) == flat


def test_money_travels_as_whole_cents_and_rates_as_decimal_text():
    wire = to_wire(LOAN)
    terms = wire["terms"]
    assert terms["cash_price_cents"] == 17_980_000 and "cash_price" not in terms
    assert terms["balloon_amount_cents"] == 2_000_050
    assert terms["fees"][0]["amount_cents"] == 30_000
    assert wire["servicing"]["late_fee"] == {
        "amount_cents": 5_000, "cap_cents": None, "grace_days": 3,
        "daily_penalty_rate": "0.0005",
    }  # fmt: skip
    assert terms["annual_rate"] == "0.0599"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda w: w["terms"].update(cash_price_cents="17980000"),  # cents as text
        lambda w: w["terms"].update(annual_rate=0.0599),  # a rate as a float
        lambda w: w["terms"].update(count="36"),
        lambda w: w["terms"].update(count=0),  # no schedule
        lambda w: w["terms"].pop("loan_date"),
        lambda w: w["terms"].update(loan_date="30/11/2026"),
        lambda w: w["servicing"].update(late_fee=[]),
        lambda w: w.update(lender=None),
        lambda w: w["terms"].update(down_payment_cents=1.5),
    ],
)
def test_anything_but_a_loans_terms_is_refused(spoil):
    wire = to_wire(LOAN)
    spoil(wire)
    with pytest.raises(ValueError):
        from_wire(wire)


def test_a_payload_that_is_not_an_object_is_refused():
    for data in (None, "terms", [], {"terms": {}}):
        with pytest.raises(ValueError):
            from_wire(data)

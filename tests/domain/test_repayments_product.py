"""A product's late-fee and prepayment rules, mapped into the engine and applied by it."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from domain.catalog import LateFeeRule, PrepaymentRule
from domain.errors import InputError
from domain.loans import LoanTerms, quote
from domain.repayment_fast import exact_status, loan_status
from domain.repayment_plan import plan_from_quote
from domain.repayment_terms import terms_from_product
from domain.repayments import (
    LateFeePolicy,
    PaymentEvent,
    PrepaymentMode,
    PrepaymentPolicy,
    Terms,
    fold,
    payoff_quote,
)
from tests.factories import make_product

LOAN_DATE = date(2026, 1, 15)
Q = quote(
    LoanTerms(
        cash_price=D("100000.00"),
        down_payment=D("0.00"),
        loan_date=LOAN_DATE,
        count=12,
        annual_rate=D("0.069"),
    )
)
PLAN = plan_from_quote(Q)


def on_time(count):
    return [PaymentEvent(f"op{r.n:02}", r.date, r.payment) for r in Q.schedule[:count]]


def product_terms(**rules):
    late = LateFeeRule(**rules.pop("late", {}))
    pre = PrepaymentRule(**rules.pop("pre", {}))
    return terms_from_product(make_product(late_fee=late, prepayment=pre), **rules)


def test_every_rule_of_the_product_lands_in_the_engines_terms():
    product = make_product(
        late_fee=LateFeeRule(grace_days=5, daily_penalty_rate=D("0.0005"), fixed_fee=D("30")),
        prepayment=PrepaymentRule(lockout_months=6, fee_rate=D("0.03"), fee_free_after_months=24),
    )
    assert terms_from_product(product, mode=PrepaymentMode.LOWER_PAYMENT) == Terms(
        LateFeePolicy(amount=D("30"), grace_days=5, daily_penalty_rate=D("0.0005")),
        PrepaymentPolicy(
            fee_rate=D("0.03"),
            mode=PrepaymentMode.LOWER_PAYMENT,
            allowed=True,
            lockout_instalments=6,
            fee_free_after=24,
        ),
    )


@pytest.mark.parametrize(
    ("waived", "trade_in", "fee_rate"),
    [
        pytest.param(True, True, D("0"), id="waived-for-trade-in"),
        pytest.param(True, False, D("0.03"), id="no-trade-in"),
        pytest.param(False, True, D("0.03"), id="product-does-not-waive"),
    ],
)
def test_the_prepayment_fee_is_waived_only_for_a_trade_in_on_a_waiving_product(
    waived, trade_in, fee_rate
):
    terms = product_terms(
        pre={"fee_rate": D("0.03"), "waived_for_trade_in": waived}, trade_in=trade_in
    )
    assert terms.prepayment.fee_rate == fee_rate


def half_up(value: D) -> int:
    return int(value.quantize(D(1), rounding=ROUND_HALF_UP))


def test_daily_penalty_accrues_on_the_unpaid_instalment_from_the_end_of_grace():
    terms = product_terms(late={"grace_days": 3, "daily_penalty_rate": D("0.0005")})
    as_of = date(2026, 5, 1)  # instalment 3 (due 2026-04-15) unpaid; grace ends 04-18
    s = fold(PLAN, on_time(2), as_of, terms)
    [(_, due, remaining)] = s.arrears
    assert due == date(2026, 4, 15)
    assert s.fees_due == half_up(D(remaining) * D("0.0005") * 13)
    assert s.fees_due > 0 and s.fee_charges == []  # no fixed fee on this product


def test_an_instalment_paid_within_grace_is_charged_no_penalty():
    terms = product_terms(late={"grace_days": 3, "daily_penalty_rate": D("0.0005")})
    late = PaymentEvent("late", date(2026, 4, 18), Q.payment + D("10.00"))
    s = fold(PLAN, [*on_time(2), late], date(2026, 5, 1), terms)
    assert s.fees_due == 0 and s.allocations[-1].fees == 0


def test_penalty_is_paid_first_with_the_fees():
    terms = product_terms(late={"grace_days": 3, "daily_penalty_rate": D("0.0005")})
    day = date(2026, 5, 1)
    owed = fold(PLAN, on_time(2), day, terms).fees_due
    s = fold(PLAN, [*on_time(2), PaymentEvent("late", day, Q.payment)], day, terms)
    assert s.allocations[-1].fees == owed and s.fees_due == 0


def test_extra_money_before_the_lockout_is_not_applied_to_principal():
    terms = product_terms(pre={"lockout_months": 3, "fee_rate": D("0.02")})
    extra = PaymentEvent("extra", date(2026, 3, 20), D("20000.00"))
    s = fold(PLAN, [*on_time(2), extra], date(2026, 3, 20), terms)
    a = s.allocations[-1]
    assert (a.early_principal, a.prepayment_fee) == (0, 0)
    assert a.overpayment == a.amount - a.interest - a.principal > 0
    with pytest.raises(InputError) as refused:
        payoff_quote(PLAN, on_time(2), date(2026, 3, 20), terms)
    assert refused.value.rule == "prepayment_not_allowed"


@pytest.mark.parametrize(
    ("paid", "fee_rate"),
    [
        pytest.param(3, D("0.02"), id="after-lockout-with-fee"),
        pytest.param(6, D("0"), id="fee-free-period"),
    ],
)
def test_early_repayment_after_the_lockout_is_charged_until_the_fee_free_period(paid, fee_rate):
    terms = product_terms(
        pre={"lockout_months": 3, "fee_rate": D("0.02"), "fee_free_after_months": 6}
    )
    day = Q.schedule[paid - 1].date + timedelta(days=5)
    extra = PaymentEvent("extra", day, D("20000.00"))
    a = fold(PLAN, [*on_time(paid), extra], day, terms).allocations[-1]
    assert a.early_principal > 0
    assert a.prepayment_fee == half_up(D(a.early_principal) * fee_rate)
    p = payoff_quote(PLAN, on_time(paid), day, terms)
    # the payoff's fee is on the principal beyond what is due, never on more than all of it
    assert (p.prepayment_fee > 0) == (fee_rate > 0)
    assert p.prepayment_fee <= half_up(D(p.principal) * fee_rate)


def test_a_product_not_allowing_prepayment_never_applies_money_early():
    terms = product_terms(pre={"allowed": False})
    extra = PaymentEvent("extra", date(2026, 9, 20), D("20000.00"))
    s = fold(PLAN, [*on_time(8), extra], date(2026, 9, 20), terms)
    assert s.allocations[-1].early_principal == 0 and s.overpaid > 0


@pytest.mark.parametrize(
    "rules",
    [
        pytest.param(
            {"late": {"daily_penalty_rate": D("0.0005"), "fixed_fee": D("30")}}, id="penalty"
        ),
        pytest.param({"pre": {"lockout_months": 4, "fee_rate": D("0.03")}}, id="lockout"),
        pytest.param({"pre": {"fee_rate": D("0.03"), "fee_free_after_months": 2}}, id="fee-free"),
        pytest.param({"pre": {"allowed": False}}, id="not-allowed"),
    ],
)
def test_the_portfolio_fast_path_applies_product_rules_as_the_fold_does(rules):
    terms = product_terms(**rules)
    payments = [(f"p{r.n:02}", r.date, int(r.payment * 100)) for r in Q.schedule[:2]]
    payments += [
        ("late", date(2026, 5, 2), int(Q.payment * 100)),
        ("extra", date(2026, 5, 20), 2_000_000),
        ("extra2", date(2026, 7, 1), 3_000_000),
    ]
    for as_of in (date(2026, 5, 1), date(2026, 6, 1), date(2026, 8, 1)):
        assert loan_status(PLAN, payments, as_of, terms) == exact_status(
            PLAN, payments, as_of, terms
        )

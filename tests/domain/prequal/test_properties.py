"""Properties of the decision: monotone in income, debts and down payment; every decline
explained by rules that failed; hints that really yield the offer; figures equal the engine's."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalog import FlatPer, LtvCap, LtvCategory, ProductKind
from domain.loans import LoanTerms, quote
from domain.prequal.eligibility import RULES, Case, evaluate
from domain.prequal.pricing import screen
from tests.domain.prequal.factories import applicant, deal, run, vehicle
from tests.factories import make_product, rate

D = Decimal
PRODUCTS = (
    make_product(code="LOAN"),
    make_product(code="STRICT", max_pti=D("0.12"), max_dti=D("0.35"), min_monthly_income=D("8000")),
    make_product(
        code="FLAT",
        kind=ProductKind.FLAT_PROMO,
        rate_card=(
            rate("A", flat="0.0035", flat_per=FlatPer.MONTH),
            rate("B", flat="0.0045", flat_per=FlatPer.MONTH),
        ),
        terms=(12, 24, 36),
        ltv_caps=(LtvCap(LtvCategory.PRIVATE_NEW, D("0.90")),),
    ),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

money = st.integers(min_value=3000, max_value=60000).map(lambda n: D(n).quantize(D("0.01")))
debts = st.integers(min_value=0, max_value=20000).map(lambda n: D(n).quantize(D("0.01")))
downs = st.integers(min_value=0, max_value=150000).map(lambda n: D(n).quantize(D("0.01")))
terms = st.sampled_from([12, 24, 36, 48, 60])
scores = st.one_of(st.none(), st.integers(min_value=300, max_value=850))


def outcome(result):
    return {o.product.code: o.quote.apr for o in result.offers}


@SETTINGS
@given(
    income=money,
    extra=st.integers(min_value=1, max_value=30000),
    d=debts,
    down=downs,
    term=terms,
    score=scores,
)
def test_more_income_never_turns_an_offer_into_a_decline_nor_raises_its_apr(
    income, extra, d, down, term, score
):
    base = applicant(monthly_income=income, monthly_debt_payments=d, credit_score=score)
    richer = replace(base, monthly_income=income + extra)
    dl = deal(down_payment=down, term_months=term)
    before = outcome(run(PRODUCTS, a=base, d=dl, hints=False))
    after = outcome(run(PRODUCTS, a=richer, d=dl, hints=False))
    for code, apr in before.items():
        assert code in after and after[code] <= apr


@SETTINGS
@given(
    income=money, d=debts, more=st.integers(min_value=1, max_value=20000), down=downs, term=terms
)
def test_more_existing_debt_never_helps(income, d, more, down, term):
    base = applicant(monthly_income=income, monthly_debt_payments=d)
    dl = deal(down_payment=down, term_months=term)
    before = outcome(run(PRODUCTS, a=base, d=dl, hints=False))
    after = outcome(
        run(PRODUCTS, a=replace(base, monthly_debt_payments=d + more), d=dl, hints=False)
    )
    for code, apr in after.items():
        assert code in before and before[code] <= apr


@SETTINGS
@given(income=money, down=downs, more=st.integers(min_value=1, max_value=60000), term=terms)
def test_a_larger_down_payment_never_hurts_while_the_loan_stays_above_the_minimum(
    income, down, more, term
):
    a = applicant(monthly_income=income)
    bigger = down + more
    loan_after = vehicle().price - bigger
    if loan_after < max(p.min_amount for p in PRODUCTS) + 5000:
        return
    before = outcome(run(PRODUCTS, a=a, d=deal(down_payment=down, term_months=term), hints=False))
    after = outcome(run(PRODUCTS, a=a, d=deal(down_payment=bigger, term_months=term), hints=False))
    for code in before:
        assert code in after


@SETTINGS
@given(income=money, d=debts, down=downs, term=terms, score=scores)
def test_every_decline_has_reasons_from_rules_that_failed(income, d, down, term, score):
    a = applicant(monthly_income=income, monthly_debt_payments=d, credit_score=score)
    dl = deal(down_payment=down, term_months=term)
    result = run(PRODUCTS, a=a, d=dl, hints=False)
    for decline in result.declines:
        assert 1 <= len(decline.reasons) <= 4
        rerun = evaluate(
            decline.product,
            Case(a, vehicle(), result.valuation, dl, result.score, date(2026, 11, 28)),
        )
        assert {r.code for r in decline.reasons} <= rerun.codes
        assert "internal" not in " ".join(r.message.lower() for r in decline.reasons)


@SETTINGS
@given(income=money, d=debts, down=downs, term=terms)
def test_applying_a_hint_really_yields_the_offer(income, d, down, term):
    a = applicant(monthly_income=income, monthly_debt_payments=d)
    result = run(PRODUCTS, a=a, d=deal(down_payment=down, term_months=term))
    for decline in result.declines:
        hint = decline.hint
        if hint.case is None:
            assert hint.kind == "none"
            continue
        again = run(
            [decline.product],
            a=hint.case.applicant,
            v=hint.case.vehicle,
            d=hint.case.deal,
            hints=False,
        )
        assert [o.product.code for o in again.offers] == [decline.product.code], hint.kind


@SETTINGS
@given(
    price=st.integers(min_value=30000, max_value=500000),
    share=st.integers(min_value=0, max_value=80),
    count=st.sampled_from([3, 12, 24, 36, 48, 60, 84]),
    bp=st.integers(min_value=0, max_value=2400),
    flat=st.booleans(),
    fee=st.integers(min_value=0, max_value=5000),
    financed=st.booleans(),
    day=st.integers(min_value=1, max_value=31),
)
def test_screened_payment_and_amount_equal_the_engines(
    price, share, count, bp, flat, fee, financed, day
):
    from domain.loans import Fee, FlatRate

    cash = D(price).quantize(D("0.01"))
    rate_ = D(bp) / 10000
    loan_date = date(2026, 1, 1).replace(day=min(day, 28)) if day <= 28 else date(2026, 1, day)
    terms = LoanTerms(
        cash_price=cash,
        down_payment=(cash * share / 100).quantize(D("0.01")),
        loan_date=loan_date,
        count=count,
        annual_rate=None if flat else rate_,
        flat_rate=FlatRate(rate_ / 4, "year") if flat else None,
        fees=(Fee("fee", D(fee), financed=financed, prepaid_finance_charge=True),) if fee else (),
    )
    s = screen(terms)
    q = quote(terms)
    assert s is not None
    assert (s.payment, s.amount_financed, s.principal) == (
        q.payment,
        q.amount_financed,
        q.principal,
    )


def test_rules_are_named_after_what_they_check():
    assert len({r.__name__ for r in RULES}) == len(RULES)

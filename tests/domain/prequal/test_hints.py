from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from domain.catalog import VehicleLimits
from tests.domain.prequal.factories import applicant, deal, run, vehicle
from tests.factories import make_product

D = Decimal


def the_decline(result):
    assert result.offers == ()
    (decline,) = result.declines
    return decline


@pytest.mark.parametrize(
    "product, case, kind",
    [
        pytest.param(
            {},
            dict(d=deal(down_payment=D("20000.00"))),
            "down_payment",
            id="ltv-over-cap-needs-more-down",
        ),
        pytest.param(
            dict(terms=(12, 24, 48)),
            dict(a=applicant(monthly_income=D("15000.00"))),
            "term",
            id="term-not-offered-offers-48",
        ),
        pytest.param(
            dict(max_pti=D("1"), max_dti=D("0.50")),
            dict(
                a=applicant(monthly_income=D("12000.00"), monthly_debt_payments=D("5800.00")),
                d=deal(down_payment=D("150000.00")),
            ),
            "reduce_debts",
            id="dti-only-lower-debts",
        ),
        pytest.param(
            dict(vehicle_limits=VehicleLimits(max_price=D("150000"))),
            {},
            "price_ceiling",
            id="car-too-expensive-needs-cheaper-car",
        ),
        pytest.param(
            dict(brands=frozenset({"Toyota"})), {}, "none", id="wrong-make-no-change-within-reach"
        ),
        pytest.param(
            dict(min_monthly_income=D("50000")), {}, "none", id="income-below-minimum-no-change"
        ),
    ],
)
def test_hint_kinds(product, case, kind):
    decline = the_decline(run([make_product(**product)], **case))
    assert decline.hint.kind == kind


def test_down_payment_hint_is_the_smallest_whole_yuan_that_works():
    product = make_product()
    decline = the_decline(run([product], d=deal(down_payment=D("20000.00"))))
    needed = decline.hint.value
    ok = run([product], d=deal(down_payment=needed), hints=False)
    short = run([product], d=deal(down_payment=needed - 1), hints=False)
    assert ok.offers and not short.offers
    assert decline.hint.reason.params["more"] == needed - D("20000.00")


def test_price_ceiling_is_the_highest_price_that_works():
    product = make_product(vehicle_limits=VehicleLimits(max_price=D("150000")))
    decline = the_decline(run([product]))
    assert decline.hint.value == D("150000.00")
    assert not run([product], v=vehicle(price=D("150001.00")), hints=False).offers


def test_debts_hint_is_the_largest_debt_that_works():
    product = make_product(max_pti=D("1"), max_dti=D("0.50"))
    a = applicant(monthly_income=D("12000.00"), monthly_debt_payments=D("5800.00"))
    d = deal(down_payment=D("150000.00"))
    decline = the_decline(run([product], a=a, d=d))
    most = decline.hint.value
    from dataclasses import replace

    assert run([product], a=replace(a, monthly_debt_payments=most), d=d, hints=False).offers
    assert not run([product], a=replace(a, monthly_debt_payments=most + 1), d=d, hints=False).offers


def _reference_term_hint(product, case):
    """The term search written plainly: every rule run at each other term (nearest first) as
    it is, then the down-payment search at the first term where only money rules fail."""
    from domain.prequal.eligibility import CURABLE_BY_DOWN, evaluate
    from domain.prequal.hints import _down_hint, _with_deal

    nearest = sorted(
        (t for t in product.terms if t != case.deal.term_months),
        key=lambda t: (abs(t - case.deal.term_months), t),
    )
    at = {t: evaluate(product, _with_deal(case, term_months=t)) for t in nearest}
    for t in nearest:
        if at[t].passed:
            return ("term", t, None)
    for t in nearest:
        if at[t].codes <= CURABLE_BY_DOWN:
            down = _down_hint(product, _with_deal(case, term_months=t), known=at[t].figures.screen)
            if down is not None:
                return ("term_and_down_payment", t, down.value)
    return None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    income=st.integers(min_value=3000, max_value=40000),
    debts=st.integers(min_value=0, max_value=15000),
    down=st.integers(min_value=0, max_value=150000),
    term=st.sampled_from([12, 18, 24, 36, 48, 60]),
    age=st.integers(min_value=20, max_value=66),
    offered=st.sampled_from([(12, 24, 36), (24, 36, 48, 60), (12, 36, 60), (36,)]),
)
@example(income=30000, debts=0, down=60000, term=18, age=30, offered=(12, 24, 36))
@example(income=12000, debts=3000, down=20000, term=18, age=30, offered=(12, 24, 36))
@example(income=20000, debts=0, down=60000, term=60, age=58, offered=(24, 36, 48, 60))
def test_the_term_search_finds_what_running_every_rule_at_each_term_finds(
    income, debts, down, term, age, offered
):
    from domain.prequal.eligibility import CURABLE_BY_DOWN, CURABLE_BY_TERM, Case, evaluate
    from domain.prequal.hints import _term_hint
    from domain.prequal.scorecard import score
    from domain.prequal.valuation import value_vehicle
    from tests.domain.prequal.factories import TODAY

    product = make_product(terms=offered, max_age_at_maturity=65)
    a = applicant(monthly_income=D(income), monthly_debt_payments=D(debts), age=age)
    v = vehicle()
    case = Case(
        a, v, value_vehicle(v), deal(down_payment=D(down), term_months=term), score(a), TODAY
    )
    codes = evaluate(product, case).codes
    assume(codes and codes <= CURABLE_BY_TERM | CURABLE_BY_DOWN)
    hint = _term_hint(product, case)
    found = None if hint is None else (hint.kind, hint.value, None)
    if hint is not None and hint.kind == "term_and_down_payment":
        found = (hint.kind, hint.value, hint.case.deal.down_payment)
    event("no hint" if found is None else found[0])
    assert found == _reference_term_hint(product, case)

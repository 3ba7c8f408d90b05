"""evaluate (which runs only the rules its inline comparisons suspect) and passes give exactly
the failures of running every rule one by one, in the same order, for any product and case."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.catalog import Condition, Energy, VehicleLimits
from domain.prequal.applicant import Deal
from domain.prequal.eligibility import (
    REACH_RULES,
    RULES,
    Case,
    evaluate,
    figures_for,
    passes,
    reach_failures,
)
from domain.prequal.scorecard import score
from domain.prequal.valuation import value_vehicle
from tests.domain.prequal.factories import TODAY, applicant, vehicle
from tests.factories import make_product, rate

D = Decimal
C = D("0.01")
maybe_int = st.one_of(st.none(), st.integers(0, 12))


@st.composite
def products(draw):
    lines = [rate(t, str(D(draw(st.integers(0, 1500))) / 10000)) for t in "AB"]
    line_terms = draw(st.sampled_from([(12, 36, 60), (24, 48), (12, 24, 36, 48, 60)]))
    return make_product(
        rate_card=tuple(lines[: draw(st.integers(1, 2))]),
        terms=line_terms,
        max_pti=D(draw(st.integers(5, 60))) / 100,
        max_dti=D(draw(st.integers(20, 80))) / 100,
        min_amount=D(draw(st.sampled_from([0, 10000, 50000]))),
        max_amount=D(draw(st.sampled_from([100000, 300000]))),
        min_down_payment_pct=D(draw(st.integers(0, 50))) / 100,
        min_monthly_income=D(draw(st.sampled_from([0, 5000, 12000]))),
        min_age=draw(st.sampled_from([18, 22, 25])),
        max_age_at_maturity=draw(st.sampled_from([55, 60, 65])),
        vehicle_limits=VehicleLimits(
            max_age_years=draw(maybe_int),
            max_age_at_maturity_years=draw(maybe_int),
            max_mileage_km=draw(st.one_of(st.none(), st.integers(0, 200000))),
            min_price=draw(st.one_of(st.none(), st.sampled_from([D(50000), D(100000)]))),
            max_price=draw(st.one_of(st.none(), st.sampled_from([D(150000), D(300000)]))),
        ),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    product=products(),
    age=st.integers(18, 70),
    income=st.integers(2000, 60000),
    debts=st.integers(0, 20000),
    credit=st.one_of(st.none(), st.integers(300, 850)),
    used=st.booleans(),
    car_age=st.integers(0, 12),
    mileage=st.integers(0, 250000),
    price=st.integers(30000, 400000),
    share=st.integers(0, 99),
    term=st.sampled_from([6, 12, 18, 24, 30, 36, 42, 48, 60, 66, 72]),
)
def test_evaluate_equals_running_every_rule(
    product, age, income, debts, credit, used, car_age, mileage, price, share, term
):
    a = applicant(
        age=age,
        monthly_income=D(income).quantize(C),
        monthly_debt_payments=D(debts).quantize(C),
        credit_score=credit,
    )
    v = vehicle(
        price=D(price).quantize(C),
        energy=Energy.ICE,
        condition=Condition.USED if used else Condition.NEW,
        age_years=D(car_age) if used else D(0),
        mileage_km=mileage if used else 0,
    )
    d = Deal((v.price * share / 100).quantize(C), term)
    case = Case(a, v, value_vehicle(v), d, score(a), TODAY)
    reach = reach_failures(product, case)
    f = figures_for(product, case)
    expected = reach or tuple(
        r for r in (rule(product, case, f) for rule in RULES[len(REACH_RULES) :]) if r is not None
    )
    if not reach and not expected and f.screen is None:
        expected = ("deal.no_loan",)
    got = evaluate(product, case).failures
    assert [r.code for r in got] == [r if isinstance(r, str) else r.code for r in expected]
    assert [r for r in got if r.code != "deal.no_loan"] == [
        r for r in expected if not isinstance(r, str)
    ]
    assert passes(product, case) == (not got)


def test_age_at_maturity_boundaries_equal_the_rule():
    product = make_product(max_age_at_maturity=60, terms=tuple(range(3, 73, 3)))
    for age in range(53, 62):
        for term in range(3, 73, 3):
            a = applicant(age=age)
            v = vehicle()
            case = Case(a, v, value_vehicle(v), Deal(D("60000.00"), term), score(a), TODAY)
            expected = age + D(term) / 12 > 60
            codes = {r.code for r in evaluate(product, case).failures}
            assert ("applicant.age_at_maturity" in codes) == expected, (age, term)

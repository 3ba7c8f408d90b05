from decimal import Decimal

import pytest

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

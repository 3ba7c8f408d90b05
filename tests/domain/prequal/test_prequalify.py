from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.catalog import (
    Condition,
    ConsentPurpose,
    Energy,
    FlatPer,
    LtvCap,
    LtvCategory,
    ProductKind,
    VehicleLimits,
    VehicleUse,
)
from domain.errors import InputError
from domain.loans import quote
from domain.prequal import ConsentGiven, Housing, PriorApplication
from domain.prequal.eligibility import MAX_REASONS
from domain.prequal.pricing import terms_for
from tests.domain.prequal.factories import NOW, TODAY, applicant, deal, run, vehicle
from tests.factories import make_product, rate

D = Decimal


def only(result):
    assert len(result.offers) + len(result.declines) == 1
    return result.offers[0] if result.offers else result.declines[0]


@pytest.mark.parametrize(
    "product, case, code",
    [
        pytest.param(
            dict(conditions=frozenset({Condition.NEW})),
            dict(v=vehicle(condition=Condition.USED, age_years=D(2))),
            "vehicle.condition",
            id="new-only-product-used-car",
        ),
        pytest.param(
            dict(uses=frozenset({VehicleUse.COMMERCIAL})),
            {},
            "vehicle.use",
            id="commercial-only-product",
        ),
        pytest.param(
            dict(energies=frozenset({Energy.BEV, Energy.PHEV})),
            dict(v=vehicle(energy=Energy.ICE)),
            "vehicle.energy",
            id="nev-only-product-petrol-car",
        ),
        pytest.param(
            dict(brands=frozenset({"Toyota"})), {}, "vehicle.brand", id="captive-of-another-make"
        ),
        pytest.param(
            dict(cities=frozenset({"Beijing"})), {}, "applicant.city", id="not-in-this-city"
        ),
        pytest.param(
            dict(rate_card=(rate("A", "0.039"),)),
            dict(a=applicant(credit_score=600, housing=Housing.RENT)),
            "credit.tier_not_accepted",
            id="tier-not-on-rate-card",
        ),
        pytest.param(
            dict(min_age=25), dict(a=applicant(age=22)), "applicant.min_age", id="too-young"
        ),
        pytest.param(
            dict(max_age_at_maturity=60),
            dict(a=applicant(age=58)),
            "applicant.age_at_maturity",
            id="too-old-at-maturity",
        ),
        pytest.param(
            dict(min_monthly_income=D("30000")),
            {},
            "applicant.min_income",
            id="income-below-minimum",
        ),
        pytest.param(dict(max_dti=D("0.20")), {}, "affordability.dti", id="dti-over-cap"),
        pytest.param(dict(max_pti=D("0.10")), {}, "affordability.pti", id="pti-over-cap"),
        pytest.param(
            {}, dict(d=deal(down_payment=D("20000.00"))), "collateral.ltv", id="ltv-over-cap"
        ),
        pytest.param(
            dict(min_down_payment_pct=D("0.40")),
            {},
            "deal.min_down_payment",
            id="down-payment-below-minimum",
        ),
        pytest.param(dict(max_amount=D("100000")), {}, "deal.max_amount", id="loan-above-maximum"),
        pytest.param(dict(min_amount=D("150000")), {}, "deal.min_amount", id="loan-below-minimum"),
        pytest.param(
            dict(vehicle_limits=VehicleLimits(max_price=D("150000"))),
            {},
            "vehicle.max_price",
            id="car-too-expensive",
        ),
        pytest.param(
            dict(vehicle_limits=VehicleLimits(max_mileage_km=100000)),
            dict(v=vehicle(condition=Condition.USED, age_years=D(5), mileage_km=120000)),
            "vehicle.max_mileage",
            id="too-many-km",
        ),
        pytest.param(dict(terms=(12, 24)), {}, "deal.term", id="term-not-offered"),
    ],
)
def test_each_rule_declines_with_its_own_reason(product, case, code):
    answer = only(run([make_product(**product)], **case))
    assert not hasattr(answer, "quote"), "expected a decline"
    assert code in answer.failed
    assert code in [r.code for r in answer.reasons] or len(answer.reasons) == MAX_REASONS


def test_default_case_is_an_offer_with_the_engines_figures():
    product = make_product()
    offer = only(run([product]))
    terms = terms_for(
        product,
        product.rate_for(offer.rate.tier, 36),
        price=D("179800.00"),
        down_payment=D("60000.00"),
        trade_in=D("0.00"),
        term=36,
        today=TODAY,
    )
    q = quote(terms)
    assert (offer.quote.payment, offer.quote.apr, offer.quote.finance_charge) == (
        q.payment,
        q.apr,
        q.finance_charge,
    )
    assert offer.metrics.pti == q.payment / D("20000.00")
    assert offer.metrics.dti == (q.payment + D("2000.00")) / D("20000.00")
    assert offer.metrics.ltv == q.amount_financed / D("179800.00")
    assert offer.max_amount_financed >= q.amount_financed


def test_an_offer_names_the_least_down_payment_at_which_it_still_stands():
    product = make_product()
    offer = only(run([product]))  # ¥60,000 down
    lowest = offer.lowest_down_payment
    assert D("35960") <= lowest < D("60000")  # the 20% minimum, or a cap the payment reaches
    assert hasattr(only(run([product], d=deal(down_payment=lowest))), "quote")
    assert not hasattr(only(run([product], d=deal(down_payment=lowest - 1))), "quote")


#: a loan up to the whole value of a new private car
ANY_LTV = (LtvCap(LtvCategory.PRIVATE_NEW, D("1")),)


def test_an_offer_says_why_not_less_down_in_the_decline_one_yuan_under_would_give():
    # zero down in name, lending the car's whole value: the payment cap sets this buyer's floor
    product = make_product(min_down_payment_pct=D("0"), max_pti=D("0.19"), ltv_caps=ANY_LTV)
    offer = only(run([product]))
    lowest = offer.lowest_down_payment
    assert 0 < lowest < D("60000")
    under = only(run([product], d=deal(down_payment=lowest - 1)))
    assert offer.lowest_down_why == under.reasons
    assert [r.code for r in offer.lowest_down_why] == ["affordability.pti"]


def test_an_offer_that_allows_nothing_down_has_no_floor_to_explain():
    product = make_product(
        min_down_payment_pct=D("0"), max_pti=D("0.9"), max_dti=D("0.9"), ltv_caps=ANY_LTV
    )
    offer = only(run([product]))
    assert offer.lowest_down_payment == 0 and offer.lowest_down_why == ()


def test_decline_reasons_are_at_most_four_most_important_first():
    product = make_product(
        min_monthly_income=D("90000"),
        max_pti=D("0.01"),
        max_dti=D("0.01"),
        min_down_payment_pct=D("0.9"),
        max_amount=D("50000"),
    )
    d = only(run([product]))
    codes = [r.code for r in d.reasons]
    assert codes == [
        "applicant.min_income",
        "affordability.dti",
        "affordability.pti",
        "deal.min_down_payment",
    ]
    assert "deal.max_amount" in d.failed  # failed too, but not among the first four


def test_a_product_that_does_not_reach_the_car_says_only_that():
    d = only(run([make_product(brands=frozenset({"Toyota"}), max_pti=D("0.01"))]))
    assert [r.code for r in d.reasons] == ["vehicle.brand"]
    assert d.hint.kind == "none"


def test_flat_rate_promotion_is_shown_with_its_true_apr():
    product = make_product(
        kind=ProductKind.FLAT_PROMO,
        rate_card=(rate("A", flat="0.0035", flat_per=FlatPer.MONTH),),
        fees=(),
        ltv_caps=(LtvCap(LtvCategory.PRIVATE_NEW, D("0.90")),),
    )
    offer = only(run([product], d=deal(down_payment=D("79800.00"))))
    assert offer.is_flat_rate
    # 月费率 0.35% on 100,000 over 36 months: the standards' vector, APR 7.87%
    assert offer.quote.payment == D("3127.78")
    assert offer.quote.apr_percent == D("7.87")


def test_offers_are_ordered_cheapest_in_all_first():
    cheap = make_product(rate_card=(rate("A", "0.029"),), code="CHEAP")
    dear = make_product(rate_card=(rate("A", "0.089"),), code="DEAR")
    result = run([dear, cheap])
    assert [o.product.code for o in result.offers] == ["CHEAP", "DEAR"]


def test_declines_come_in_the_order_of_the_products_codes_reaching_the_car_or_not():
    products = [
        make_product(code="D-REACH", max_pti=D("0.01")),
        make_product(code="B-BRAND", brands=frozenset({"Toyota"})),
        make_product(code="C-REACH", max_pti=D("0.01")),
        make_product(code="A-BRAND", brands=frozenset({"Toyota"})),
    ]
    for hints in (True, False):
        result = run(products, hints=hints)
        assert [d.product.code for d in result.declines] == [
            "A-BRAND",
            "B-BRAND",
            "C-REACH",
            "D-REACH",
        ]


def test_inactive_products_are_left_out():
    old = make_product(valid_to=TODAY - timedelta(days=1))
    result = run([old])
    assert result.offers == () and result.declines == ()


@pytest.mark.parametrize(
    "consent, field",
    [
        pytest.param(None, "consent", id="missing"),
        pytest.param(
            ConsentGiven(ConsentPurpose.MARKETING, "v1", NOW), "consent.purpose", id="wrong-purpose"
        ),
        pytest.param(
            ConsentGiven(ConsentPurpose.SOFT_CHECK, "v1", NOW + timedelta(hours=1)),
            "consent.given_at",
            id="in-the-future",
        ),
    ],
)
def test_no_check_runs_without_consent(consent, field):
    with pytest.raises(InputError) as err:
        run([make_product()], consent=consent)
    assert err.value.field == field


def test_impossible_deal_names_the_down_payment():
    with pytest.raises(InputError) as err:
        run([make_product()], d=deal(down_payment=D("179800.00")))
    assert err.value.field == "deal.down_payment"


def test_velocity_flag_refers_to_manual_review_without_declining():
    history = [PriorApplication(at=NOW - timedelta(days=k), person_id="p1") for k in range(1, 4)]
    result = run([make_product()], a=applicant(person_id="p1"), history=history)
    assert result.status == "manual_review"
    assert [r.code for r in result.review] == ["fraud.velocity_person"]
    assert len(result.offers) == 1


@pytest.mark.parametrize(
    "overrides, code",
    [
        pytest.param(
            dict(occupation="student", monthly_income=D("30000.00")),
            "consistency.income_occupation",
            id="student-earning-30k",
        ),
        pytest.param(
            dict(age=20, employment_months=60),
            "consistency.age_employment",
            id="five-years-of-work-at-twenty",
        ),
        pytest.param(
            dict(income_type="gig", monthly_income=D("80000.00")),
            "consistency.income_type",
            id="gig-income-80k",
        ),
    ],
)
def test_inconsistent_data_is_flagged(overrides, code):
    from domain.prequal import Occupation
    from domain.prequal.applicant import IncomeType

    if "occupation" in overrides:
        overrides["occupation"] = Occupation(overrides["occupation"])
    if "income_type" in overrides:
        overrides["income_type"] = IncomeType(overrides["income_type"])
    result = run([make_product()], a=applicant(**overrides))
    assert code in [r.code for r in result.review]


def test_phone_shared_by_two_people_is_flagged():
    history = [PriorApplication(at=NOW - timedelta(days=2), person_id="other", phone="13800000000")]
    result = run(
        [make_product()], a=applicant(person_id="me", phone="13800000000"), history=history
    )
    assert "fraud.shared_phone" in [r.code for r in result.review]


def test_old_history_outside_the_window_is_ignored():
    history = [PriorApplication(at=NOW - timedelta(days=90), person_id="p1") for _ in range(5)]
    assert run([make_product()], a=applicant(person_id="p1"), history=history).review == ()


def test_consent_time_is_kept_on_the_result():
    result = run([make_product()])
    assert result.consent.given_at == datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert replace(result.consent).purpose is ConsentPurpose.SOFT_CHECK

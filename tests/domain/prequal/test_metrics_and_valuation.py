from decimal import Decimal

import pytest

from domain.catalog import Condition, Energy
from domain.prequal.applicant import Accident
from domain.prequal.metrics import dti, ltv, pti
from domain.prequal.valuation import DEPRECIATION, value_vehicle
from tests.domain.prequal.factories import vehicle

D = Decimal


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param(pti(D("450"), D("3000")), D("0.15"), id="pti-450-on-3000-is-15pct"),
        pytest.param(dti(D("600"), D("2500"), D("3000")), D("3100") / D("3000"), id="dti-103pct"),
        pytest.param(ltv(D("15000"), D("20000")), D("0.75"), id="ltv-15000-on-20000-is-75pct"),
    ],
)
def test_standards_metric_examples(value, expected):
    assert value == expected


def test_dti_example_of_the_standards_is_about_103_percent():
    assert round(dti(D("600"), D("2500"), D("3000")) * 100) == 103


def test_a_new_car_is_valued_at_its_price():
    assert value_vehicle(vehicle()).value == D("179800.00")


def used(**kw):
    base = dict(
        condition=Condition.USED,
        price=D("120000.00"),
        new_price=D("200000.00"),
        age_years=D("3"),
        mileage_km=45000,
        energy=Energy.ICE,
        make="Volkswagen",
    )
    base.update(kw)
    return vehicle(**base)


def test_used_car_value_follows_the_documented_curve():
    # ICE: 18% in year one, then 11% a year: 200,000 × 0.82 × 0.89² = 0.649522 → 129,904.40
    v = value_vehicle(used(price=D("150000.00")))
    assert v.appraisal == D("129904.40")
    assert v.value == D("129904.40")  # below the asking price, so the appraisal counts


def test_used_car_is_never_valued_above_its_asking_price():
    assert value_vehicle(used(price=D("90000.00"))).value == D("90000.00")


@pytest.mark.parametrize(
    "worse, better",
    [
        pytest.param(dict(energy=Energy.BEV), dict(energy=Energy.ICE), id="nev-loses-faster"),
        pytest.param(dict(age_years=D("5")), dict(age_years=D("2")), id="older-is-worth-less"),
        pytest.param(dict(mileage_km=150000), dict(mileage_km=30000), id="high-mileage-costs"),
        pytest.param(dict(accident=Accident.MAJOR), dict(accident=Accident.NONE), id="accident"),
        pytest.param(dict(make="Leapmotor"), dict(make="Toyota"), id="brand-tier"),
    ],
)
def test_depreciation_factors_lower_the_appraisal(worse, better):
    assert value_vehicle(used(**worse)).appraisal < value_vehicle(used(**better)).appraisal


def test_unknown_new_price_haircuts_the_asking_price():
    v = value_vehicle(used(new_price=None, mileage_km=45000))
    assert v.value == D("120000.00") * DEPRECIATION.unverified_price_haircut

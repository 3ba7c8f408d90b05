from decimal import Decimal

import pytest

from domain.catalog import RiskTier
from domain.prequal import Housing, IncomeType
from domain.prequal.scorecard import SCORECARD, score
from tests.domain.prequal.factories import applicant


def test_score_is_base_plus_the_points_of_each_band():
    r = score(applicant())
    assert r.score == SCORECARD.base + sum(r.points.values())
    assert r.version == SCORECARD.version


@pytest.mark.parametrize(
    "overrides, tier",
    [
        pytest.param({}, RiskTier.A, id="salaried-homeowner-good-bureau"),
        pytest.param(
            dict(
                credit_score=560,
                monthly_debt_payments=Decimal("9000.00"),
                monthly_income=Decimal("12000.00"),
                employment_months=3,
                income_type=IncomeType.GIG,
                housing=Housing.RENT,
                age=22,
                existing_car_loans=2,
            ),
            None,
            id="everything-weak-is-below-every-cutoff",
        ),
    ],
)
def test_tiers(overrides, tier):
    assert score(applicant(**overrides)).tier is tier


def test_reasons_are_the_costliest_attributes_most_costly_first():
    r = score(applicant(credit_score=560, employment_months=3))
    codes = [x.code for x in r.reasons]
    assert codes[:2] == ["score.bureau", "score.employment_time"]
    assert len(codes) <= 4


def test_thin_file_is_scored_and_named_as_such():
    r = score(applicant(credit_score=None))
    assert r.tier is not None
    assert "score.thin_file" in [x.code for x in r.reasons]


def test_a_perfect_applicant_has_no_reasons():
    best = applicant(
        credit_score=820,
        monthly_debt_payments=Decimal("0.00"),
        monthly_income=Decimal("50000.00"),
        housing=Housing.OWN,
        age=40,
    )
    assert score(best).reasons == ()


def test_every_band_table_never_pays_less_for_a_better_value():
    for attr in SCORECARD.attributes:
        ordered = [b.points for b in attr.bands if b.value is None]
        if attr.code in ("score.existing_debt", "score.car_loans"):
            ordered = ordered[::-1]  # lower is better
        if attr.code == "score.age":
            continue  # age is not a "better is more" attribute
        assert ordered == sorted(ordered), attr.code

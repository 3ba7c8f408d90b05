"""An explainable points scorecard: points per attribute band, kept as versioned data.

Score = ``base`` + the points of the band each attribute falls in. The tier is the best one
whose cut-off the score reaches. The score's reasons are the attributes that cost the most
points against their best band (at most four, most costly first), so the explanation is
computed from the very table that made the score.

The bands were set by hand from the orientation figures in standards.md §4 and §8 (a person
can read and argue with every line); every attribute's points never fall as the applicant's
position improves (more income, fewer debts, a higher bureau score), which the tests pin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from domain.catalog import RiskTier
from domain.prequal.applicant import Applicant, Housing, IncomeType
from domain.prequal.text import N_, Reason

__all__ = ["SCORECARD", "Attribute", "Band", "ScoreResult", "Scorecard", "score"]

_INF = Decimal("Infinity")


@dataclass(frozen=True)
class Band:
    """Values ``< upper`` (the first band whose upper bound the value is below) earn
    ``points``; for categorical attributes ``upper`` is unused and ``value`` names the key."""

    points: int
    upper: Decimal = _INF
    value: str | None = None


@dataclass(frozen=True)
class Attribute:
    code: str
    message: str  # the score reason's msgid when this attribute costs points
    bands: tuple[Band, ...]
    read: Callable[[Applicant], Decimal | str | None]
    none_points: int | None = None  # points when the value is missing (a thin file)

    @cached_property
    def best(self) -> int:
        return max([b.points for b in self.bands] + [self.none_points or 0])

    def points(self, applicant: Applicant) -> int:
        value = self.read(applicant)
        if value is None:
            return self.none_points or 0
        for band in self.bands:
            if band.value is not None:
                if band.value == value:
                    return band.points
            elif value < band.upper:
                return band.points
        raise ValueError(f"{self.code}: no band for {value!r}")


@dataclass(frozen=True)
class Scorecard:
    version: str
    base: int
    attributes: tuple[Attribute, ...]
    cutoffs: tuple[tuple[RiskTier, int], ...]  # best tier first

    def tier_for(self, points: int) -> RiskTier | None:
        for tier, cutoff in self.cutoffs:
            if points >= cutoff:
                return tier
        return None

    @property
    def lowest_cutoff(self) -> int:
        return self.cutoffs[-1][1]


@dataclass(frozen=True)
class ScoreResult:
    score: int
    tier: RiskTier | None  # None: below every tier's cut-off
    reasons: tuple[Reason, ...]
    points: dict[str, int]
    version: str


def _bands(*pairs: tuple[int | str, int]) -> tuple[Band, ...]:
    return tuple(Band(points=p, upper=Decimal(u)) for u, p in pairs)


def _cat(**points: int) -> tuple[Band, ...]:
    return tuple(Band(points=p, value=k) for k, p in points.items())


def _pre_dti(a: Applicant) -> Decimal:
    return a.monthly_debt_payments / a.monthly_income


SCORECARD = Scorecard(
    version="2026.1",
    base=300,
    attributes=(
        Attribute(
            "score.bureau",
            N_("Your credit bureau score lowered the result"),
            _bands(
                (550, 0), (600, 20), (650, 40), (700, 65), (750, 90), (800, 110), ("Infinity", 125)
            ),
            lambda a: None if a.credit_score is None else Decimal(a.credit_score),
            none_points=45,
        ),
        Attribute(
            "score.existing_debt",
            N_("Your existing monthly debt payments are high compared with your income"),
            _bands(
                ("0.0001", 70),
                ("0.10", 65),
                ("0.20", 55),
                ("0.30", 40),
                ("0.40", 25),
                ("0.50", 10),
                ("Infinity", 0),
            ),
            _pre_dti,
        ),
        Attribute(
            "score.income",
            N_("Your monthly income is in a lower band"),
            _bands((4000, 5), (6000, 15), (10000, 30), (20000, 45), (40000, 55), ("Infinity", 60)),
            lambda a: a.monthly_income,
        ),
        Attribute(
            "score.employment_time",
            N_("You have been in your current job or business for a short time"),
            _bands((6, 0), (12, 10), (24, 25), (60, 40), ("Infinity", 50)),
            lambda a: Decimal(a.employment_months),
        ),
        Attribute(
            "score.income_type",
            N_("Your kind of income is less stable than a salary"),
            _cat(
                **{
                    IncomeType.SALARY: 40,
                    IncomeType.SELF_EMPLOYED: 25,
                    IncomeType.GIG: 15,
                    IncomeType.OTHER: 10,
                }
            ),
            lambda a: a.income_type.value,
        ),
        Attribute(
            "score.housing",
            N_("Your housing situation scores lower than owning a home"),
            _cat(**{Housing.OWN: 40, Housing.MORTGAGE: 35, Housing.FAMILY: 20, Housing.RENT: 15}),
            lambda a: a.housing.value,
        ),
        Attribute(
            "score.age",
            N_("Your age band has a shorter credit track record"),
            _bands((21, 5), (25, 15), (30, 25), (50, 35), (60, 30), ("Infinity", 20)),
            lambda a: Decimal(a.age),
        ),
        Attribute(
            "score.car_loans",
            N_("You already have car loans"),
            _bands((1, 30), (2, 20), (3, 5), ("Infinity", 0)),
            lambda a: Decimal(a.existing_car_loans),
        ),
    ),
    cutoffs=(
        (RiskTier.A, 640),
        (RiskTier.B, 590),
        (RiskTier.C, 540),
        (RiskTier.D, 490),
        (RiskTier.E, 440),
    ),
)

THIN_FILE = Reason("score.thin_file", N_("You have no credit bureau history yet (a thin file)"))
MAX_REASONS = 4


def score(applicant: Applicant, card: Scorecard = SCORECARD) -> ScoreResult:
    """The applicant's points, tier and score reasons (the attributes that cost the most)."""
    points = {attr.code: attr.points(applicant) for attr in card.attributes}
    total = card.base + sum(points.values())
    lost = sorted(
        ((attr.best - points[attr.code], k, attr) for k, attr in enumerate(card.attributes)),
        key=lambda x: (-x[0], x[1]),
    )
    reasons = []
    for cost, _k, attr in lost:
        if cost <= 0 or len(reasons) == MAX_REASONS:
            break
        if attr.code == "score.bureau" and applicant.credit_score is None:
            reasons.append(THIN_FILE)
        else:
            reasons.append(Reason(attr.code, attr.message))
    return ScoreResult(total, card.tier_for(total), tuple(reasons), points, card.version)

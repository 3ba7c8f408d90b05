"""The collateral value LTV divides by: the cash price for a new car; for a used car a
documented depreciation model, never the asking price taken on trust.

    value = min(asking price, appraisal)
    appraisal = reference × retention(age, energy, brand tier) × mileage factor × accident factor
    reference = the model's new list price when known; otherwise the asking price × the
                unverified-price haircut (the asking price already carries the car's age, so the
                age curve is not applied a second time)

Retention: the first year costs ``first_year[energy]``, every later year ``later[energy]``,
compounded and interpolated linearly within a year. New-energy cars lose value faster (battery
ageing, fast model turnover: standards.md §8 gives 15–25% in year one, more for some NEVs, then
10–15% a year). A brand tier multiplies the retention from the second year on. Mileage is
compared with ``expected_km_per_year``; each 10,000 km above costs ``km_penalty`` (capped), each
10,000 below earns ``km_bonus`` (capped). Accident history multiplies the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from domain.catalog import Condition, Energy
from domain.prequal.applicant import Accident, VehicleFacts

__all__ = ["DEPRECIATION", "BrandTier", "DepreciationModel", "Valuation", "value_vehicle"]

_D = Decimal


class BrandTier:
    STRONG = "strong"  # holds value well
    STANDARD = "standard"
    WEAK = "weak"  # young brands and fast price cuts: resale is thin


@dataclass(frozen=True)
class DepreciationModel:
    version: str
    first_year: dict[Energy, Decimal]
    later: dict[Energy, Decimal]
    brand_tiers: dict[str, str]
    brand_factor: dict[str, Decimal]
    expected_km_per_year: int
    km_penalty: Decimal  # per 10,000 km above expectation
    km_penalty_cap: Decimal
    km_bonus: Decimal  # per 10,000 km below expectation
    km_bonus_cap: Decimal
    accident_factor: dict[Accident, Decimal]
    unverified_price_haircut: Decimal
    floor: Decimal = Decimal("0.05")  # never below 5% of the reference (scrap value)
    notes: tuple[str, ...] = field(default=())

    def brand_tier(self, make: str) -> str:
        return self.brand_tiers.get(make.strip().lower(), BrandTier.STANDARD)

    def retention(self, age_years: Decimal, energy: Energy, make: str) -> Decimal:
        """The fraction of the new price a car keeps at ``age_years`` (before mileage and
        accidents)."""
        if age_years <= 0:
            return _D(1)
        first = 1 - self.first_year[energy]
        if age_years <= 1:
            return 1 - self.first_year[energy] * age_years
        later = 1 - self.later[energy]
        whole = int(age_years)  # full years, >= 1
        part = age_years - whole
        kept = first * later ** (whole - 1) * (1 - self.later[energy] * part)
        return max(self.floor, kept * self.brand_factor[self.brand_tier(make)])

    def mileage_factor(self, age_years: Decimal, mileage_km: int) -> Decimal:
        expected = self.expected_km_per_year * max(age_years, _D(1))
        delta = (_D(mileage_km) - expected) / 10000
        if delta > 0:
            return 1 - min(self.km_penalty * delta, self.km_penalty_cap)
        return 1 + min(self.km_bonus * -delta, self.km_bonus_cap)


_STRONG = ("toyota", "honda", "lexus", "porsche", "tank", "li auto", "tesla")
_WEAK = ("leapmotor", "neta", "wuling", "roewe", "gac aion", "aito", "xpeng", "nio", "zeekr")

DEPRECIATION = DepreciationModel(
    version="2026.1",
    first_year={
        Energy.ICE: _D("0.18"),
        Energy.HEV: _D("0.16"),
        Energy.PHEV: _D("0.24"),
        Energy.BEV: _D("0.28"),
    },
    later={
        Energy.ICE: _D("0.11"),
        Energy.HEV: _D("0.10"),
        Energy.PHEV: _D("0.14"),
        Energy.BEV: _D("0.15"),
    },
    brand_tiers={**{b: BrandTier.STRONG for b in _STRONG}, **{b: BrandTier.WEAK for b in _WEAK}},
    brand_factor={
        BrandTier.STRONG: _D("1.05"),
        BrandTier.STANDARD: _D("1.00"),
        BrandTier.WEAK: _D("0.92"),
    },
    expected_km_per_year=15000,
    km_penalty=_D("0.02"),
    km_penalty_cap=_D("0.20"),
    km_bonus=_D("0.01"),
    km_bonus_cap=_D("0.05"),
    accident_factor={
        Accident.NONE: _D("1.00"),
        Accident.MINOR: _D("0.93"),
        Accident.MAJOR: _D("0.75"),
    },
    unverified_price_haircut=_D("0.90"),
    notes=(
        "Year-one and later-year losses per energy type follow standards.md §8.",
        "Brand tiers reflect resale strength in China's used-car market (illustrative).",
    ),
)


@dataclass(frozen=True)
class Valuation:
    value: Decimal  # what LTV divides by, whole cents, rounded down
    appraisal: Decimal | None  # None for a new car
    retention: Decimal
    mileage_factor: Decimal
    accident_factor: Decimal
    model_version: str


def value_vehicle(vehicle: VehicleFacts, model: DepreciationModel = DEPRECIATION) -> Valuation:
    """The collateral value of ``vehicle`` (see the module docstring for the model)."""
    if vehicle.condition is Condition.NEW:
        return Valuation(vehicle.price, None, _D(1), _D(1), _D(1), model.version)
    mileage = model.mileage_factor(vehicle.age_years, vehicle.mileage_km)
    accident = model.accident_factor[vehicle.accident]
    if vehicle.new_price is not None:
        retention = model.retention(vehicle.age_years, vehicle.energy, vehicle.make)
        reference = vehicle.new_price * retention
    else:
        retention = model.unverified_price_haircut
        reference = vehicle.price * retention
    appraisal = (reference * mileage * accident).quantize(_D("0.01"), rounding=ROUND_DOWN)
    return Valuation(
        min(vehicle.price, appraisal), appraisal, retention, mileage, accident, model.version
    )

"""What prequalification reads: the applicant, the car, the deal and the buyer's consent, each
validated field by field (InputError names the dotted field and the rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.catalog import Condition, ConsentPurpose, Energy, VehicleUse
from domain.errors import InputError
from domain.money import ZERO, parse_money
from domain.parse import parse_choice, parse_decimal, parse_int, require

__all__ = [
    "Accident",
    "Applicant",
    "ConsentGiven",
    "Deal",
    "Housing",
    "IncomeType",
    "Occupation",
    "VehicleFacts",
    "parse_applicant",
    "parse_consent",
    "parse_deal",
    "parse_vehicle",
]


class IncomeType(StrEnum):
    SALARY = "salary"
    SELF_EMPLOYED = "self_employed"
    GIG = "gig"
    OTHER = "other"


class Housing(StrEnum):
    OWN = "own"
    MORTGAGE = "mortgage"
    RENT = "rent"
    FAMILY = "family"


class Occupation(StrEnum):
    """The stated occupation, read only by the consistency checks (optional)."""

    EMPLOYEE = "employee"
    CIVIL_SERVANT = "civil_servant"
    PROFESSIONAL = "professional"
    BUSINESS_OWNER = "business_owner"
    DRIVER = "driver"
    STUDENT = "student"
    RETIRED = "retired"
    UNEMPLOYED = "unemployed"
    OTHER = "other"


class Accident(StrEnum):
    NONE = "none"
    MINOR = "minor"  # cosmetic repairs
    MAJOR = "major"  # structural repairs, airbags deployed


@dataclass(frozen=True)
class Applicant:
    """The person applying. Money is gross monthly CNY; ``credit_score`` is a bureau score on
    the 300–850 scale, or None for a thin file (no bureau history)."""

    age: int
    monthly_income: Decimal
    income_type: IncomeType
    employment_months: int
    housing: Housing
    monthly_debt_payments: Decimal = ZERO
    existing_car_loans: int = 0
    credit_score: int | None = None
    city: str = ""
    occupation: Occupation | None = None
    person_id: str = ""  # the identity the velocity checks count by (e.g. a hashed ID number)
    phone: str = ""
    device_id: str = ""


@dataclass(frozen=True)
class VehicleFacts:
    """The car as the rules see it. ``price`` is the cash price asked; ``new_price`` the list
    price of the same model new, when known (the valuation depreciates from it)."""

    price: Decimal
    use: VehicleUse = VehicleUse.PRIVATE
    energy: Energy = Energy.ICE
    condition: Condition = Condition.NEW
    age_years: Decimal = Decimal(0)
    mileage_km: int = 0
    make: str = ""
    new_price: Decimal | None = None
    accident: Accident = Accident.NONE
    vehicle_id: str | None = None


@dataclass(frozen=True)
class Deal:
    down_payment: Decimal
    term_months: int
    trade_in: Decimal = ZERO


def leaves_a_loan(price: Decimal, down_payment: Decimal, trade_in: Decimal = ZERO) -> bool:
    """The down payment and the trade-in together are less than the car's ``price``: the one
    rule for whether there is anything to finance (the check and the app's form both ask it)."""
    return down_payment + trade_in < price


#: The version of the soft-check consent text the app shows (views.prequal.CONSENT_TEXT) and
#: the CLI attests to: a new version whenever that text changes.
SOFT_CHECK_TEXT_VERSION = "soft-check-2026-12"


@dataclass(frozen=True)
class ConsentGiven:
    """The buyer's recorded consent to the soft check: purpose, text version and time."""

    purpose: ConsentPurpose
    text_version: str
    given_at: datetime


def _obj(data: Any, field: str) -> dict:
    if not isinstance(data, dict):
        raise InputError(field, "object", "must be a JSON object")
    return data


def _opt(data: dict, key: str) -> Any:
    value = data.get(key)
    return None if value is None or value == "" else value


def _money(data: dict, key: str, prefix: str, default: Decimal | None = None) -> Decimal:
    raw = _opt(data, key)
    if raw is None and default is not None:
        return default
    return parse_money(raw, f"{prefix}{key}")


def _choice(data: dict, key: str, prefix: str, enum, default=None):
    raw = _opt(data, key)
    if raw is None:
        if default is None:
            raise InputError(f"{prefix}{key}", "required", "is required")
        return default
    return parse_choice(raw, f"{prefix}{key}", enum)


def _text(data: dict, key: str, prefix: str, limit: int = 100) -> str:
    raw = _opt(data, key)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InputError(f"{prefix}{key}", "text", "must be text")
    if len(raw) > limit:
        raise InputError(
            f"{prefix}{key}", "max_length", "must be at most {limit} characters", {"limit": limit}
        )
    return raw.strip()


def parse_applicant(data: Any, prefix: str = "applicant.") -> Applicant:
    data = _obj(data, prefix.rstrip("."))
    income = parse_money(require(data, "monthly_income", prefix), f"{prefix}monthly_income")
    if income <= 0:
        raise InputError(f"{prefix}monthly_income", "positive", "must be greater than zero")
    age = parse_int(require(data, "age", prefix), f"{prefix}age", minimum=16, maximum=100)
    months = parse_int(
        require(data, "employment_months", prefix),
        f"{prefix}employment_months",
        minimum=0,
        maximum=1000,
    )
    score_raw = data.get("credit_score")
    score = None
    if score_raw is not None:
        score = parse_int(score_raw, f"{prefix}credit_score", minimum=300, maximum=850)
    occupation_raw = _opt(data, "occupation")
    return Applicant(
        age=age,
        monthly_income=income,
        income_type=_choice(data, "income_type", prefix, IncomeType),
        employment_months=months,
        housing=_choice(data, "housing", prefix, Housing),
        monthly_debt_payments=_money(data, "monthly_debt_payments", prefix, ZERO),
        existing_car_loans=parse_int(
            data.get("existing_car_loans", 0), f"{prefix}existing_car_loans", minimum=0, maximum=20
        ),
        credit_score=score,
        city=_text(data, "city", prefix),
        occupation=None
        if occupation_raw is None
        else parse_choice(occupation_raw, f"{prefix}occupation", Occupation),
        person_id=_text(data, "person_id", prefix),
        phone=_text(data, "phone", prefix, 20),
        device_id=_text(data, "device_id", prefix),
    )


def parse_vehicle(data: Any, prefix: str = "vehicle.") -> VehicleFacts:
    data = _obj(data, prefix.rstrip("."))
    price = parse_money(require(data, "price", prefix), f"{prefix}price")
    if price <= 0:
        raise InputError(f"{prefix}price", "positive", "must be greater than zero")
    condition = _choice(data, "condition", prefix, Condition, Condition.NEW)
    energy_raw = _opt(data, "energy")
    energy = (
        Energy.ICE
        if energy_raw is None
        else parse_choice(str(energy_raw).upper(), f"{prefix}energy", Energy)
    )
    age = Decimal(0)
    if _opt(data, "age_years") is not None:
        age = parse_decimal(data["age_years"], f"{prefix}age_years")
        if not 0 <= age <= 40:
            raise InputError(
                f"{prefix}age_years",
                "between",
                "must be between {min} and {max}",
                {"min": 0, "max": 40},
            )
    elif condition is Condition.USED:
        raise InputError(f"{prefix}age_years", "required", "is required")
    new_price = None
    if _opt(data, "new_price") is not None:
        new_price = parse_money(data["new_price"], f"{prefix}new_price")
        if new_price <= 0:
            raise InputError(f"{prefix}new_price", "positive", "must be greater than zero")
    return VehicleFacts(
        price=price,
        use=_choice(data, "category", prefix, VehicleUse, VehicleUse.PRIVATE),
        energy=energy,
        condition=condition,
        age_years=age,
        mileage_km=parse_int(
            data.get("mileage_km", 0), f"{prefix}mileage_km", minimum=0, maximum=2_000_000
        ),
        make=_text(data, "make", prefix),
        new_price=new_price,
        accident=_choice(data, "accident", prefix, Accident, Accident.NONE),
        vehicle_id=_text(data, "vehicle_id", prefix) or None,
    )


def parse_deal(data: Any, prefix: str = "deal.") -> Deal:
    data = _obj(data, prefix.rstrip("."))
    return Deal(
        down_payment=parse_money(require(data, "down_payment", prefix), f"{prefix}down_payment"),
        trade_in=_money(data, "trade_in", prefix, ZERO),
        term_months=parse_int(
            require(data, "term_months", prefix), f"{prefix}term_months", minimum=1, maximum=120
        ),
    )


def parse_consent(data: Any, prefix: str = "consent.") -> ConsentGiven:
    """``{"text_version": "...", "given_at": "2026-11-28T09:00:00+00:00"}`` for a soft check."""
    data = _obj(data, prefix.rstrip("."))
    version = _text(data, "text_version", prefix)
    if not version:
        raise InputError(f"{prefix}text_version", "required", "is required")
    raw = require(data, "given_at", prefix)
    try:
        given = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{prefix}given_at", "datetime", "must be a time written as YYYY-MM-DDTHH:MM:SS+00:00"
        ) from None
    if given.tzinfo is None:
        raise InputError(f"{prefix}given_at", "timezone", "must include a time zone")
    purpose = _choice(data, "purpose", prefix, ConsentPurpose, ConsentPurpose.SOFT_CHECK)
    return ConsentGiven(purpose=purpose, text_version=version, given_at=given)

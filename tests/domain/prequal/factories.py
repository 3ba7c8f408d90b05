"""Factories for prequalification inputs: sensible defaults, override what the test is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.catalog import ConsentPurpose, Energy
from domain.prequal import (
    Applicant,
    ConsentGiven,
    Deal,
    Housing,
    IncomeType,
    VehicleFacts,
    prequalify,
)

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
CONSENT = ConsentGiven(
    ConsentPurpose.SOFT_CHECK, "soft-check-2026.1", datetime(2026, 11, 28, 9, tzinfo=UTC)
)


def applicant(**overrides) -> Applicant:
    base = Applicant(
        age=34,
        monthly_income=Decimal("20000.00"),
        income_type=IncomeType.SALARY,
        employment_months=60,
        housing=Housing.MORTGAGE,
        monthly_debt_payments=Decimal("2000.00"),
        credit_score=720,
        city="Shanghai",
    )
    return replace(base, **overrides)


def vehicle(**overrides) -> VehicleFacts:
    base = VehicleFacts(price=Decimal("179800.00"), energy=Energy.BEV, make="BYD")
    return replace(base, **overrides)


def deal(**overrides) -> Deal:
    base = Deal(down_payment=Decimal("60000.00"), term_months=36)
    return replace(base, **overrides)


def run(products, *, a=None, v=None, d=None, **kw):
    return prequalify(
        a or applicant(),
        v or vehicle(),
        d or deal(),
        products,
        consent=kw.pop("consent", CONSENT),
        today=TODAY,
        now=NOW,
        **kw,
    )

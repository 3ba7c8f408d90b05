"""Behavioural risk control (the source report's 行为风控): velocity and consistency checks.

A flag never declines anyone by itself: the application is referred to manual review with the
reasons, and the offers stay provisional until a person has looked. Thresholds are data.

- velocity: many applications from one person, or from one device, within a window; one phone
  number used by several identities;
- consistency: income against the stated occupation and income type, employment months
  against age, existing debts against income.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from domain.prequal.applicant import Applicant, IncomeType, Occupation
from domain.prequal.text import N_, Reason

__all__ = ["FRAUD_RULES", "FraudRules", "PriorApplication", "check"]


@dataclass(frozen=True)
class PriorApplication:
    """An earlier application the platform saw (the caller supplies the recent ones)."""

    at: datetime
    person_id: str = ""
    phone: str = ""
    device_id: str = ""


@dataclass(frozen=True)
class FraudRules:
    version: str
    window: timedelta
    max_per_person: int  # applications in the window, this one included
    max_per_device: int
    max_identities_per_phone: int
    #: the highest monthly income that is plausible for an occupation (None: no ceiling)
    income_ceiling: dict[Occupation, Decimal]
    income_type_ceiling: dict[IncomeType, Decimal]
    working_age: int  # employment months cannot exceed (age - working_age) * 12


FRAUD_RULES = FraudRules(
    version="2026.1",
    window=timedelta(days=30),
    max_per_person=3,
    max_per_device=3,
    max_identities_per_phone=1,
    income_ceiling={
        Occupation.STUDENT: Decimal("10000"),
        Occupation.UNEMPLOYED: Decimal("5000"),
        Occupation.RETIRED: Decimal("30000"),
        Occupation.DRIVER: Decimal("40000"),
    },
    income_type_ceiling={IncomeType.GIG: Decimal("50000"), IncomeType.OTHER: Decimal("100000")},
    working_age=16,
)


def check(
    applicant: Applicant,
    *,
    now: datetime,
    history: Sequence[PriorApplication] = (),
    rules: FraudRules = FRAUD_RULES,
) -> tuple[Reason, ...]:
    """Every flag raised, in a fixed order; empty when nothing needs a person's look."""
    flags: list[Reason] = []
    recent = [h for h in history if now - rules.window <= h.at <= now]
    days = rules.window.days
    if applicant.person_id:
        n = 1 + sum(1 for h in recent if h.person_id == applicant.person_id)
        if n > rules.max_per_person:
            flags.append(
                Reason(
                    "fraud.velocity_person",
                    N_("{count} applications from the same person within {days} days"),
                    {"count": n, "days": days},
                )
            )
    if applicant.device_id:
        n = 1 + sum(1 for h in recent if h.device_id == applicant.device_id)
        if n > rules.max_per_device:
            flags.append(
                Reason(
                    "fraud.velocity_device",
                    N_("{count} applications from the same device within {days} days"),
                    {"count": n, "days": days},
                )
            )
    if applicant.phone:
        people = {h.person_id for h in recent if h.phone == applicant.phone and h.person_id}
        people.add(applicant.person_id or "(this applicant)")
        if len(people) > rules.max_identities_per_phone:
            flags.append(
                Reason(
                    "fraud.shared_phone",
                    N_("The phone number was used by {count} different people within {days} days"),
                    {"count": len(people), "days": days},
                )
            )
    income = applicant.monthly_income
    ceiling = rules.income_ceiling.get(applicant.occupation) if applicant.occupation else None
    if ceiling is not None and income > ceiling:
        flags.append(
            Reason(
                "consistency.income_occupation",
                N_("The stated income of {income} is unusually high for the stated occupation"),
                {"income": income},
                {"income": "money"},
            )
        )
    if applicant.occupation in (Occupation.STUDENT, Occupation.UNEMPLOYED) and (
        applicant.income_type is IncomeType.SALARY and applicant.employment_months >= 12
    ):
        flags.append(
            Reason(
                "consistency.occupation_employment",
                N_("The stated occupation does not match a year or more of salaried work"),
            )
        )
    type_ceiling = rules.income_type_ceiling.get(applicant.income_type)
    if type_ceiling is not None and income > type_ceiling:
        flags.append(
            Reason(
                "consistency.income_type",
                N_("The stated income of {income} is unusually high for this kind of income"),
                {"income": income},
                {"income": "money"},
            )
        )
    if applicant.employment_months > max(0, applicant.age - rules.working_age) * 12:
        flags.append(
            Reason(
                "consistency.age_employment",
                N_("{months} months in work is more than is possible at age {age}"),
                {"months": applicant.employment_months, "age": applicant.age},
            )
        )
    if applicant.monthly_debt_payments > income:
        flags.append(
            Reason(
                "consistency.debts_over_income",
                N_("The existing debt payments are larger than the stated income"),
            )
        )
    return tuple(flags)

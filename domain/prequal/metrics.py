"""Credit metrics, exact (standards.md §4): Decimal fractions, never rounded before a rule
compares them with its cap; rounded only for display.

- PTI = the new instalment ÷ gross monthly income
- DTI = (existing monthly debt payments + the new instalment) ÷ gross monthly income
- LTV = amount financed ÷ the vehicle's value (domain.prequal.valuation)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Metrics", "dti", "ltv", "metrics", "pti"]


def pti(payment: Decimal, monthly_income: Decimal) -> Decimal:
    return payment / monthly_income


def dti(payment: Decimal, existing_debts: Decimal, monthly_income: Decimal) -> Decimal:
    return (existing_debts + payment) / monthly_income


def ltv(amount_financed: Decimal, value: Decimal) -> Decimal:
    return amount_financed / value


@dataclass(frozen=True)
class Metrics:
    dti: Decimal
    pti: Decimal
    ltv: Decimal

    def percent(self) -> dict[str, str]:
        """Percentages with two decimals, for the wire ("41.23" = 41.23%)."""
        return {
            k: str((v * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            for k, v in (("dti", self.dti), ("pti", self.pti), ("ltv", self.ltv))
        }


def metrics(
    *,
    payment: Decimal,
    amount_financed: Decimal,
    existing_debts: Decimal,
    income: Decimal,
    value: Decimal,
) -> Metrics:
    return Metrics(
        dti(payment, existing_debts, income), pti(payment, income), ltv(amount_financed, value)
    )

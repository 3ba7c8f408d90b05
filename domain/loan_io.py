"""The wire form of loan terms and quotes: the JSON of ``chedai quote`` (amounts as strings such
as "1234.50", rates as percentage strings such as "6.90")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.errors import InputError
from domain.loans import DayCount, Fee, FlatRate, Frequency, LoanTerms, Method, Quote
from domain.money import ZERO, parse_money
from domain.parse import (
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    parse_percent,
    require,
)


def parse_terms(data: Any, prefix: str = "") -> LoanTerms:
    """``chedai quote``'s input as LoanTerms; InputError names the first bad field."""
    require(data, "cash_price", prefix)

    def money_field(key: str, default: Decimal | None = None) -> Decimal:
        if default is not None and data.get(key) is None:
            return default
        return parse_money(require(data, key, prefix), f"{prefix}{key}")

    fees = []
    raw_fees = data.get("fees") or []
    if not isinstance(raw_fees, list):
        raise InputError(f"{prefix}fees", "list", "must be a list")
    for k, raw in enumerate(raw_fees):
        p = f"{prefix}fees[{k}]."
        fees.append(
            Fee(
                name=str(require(raw, "name", p)),
                amount=parse_money(require(raw, "amount", p), f"{p}amount"),
                financed=parse_bool(raw.get("financed", True), f"{p}financed"),
                prepaid_finance_charge=parse_bool(
                    raw.get("prepaid_finance_charge", False), f"{p}prepaid_finance_charge"
                ),
            )
        )
    if "term_months" in data:
        count = parse_int(data["term_months"], f"{prefix}term_months", minimum=1, maximum=600)
        frequency = Frequency.MONTHLY
    elif "count" in data:
        count = parse_int(data["count"], f"{prefix}count", minimum=1, maximum=2600)
        frequency = parse_choice(data.get("frequency", "monthly"), f"{prefix}frequency", Frequency)
    else:
        raise InputError(f"{prefix}term_months", "required", "is required")
    annual = flat = None
    if data.get("annual_rate") is not None:
        annual = parse_percent(data["annual_rate"], f"{prefix}annual_rate")
    if data.get("flat_rate") is not None:
        raw = data["flat_rate"]
        p = f"{prefix}flat_rate."
        flat = FlatRate(
            rate=parse_percent(require(raw, "rate", p), f"{p}rate"),
            per=parse_choice_str(raw.get("per", "year"), f"{p}per", ("year", "month")),
        )
    if annual is None and flat is None:
        raise InputError(f"{prefix}annual_rate", "required", "is required (or flat_rate)")
    first = data.get("first_payment_date")
    return LoanTerms(
        cash_price=money_field("cash_price"),
        down_payment=money_field("down_payment", ZERO),
        trade_in=money_field("trade_in", ZERO),
        loan_date=parse_date(require(data, "loan_date", prefix), f"{prefix}loan_date"),
        first_payment_date=parse_date(first, f"{prefix}first_payment_date") if first else None,
        count=count,
        frequency=frequency,
        annual_rate=annual,
        flat_rate=flat,
        method=parse_choice(data.get("method", "level"), f"{prefix}method", Method),
        balloon_amount=money_field("balloon_amount", ZERO),
        fees=tuple(fees),
        day_count=parse_choice(data.get("day_count", "30/360"), f"{prefix}day_count", DayCount),
    )


def parse_choice_str(raw: Any, field: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise InputError(
            field, "one_of", "must be one of {choices}", {"choices": ", ".join(choices)}
        )
    return raw


def _s(amount: Decimal) -> str:
    return f"{amount:.2f}"


def quote_to_wire(q: Quote) -> dict[str, Any]:
    """``chedai quote``'s output."""
    return {
        "payment": _s(q.payment),
        "last_payment": _s(q.last_payment),
        "principal": _s(q.principal),
        "amount_financed": _s(q.amount_financed),
        "finance_charge": _s(q.finance_charge),
        "total_of_payments": _s(q.total_of_payments),
        "total_sale_price": _s(q.total_sale_price),
        "apr": _s(q.apr_percent),
        "apr_exact": f"{q.apr * 100:.10f}",
        "apr_over_24_percent": q.apr > Decimal("0.24"),
        "schedule": [
            {
                "n": r.n,
                "date": r.date.isoformat(),
                "payment": _s(r.payment),
                "interest": _s(r.interest),
                "principal": _s(r.principal),
                "balance": _s(r.balance),
            }
            for r in q.schedule
        ],
        "totals": {
            "payment": _s(q.totals.payment),
            "interest": _s(q.totals.interest),
            "principal": _s(q.totals.principal),
        },
        "yearly": [
            {
                "year": y.year,
                "payment": _s(y.payment),
                "interest": _s(y.interest),
                "principal": _s(y.principal),
                "closing_balance": _s(y.closing_balance),
            }
            for y in q.yearly
        ],
    }

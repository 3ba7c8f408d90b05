"""The periods a loan's repayment statement covers: each month of the loan up to today, or
the whole loan so far. Calendar arithmetic only."""

from __future__ import annotations

import calendar
from datetime import date

from domain.errors import InputError

#: The period of a statement from the loan's start to today.
WHOLE_LOAN = "all"


def statement_months(loan_date: date, today: date) -> list[str]:
    """The months a loan has statements for, newest first ("YYYY-MM")."""
    months, y, m = [], today.year, today.month
    while (y, m) >= (loan_date.year, loan_date.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months


def statement_period(period: str, loan_date: date, today: date) -> tuple[date, date]:
    """The days a statement covers: a month of the loan up to today, or the whole loan so far.
    InputError (``statement.period``) for any other period."""
    if period == WHOLE_LOAN:
        return loan_date, max(today, loan_date)
    if period not in statement_months(loan_date, today):
        raise InputError("statement.period", "loan_month", "must be a month of the loan")
    y, m = int(period[:4]), int(period[5:])
    start = max(date(y, m, 1), loan_date)
    return start, min(date(y, m, calendar.monthrange(y, m)[1]), max(today, start))

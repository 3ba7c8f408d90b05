"""Calendar arithmetic for schedules and for Appendix J's unit periods."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache


class Frequency(StrEnum):
    """How often payments fall due; the value is the wire name."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    SEMIMONTHLY = "semimonthly"
    QUARTERLY = "quarterly"

    @property
    def periods_per_year(self) -> int:
        return _PERIODS_PER_YEAR[self]


_PERIODS_PER_YEAR = {
    Frequency.MONTHLY: 12,
    Frequency.WEEKLY: 52,
    Frequency.BIWEEKLY: 26,
    Frequency.SEMIMONTHLY: 24,
    Frequency.QUARTERLY: 4,
}


class DayCount(StrEnum):
    """How odd days are counted for interest."""

    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def is_month_end(day: date) -> bool:
    return day.day == days_in_month(day.year, day.month)


def add_months(start: date, months: int, *, day: int | None = None) -> date:
    """``start`` moved by whole months onto day ``day`` of the month (default: ``start``'s day),
    clamped to the month's length: a series on the 31st falls on every month end, a series on
    the 30th on the last day of February (Appendix J (b)(3)(iv))."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day or start.day, days_in_month(year, month + 1)))


def add_periods(start: date, frequency: Frequency, count: int, *, day: int | None = None) -> date:
    """The date ``count`` payment periods after ``start``; ``day`` is the series' day of the
    month for monthly and quarterly series (default: ``start``'s day)."""
    match frequency:
        case Frequency.MONTHLY:
            return add_months(start, count, day=day)
        case Frequency.QUARTERLY:
            return add_months(start, 3 * count, day=day)
        case Frequency.WEEKLY:
            return start + timedelta(days=7 * count)
        case Frequency.BIWEEKLY:
            return start + timedelta(days=14 * count)
        case Frequency.SEMIMONTHLY:
            return _add_half_months(start, count)
    raise ValueError(frequency)


def _add_half_months(start: date, count: int) -> date:
    # Semi-monthly dates alternate between the start's day and 15 days later
    # (the 1st/16th or 15th/month-end pattern); month ends stay month ends.
    months, half = divmod(count, 2)
    anchor = add_months(start, months)
    if not half:
        return anchor
    if start.day <= 15 and not is_month_end(start):
        last = days_in_month(anchor.year, anchor.month)
        return anchor.replace(day=min(anchor.day + 15, last))
    nxt = add_months(anchor.replace(day=1), 1)
    return nxt.replace(day=max(1, min(start.day - 15, 15)))


@lru_cache(maxsize=1024)
def payment_dates(
    first: date, frequency: Frequency, count: int, day: int | None = None
) -> tuple[date, ...]:
    """Due dates of ``count`` payments, the first on ``first``, the series on day ``day`` of
    the month (default: ``first``'s day)."""
    return tuple(add_periods(first, frequency, k, day=day) for k in range(count))


def series_day(loan_date: date, first_payment_date: date | None) -> int:
    """The day of the month a monthly series falls on: the first payment's day when it is
    given, else the loan date's (a loan on the 31st is repaid at every month end)."""
    return (first_payment_date or loan_date).day


def days_30_360(start: date, end: date) -> int:
    """Days between two dates under the 30/360 (US) convention."""
    d1 = 30 if start.day == 31 or (is_month_end(start) and start.month == 2) else start.day
    d2 = end.day
    if d2 == 31 and d1 == 30:
        d2 = 30
    return (end.year - start.year) * 360 + (end.month - start.month) * 30 + (d2 - d1)


def year_fraction(start: date, end: date, day_count: DayCount) -> Fraction:
    """The part of a year between two dates, for odd-days interest."""
    if day_count is DayCount.ACTUAL_365:
        return Fraction((end - start).days, 365)
    return Fraction(days_30_360(start, end), 360)


@lru_cache(maxsize=65536)
def unit_periods_between(
    start: date, end: date, frequency: Frequency, day: int | None = None
) -> tuple[int, Fraction]:
    """Appendix J's (t, f): whole unit periods counted back from ``end`` to ``start``, and the
    remaining days as a fraction of a unit period (30-day months, 15-day half months,
    7-day weeks). Months are counted back on the series' day ``day`` (default: ``end``'s day),
    so a series on the 31st is measured month end to month end and one on the 28th from the
    28th, even where the 28th is February's last day."""
    if end < start:
        raise ValueError("end before start")
    if frequency in (Frequency.WEEKLY, Frequency.BIWEEKLY):
        length = 7 if frequency is Frequency.WEEKLY else 14
        whole, rest = divmod((end - start).days, length)
        return whole, Fraction(rest, length)
    step = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIMONTHLY: 1}[frequency]
    on = end.day if frequency is Frequency.SEMIMONTHLY else day or end.day
    months = (end.year - start.year) * 12 + end.month - start.month
    months = max(0, months - months % step)
    while months and add_months(end, -months, day=on) < start:
        months -= step
    anchor = add_months(end, -months, day=on) if months else end
    days = (anchor - start).days
    if frequency is Frequency.SEMIMONTHLY:
        whole = 2 * months + (1 if days >= 15 else 0)
        return whole, Fraction(days - 15 if days >= 15 else days, 15)
    if frequency is Frequency.QUARTERLY:
        return months // 3, Fraction(days, 90)
    return months, Fraction(days, 30)

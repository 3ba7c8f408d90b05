"""The market's clock: China Standard Time (UTC+8, no daylight saving since 1991).

A loan's dates, a payment's day and "today" are calendar days where the buyer and the
dealership are, whatever the zone of the server or the device; stored moments stay UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

MARKET_TZ = timezone(timedelta(hours=8), "CST")
#: How far the market's midnight comes before UTC's, in ms.
MARKET_OFFSET_MS = 8 * 3_600_000
DAY_MS = 86_400_000


def market_day(moment: datetime | None = None) -> date:
    """The market's calendar day of ``moment`` (a naive one is UTC; None: now)."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(MARKET_TZ).date()


def market_day_number(ms: int) -> int:
    """The market's day of epoch ``ms``, counted in days since 1970-01-01."""
    return (ms + MARKET_OFFSET_MS) // DAY_MS

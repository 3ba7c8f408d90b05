"""The market's day is China's, whatever the server's or the device's zone."""

from datetime import UTC, date, datetime, timedelta, timezone

from domain.market_time import market_day, market_day_number


def test_the_day_turns_at_midnight_in_china_not_at_midnight_utc():
    assert market_day(datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(2026, 11, 30)
    assert market_day(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)) == date(2026, 12, 1)
    new_york = timezone(timedelta(hours=-5))
    assert market_day(datetime(2026, 11, 30, 12, 0, tzinfo=new_york)) == date(2026, 12, 1)
    assert market_day(datetime(2026, 11, 30, 16, 0)) == date(2026, 12, 1)  # naive: UTC


def test_a_moments_day_number_counts_the_markets_days_since_1970():
    ms = int(datetime(2026, 11, 30, 16, 0, tzinfo=UTC).timestamp() * 1000)
    assert market_day_number(ms) == (date(2026, 12, 1) - date(1970, 1, 1)).days
    assert market_day_number(ms - 1) == (date(2026, 11, 30) - date(1970, 1, 1)).days

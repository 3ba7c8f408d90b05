"""Regulation Z Appendix J's published examples (c)(1)–(c)(6) and the standards' vectors."""

from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction as F

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.apr import FlowGroup, _level_root, _prepare, _secant_root, group_flows, solve_apr
from domain.dates import Frequency, unit_periods_between
from domain.errors import InputError


def G(amount, count, t, f=F(0)):
    return FlowGroup(Decimal(str(amount)), t, F(f), count)


APPENDIX_J = [
    pytest.param(5000, [G(230, 24, 1)], 12, "9.69", id="c1-i-monthly-regular"),
    pytest.param(6000, [G(200, 36, 1, F(19, 30))], 12, "11.82", id="c1-ii-monthly-long-first"),
    pytest.param(5000, [G("219.17", 24, 0, F(6, 15))], 24, "10.34", id="c1-iii-semimonthly-short"),
    pytest.param(10000, [G(385, 40, 1, F(39, 90))], 4, "8.97", id="c1-iv-quarterly-long"),
    pytest.param(500, [G("17.60", 30, 4, F(4, 7))], 52, "14.96", id="c1-v-weekly-long"),
    pytest.param(5000, [G(250, 1, 1), G(230, 23, 2)], 12, "10.08", id="c2-i-odd-first-payment"),
    pytest.param(
        400,
        [G("39.50", 1, 1, F(5, 28)), G("38.31", 11, 2, F(5, 28))],
        13,
        "28.50",
        id="c2-ii-four-weekly-odd-first",
    ),
    pytest.param(5000, [G(230, 23, 1), G(280, 1, 24)], 12, "10.50", id="c3-i-odd-final-payment"),
    pytest.param(
        200,
        [G("9.50", 19, 0, F(8, 14)), G(30, 1, 19, F(8, 14))],
        26,
        "12.22",
        id="c3-ii-biweekly-odd-final",
    ),
    pytest.param(
        5000,
        [G(250, 1, 1), G(230, 22, 2), G(280, 1, 24)],
        12,
        "10.90",
        id="c4-i-odd-first-and-final",
    ),
    pytest.param(
        8000,
        [G("449.36", 1, 0, F(52, 60)), G(465, 18, 1, F(52, 60)), G(200, 1, 19, F(52, 60))],
        6,
        "7.30",
        id="c4-ii-bimonthly-odd-first-and-final",
    ),
    pytest.param(1000, [G(1080, 1, 1)], F(365, 255), "11.45", id="c5-i-single-payment-255-days"),
    pytest.param(1000, [G(1044, 1, 1)], 2, "8.80", id="c5-ii-single-payment-6-months"),
    pytest.param(
        1000, [G("1135.19", 1, 1, F(6, 12))], 1, "8.76", id="c5-iii-single-payment-18-months"
    ),
    pytest.param(1000, [G(1240, 1, 2)], 1, "11.36", id="c5-iv-single-payment-2-years"),
    pytest.param(
        2135,
        [
            G(100, 9, 0, F(26, 28)),
            G(100, 6, 10, F(12, 28)),
            G(100, 6, 16, F(26, 28)),
            G(100, 3, 23, F(12, 28)),
        ],
        13,
        "12.00",
        id="c6-i-skipped-payments",
    ),
    pytest.param(
        7350,
        [
            G(1000, 3, 6, F(12, 30)),
            G(2000, 1, 12, F(12, 30)),
            G(750, 3, 18, F(12, 30)),
            G(1000, 1, 22, F(29, 30)),
        ],
        12,
        "10.22",
        id="c6-ii-skipped-and-single-payments",
    ),
    # standards.md §1, vector F: 45 days to the first payment, payment not adjusted
    pytest.param(20000, [G("478.92", 48, 1, F(15, 30))], 12, "6.85", id="vector-F-odd-days"),
]


@pytest.mark.parametrize(("advance", "payments", "per_year", "published"), APPENDIX_J)
def test_appendix_j_examples_reproduce_to_two_decimals(advance, payments, per_year, published):
    apr = solve_apr([G(advance, 1, 0)], payments, per_year)
    assert f"{apr * 100:.2f}" == published


def test_apr_is_solved_far_below_display_precision():
    apr = solve_apr([G(5000, 1, 0)], [G(230, 24, 1)], 12)
    assert abs(apr - Decimal("0.0968570806228")) < Decimal("1e-12")


def test_several_advances_are_discounted_from_the_first():
    # Two advances of 2,500 one month apart, repaid like one loan of 5,000 a month later:
    one = solve_apr([G(5000, 1, 0)], [G(230, 24, 1)], 12)
    two = solve_apr([G(2500, 1, 0), G(2500, 1, 1)], [G(230, 24, 1)], 12)
    assert two > one


@pytest.mark.parametrize(
    "payment", [0, 200, Decimal("208.33")], ids=["nothing", "less", "cents-short"]
)
def test_payments_short_of_the_advance_are_no_loan_and_named(payment):
    # 24 × 208.33 = 4,999.92: a negative rate would balance them, a finance charge below zero
    with pytest.raises(InputError) as caught:
        solve_apr([G(5000, 1, 0)], [G(payment, 24, 1)], 12)
    assert caught.value.field == "payments"


def test_payments_equal_to_the_advance_are_a_zero_rate_loan():
    assert abs(solve_apr([G(4800, 1, 0)], [G(200, 24, 1)], 12)) < Decimal("1e-12")


def test_zero_interest_loan_has_zero_apr():
    assert abs(solve_apr([G(2400, 1, 0)], [G(100, 24, 1)], 12)) < Decimal("1e-12")


@pytest.mark.parametrize(
    ("advanced", "due", "frequency", "expected"),
    [
        pytest.param(date(1978, 1, 10), date(1978, 2, 10), Frequency.MONTHLY, (1, F(0)), id="c1-i"),
        pytest.param(
            date(1978, 2, 10), date(1978, 4, 1), Frequency.MONTHLY, (1, F(19, 30)), id="c1-ii"
        ),
        pytest.param(
            date(1978, 2, 23), date(1978, 3, 1), Frequency.SEMIMONTHLY, (0, F(6, 15)), id="c1-iii"
        ),
        pytest.param(
            date(1978, 5, 23), date(1978, 10, 1), Frequency.QUARTERLY, (1, F(39, 90)), id="c1-iv"
        ),
        pytest.param(
            date(1978, 3, 20), date(1978, 4, 21), Frequency.WEEKLY, (4, F(4, 7)), id="c1-v"
        ),
        pytest.param(
            date(2026, 1, 31), date(2026, 2, 28), Frequency.MONTHLY, (0, F(28, 30)), id="28th"
        ),
    ],
)
def test_unit_periods_from_real_dates_match_appendix_j(advanced, due, frequency, expected):
    assert unit_periods_between(advanced, due, frequency) == expected


@pytest.mark.parametrize(
    ("advanced", "due", "day", "expected"),
    [
        pytest.param(date(2026, 1, 31), date(2026, 2, 28), 31, (1, F(0)), id="month-end-series"),
        pytest.param(date(2026, 1, 28), date(2026, 2, 28), 28, (1, F(0)), id="28th-series"),
        pytest.param(date(2026, 1, 30), date(2026, 2, 28), 30, (1, F(0)), id="30th-series-feb"),
        pytest.param(date(2026, 1, 28), date(2026, 3, 31), 31, (2, F(3, 30)), id="odd-days"),
    ],
)
def test_months_are_counted_back_on_the_series_day(advanced, due, day, expected):
    assert unit_periods_between(advanced, due, Frequency.MONTHLY, day) == expected


def test_grouping_collapses_regular_runs_and_keeps_irregular_ones():
    flows = [(Decimal(250), 1, F(0))] + [(Decimal(230), t, F(0)) for t in range(2, 25)]
    assert group_flows(flows) == [G(250, 1, 1), G(230, 23, 2)]


def _reference_rate(advance: Decimal, payments: list[Decimal], start: Decimal) -> Decimal:
    """The root of Σ p_k·v^k - advance by Newton steps at 80 digits, every payment discounted
    on its own (no annuity formula): a slow, independent reference."""
    with localcontext() as ctx:
        ctx.prec = 80
        i = start
        for _ in range(8):
            v = 1 / (1 + i)
            gap = -advance
            slope = Decimal(0)
            vk = Decimal(1)
            for k, p in enumerate(payments, start=1):
                vk *= v
                gap += p * vk
                slope -= k * p * vk * v
            i -= gap / slope
        return i


@settings(max_examples=150, deadline=None)
@given(
    advance=st.integers(min_value=1000_00, max_value=2_000_000_00),
    count=st.integers(min_value=2, max_value=360),
    bp=st.integers(min_value=1, max_value=3600),
    last_delta=st.integers(min_value=-500, max_value=500),
)
def test_the_level_loan_shortcut_finds_the_rate_to_far_below_the_tolerance(
    advance, count, bp, last_delta
):
    """One advance, equal payments from period 1 and a last one: the shortcut (float Newton to
    a seed, 40-digit Newton steps) must be taken — else the general solve would hide a broken
    shortcut — and land on the root at least as closely as the general secant solve does."""
    amount = Decimal(advance) / 100
    i = Decimal(bp) / 120000
    with localcontext() as ctx:
        ctx.prec = 40
        payment = (amount * i / (1 - (1 + i) ** -count)).quantize(Decimal("0.01"))
    last = payment + Decimal(last_delta) / 100
    assume(last > 0)
    advanced = _prepare([G(amount, 1, 0)])
    paid = _prepare([G(payment, count - 1, 1), G(last, 1, count)])
    with localcontext() as ctx:
        ctx.prec = 40
        general = _secant_root(advanced, paid, i)
        shortcut = _level_root(advanced, paid, i)
    assume(general > Decimal("1e-6"))
    assert shortcut is not None
    exact = _reference_rate(amount, [payment] * (count - 1) + [last], general)
    assert abs(shortcut - exact) < Decimal("1e-24")
    assert abs(general - exact) < Decimal("1e-16")


def test_flows_the_shortcut_does_not_cover_go_to_the_general_solve():
    advanced = _prepare([G(5000, 1, 0)])
    odd_first = _prepare([G(200, 36, 1, F(19, 30))])
    skipped = _prepare([G(100, 9, 1), G(100, 6, 11)])
    zero_rate = _prepare([G(250, 20, 1)])
    for paid in (odd_first, skipped, zero_rate):
        assert _level_root(advanced, paid, None) is None
    assert abs(solve_apr([G(5000, 1, 0)], [G(250, 20, 1)], 12)) < Decimal("1e-20")

"""The loan chart's axes: round money marks covering the loan, time marks in years or months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app import i18n
from domain.loans import LoanTerms, quote
from views.charts import loan_chart, nice_step, period_marks


@pytest.mark.parametrize(
    ("top", "step"),
    [(74_270, 20_000), (100_000, 25_000), (9_000, 2_500), (1_200_000, 500_000), (0, 1)],
)
def test_the_grid_step_is_round_and_gives_at_most_four_lines(top, step):
    assert nice_step(top) == step
    assert top / step <= 4


@pytest.mark.parametrize(
    ("count", "marks"), [(60, (12, True)), (24, (12, True)), (12, (3, False)), (3, (1, False))]
)
def test_time_is_marked_in_years_from_two_years_else_in_months(count, marks):
    assert period_marks(count) == marks


def _ctx(locale: str):
    from views.context import ViewContext

    return ViewContext(page=None, state=SimpleNamespace(locale=locale), services=None, i18n=i18n)


def _labels(axis) -> list[str]:
    return [mark.label.value for mark in axis.labels]


def three_year_quote():
    return quote(
        LoanTerms(
            cash_price=Decimal("100000"),
            down_payment=Decimal("25730"),
            count=36,
            annual_rate=Decimal("0.0938"),
            loan_date=date(2026, 11, 28),
        )
    )


def test_the_chart_marks_the_money_and_the_years_in_the_buyers_language():
    q = three_year_quote()
    schedule = q.schedule
    described = loan_chart(_ctx("zh_CN"), q, schedule, key="c")
    interest = sum(r.interest for r in schedule)
    assert described.label == f"剩余本金 ¥74,270.00 在 36 期内还清，共付利息 ¥{interest:,}"
    chart = described.content
    assert _labels(chart.left_axis) == ["¥0", "¥2万", "¥4万", "¥6万", "¥8万"]
    assert 80_000 <= chart.max_y < 100_000  # the balance, 74,270, under the top mark
    assert _labels(chart.bottom_axis) == ["1年", "2年", "3年"]
    english = loan_chart(_ctx("en_US"), q, schedule[:12], key="c").content
    assert _labels(english.bottom_axis) == ["3 mo", "6 mo", "9 mo", "12 mo"]
    assert _labels(english.left_axis)[1] == "CN¥20K"


def test_the_axes_sample_exactly_at_their_marks_so_a_narrow_chart_keeps_them():
    q = three_year_quote()
    chart = loan_chart(_ctx("zh_CN"), q, q.schedule, key="c").content
    assert chart.bottom_axis.label_spacing == 12  # one mark a year
    assert chart.left_axis.label_spacing == 20_000  # one mark per grid line

"""Charts (flet-charts): a loan's balance and cumulative principal/interest over time."""

from __future__ import annotations

import math
from decimal import Decimal

import flet as ft
import flet_charts as fch

from views import labels, palette
from views.context import ViewContext
from views.widgets import N_


def nice_step(top: float, lines: int = 4) -> float:
    """A round grid step (1, 2, 2.5 or 5 times a power of ten) giving at most ``lines`` lines
    from 0 to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / lines
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def period_marks(count: int) -> tuple[int, bool]:
    """(step in payments, in years) for the time axis: every year from 24 payments, else every
    quarter (every month below 6 payments)."""
    if count >= 24:
        return 12, True
    return (3, False) if count >= 6 else (1, False)


def _axis_text(text: str) -> ft.Text:
    return ft.Text(text, size=11, color=ft.Colors.ON_SURFACE_VARIANT)


def loan_chart(
    ctx: ViewContext, quote, rows, *, key: str, paid: int = 0, height: int = 220
) -> ft.Semantics:
    """``quote``'s balance along ``rows`` (its schedule, or the course an early repayment
    gave it), cumulative principal and cumulative interest by payment number, with the
    money on the left axis (compact: ¥2.5万 / CN¥25K) and the time since the loan on the bottom
    one, described in words for a screen reader (the chart is the Semantics' content). The
    float conversion is for drawing only; every figure shown as text comes from the Decimal
    rows."""
    principal = interest = Decimal(0)
    bal, prin, intr = [], [], []
    first_balance = rows[0].balance + rows[0].principal if rows else Decimal(0)
    bal.append(fch.LineChartDataPoint(0, float(first_balance)))
    prin.append(fch.LineChartDataPoint(0, 0.0))
    intr.append(fch.LineChartDataPoint(0, 0.0))
    for r in rows:
        principal += r.principal
        interest += r.interest
        bal.append(fch.LineChartDataPoint(r.n, float(r.balance)))
        prin.append(fch.LineChartDataPoint(r.n, float(principal)))
        intr.append(fch.LineChartDataPoint(r.n, float(interest)))
    highest = float(max(first_balance, principal))
    step = nice_step(highest)
    top = step * math.ceil(highest / step) or 1.0
    series = [
        fch.LineChartData(points=bal, color=ft.Colors.PRIMARY, stroke_width=3),
        fch.LineChartData(points=prin, color=palette.PRINCIPAL, stroke_width=2),
        fch.LineChartData(points=intr, color=palette.INTEREST, stroke_width=2),
    ]
    if paid:
        series.append(
            fch.LineChartData(
                points=[fch.LineChartDataPoint(paid, 0.0), fch.LineChartDataPoint(paid, top)],
                color=ft.Colors.OUTLINE,
                stroke_width=1,
                dash_pattern=[4, 4],
            )
        )
    count = max(len(rows), 1)
    every, in_years = period_marks(count)
    money_marks = [
        fch.ChartAxisLabel(value=k * step, label=_axis_text(ctx.money_compact(k * step)))
        for k in range(round(top / step) + 1)
    ]
    time_marks = [
        fch.ChartAxisLabel(
            value=n,
            label=_axis_text(
                ctx.t("{years} yr", years=n // 12) if in_years else ctx.t("{months} mo", months=n)
            ),
        )
        for n in range(every, count + 1, every)
    ]
    grid = fch.ChartGridLines(interval=step, color=ft.Colors.OUTLINE_VARIANT, width=1)
    chart = fch.LineChart(
        key=key, data_series=series, min_x=0, max_x=count, min_y=0, max_y=top + step / 10,
        height=height, expand=True, interactive=False,
        # the marks' own spacing: left to itself, a narrow chart samples fewer values than
        # the marks and drops them (a phone showed "3 yr" alone)
        left_axis=fch.ChartAxis(labels=money_marks, label_spacing=step, label_size=52,
                                show_min=True, show_max=True),
        bottom_axis=fch.ChartAxis(labels=time_marks, label_spacing=every, label_size=24,
                                  show_min=True, show_max=True),
        # an empty mark keeps the room the last time mark needs on the right
        right_axis=fch.ChartAxis(labels=[fch.ChartAxisLabel(value=0, label=_axis_text(""))],
                                 label_size=18, show_min=False, show_max=False),
        horizontal_grid_lines=grid,
    )  # fmt: skip
    # what the picture says, for a screen reader
    summary = ctx.t(
        labels.balance_label(
            quote,
            N_("The balance of {amount} falls to zero over {n} payments; "
               "{interest} of interest in all"),
            N_("The financed balance of {amount} falls to zero over {n} payments; "
               "{interest} of interest and fees in all"),
        ),
        amount=ctx.money(first_balance), n=len(rows), interest=ctx.money(interest),
    )  # fmt: skip
    return ft.Semantics(label=summary, content=chart)


def loan_legend(ctx: ViewContext, quote) -> ft.Control:
    """The legend of :func:`loan_chart`'s three lines for ``quote``, in their colours."""
    return ft.Row(
        [
            ft.Row([ft.Container(width=14, height=4, bgcolor=colour), ft.Text(text, size=12)],
                   spacing=4, tight=True)
            for text, colour in (
                (ctx.t(labels.part_name(quote, "balance")), ft.Colors.PRIMARY),
                (ctx.t(labels.part_name(quote, "principal_sum")), palette.PRINCIPAL),
                (ctx.t(labels.part_name(quote, "interest_sum")), palette.INTEREST))
        ],
        wrap=True,
        spacing=16,
    )  # fmt: skip

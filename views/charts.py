"""Charts (flet-charts): a loan's balance and cumulative principal/interest over time."""

from __future__ import annotations

from decimal import Decimal

import flet as ft
import flet_charts as fch


def loan_chart(rows, *, key: str, paid: int = 0, height: int = 220) -> ft.Control:
    """Balance, cumulative principal and cumulative interest by payment number. The float
    conversion is for drawing only; every figure shown as text comes from the Decimal rows."""
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
    top = float(max(first_balance, principal)) * 1.05 or 1.0
    series = [
        fch.LineChartData(points=bal, color=ft.Colors.PRIMARY, stroke_width=3),
        fch.LineChartData(points=prin, color=ft.Colors.GREEN_600, stroke_width=2),
        fch.LineChartData(points=intr, color=ft.Colors.ORANGE_700, stroke_width=2),
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
    return fch.LineChart(
        key=key, data_series=series, min_x=0, max_x=max(len(rows), 1), min_y=0, max_y=top,
        height=height, expand=True, interactive=False,
    )  # fmt: skip


def legend(items: list[tuple[str, str]]) -> ft.Control:
    return ft.Row(
        [
            ft.Row([ft.Container(width=14, height=4, bgcolor=colour), ft.Text(text, size=12)],
                   spacing=4)
            for text, colour in items
        ],
        wrap=True,
    )  # fmt: skip

"""Compare two or three cars side by side: price, monthly payment, total cost, energy."""

from __future__ import annotations

import flet as ft

from views import labels
from views.context import ViewContext
from views.shell import Screen
from views.widgets import deal_bar, empty_state, sem


def compare_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    cars = [v for v in (ctx.services.car(i) for i in ctx.state.compare) if v is not None]
    if len(cars) < 2:
        body = empty_state(
            "compare-empty",
            ft.Icons.COMPARE_ARROWS,
            ctx.t("Tick “Compare” on two or three cars to see them side by side."),
            sem(
                "compare-find",
                ft.TextButton(ctx.t("Find cars"), on_click=lambda e: ctx.go("/cars")),
            ),
        )
        return Screen(title=ctx.t("Compare"), body=body)
    calcs = [ctx.services.calculate(v, ctx.state.deal) for v in cars]
    rows = [
        (ctx.t("Price"), [ctx.money(v.price) for v in cars]),
        (ctx.t("Monthly payment"), [ctx.money(c.quote.payment) for c in calcs]),
        (ctx.t("APR (annualised rate)"), [ctx.rate(c.quote.apr) for c in calcs]),
        (ctx.t("Interest and fees"), [ctx.money(c.quote.finance_charge) for c in calcs]),
        (ctx.t("Total cost of the car"), [ctx.money(c.quote.total_sale_price) for c in calcs]),
        (ctx.t("Energy"), [labels.label(ctx, labels.ENERGY, v.energy) for v in cars]),
        (ctx.t("Body"), [labels.label(ctx, labels.BODY, v.body) for v in cars]),
        (ctx.t("Condition"), [labels.label(ctx, labels.CONDITION, v.condition) for v in cars]),
        (ctx.t("Model year"), [str(v.year) for v in cars]),
    ]
    table = ft.DataTable(
        key="compare-table",
        columns=[ft.DataColumn(ft.Text(""))]
        + [
            ft.DataColumn(ft.Text(labels.car_name(ctx, v), weight=ft.FontWeight.BOLD), numeric=True)
            for v in cars
        ],
        rows=[
            ft.DataRow([ft.DataCell(ft.Text(label))] + [ft.DataCell(ft.Text(x)) for x in values])
            for label, values in rows
        ],
        column_spacing=24,
    )
    remove = ft.Row(
        [
            sem(
                f"compare-remove-{v.id}",
                ft.TextButton(
                    ctx.t("Remove {car}", car=labels.car_name(ctx, v)),
                    on_click=lambda e, i=v.id: ctx.state.toggle_compare(i),
                ),
            )
            for v in cars
        ],
        wrap=True,
    )
    body = ft.Column(
        [deal_bar(ctx), ft.Row([table], scroll=ft.ScrollMode.AUTO), remove], spacing=12
    )
    return Screen(title=ctx.t("Compare"), body=body)

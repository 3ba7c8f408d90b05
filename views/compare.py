"""Compare two or three cars side by side: price, monthly payment, total cost, energy."""

from __future__ import annotations

import flet as ft

from views import labels, palette
from views.car_detail import check_rate
from views.context import ViewContext
from views.shell import Screen
from views.widgets import deal_bar, empty_state, indicative_rate_note, sem


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
    calcs = [ctx.services.calculate(v, ctx.state.priced_deal) for v in cars]
    money = ctx.money

    def loan(figure: str) -> list:
        """A quote's figure per car; None (shown "—") where no loan is needed."""
        return [None if c.quote is None else getattr(c.quote, figure) for c in calcs]

    # (label, values, how a value is shown, whether it is a cost: its lowest is marked)
    rows = [
        (ctx.t("Price"), [v.price for v in cars], money, True),
        (ctx.t("Monthly payment"), loan("payment"), money, True),
        (ctx.t("APR (annualised rate)"), loan("apr"), ctx.rate, False),
        (ctx.t("Interest and fees"), loan("finance_charge"), money, True),
        (ctx.t("Total cost of the car"), loan("total_sale_price"), money, True),
        (ctx.t("Energy"), [labels.label(ctx, labels.ENERGY, v.energy) for v in cars], str, False),
        (ctx.t("Electric range (CLTC)"), [labels.electric_range(ctx, v) for v in cars], str,
         False),
        (ctx.t("Energy use"), [labels.energy_use(ctx, v) for v in cars], str, False),
        (ctx.t("Body"), [labels.label(ctx, labels.BODY, v.body) for v in cars], str, False),
        (ctx.t("Condition"), [labels.label(ctx, labels.CONDITION, v.condition) for v in cars],
         str, False),
        (ctx.t("Model year"), [v.year for v in cars], str, False),
        (ctx.t("Dealer"), [dealer_name(ctx, v.dealer_id) for v in cars], str, False),
    ]  # fmt: skip

    def cells(values: list, show, cost: bool) -> list[ft.DataCell]:
        known = [x for x in values if x is not None]
        low = min(known) if cost and len(set(values)) > 1 and known else None  # all equal: none
        return [ft.DataCell(lowest(ctx, show(x)) if low is not None and x == low
                            else ft.Text("—" if x is None else show(x)))
                for x in values]  # fmt: skip

    check = ft.DataRow([
        ft.DataCell(ft.Text("")),
        *[ft.DataCell(sem(f"compare-check-{v.id}", ft.TextButton(
            ctx.t("Check my rate"), on_click=lambda e, i=v.id: check_rate(ctx, i))))
          for v in cars],
    ])  # fmt: skip
    table = ft.DataTable(
        columns=[ft.DataColumn(ft.Text(""))]
        + [
            ft.DataColumn(heading(ctx, v), numeric=True)
            for v in cars
        ],
        rows=[
            *(ft.DataRow([ft.DataCell(ft.Text(label)), *cells(values, show, cost)])
              for label, values, show, cost in rows
              if any(x is not None for x in values)),  # a figure none of the cars has: no row
            check,
        ],
        column_spacing=24,
    )  # fmt: skip
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
        [
            deal_bar(ctx),
            indicative_rate_note(ctx, calcs[0].reference_rate, "compare-rate-note"),
            ft.Row([sem("compare-table", table)], scroll=ft.ScrollMode.AUTO),
            remove,
        ],
        spacing=12,
    )
    return Screen(title=ctx.t("Compare"), body=body)


def lowest(ctx: ViewContext, text: str) -> ft.Control:
    """The lowest cost of a row: ticked and bold, and said so to a screen reader."""
    return ft.Row([
        ft.Icon(ft.Icons.CHECK_CIRCLE, size=16, color=palette.GOOD),
        ft.Text(text, weight=ft.FontWeight.BOLD, color=palette.GOOD,
                semantics_label=ctx.t("{amount}, the lowest", amount=text)),
    ], spacing=4, tight=True)  # fmt: skip


def heading(ctx: ViewContext, v) -> ft.Control:
    """The car's name, and its year and trim: two listings of one model tell apart."""
    return ft.Column([
        ft.Text(labels.car_name(ctx, v), weight=ft.FontWeight.BOLD),
        ft.Text(f"{v.year} · {v.trim}", size=12, color=ft.Colors.ON_SURFACE_VARIANT),
    ], spacing=0, horizontal_alignment=ft.CrossAxisAlignment.END)  # fmt: skip


def dealer_name(ctx: ViewContext, dealer_id: str) -> str:
    dealer = ctx.services.dealer(dealer_id)
    return "-" if dealer is None else labels.bilingual(ctx, dealer.name_zh, dealer.name_en)

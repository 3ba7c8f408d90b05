"""Compare two or three cars side by side: price, monthly payment, total cost, energy.

The address names the cars compared (``/compare/<id>,<id>``, :func:`views.widgets.compare_path`):
the catalogue's and the car page's "Compare" buttons lead there, and the screen's "Remove"
buttons move to the address without that car, so a bookmark, a shared link, a new tab or a
reload shows the same comparison (:func:`restore_compare`)."""

from __future__ import annotations

from urllib.parse import unquote

import flet as ft

from views import labels, palette
from views.car_detail import check_rate
from views.context import ViewContext
from views.shell import Screen
from views.widgets import (
    car_picture,
    compare_path,
    deal_bar,
    empty_state,
    fill_or_scroll,
    folded_deal_bar,
    indicative_rate_note,
    sem,
)

#: The table across the screen from this much room. A car's column is this wide, and the
#: figures' names get about this much (the rest of a wide table): a row's figures stay in
#: sight of its name, which a table the screen's whole width would leave far behind.
TABLE_MIN_WIDTH = 640
CAR_COLUMN = 200
LABEL_COLUMN = 320


def listed(ctx: ViewContext, car_ids) -> list:
    """The cars of ``car_ids`` still listed, in their order, each once, at most as many as
    can be compared (an id unknown here, or of a car taken off sale, is left out)."""
    cars, seen = [], set()
    for car_id in car_ids:
        if car_id in seen:
            continue
        seen.add(car_id)
        vehicle = ctx.services.listed_car(car_id)
        if vehicle is not None:
            cars.append(vehicle)
            if len(cars) == ctx.state.COMPARE_MAX:
                break
    return cars


def named_ids(params: dict[str, str]) -> list[str]:
    """The car ids an address ``/compare/<id>,<id>`` names, as written."""
    return [i.strip() for i in unquote(params.get("ids", "")).split(",") if i.strip()]


def restore_compare(ctx: ViewContext, params: dict[str, str]) -> None:
    """``Route.restore`` of ``/compare/<id>,<id>``: the comparison is the cars the address
    names (the listed ones, the first three), whatever the session had ticked.

    The address wins over the session's ticks, not only when the session has none: it is
    what the user opened — a bookmark, a link someone sent, a new tab, or the browser's back
    to the comparison they saw before removing a car (which brings that car back) — and the
    screen never shows other cars than its address names. The other way round would need a
    redirect to the session's address, and Flet can only push one: the browser's back would
    lead to the old address and be sent forward again. The ticks follow the address, so the
    catalogue ticks the cars compared. ``/compare`` alone names none: it shows the session's
    ticked cars and changes nothing."""
    wanted = [v.id for v in listed(ctx, named_ids(params))]
    if wanted != ctx.state.compare:
        ctx.state.set_compare(wanted)


def remove_car(ctx: ViewContext, car_id: str) -> None:
    """Take a car out of the comparison: to the address of the others (a new history entry,
    so the browser's back brings it back)."""
    rest = [i for i in ctx.state.compare if i != car_id]
    ctx.state.set_compare(rest)  # for /compare alone, which names none
    ctx.go(compare_path(rest))


def compare_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    cars = listed(ctx, ctx.state.compare)
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
        (ctx.t("Price"), [v.price for v in cars], lambda x: labels.price(ctx, x), True),
        (ctx.t("Monthly payment"), loan("payment"), money, True),
        (ctx.t("Indicative APR"), loan("apr"), ctx.rate, False),
        (ctx.t("Interest, before lender fees"), loan("finance_charge"), money, True),
        (ctx.t("Total sale price"), loan("total_sale_price"), money, True),
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

    def shown(values: list, show, cost: bool) -> list[ft.Control]:
        known = [x for x in values if x is not None]
        low = min(known) if cost and len(set(values)) > 1 and known else None  # all equal: none
        return [lowest(ctx, show(x)) if low is not None and x == low
                else ft.Text("—" if x is None else show(x))
                for x in values]  # fmt: skip

    figures = [
        (label, shown(values, show, cost))
        for label, values, show, cost in rows
        if any(x is not None for x in values)
    ]  # a figure none of the cars has: no row
    checks = [sem(f"compare-check-{v.id}", ft.TextButton(
                  ctx.t("Check my rate"), on_click=lambda e, i=v.id: check_rate(ctx, i)))
              for v in cars]  # fmt: skip
    layout = table if ctx.wide else stacked
    add = None
    if len(cars) < ctx.state.COMPARE_MAX:  # a third car is one tap from here
        add = sem("compare-add", ft.OutlinedButton(
            ctx.t("Add a car"), icon=ft.Icons.ADD, on_click=lambda e: ctx.go("/cars")))  # fmt: skip
    body = ft.Column(
        [
            deal_bar(ctx) if ctx.wide else folded_deal_bar(ctx),
            indicative_rate_note(ctx, calcs[0].reference_rate, "compare-rate-note"),
            layout(ctx, cars, figures, checks, add),
        ],
        spacing=12,
    )
    return Screen(title=ctx.t("Compare"), body=body)


def table(ctx: ViewContext, cars: list, figures: list, checks: list, add) -> ft.Control:
    """A figure a row, a car a column (a tablet's or a desktop's width: scrolls sideways
    only when a window is narrower than three cars; across the width up to a reading width
    where there is room). ``add``: the button to add a car, heading an empty column."""
    slot = [] if add is None else [ft.DataCell(ft.Text(""))]
    headings = [ft.DataColumn(heading(ctx, v, width=CAR_COLUMN), numeric=True) for v in cars]
    if add is not None:
        headings.append(ft.DataColumn(ft.Container(add, width=CAR_COLUMN, key="compare-add-slot",
                                                   alignment=ft.Alignment.CENTER)))  # fmt: skip
    grid = ft.DataTable(
        columns=[ft.DataColumn(ft.Text("")), *headings],
        heading_row_height=HEADING_HEIGHT,
        rows=[
            *(ft.DataRow([ft.DataCell(ft.Text(label)), *map(ft.DataCell, values), *slot])
              for label, values in figures),
            ft.DataRow([ft.DataCell(ft.Text("")), *map(ft.DataCell, checks), *slot]),
        ],
        column_spacing=24,
    )  # fmt: skip
    widest = LABEL_COLUMN + (CAR_COLUMN + 24) * len(headings)
    return fill_or_scroll(ctx, sem("compare-table", grid), TABLE_MIN_WIDTH, widest)


def stacked(ctx: ViewContext, cars: list, figures: list, checks: list, add) -> ft.Control:
    """A phone's comparison: each figure's name above the cars' values side by side, so two
    or three cars fit the width and no figure scrolls away from its name. ``add``: the button
    to add a car, under them (a third column would leave the two no room)."""

    def side_by_side(controls: list) -> ft.Row:
        return ft.Row([ft.Container(c, expand=1) for c in controls], spacing=12,
                      vertical_alignment=ft.CrossAxisAlignment.START)  # fmt: skip

    lines: list[ft.Control] = [side_by_side([heading(ctx, v, end=False) for v in cars])]
    for label, values in figures:
        lines += [
            ft.Divider(height=1),
            ft.Text(label, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
            side_by_side(values),
        ]
    lines += [ft.Divider(height=1), side_by_side(checks), *([add] if add else [])]
    return sem("compare-table", ft.Column(lines, spacing=6))


def lowest(ctx: ViewContext, text: str) -> ft.Control:
    """The lowest cost of a row: ticked and bold, and said so to a screen reader."""
    return ft.Row([
        ft.Icon(ft.Icons.CHECK_CIRCLE, size=16, color=palette.GOOD),
        ft.Text(text, weight=ft.FontWeight.BOLD, color=palette.GOOD,
                semantics_label=ctx.t("{amount}, the lowest", amount=text)),
    ], spacing=4, tight=True)  # fmt: skip


def heading(ctx: ViewContext, v, *, end: bool = True, width: int | None = None) -> ft.Control:
    """The car's picture with the button taking it out of the comparison, its name, and its
    year and trim: two listings of one model tell apart (``end``: aligned to the right, over
    a column of figures; ``width``: the column's at least)."""
    side = ft.CrossAxisAlignment.END if end else ft.CrossAxisAlignment.START
    name = labels.car_name(ctx, v)
    remove = sem(f"compare-remove-{v.id}", ft.IconButton(
        ft.Icons.CLOSE, icon_size=18, tooltip=ctx.t("Remove {car}", car=name),
        on_click=lambda e: remove_car(ctx, v.id),
    ), label=ctx.t("Remove {car}", car=name))  # fmt: skip
    picture = car_picture(ctx, v, width=PICTURE_WIDTH, height=PICTURE_HEIGHT)
    top = [picture, remove] if end else [picture, ft.Container(expand=True), remove]
    return ft.Column([
        ft.Row(top, spacing=0, tight=end, vertical_alignment=ft.CrossAxisAlignment.START),
        ft.Text(name, weight=ft.FontWeight.BOLD),
        ft.Text(f"{v.year} · {v.trim}", size=12, color=ft.Colors.ON_SURFACE_VARIANT),
    ], spacing=0, horizontal_alignment=side, width=width)  # fmt: skip


#: A car's picture over its column, and the table's heading row that holds it with the name.
PICTURE_WIDTH, PICTURE_HEIGHT = 96, 48
HEADING_HEIGHT = 112


def dealer_name(ctx: ViewContext, dealer_id: str) -> str:
    dealer = ctx.services.dealers().get(dealer_id)  # read once per catalogue, not per car
    return "-" if dealer is None else labels.bilingual(ctx, dealer.name_zh, dealer.name_en)

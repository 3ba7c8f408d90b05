"""Cars: search, filters, sorting, the deal bar and a card per car with its monthly payment.

Speed: a filter change rebuilds the screen and Flet diffs every rebuilt control against the
one it replaces (about 0.1 ms a control), so the screen builds one page of cards (``Show
more`` adds the next), keeps each card to a dozen controls, keeps the dropdowns' options
between renders (see ``options``) and on a phone builds the filters only while their panel
is open.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

import flet as ft

from app.state import FILTERS
from views import labels, palette
from views.context import ViewContext, unbroken
from views.shell import Screen
from views.widgets import (
    car_picture,
    compare_path,
    deal_bar,
    empty_state,
    equal_rows,
    folded_deal_bar,
    indicative_rate_note,
    notice_line,
    per_row,
    sem,
    toggle_compare,
)

#: The narrowest a car's card (its picture and name on one line) reads well beside others.
CARD_MIN_WIDTH = 260


def catalogue_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    q = state.query
    result = ctx.services.search_cars(q, state.priced_deal, limit=state.catalogue_limit)
    search = search_field(ctx)
    controls: list[ft.Control] = []
    if ctx.wide:
        controls += [ft.Row([search], key="cat-search-row"), *filter_rows(ctx, result.total)]
    else:  # phone: the filters wait behind a button so the first screen shows cars
        controls.append(ft.Row([search, filters_button(ctx)], key="cat-search-row", spacing=8))
        if state.filters_open:
            controls += filter_rows(ctx, result.total)
    controls += [
        deal_bar(ctx) if ctx.wide else folded_deal_bar(ctx),
        ft.Text(
            ctx.tn("{n} car", "{n} cars", result.total, n=result.total),
            key="cat-count",
            weight=ft.FontWeight.W_500,
        ),
        indicative_rate_note(ctx, result.reference_rate, "cat-rate-note"),
    ]
    if state.compare:
        controls.append(
            sem(
                "cat-compare",
                ft.FilledTonalButton(
                    ctx.t("Compare ({n})", n=len(state.compare)),
                    icon=ft.Icons.COMPARE_ARROWS,
                    on_click=lambda e: ctx.go(compare_path(state.compare)),
                ),
            )
        )
    if (notice := notice_line(ctx, "cat-notice")) is not None:
        controls.append(notice)
    if not result.cards:
        controls.append(
            empty_state(
                "cat-empty",
                ft.Icons.SEARCH_OFF,
                ctx.t("No car matches these filters — clear a filter or search for another model."),
                sem(
                    "cat-clear",
                    ft.TextButton(ctx.t("Clear filters"), on_click=lambda e: state.clear_filters()),
                ),
            )
        )
    else:
        cards = [car_card(ctx, card, i) for i, card in enumerate(result.cards)]
        controls.append(equal_rows(cards, per_row(ctx, CARD_MIN_WIDTH, 4), key="cat-grid"))
        if result.total > len(result.cards) and state.catalogue_limit < state.CATALOGUE_MAX:
            controls.append(
                sem(
                    "cat-more",
                    ft.OutlinedButton(
                        ctx.t(
                            "Show more ({shown} of {total})",
                            shown=len(result.cards),
                            total=result.total,
                        ),
                        on_click=lambda e: state.show_more(),
                    ),
                )
            )
    return Screen(title=ctx.t("Cars"), body=ft.Column(controls, spacing=10, key="catalogue"))


def search_field(ctx: ViewContext) -> ft.Control:
    state = ctx.state
    field = sem(
        "cat-search",
        ft.TextField(
            value=state.query.text,
            # a phone's field is too narrow for the example: it would be cut off mid-word
            hint_text=ctx.t("Search make or model, e.g. 比亚迪 or Model 3")
            if ctx.wide
            else ctx.t("Search make or model"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=lambda e: state.set_query(text=e.control.value or ""),
            dense=True,
            expand=True,
        ),
        label=ctx.t("Search cars"),
    )
    field.expand = True  # the Row sizes its child, the Semantics, not the field inside
    return field


def filters_button(ctx: ViewContext) -> ft.Control:
    """The phone's "Filters" button: how many filters are on, and opens/closes the panel."""
    state = ctx.state
    n = state.query.active_filters
    text = ctx.t("Filters ({n})", n=n) if n else ctx.t("Filters")
    button_type = ft.FilledTonalButton if state.filters_open else ft.OutlinedButton
    return sem(
        "cat-filters",
        button_type(
            text,
            icon=ft.Icons.EXPAND_LESS if state.filters_open else ft.Icons.TUNE,
            on_click=lambda e: state.toggle_filters(),
        ),
        label=ctx.t("Show or hide the filters"),
    )


def filter_rows(ctx: ViewContext, total: int) -> list[ft.Control]:
    """The dropdowns (brand, body, sort) and the filter chips, each group under its name,
    with "Clear filters" while any is on; a phone's panel ends with the button that closes
    it, saying how many cars the filters leave (``total``)."""
    state = ctx.state
    q = state.query

    def chip(group: str, code: str, text: str) -> ft.Control:
        selected = getattr(q, group) == code
        return sem(
            f"filter-{group}-{code}",
            ft.Chip(
                label=ft.Text(text),
                selected=selected,
                on_click=lambda e: state.set_query(**{group: None if selected else code}),
            ),
        )

    def group(name: str, label: str, choices: list[tuple[str, str]]) -> ft.Control:
        title = ft.Text(label, size=13, color=ft.Colors.ON_SURFACE_VARIANT)
        chips = [chip(name, code, text) for code, text in choices]
        if ctx.wide:  # a group on one line, the groups wrapping as a whole
            items = [title, *chips]
            return ft.Row(items, spacing=6, tight=True, key=f"cat-group-{name}")
        return ft.Column(
            [title, ft.Row(chips, wrap=True, spacing=6, run_spacing=6)],
            spacing=4,
            key=f"cat-group-{name}",
        )

    groups = [
        group("condition", ctx.t("Condition"), translated(ctx, labels.CONDITION)),
        group("energy", ctx.t("Energy"), translated(ctx, labels.ENERGY)),
        group("price_band", ctx.t("Price"), translated(ctx, labels.PRICE_BAND)),
        group(
            "monthly_max",
            ctx.t("Monthly payment"),
            [
                (k, ctx.t("Up to {amount}/month", amount=whole_money(ctx, Decimal(k))))
                for k in labels.MONTHLY_BUDGETS
            ],
        ),
    ]
    clear = (
        [
            sem(
                "cat-clear-filters",
                ft.TextButton(
                    ctx.t("Clear filters"),
                    icon=ft.Icons.FILTER_ALT_OFF_OUTLINED,
                    on_click=lambda e: state.set_query(**dict.fromkeys(FILTERS)),
                ),
            )
        ]
        if q.active_filters
        else []
    )
    dropdowns = [brand_dropdown(ctx), body_dropdown(ctx), sort_dropdown(ctx)]
    if ctx.wide:
        return [
            ft.Row([*dropdowns, *clear], wrap=True, spacing=8, run_spacing=8, key="cat-dropdowns"),
            ft.Row(groups, wrap=True, spacing=24, run_spacing=8, key="cat-chips"),
        ]
    done = sem(
        "cat-filters-done",
        ft.FilledButton(
            ctx.tn("Show {n} car", "Show {n} cars", total, n=total),
            on_click=lambda e: state.toggle_filters(),
        ),
    )
    return [
        ft.Row(dropdowns, wrap=True, spacing=8, run_spacing=8, key="cat-dropdowns"),
        ft.Column(groups, spacing=10, key="cat-chips"),
        ft.Row([*clear, done], alignment=ft.MainAxisAlignment.END, key="cat-filters-end"),
    ]


def translated(ctx: ViewContext, choices: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, ctx.t(text)) for code, text in choices.items()]


#: Each session's dropdown options, kept between renders: they carry no handlers and only
#: change with the language, and Flet skips a kept control without diffing it (a fifth of
#: the catalogue's controls are brand, body and sort options).
_options: weakref.WeakKeyDictionary[ft.Page, dict[tuple, list[ft.DropdownOption]]] = (
    weakref.WeakKeyDictionary()
)


def options(ctx: ViewContext, name: str, build: Callable[[], list[tuple[str, str]]]) -> list:
    kept = _options.setdefault(ctx.page, {})
    key = (name, ctx.locale)
    if key not in kept:
        kept[key] = [ft.DropdownOption(key=k, text=text) for k, text in build()]
    return kept[key]


def dropdown(ctx: ViewContext, name: str, key: str, label: str, value: str, choices, on_select,
             width: int) -> ft.Control:  # fmt: skip
    return sem(key, ft.Dropdown(
        label=label, value=value, options=options(ctx, name, choices),
        on_select=lambda e: on_select(e.control.value), dense=True, width=width,
    ))  # fmt: skip


def brand_dropdown(ctx: ViewContext) -> ft.Control:
    zh = ctx.locale.startswith("zh")
    return dropdown(
        ctx, "brand", "filter-brand", ctx.t("Brand"), ctx.state.query.brand or "",
        lambda: [("", ctx.t("All brands"))]
        + [(make, make_zh if zh else make) for make, make_zh in ctx.services.brands()],
        lambda value: ctx.state.set_query(brand=value or None), 170,
    )  # fmt: skip


def body_dropdown(ctx: ViewContext) -> ft.Control:
    return dropdown(
        ctx, "body", "filter-body", ctx.t("Body"), ctx.state.query.body or "",
        lambda: [("", ctx.t("All bodies"))] + [(k, ctx.t(v)) for k, v in labels.BODY.items()],
        lambda value: ctx.state.set_query(body=value or None), 150,
    )  # fmt: skip


def sort_dropdown(ctx: ViewContext) -> ft.Control:
    return dropdown(
        ctx, "sort", "cat-sort", ctx.t("Sort"), ctx.state.query.sort,
        lambda: [(k, ctx.t(v)) for k, v in labels.SORT.items()],
        lambda value: ctx.state.set_query(sort=value or "price_asc"), 220,
    )  # fmt: skip


@lru_cache(maxsize=8192)
def _formatted(format_fn, value, locale: str, **options) -> str:
    """Babel's formatting was a tenth of a card's build; a catalogue repeats its figures."""
    return format_fn(value, locale, **options)


def whole_money(ctx: ViewContext, amount: Decimal) -> str:
    return _formatted(ctx.i18n.format_money, amount, ctx.locale, whole=True)


def number(ctx: ViewContext, value: int) -> str:
    return _formatted(ctx.i18n.format_number, value, ctx.locale)


def monthly_figure(ctx: ViewContext, card) -> str:
    """The card's largest line: the indicative monthly payment, or why there is none."""
    if card.monthly is None:
        return ctx.t("No loan needed")
    if card.below_smallest_loan:  # a payment of a few yuan on a loan no lender makes
        return ctx.t("Too little to finance")
    return ctx.t("≈ {amount} / month", amount=whole_money(ctx, card.monthly))


def price_line(ctx: ViewContext, v) -> str:
    """The price and where the car is sold: two listings of one model tell apart."""
    price = ctx.t("Price {amount}", amount=whole_money(ctx, v.price))
    dealer = ctx.services.dealers().get(v.dealer_id)
    if dealer is None:
        return price
    return f"{price} · {labels.bilingual(ctx, dealer.name_zh, dealer.name_en)}"


def car_card(ctx: ViewContext, card, slot: int) -> ft.Control:
    """A car's card, keyed by its place in the grid, not by the car: after a filter change
    Flet's keyed diff then patches each place's changed values instead of removing the
    subtrees and adding new ones. Thirteen controls: each one costs a filter change time."""
    v = card.vehicle
    energy = str(v.energy)
    colour = palette.ENERGY.get(energy)
    details = [str(v.year), v.trim, labels.label(ctx, labels.COLOUR, v.colour)]
    if str(v.condition) == "used":
        details.append(ctx.t("{km} km", km=number(ctx, v.mileage_km)))
    details.append(ctx.t(labels.ENERGY.get(energy, energy)))
    if v.electric_range_km is not None:
        details.append(ctx.t("{km} km range", km=number(ctx, v.electric_range_km)))
    details += [
        labels.label(ctx, labels.CONDITION, v.condition),
        labels.label(ctx, labels.BODY, v.body),
    ]
    # semantics ids only, no keys: a key naming the car would make the diff replace the
    # control instead of patching its values when another car takes this place
    compare = ft.Semantics(
        identifier=f"compare-{v.id}",
        content=ft.Checkbox(
            label=ctx.t("Compare"),
            value=v.id in ctx.state.compare,
            on_change=lambda e: toggle_compare(ctx, v.id),
        ),
    )
    name = labels.car_name(ctx, v)
    # "Compare" beside the monthly figure, not on a line of its own: a phone shows two cars
    # a screen instead of one and a half, and in a grid every card's box still lines up
    content = ft.Column(
        [
            ft.Row(
                [
                    car_picture(ctx, v, width=96, height=48, colour=colour),
                    ft.Text(name, size=17, weight=ft.FontWeight.BOLD, expand=True),
                ]
            ),
            ft.Row(
                [
                    ft.Text(
                        monthly_figure(ctx, card),
                        size=22,
                        weight=ft.FontWeight.BOLD,
                        color=ft.Colors.PRIMARY,
                        expand=True,
                    ),
                    compare,
                ]
            ),
            ft.Text(price_line(ctx, v), size=14),
            ft.Text(" · ".join(map(unbroken, details)), size=12, color=colour),
        ],
        spacing=6,
    )
    return ft.Semantics(
        identifier=f"car-{v.id}",
        label=name,
        content=ft.Container(
            content,
            padding=12,
            on_click=lambda e: ctx.go(f"/cars/{v.id}"),
            ink=True,
            bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
            border_radius=12,
        ),
        key=f"card-slot-{slot}",
    )

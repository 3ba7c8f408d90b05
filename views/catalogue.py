"""Cars: search, filters, sorting, the deal bar and a card per car with its monthly payment."""

from __future__ import annotations

import flet as ft

from views import labels
from views.context import ViewContext
from views.shell import Screen
from views.widgets import car_picture, deal_bar, empty_state, sem

ENERGY_COLOURS = {
    "BEV": ft.Colors.GREEN_700,
    "PHEV": ft.Colors.TEAL_700,
    "HEV": ft.Colors.BLUE_700,
    "ICE": ft.Colors.BROWN_600,
}


def catalogue_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    q = state.query
    result = ctx.services.search_cars(q, state.deal, limit=state.catalogue_limit)

    search = sem(
        "cat-search",
        ft.TextField(
            value=q.text,
            hint_text=ctx.t("Search make or model, e.g. 比亚迪 or Model 3"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=lambda e: state.set_query(text=e.control.value or ""),
            dense=True,
            expand=True,
        ),
        label=ctx.t("Search cars"),
    )

    def chip(group: str, code: str, text: str, selected: bool) -> ft.Control:
        return sem(
            f"filter-{group}-{code}",
            ft.Chip(
                label=ft.Text(text),
                selected=selected,
                on_click=lambda e: state.set_query(**{group: None if selected else code}),
            ),
        )

    brands = ctx.services.brands()
    brand = sem(
        "filter-brand",
        ft.Dropdown(
            label=ctx.t("Brand"),
            value=q.brand or "",
            options=[ft.DropdownOption(key="", text=ctx.t("All brands"))]
            + [
                ft.DropdownOption(key=make, text=make_zh if ctx.locale.startswith("zh") else make)
                for make, make_zh in brands
            ],
            on_select=lambda e: state.set_query(brand=e.control.value or None),
            dense=True,
            width=170,
        ),
    )
    body = sem(
        "filter-body",
        ft.Dropdown(
            label=ctx.t("Body"),
            value=q.body or "",
            options=[ft.DropdownOption(key="", text=ctx.t("All bodies"))]
            + [ft.DropdownOption(key=k, text=ctx.t(v)) for k, v in labels.BODY.items()],
            on_select=lambda e: state.set_query(body=e.control.value or None),
            dense=True,
            width=150,
        ),
    )
    sort = sem(
        "cat-sort",
        ft.Dropdown(
            label=ctx.t("Sort"),
            value=q.sort,
            options=[ft.DropdownOption(key=k, text=ctx.t(v)) for k, v in labels.SORT.items()],
            on_select=lambda e: state.set_query(sort=e.control.value or "price_asc"),
            dense=True,
            width=220,
        ),
    )
    chips = (
        [chip("condition", k, ctx.t(v), q.condition == k) for k, v in labels.CONDITION.items()]
        + [chip("energy", k, ctx.t(v), q.energy == k) for k, v in labels.ENERGY.items()]
        + [chip("price_band", k, ctx.t(v), q.price_band == k) for k, v in labels.PRICE_BAND.items()]
    )
    controls: list[ft.Control] = [
        ft.Row([search], key="cat-search-row"),
        ft.Row([brand, body, sort], wrap=True, spacing=8, run_spacing=8, key="cat-dropdowns"),
        ft.Row(chips, wrap=True, spacing=6, run_spacing=6, key="cat-chips"),
        deal_bar(ctx),
        ft.Text(ctx.t("{n} cars", n=result.total), key="cat-count", weight=ft.FontWeight.W_500),
        ft.Text(
            ctx.t(
                "Monthly figures at an indicative {rate} APR; your own rate comes with the check.",
                rate=ctx.rate(result.reference_rate),
            ),
            size=12,
            color=ft.Colors.ON_SURFACE_VARIANT,
            key="cat-rate-note",
        ),
    ]
    if state.compare:
        controls.append(
            sem(
                "cat-compare",
                ft.FilledTonalButton(
                    ctx.t("Compare ({n})", n=len(state.compare)),
                    icon=ft.Icons.COMPARE_ARROWS,
                    on_click=lambda e: ctx.go("/compare"),
                ),
            )
        )
    if not result.cards:
        controls.append(
            empty_state(
                "cat-empty",
                ft.Icons.SEARCH_OFF,
                ctx.t("No car matches these filters — clear a filter or search for another model."),
                sem(
                    "cat-clear",
                    ft.TextButton(ctx.t("Clear filters"), on_click=lambda e: clear(state)),
                ),
            )
        )
    else:
        controls.append(
            ft.ResponsiveRow(
                [car_card(ctx, card, i) for i, card in enumerate(result.cards)],
                key="cat-grid",
                spacing=12,
                run_spacing=12,
            )
        )
        if result.total > len(result.cards) and state.catalogue_limit < 96:
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


def clear(state) -> None:
    state.set_query(text="", brand=None, price_band=None, energy=None, body=None, condition=None)


def car_card(ctx: ViewContext, card, slot: int) -> ft.Control:
    """A car's card, keyed by its place in the grid, not by the car: after a filter change
    Flet's keyed diff then patches each place's changed values instead of removing twelve
    subtrees and adding twelve new ones (the whole cost of a filter change)."""
    v = card.vehicle
    in_compare = v.id in ctx.state.compare
    energy = str(v.energy)
    details = f"{v.year} · {v.trim}"
    if str(v.condition) == "used":
        details += " · " + ctx.t("{km} km", km=ctx.number(v.mileage_km))
    kinds = " · ".join(
        [
            ctx.t(labels.ENERGY.get(energy, energy)),
            labels.label(ctx, labels.CONDITION, v.condition),
            labels.label(ctx, labels.BODY, v.body),
        ]
    )
    tags = ft.Text(kinds, size=12, color=ENERGY_COLOURS.get(energy))
    # semantics ids only, no keys: a key naming the car would make the diff replace the
    # control instead of patching its values when another car takes this place
    compare = ft.Semantics(
        identifier=f"compare-{v.id}",
        content=ft.Checkbox(
            label=ctx.t("Compare"),
            value=in_compare,
            on_change=lambda e: ctx.state.toggle_compare(v.id),
        ),
    )
    content = ft.Column(
        [
            ft.Row(
                [
                    car_picture(ctx, v, width=96, height=48, colour=ENERGY_COLOURS.get(energy)),
                    ft.Column(
                        [
                            ft.Text(labels.car_name(ctx, v), size=17, weight=ft.FontWeight.BOLD),
                            ft.Text(details, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                        ],
                        spacing=0,
                        expand=True,
                    ),
                ]
            ),
            ft.Text(
                ctx.t("≈ {amount} / month", amount=ctx.money(card.monthly, whole=True)),
                size=22,
                weight=ft.FontWeight.BOLD,
                color=ft.Colors.PRIMARY,
            ),
            ft.Text(ctx.t("Price {amount}", amount=ctx.money(v.price, whole=True)), size=14),
            tags,
            compare,
        ],
        spacing=6,
    )
    return ft.Container(
        ft.Semantics(
            identifier=f"car-{v.id}",
            label=labels.car_name(ctx, v),
            content=ft.Card(
                content=ft.Container(
                    content, padding=12, on_click=lambda e: ctx.go(f"/cars/{v.id}"), ink=True
                ),
            ),
        ),
        col={"xs": 12, "sm": 6, "lg": 4, "xl": 3},
        key=f"card-slot-{slot}",
    )

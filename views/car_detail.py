"""Car detail: specifications, price, and the calculator (deal sliders, live monthly payment,
true APR, total cost, LTV meter) with "Check my rate" and "Compare"."""

from __future__ import annotations

import flet as ft

from views import labels, palette
from views.context import ViewContext
from views.prequal import prequal_path
from views.shell import Screen
from views.widgets import (
    N_,
    car_gone,
    car_picture,
    compare_path,
    deal_bar,
    notice_line,
    section_title,
    sem,
    toggle_compare,
)

#: From this window width the calculator sits beside the car, its button in view.
SIDE_BY_SIDE_WIDTH = 768
LTV_COLOURS = {"ok": palette.GOOD, "warn": palette.WARN, "over": palette.BAD}
LTV_TEXT = {
    "ok": N_("Within typical lender limits"),
    "warn": N_("Close to the typical limit: a larger down payment widens your choice"),
    "over": N_("Above the typical limit of {cap}: raise the down payment"),
}


def car_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    vehicle = ctx.services.listed_car(params["id"])
    if vehicle is None:
        return Screen(title=ctx.t("Car"), body=car_gone(ctx))
    deal = ctx.state.priced_deal
    calc = ctx.services.calculate(vehicle, deal)
    q = calc.quote
    #: the calculator under the car, not beside it: its button would be below the fold
    stacked = (ctx.page.width or 0) < SIDE_BY_SIDE_WIDTH
    dealer = ctx.services.dealer(vehicle.dealer_id)
    name = labels.car_name(ctx, vehicle)

    specs = [
        (ctx.t("Energy"), labels.label(ctx, labels.ENERGY, vehicle.energy)),
        (ctx.t("Body"), labels.label(ctx, labels.BODY, vehicle.body)),
        (ctx.t("Condition"), labels.label(ctx, labels.CONDITION, vehicle.condition)),
        (ctx.t("Colour"), labels.label(ctx, labels.COLOUR, vehicle.colour)),
        (ctx.t("Model year"), str(vehicle.year)),
        (ctx.t("Seats"), str(vehicle.seats)),
    ]
    specs += [
        (label, value)
        for label, value in (
            (ctx.t("Electric range (CLTC)"), labels.electric_range(ctx, vehicle)),
            (ctx.t("Energy use"), labels.energy_use(ctx, vehicle)),
        )
        if value is not None
    ]
    if str(vehicle.condition) == "used":
        specs.append((ctx.t("Mileage"), ctx.t("{km} km", km=ctx.number(vehicle.mileage_km))))
        if vehicle.first_registration:
            specs.append((ctx.t("First registered"), ctx.date(vehicle.first_registration)))
    spec_table = ft.Column(
        [
            ft.Row([ft.Text(k, color=ft.Colors.ON_SURFACE_VARIANT, width=130), ft.Text(v)])
            for k, v in specs
        ],
        spacing=4,
        key="car-specs",
    )
    # the same drawing as the catalogue card (the icon only when it has none): beside the
    # name where the calculator is under it, and the width of its half above the name where
    # the calculator takes the other half (a thumbnail left that half mostly empty)
    picture = car_picture(
        ctx,
        vehicle,
        width=192 if stacked else 400,
        height=96 if stacked else 200,
        colour=palette.ENERGY.get(str(vehicle.energy)),
    )
    title = ft.Column(
        [
            ft.Text(name, size=26, weight=ft.FontWeight.BOLD, key="car-name"),
            ft.Text(f"{vehicle.year} · {vehicle.trim}"),
            ft.Text(labels.price(ctx, vehicle.price), size=20, key="car-price"),
        ],
        spacing=2,
        expand=stacked,
    )
    header = ft.Column(
        [
            ft.Row([picture, title]) if stacked else ft.Column([picture, title], spacing=8),
            section_title(ctx.t("Specifications")),
            spec_table,
            *dealer_section(ctx, dealer),
        ],
        spacing=8,
    )

    def figure(label: str, value: str, key: str, *, big: bool = False) -> ft.Control:
        return ft.Row(
            [
                ft.Text(label, expand=True, size=16 if big else 14),
                ft.Text(
                    value,
                    key=key,
                    size=26 if big else 15,
                    weight=ft.FontWeight.BOLD if big else ft.FontWeight.W_500,
                    text_align=ft.TextAlign.RIGHT,
                ),
            ]
        )

    ltv_colour = LTV_COLOURS[calc.ltv_level]
    paid = [figure(ctx.t("Down payment"), ctx.money(calc.down_payment), "calc-down")]
    if deal.trade_in:
        paid.append(figure(ctx.t("Trade-in credit"), ctx.money(deal.trade_in), "calc-trade-in"))
    if q is None:
        loan: list[ft.Control] = [
            *paid,
            sem("calc-no-loan", ft.Text(
                ctx.t("Your down payment and trade-in cover the price: no loan needed."),
                weight=ft.FontWeight.W_500)),
        ]  # fmt: skip
    else:
        loan = [
            figure(ctx.t("Monthly payment"), ctx.money(q.payment), "calc-monthly", big=True),
            figure(ctx.t("Indicative APR"), ctx.rate(q.apr), "calc-apr", big=True),
            *paid,
            figure(ctx.t("Loan amount"), ctx.money(q.principal), "calc-loan"),
            figure(
                ctx.t("Interest, before lender fees"), ctx.money(q.finance_charge), "calc-charge"
            ),
            figure(ctx.t("Total of payments"), ctx.money(q.total_of_payments), "calc-total"),
            figure(ctx.t("Total sale price"), ctx.money(q.total_sale_price), "calc-sale"),
            *ltv_lines(ctx, calc, ltv_colour),
        ]
        if ctx.services.below_smallest_loan(q):
            loan.insert(0, sem("calc-too-little", ft.Text(
                ctx.t("No lender here lends less than {amount}: pay this in full, or put "
                      "less down.", amount=ctx.money(ctx.services.smallest_loan(), whole=True)),
                color=palette.WARN, weight=ft.FontWeight.W_500)))  # fmt: skip
    calculator = ft.Column(
        [
            section_title(ctx.t("Payment calculator")),
            deal_bar(ctx, narrow=True),  # half the screen beside the car, from a tablet up
            *loan,
            ft.Text(
                ctx.t(
                    "Indicative: {rate} a year for {term} months, without any lender's fees. "
                    "Your own rate and every lender's offer, its fees included, come with the "
                    "free soft check, which does not affect your credit record.",
                    rate=ctx.rate(calc.reference_rate),
                    term=ctx.state.deal.term,
                ),
                size=12,
                color=ft.Colors.ON_SURFACE_VARIANT,
            ),
            ft.Row(
                [
                    *([] if stacked else [check_rate_button(ctx, vehicle.id)]),
                    sem(
                        "car-compare",
                        ft.OutlinedButton(
                            ctx.t("Remove from comparison")
                            if vehicle.id in ctx.state.compare
                            else ctx.t("Compare"),
                            icon=ft.Icons.COMPARE_ARROWS,
                            on_click=lambda e: toggle_compare(ctx, vehicle.id),
                        ),
                    ),
                    *see_comparison(ctx),
                ],
                wrap=True,
            ),
            *([notice] if (notice := notice_line(ctx, "detail-notice")) is not None else []),
        ],
        spacing=8,
        key="calculator",
    )
    card = ft.Card(ft.Container(calculator, padding=16))
    if stacked:
        body: ft.Control = ft.Column([header, card], spacing=16)
        return Screen(title=name, body=body, bottom=next_step_bar(ctx, vehicle.id, q))
    body = ft.Row(
        [ft.Container(header, expand=True), ft.Container(card, expand=True)],
        spacing=16,
        vertical_alignment=ft.CrossAxisAlignment.START,
    )
    return Screen(title=name, body=body)


def dealer_section(ctx: ViewContext, dealer) -> list[ft.Control]:
    """Where the car is: the dealership, its showroom's address and a tap to call it."""
    if dealer is None:
        return []
    lines: list[ft.Control] = [
        ft.Text(labels.bilingual(ctx, dealer.name_zh, dealer.name_en), weight=ft.FontWeight.W_600,
                key="dealer-name"),
    ]  # fmt: skip
    address = dealer.address_zh if ctx.locale.startswith("zh") else dealer.address_en
    if address:
        lines.append(ft.Row([ft.Icon(ft.Icons.PLACE_OUTLINED, size=18),
                             ft.Text(address, key="dealer-address", selectable=True,
                                     expand=True)]))  # fmt: skip
    if dealer.phone:
        dial = "tel:" + "".join(ch for ch in dealer.phone if ch.isdigit())
        lines.append(sem("dealer-call", ft.TextButton(
            ctx.t("Call {phone}", phone=dealer.phone), icon=ft.Icons.PHONE_OUTLINED,
            on_click=lambda e: ctx.open_url(dial, new_tab=False))))  # fmt: skip
    return [section_title(ctx.t("Dealer")), ft.Column(lines, spacing=4, key="car-dealer")]


def see_comparison(ctx: ViewContext) -> list[ft.Control]:
    """The way to the comparison, once it has two cars to set side by side."""
    n = len(ctx.state.compare)
    if n < 2:
        return []
    see = ft.TextButton(
        ctx.t("Compare ({n})", n=n),
        on_click=lambda e: ctx.go(compare_path(ctx.state.compare)),
    )
    return [sem("detail-see-compare", see)]


def ltv_lines(ctx: ViewContext, calc, colour: str) -> list[ft.Control]:
    """Loan-to-value: the figure, a meter against the typical cap, and what it means."""
    label = ctx.t("Loan-to-value {ltv}", ltv=ctx.rate(calc.ltv))
    return [
        ft.Text(label, key="calc-ltv", weight=ft.FontWeight.W_500),
        sem("calc-ltv-meter", ft.ProgressBar(value=float(min(calc.ltv, 1)), color=colour,
                                             bar_height=10, border_radius=5), label=label),
        ft.Text(ctx.t(LTV_TEXT[calc.ltv_level], cap=ctx.rate(calc.ltv_cap)), color=colour,
                key="calc-ltv-text"),
    ]  # fmt: skip


def check_rate_button(ctx: ViewContext, vehicle_id: str) -> ft.Control:
    button = ft.FilledButton(
        ctx.t("Check my rate"),
        icon=ft.Icons.VERIFIED_OUTLINED,
        on_click=lambda e: check_rate(ctx, vehicle_id),
    )
    return sem("car-check-rate", button)


def next_step_bar(ctx: ViewContext, vehicle_id: str, quote) -> ft.Control:
    """Pinned under a phone's car page: the indicative monthly payment the deal comes to,
    and the way on, however far the buyer has scrolled through the specifications."""
    monthly: list[ft.Control] = []
    if quote is not None:
        monthly = [
            ft.Column(
                [
                    # a payment is shown with its annual rate, never alone
                    ft.Text(ctx.t("Indicative · {apr} APR", apr=ctx.rate(quote.apr)),
                            size=12, color=ft.Colors.ON_SURFACE_VARIANT, key="bar-apr"),
                    # as the car's card said it: an estimate until the check gives a rate
                    ft.Text(ctx.t("≈ {amount} / month",
                                  amount=ctx.money(quote.payment, whole=True)),
                            size=20, weight=ft.FontWeight.BOLD, key="bar-monthly"),
                ],
                spacing=0,
                tight=True,
                expand=True,  # the button keeps its width; the figures wrap if they must
            )
        ]  # fmt: skip
    return ft.Row(
        [*monthly, check_rate_button(ctx, vehicle_id)],
        alignment=ft.MainAxisAlignment.SPACE_BETWEEN if monthly else ft.MainAxisAlignment.END,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )


def check_rate(ctx: ViewContext, vehicle_id: str) -> None:
    ctx.state.car_id = vehicle_id
    ctx.go(prequal_path(vehicle_id))

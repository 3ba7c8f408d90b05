"""Offers: summary strip, Recommended / Cheapest first, offer cards (APR largest), the
guardrail badge, and "Not available to you" with reasons and an "Apply this change" button."""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

import flet as ft

from views import labels, palette
from views.context import ViewContext, unbroken
from views.prequal import prequal_path
from views.shell import Screen
from views.widgets import (
    N_,
    empty_state,
    equal_rows,
    note_with_action,
    notice_line,
    per_row,
    section_title,
    sem,
    top_and_bottom,
)


def offers_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    result = state.prequal_result
    title = ctx.t("My offers")
    notice = notice_line(ctx, "offers-notice")  # e.g. why an offer's link led here
    if result is None or result.reopened:
        # a buyer on their own device sees the checks saved earlier (a shared dealer
        # tablet never shows a customer's history); a check reopened for an offer's link
        # has its offers only, not the answer this screen shows: it is one of them
        user = state.user
        saved = (
            ctx.services.saved_checks(user.id)
            if user is not None and user.role == "buyer" and not state.handed_to_customer
            else []
        )
        if saved:
            body = saved_checks_view(ctx, saved)
        else:
            body = empty_state(
                "offers-empty", ft.Icons.LOCAL_OFFER_OUTLINED,
                ctx.t("No offers yet — find a car and check your rate."),
                sem("offers-find", ft.FilledButton(ctx.t("Find a car"),
                                                   on_click=lambda e: ctx.go("/cars"))),
            )  # fmt: skip
        if notice is not None:
            body = ft.Column([notice, body], spacing=12)
        return Screen(title=title, body=body)
    r = result.answer.result
    other = [d for d in r.declines if about_the_car(d.failed)]
    about_you = [d for d in r.declines if d not in other]
    order = state.offers_order
    offers = result.recommended if order == "recommended" else result.cheapest
    base = "/handoff/offers" if state.handed_to_customer else "/offers"
    tier = r.score.tier.value if r.score.tier is not None else "-"
    summary = ft.Container(
        ft.Row(
            [
                ft.Text(labels.car_name(ctx, result.vehicle),
                        weight=ft.FontWeight.BOLD),
                *([ft.Text(deal_line(ctx, result.deal), key="offers-deal")]
                  if result.deal is not None else []),
                ft.Text(ctx.t("Credit tier {tier}", tier=tier), key="offers-tier"),
                ft.Text(ctx.tn("{n} offer · {m} not available to you",
                               "{n} offers · {m} not available to you",
                               len(r.offers), n=len(r.offers), m=len(about_you))
                        if about_you else
                        ctx.tn("{n} offer", "{n} offers", len(r.offers), n=len(r.offers)),
                        key="offers-counts"),
            ]
            + ([ft.Text(ctx.t("At the cheapest offer: {ratios}", ratios=" · ".join((
                          unbroken(ctx.t("payment-to-income {pti}",
                                         pti=ctx.rate(result.cheapest[0].metrics.pti))),
                          unbroken(ctx.t("debt-to-income {dti}",
                                         dti=ctx.rate(result.cheapest[0].metrics.dti))),
                          *balloon_left_out(ctx, result.cheapest[0].quote)))),
                      key="offers-metrics")]
               if offers else []),
            wrap=True, spacing=16,
        ),
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW, padding=12, border_radius=12,
    )  # fmt: skip

    def set_order(e) -> None:
        if e.control.selected:
            state.offers_order = e.control.selected[0]
            state.notify()

    order_toggle = sem(
        "offers-order",
        ft.SegmentedButton(
            segments=[
                ft.Segment(value="recommended", label=ft.Text(ctx.t("Recommended for you"))),
                ft.Segment(value="cheapest", label=ft.Text(ctx.t("Cheapest first"))),
            ],
            selected=[order], show_selected_icon=False, on_change=set_order,
        ),
    )  # fmt: skip
    # one offer, or none, has no order to choose
    controls: list[ft.Control] = [*([notice] if notice else []), sem("offers-summary", summary)]
    controls += provisional_note(ctx, result)
    controls += changed_deal_note(ctx, result)
    if len(offers) > 1:
        controls.append(order_toggle)
    if order == "recommended" and result.top_costs_more_by:
        # the cheapest is named here, on the first screen, whatever the phone's fold hides
        cheapest = result.cheapest[0]
        controls.append(
            sem(
                "guardrail",
                note_with_action(
                    ft.Row([
                        ft.Icon(ft.Icons.INFO_OUTLINE, color=ft.Colors.ON_TERTIARY_CONTAINER),
                        ft.Column([
                            ft.Text(ctx.t("Our top pick costs {amount} more in interest and "
                                          "fees than the cheapest offer: {lender}, APR {apr}, "
                                          "{payment}.",
                                          amount=ctx.money(result.top_costs_more_by),
                                          lender=ctx.services.lender_name(
                                              cheapest.product.lender_id, ctx.locale),
                                          apr=ctx.rate(cheapest.quote.apr),
                                          payment=payments_said(ctx, cheapest.quote)),
                                    key="guardrail-text"),
                            # the reason it costs more, where the cost is said, not a tap away
                            *([ft.Text(ctx.t("It is first because: {why}.",
                                             why=why_text(ctx, why)),
                                       key="guardrail-why")]
                              if (why := result.why.get(offers[0].product.id)) else []),
                        ], spacing=4, expand=True),
                    ]),
                    # one action: the toggle right above already orders cheapest first
                    [
                        sem("guardrail-see-cheapest", ft.TextButton(
                            ctx.t("See the cheapest"),
                            on_click=lambda e: ctx.go(f"{base}/{cheapest.product.id}"))),
                    ],
                    ft.Colors.TERTIARY_CONTAINER,
                ),
            )
        )  # fmt: skip
    if not offers:
        curable = any(d.hint is not None and d.hint.kind != "none" for d in r.declines)
        controls.append(ft.Text(
            ctx.t("No lender can offer this deal as it stands; see below what would change "
                  "that.") if curable else
            ctx.t("No lender can offer this deal, and no change to the down payment, term or "
                  "car within reach would: each lender's reasons are below."),
            key="offers-none"))  # fmt: skip
    shown = visible_offers(offers, result.cheapest_id, "offers-all" in state.expanded)
    cards = [offer_card(ctx, result, o, i, base) for i, o in shown]
    controls.append(equal_rows(cards, per_row(ctx, OFFER_MIN_WIDTH, 3), key="offers-list"))
    if len(offers) > OFFERS_SHOWN:
        controls.append(sem("offers-all", ft.TextButton(
            ctx.t("Hide") if len(shown) == len(offers)
            else ctx.t("Show more ({shown} of {total})", shown=len(shown), total=len(offers)),
            on_click=lambda e: toggle(ctx, "offers-all"))))  # fmt: skip
    if r.declines:  # those that never finance this car: one line, their cards folded
        controls.append(section_title(ctx.t("Not available to you"), key="declines-title"))
        if about_you:
            declines = [decline_card(ctx, result, d) for d in about_you]
            per = per_row(ctx, DECLINE_MIN_WIDTH, 2)
            controls.append(equal_rows(declines, per, key="declines"))
        if other:
            shown = "declines-other" in state.expanded
            controls.append(ft.Row([
                ft.Text(ctx.tn("{n} more product does not finance this car (its make, energy, "
                               "new or used, price, age or mileage).",
                               "{n} more products do not finance this car (its make, energy, "
                               "new or used, price, age or mileage).", len(other), n=len(other))
                        if about_you else  # "more" than none
                        ctx.tn("{n} product does not finance this car (its make, energy, new or "
                               "used, price, age or mileage).",
                               "{n} products do not finance this car (its make, energy, new or "
                               "used, price, age or mileage).", len(other), n=len(other)),
                        expand=True, key="declines-other-text"),
                sem("declines-other", ft.TextButton(
                    ctx.t("Hide") if shown else ctx.t("Show them"),
                    on_click=lambda e: toggle(ctx, "declines-other"))),
            ]))  # fmt: skip
            if shown:
                others = [decline_card(ctx, result, d) for d in other]
                per = per_row(ctx, DECLINE_MIN_WIDTH, 2)
                controls.append(equal_rows(others, per, key="declines-other-list"))
    return Screen(title=title, body=ft.Column(controls, spacing=12, key="offers"))


#: The narrowest an offer card (its lender, badges and figures) or a lender's no (its
#: reasons, one a line) reads well side by side with others, in px.
OFFER_MIN_WIDTH = 320
DECLINE_MIN_WIDTH = 420

#: Offer cards shown before "Show all": a phone screen's worth to compare; fewer controls
#: for Flet to build and send when the offers open (the rest are one tap away).
OFFERS_SHOWN = 6


def visible_offers(offers, cheapest_id: str | None, show_all: bool) -> list[tuple[int, object]]:
    """(rank, offer) for the cards to draw: all, or the first OFFERS_SHOWN plus the cheapest
    (which the guardrail note points to) wherever it ranks."""
    ranked = list(enumerate(offers))
    if show_all:
        return ranked
    return [(i, o) for i, o in ranked if i < OFFERS_SHOWN or o.product.id == cheapest_id]


#: Rules about the car itself — what it is, its price, age and mileage — that no change to
#: the buyer's answers or to the deal meets for this car.
CAR_RULES = frozenset({
    "vehicle.condition", "vehicle.use", "vehicle.energy", "vehicle.brand", "vehicle.category",
    "vehicle.min_price", "vehicle.max_price", "vehicle.max_age", "vehicle.max_mileage",
})  # fmt: skip


def about_the_car(codes) -> bool:
    """Whether a decline that failed the rules ``codes`` is the product never financing the
    car, which says nothing about the buyer, whatever else it found short (a premium loan's
    income floor, for a car under its price floor)."""
    return not CAR_RULES.isdisjoint(codes)


def offer_card(ctx: ViewContext, result, offer, index: int, base: str) -> ft.Control:
    q = offer.quote
    pid = offer.product.id
    lender = ctx.services.lender_name(offer.product.lender_id, ctx.locale)
    product = labels.bilingual(ctx, offer.product.name_zh, offer.product.name_en)
    kind = labels.label(ctx, labels.PRODUCT_KIND, offer.product.kind)
    known = result.answer.lenders.get(offer.product.lender_id)
    lender_type = labels.label(ctx, labels.LENDER_TYPE, known.type) if known else None
    lease = offer.product.is_lease  # rent, in the lease's own words
    badges = []
    if pid == result.cheapest_id:
        badges.append(_badge(ctx.t("Cheapest"), palette.GOOD, f"cheapest-{pid}"))
    if ctx.state.offers_order == "recommended" and index == 0 and result.why.get(pid):
        badges.append(_badge(ctx.t("Top pick"), ft.Colors.PRIMARY, f"top-{pid}"))
    if offer.apr_over_limit:
        badges.append(_badge(ctx.t("APR over 24%"), ft.Colors.ERROR, f"over24-{pid}"))
    lines = [
        ft.Row([ft.Text(lender, weight=ft.FontWeight.BOLD, expand=True), *badges], wrap=False),
        ft.Text(" · ".join(x for x in (lender_type, product, kind) if x), size=12,
                color=ft.Colors.ON_SURFACE_VARIANT, key=f"offer-kind-{pid}"),
        ft.Row([
            ft.Text(ctx.t("APR"), size=14),
            ft.Text(ctx.rate(q.apr), size=30, weight=ft.FontWeight.BOLD, key=f"apr-{pid}",
                    color=ft.Colors.PRIMARY),
        ], vertical_alignment=ft.CrossAxisAlignment.END),
        _figure(ctx.t(N_("Monthly rent") if lease else N_("Monthly payment")),
                ctx.money(q.payment), f"pay-{pid}"),
        _figure(ctx.t("Interest and fees"), ctx.money(q.finance_charge), f"cost-{pid}"),
        _figure(ctx.t(N_("Total rent") if lease else N_("Total of payments")),
                ctx.money(q.total_of_payments), None),
        _figure(ctx.t("Term"), ctx.t("{n} months", n=q.terms.count), None),
        # the cash a buyer brings on the day (the disclosure's 签约时应付), on every card so
        # the cards compare row by row: it differs by lender where fees join the down payment
        _figure(ctx.t("Due at signing"), ctx.money(q.due_at_signing), f"due-{pid}"),
    ]  # fmt: skip
    if (extra := costs_more_than_cheapest(result, offer)) is not None:  # under the cost
        lines.insert(5, ft.Text(
            ctx.t("{amount} more than the cheapest offer", amount=ctx.money(extra)),
            size=12, color=palette.WARN, key=f"more-{pid}"))  # fmt: skip
    if q.terms.balloon_amount:  # the month's figure is not the whole story
        lines.insert(4, _figure(ctx.t("Final payment"), ctx.money(q.last_payment), f"last-{pid}"))
    if lease:  # a lessee is told first: not theirs yet
        lines.insert(2, ft.Text(
            ctx.t("A finance lease: {lender} owns the car until the last rent is paid.",
                  lender=lender), size=12, color=palette.WARN, key=f"lease-{pid}"))  # fmt: skip
    lowest = offer.lowest_down_payment
    if lowest is not None and lowest < q.terms.down_payment:  # room to put less down
        lines.append(_figure(ctx.t("Your lowest down payment with this lender"),
                             ctx.money(lowest), f"lowest-down-{pid}"))  # fmt: skip
        if offer.lowest_down_why:  # a zero-down product's floor for this buyer, explained
            why = ctx.services.reason_text(offer.lowest_down_why[0], ctx.locale)
            lines.append(ft.Text(ctx.t("If you put less down: {why}", why=why), size=11,
                                 color=ft.Colors.ON_SURFACE_VARIANT,
                                 key=f"lowest-down-why-{pid}"))  # fmt: skip
    if offer.is_flat_rate:
        lines.append(
            ft.Text(ctx.t("Quoted as a flat rate of {rate} {per}; the APR above is the true "
                          "annual cost.", rate=ctx.rate(offer.rate.flat_rate),
                          per=ctx.t("a month") if str(offer.rate.flat_per) == "month"
                          else ctx.t("a year")),
                    size=11, color=ft.Colors.ON_SURFACE_VARIANT, key=f"flat-{pid}")
        )  # fmt: skip
    why = result.why.get(pid)
    if why is not None and pid in ctx.state.expanded:
        lines.append(ft.Text(why_text(ctx, why), size=12, key=f"why-text-{pid}"))
    actions = [
        sem(
            f"offer-open-{pid}",
            ft.FilledTonalButton(ctx.t("See details"), on_click=lambda e: ctx.go(f"{base}/{pid}")),
        )
    ]
    if why is not None and ctx.state.offers_order == "recommended":  # cheapest first: by cost
        # the top pick is recommended; the cards under it are ranked, by the same reasons
        ask = N_("Why recommended?") if index == 0 else N_("Why ranked here?")
        actions.insert(
            0, sem(f"why-{pid}", ft.TextButton(ctx.t(ask), on_click=lambda e: toggle(ctx, pid)))
        )
    foot = ft.Row(actions, alignment=ft.MainAxisAlignment.END, wrap=True)
    # the Semantics is the grid's item itself: every level less is a level less for Flet to
    # walk for each of the card's controls when the screen is added
    return ft.Semantics(
        identifier=f"offer-{pid}", key=f"offer-card-{pid}",
        content=ft.Card(ft.Container(top_and_bottom(lines, foot, 4), padding=14)),
    )  # fmt: skip


def payments_said(ctx: ViewContext, quote) -> str:
    """A quote's payments in a few words: the monthly one, and a balloon's final one."""
    said = [ctx.t("{amount} / month", amount=ctx.money(quote.payment))]
    if quote.terms.balloon_amount:
        said.append(f"{ctx.t('Final payment')} {ctx.money(quote.last_payment)}")
    return " · ".join(said)


def balloon_left_out(ctx: ViewContext, quote) -> list[str]:
    """What a ratio on a balloon loan's monthly payment leaves out: its final payment."""
    if not quote.terms.balloon_amount:
        return []
    return [unbroken(ctx.t("final payment {amount} not included",
                           amount=ctx.money(quote.last_payment)))]  # fmt: skip


def costs_more_than_cheapest(result, offer):
    """How much more ``offer`` costs in interest and fees than the cheapest offer, or None:
    said on every card, so no rank hides a dearer loan (the guardrail names the top pick's)."""
    if not result.cheapest:
        return None
    extra = offer.quote.finance_charge - result.cheapest[0].quote.finance_charge
    return extra if extra > 0 else None


#: The recommender's explanation msgids (recommender.score.Why.message), for extraction.
WHY_MESSAGES = (
    N_("Because of your interest in {items}"),
    N_("Buyers like you chose this"),
    N_("{count} buyers like you chose this"),
)


def why_text(ctx: ViewContext, why) -> str:
    params = dict(why.params)
    if why.kind == "own_interactions" and why.items:
        names = [ctx.services.product_name(i, ctx.locale) for i in why.items[:2]]
        params["items"] = "、".join(names) if ctx.locale.startswith("zh") else ", ".join(names)
    try:
        return ctx.t(why.message, **params)
    except (KeyError, IndexError):
        return ctx.t(why.message)


def toggle(ctx: ViewContext, pid: str) -> None:
    ctx.state.expanded ^= {pid}
    ctx.state.notify()


def decline_card(ctx: ViewContext, result, decline) -> ft.Control:
    pid = decline.product.id
    lender = ctx.services.lender_name(decline.product.lender_id, ctx.locale)
    lines: list[ft.Control] = [
        ft.Text(labels.lender_and_product(ctx, lender, decline.product),
                weight=ft.FontWeight.W_600),
        *[ft.Text("• " + ctx.services.reason_text(x, ctx.locale), size=13)
          for x in decline.reasons],
    ]  # fmt: skip
    hint = decline.hint
    if hint is not None and hint.kind == "none":  # an honest answer too: nothing to try here
        lines.append(ft.Text(ctx.services.reason_text(hint.reason, ctx.locale), size=12,
                             color=ft.Colors.ON_SURFACE_VARIANT, key=f"hint-{pid}"))  # fmt: skip
    elif hint is not None:
        lines.append(ft.Row([
            ft.Icon(ft.Icons.LIGHTBULB_OUTLINE, size=18, color=ft.Colors.TERTIARY),
            ft.Text(ctx.services.reason_text(hint.reason, ctx.locale), size=13, expand=True,
                    key=f"hint-{pid}"),
        ]))  # fmt: skip
    body: ft.Control = ft.Column(lines, spacing=4)
    if hint is not None and hint.case is not None and hint.kind not in ("none", "price_ceiling"):
        body = top_and_bottom(lines, sem(f"apply-{pid}", ft.OutlinedButton(
            ctx.t("Apply this change"), icon=ft.Icons.REFRESH,
            on_click=lambda e: apply_hint(ctx, result, hint))), 4)  # fmt: skip
    return ft.Container(
        body, key=f"decline-{pid}", padding=12, border_radius=12,
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
    )  # fmt: skip


#: What the offers' review note leads with, by where the review stands (review_state).
REVIEW_HEADS = {
    "pending": N_("These offers are provisional: a person at the lender will review the "
                  "application before anything is final, because:"),
    "approved": N_("A person at the lender reviewed the application and approved it. It had "
                   "been flagged because:"),
    "declined": N_("After review, the lender declined the application: these offers cannot be "
                   "signed. It had been flagged because:"),
}  # fmt: skip


def provisional_note(ctx: ViewContext, result) -> list[ft.Control]:
    """The behavioural checks' flags (velocity, inconsistent answers): the offers stand but
    are provisional until a person at the lender has looked, and the buyer is told why — and,
    once they have, what they decided (after a decline, a new check is a tap away)."""
    review = result.answer.result.review
    where = ctx.services.review_state(result.application_id) if review else None
    if where is None:  # nothing flagged, or nothing to review (no lender offered, withdrawn)
        return []
    lines: list[ft.Control] = [
        ft.Text(ctx.t(REVIEW_HEADS[where]), weight=ft.FontWeight.W_500,
                color=ft.Colors.ERROR if where == "declined" else None,
                key=f"offers-review-{where}"),
        *[ft.Text("• " + ctx.services.reason_text(x, ctx.locale), size=13) for x in review],
    ]  # fmt: skip
    if where == "declined":
        lines.append(sem("offers-review-check-again", ft.TextButton(
            ctx.t("Check again"), icon=ft.Icons.REFRESH,
            on_click=lambda e: new_check(ctx, result.vehicle.id))))  # fmt: skip
    box = ft.Container(ft.Column(lines, spacing=4), bgcolor=ft.Colors.SECONDARY_CONTAINER,
                       padding=12, border_radius=12)  # fmt: skip
    return [box]


def new_check(ctx: ViewContext, vehicle_id: str) -> None:
    """A new check of this car at the deal bar's deal: the form, from its first step."""
    ctx.state.car_id = vehicle_id
    ctx.state.prequal.step = 0
    ctx.go("/handoff" if ctx.state.handed_to_customer else prequal_path(vehicle_id))


def changed_deal_note(ctx: ViewContext, result) -> list[ft.Control]:
    """The deal bar moved since the check (on a car's page, say): these figures are for the
    deal checked, and checking the new one is a tap away."""
    state, checked, price = ctx.state, result.deal, result.vehicle.price
    if checked is None:
        return []
    current = type(checked)(state.deal.down_payment(price), state.deal.term, state.trade_in)
    if current == checked:
        return []

    now = deal_line(ctx, current)
    return [
        note_with_action(
            ft.Text(ctx.t("Your deal has changed since this check (now {deal}); these offers "
                          "are for the deal checked.", deal=now), key="offers-deal-changed"),
            sem("offers-check-new-deal", ft.FilledTonalButton(
                ctx.t("Check the new deal"),
                on_click=lambda e: new_check(ctx, result.vehicle.id))),
            ft.Colors.SECONDARY_CONTAINER,
        )
    ]  # fmt: skip


def deal_line(ctx: ViewContext, deal) -> str:
    """What the offers are for: the down payment, the trade-in when there is one, the term."""
    down = ctx.money(deal.down_payment)
    if deal.trade_in:
        return ctx.t(
            "Down payment {down} · trade-in {trade_in} · {term} months",
            down=down,
            trade_in=ctx.money(deal.trade_in),
            term=deal.term_months,
        )
    return ctx.t("Down payment {down} · {term} months", down=down, term=deal.term_months)


def apply_hint(ctx: ViewContext, result, hint) -> None:
    """Change the deal (or the debts) as the hint says and take the buyer to the check's
    consent step: the changed deal is a new check, and each check asks for its own consent."""
    state = ctx.state
    deal = hint.case.deal
    price = result.vehicle.price
    ratio = (deal.down_payment / price).quantize(Decimal("0.0001"), rounding=ROUND_UP)
    state.deal = type(state.deal)(down_ratio=ratio, term=deal.term_months)
    draft = state.prequal
    draft.values["monthly_debt_payments"] = f"{hint.case.applicant.monthly_debt_payments:.2f}"
    draft.step, draft.consented_at, draft.applied = 2, None, hint.reason
    state.car_id = result.vehicle.id
    ctx.go("/handoff" if state.handed_to_customer else prequal_path(result.vehicle.id))


def _figure(label: str, value: str, key: str | None) -> ft.Control:
    return ft.Row([ft.Text(label, expand=True, size=13),
                   ft.Text(value, key=key, text_align=ft.TextAlign.RIGHT,
                           weight=ft.FontWeight.W_500)])  # fmt: skip


def _badge(text: str, colour, key: str) -> ft.Control:
    return ft.Container(ft.Text(text, size=11, color=colour, key=key),
                        border=ft.Border.all(1, colour), border_radius=8,
                        padding=ft.Padding.symmetric(horizontal=6, vertical=2))  # fmt: skip


def saved_checks_view(ctx: ViewContext, saved) -> ft.Control:
    """The buyer's saved checks, newest first: every offer with the figures quoted then,
    cheapest first, and the lenders that said no; "Check again" re-runs one for today."""
    controls: list[ft.Control] = [
        section_title(ctx.t("Your saved checks"), key="saved-title"),
        ft.Text(ctx.t("The figures each lender quoted when you checked. Rates change: check "
                      "again for today's offers, their reasons and what would change a no."),
                size=12, color=ft.Colors.ON_SURFACE_VARIANT),
    ]  # fmt: skip
    controls += [saved_check_card(ctx, check) for check in saved]
    return ft.Column(controls, spacing=12, key="offers-saved")


#: Offers listed per saved check (the cheapest; "Check again" shows them all, ranked).
SAVED_OFFERS_SHOWN = 5


def saved_check_card(ctx: ViewContext, check) -> ft.Control:
    a = check.application
    car = labels.car_name(ctx, check.vehicle) if check.vehicle else a.vehicle_id
    lines: list[ft.Control] = [
        ft.Text(car, weight=ft.FontWeight.BOLD, size=16),
        *saved_check_lines(ctx, check),
    ]
    if check.vehicle is not None:
        lines.append(ft.Row([sem(f"saved-again-{a.id}", ft.OutlinedButton(
            ctx.t("Check again"), icon=ft.Icons.REFRESH,
            on_click=lambda e: check_again(ctx, check)))],
            alignment=ft.MainAxisAlignment.END))  # fmt: skip
    return ft.Card(ft.Container(ft.Column(lines, spacing=6), padding=14), key=f"saved-{a.id}")


def saved_check_lines(ctx: ViewContext, check, shown: int = SAVED_OFFERS_SHOWN) -> list[ft.Control]:
    """When the check ran, how many lenders offered and declined, and the cheapest ``shown``
    offers with their APR and monthly payment as quoted then."""
    a = check.application
    when = ctx.day(a.created_at) if a.created_at else "-"
    # counted as the offers screen counts them: the products that never finance the car
    # declined the car, not the buyer
    about_you = sum(not about_the_car(d.reasons) for d in check.declines)
    n = len(check.offers)
    lines: list[ft.Control] = [
        ft.Text(ctx.tn("Checked on {date} · {n} offer · {m} not available",
                       "Checked on {date} · {n} offers · {m} not available", n,
                       date=when, n=n, m=about_you) if about_you else
                ctx.tn("Checked on {date} · {n} offer", "Checked on {date} · {n} offers", n,
                       date=when, n=n),
                size=12, key=f"saved-summary-{a.id}"),
    ]  # fmt: skip
    if (where := a.review_state) is not None:
        lines.append(ft.Text(labels.review_line(ctx, where, a.review), size=12,
                             color=palette.REVIEW[where], key=f"saved-review-{a.id}"))  # fmt: skip
    lines += [saved_offer_row(ctx, check, o) for o in check.offers[:shown]]
    return lines


def saved_offer_row(ctx: ViewContext, check, o, key: str | None = None) -> ft.Control:
    """One saved offer: lender and product, APR, monthly payment."""
    return ft.Row([
        ft.Text(_product(ctx, check, o.product_id), expand=True, size=13),
        ft.Text(ctx.rate(o.apr), weight=ft.FontWeight.BOLD, color=ft.Colors.PRIMARY,
                key=f"saved-apr-{o.id}"),
        ft.Text(ctx.t("{amount} / month", amount=ctx.money(o.payment)), size=13,
                text_align=ft.TextAlign.RIGHT, width=150),
    ], key=key or f"saved-offer-{o.id}")  # fmt: skip


def _product(ctx: ViewContext, check, product_id: str) -> str:
    product = check.products.get(product_id)
    if product is None:
        return product_id
    lender = ctx.services.lender_name(product.lender_id, ctx.locale)
    return labels.lender_and_product(ctx, lender, product)


def check_again(ctx: ViewContext, check) -> None:
    """The check's car and deal back in the deal bar, then the prequalification form."""
    a = check.application
    ratio = (a.down_payment / a.cash_price).quantize(Decimal("0.0001"), rounding=ROUND_UP)
    ctx.state.car_id = a.vehicle_id
    # the form fills the rest from the buyer's profile when it opens
    ctx.state.prequal.values["trade_in"] = f"{a.trade_in:.2f}" if a.trade_in else ""
    ctx.state.set_deal(
        down_ratio=min(ratio, Decimal("0.70")),
        term=a.term if a.term in ctx.state.TERMS else None,
    )
    ctx.go(prequal_path(a.vehicle_id))

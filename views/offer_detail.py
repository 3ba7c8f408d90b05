"""Offer detail: the disclosure box exactly as the contract states it, a chart of principal vs
interest over time, the full schedule with yearly subtotals, and "Continue to contract"."""

from __future__ import annotations

import flet as ft

from domain.prequal.core import APR_FLAG
from views import labels, palette
from views.charts import loan_chart, loan_legend
from views.context import ViewContext
from views.shell import Screen
from views.widgets import N_, empty_state, fill_or_scroll, section_title, sem

NOT_OFFERED = N_("This offer is not on screen any more — check your rate again.")
RATES_CHANGED = N_("The figures of this offer have changed since your check: check again for "
                   "today's offers.")  # fmt: skip
SIGNED_ON_CHECK = N_("The contract of this check is signed: here is its loan.")
#: The schedule's six columns at their own widths: from this much room it fills its column.
SCHEDULE_MIN_WIDTH = 720


def find_offer(ctx: ViewContext, product_id: str):
    result = ctx.state.prequal_result
    return None if result is None else result.offer(product_id)


def reopen_offer(ctx: ViewContext, params: dict[str, str]) -> str | None:
    """``Route.restore`` of an offer's screens (its detail, its contract) in a session that
    has not run a check (the page reloaded, a bookmark opened): the buyer's newest saved check
    that offered it, reopened from the device. When none of theirs did, or its figures no
    longer stand, "My offers" (their saved checks) says so; once a contract is signed on that
    check, its loan. A dealer's tablet reopens nothing: a customer's check never outlives the
    hand-over."""
    state, pid = ctx.state, params["id"]
    user, result = state.user, state.prequal_result
    if user is None or user.role != "buyer" or state.handed_to_customer:
        return None
    if result is not None and (not result.reopened or result.offer(pid) is not None):
        return None  # the session's own check (or this offer, reopened already)
    reopened = ctx.services.reopen_offer(user.id, pid)
    if reopened is not None and reopened.result is not None:
        state.reopen(reopened.result)
        return None
    if reopened is not None and reopened.contract_id is not None:
        to = f"/loans/{reopened.contract_id}"
        state.set_notice(ctx.t(SIGNED_ON_CHECK), to, redraw=False)
        return to
    text = ctx.t(NOT_OFFERED) if reopened is None else ctx.t(RATES_CHANGED)
    state.set_notice(text, "/offers", error=reopened is None, redraw=False)
    return "/offers"


def offer_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    pid = params["id"]
    offer = find_offer(ctx, pid)
    if offer is None:
        return Screen(
            title=ctx.t("Offer"),
            body=empty_state(
                "offer-missing", ft.Icons.LOCAL_OFFER_OUTLINED,
                ctx.t(NOT_OFFERED),
                # the buyer's saved checks are there, each with "Check again"
                sem("offer-missing-offers", ft.TextButton(
                    ctx.t("My offers"), on_click=lambda e: ctx.go(offers_route(ctx)))),
            ),
        )  # fmt: skip
    state = ctx.state
    if pid not in state.opened and state.user is not None:
        state.opened.add(pid)  # the recommender's "offer opened" signal, once per session
        ctx.services.record_event(state.customer_user_id or state.user.id, pid, "offer_open")
    q = offer.quote
    lender = ctx.services.lender_name(offer.product.lender_id, ctx.locale)
    lease = offer.product.is_lease

    def onward(ident: str) -> ft.Control:
        return sem(ident, ft.FilledButton(
            ctx.t("Continue to contract"), icon=ft.Icons.DESCRIPTION_OUTLINED,
            on_click=lambda e: to_contract(ctx, pid)))  # fmt: skip

    body = ft.Column(
        [
            disclosure_box(ctx, offer, lender),
            # under what the law says must be read first, not only below a 60-row schedule
            onward("offer-contract"),
            section_title(ctx.t(N_("Where your rent goes") if lease
                                else N_("Where your payments go"))),
            loan_legend(ctx, q),
            ft.Container(loan_chart(ctx, q, q.schedule, key="offer-chart"), height=230),
            section_title(ctx.t(N_("Rent schedule") if lease else N_("Payment schedule"))),
            schedule_table(ctx, q, lease=lease),
            onward("offer-contract-end"),
        ],
        spacing=12,
    )  # fmt: skip
    return Screen(title=lender, body=body)


def offers_route(ctx: ViewContext) -> str:
    return "/handoff/offers" if ctx.state.handed_to_customer else "/offers"


def to_contract(ctx: ViewContext, pid: str) -> None:
    """The offer is chosen (the dealer's board shows it) and its contract opens."""
    state = ctx.state
    ctx.services.choose_offer(state.prequal_result.application_id, pid)
    ctx.go(f"{'/handoff' if state.handed_to_customer else ''}/contract/{pid}")


def disclosure_box(ctx: ViewContext, offer, lender: str) -> ft.Control:
    """The figures in the order and prominence the contract uses: APR and finance charge
    first, from the same engine quote."""
    q = offer.quote
    words = ctx.services.disclosure_words(ctx.state.prequal_result, offer.product.id, ctx.locale)
    said = words.labels

    def cell(label: str, value: str, key: str, big: bool = False) -> ft.Control:
        # a phone gives each big figure a row of its own: half a row broke CN¥5,087.87 in two
        return ft.Container(
            ft.Column([
                ft.Text(label, size=12, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Text(value, key=key, size=26 if big else 17, no_wrap=big,
                        weight=ft.FontWeight.BOLD if big else ft.FontWeight.W_500),
            ], spacing=2),
            col={"xs": 12 if big else 6, "sm": 6, "md": 3}, padding=8,
        )  # fmt: skip

    lease = offer.product.is_lease
    first = q.schedule[0] if q.schedule else None
    schedule = ctx.t(
        N_("{n} rent payments of {amount}, the first on {date}") if lease
        else N_("{n} payments of {amount}, the first on {date}"),
        n=len(q.schedule), amount=ctx.money(q.payment),
        date=ctx.date(first.date) if first else "-",
    )  # fmt: skip
    if q.last_payment != q.payment:
        schedule += ctx.t(
            N_("; last rent payment {amount}") if lease else N_("; last payment {amount}"),
            amount=ctx.money(q.last_payment),
        )
    upfront = q.withheld_fees
    return ft.Container(
        ft.Column([
            ft.Text(labels.lender_and_product(ctx, lender, offer.product), size=16,
                    weight=ft.FontWeight.BOLD, key="disc-product"),
            ft.ResponsiveRow([
                cell(said["apr"], ctx.rate(q.apr), "disc-apr", True),
                cell(said["finance_charge"], ctx.money(q.finance_charge), "disc-charge", True),
                cell(said["amount_financed"], ctx.money(q.amount_financed), "disc-financed"),
                cell(said["total_of_payments"], ctx.money(q.total_of_payments), "disc-total"),
                cell(said["total_sale_price"], ctx.money(q.total_sale_price), "disc-sale"),
                cell(ctx.t("Down payment"), ctx.money(q.terms.down_payment), "disc-down"),
                # what the buyer brings to the signing, where fees join the down payment
                *([cell(ctx.t("Due at signing"), ctx.money(q.due_at_signing),
                        "disc-due-at-signing")] if upfront else []),
                *([cell(ctx.t("Trade-in credit"), ctx.money(q.terms.trade_in), "disc-trade-in")]
                  if q.terms.trade_in else []),
            ]),
            *([ft.Text(ctx.t(
                N_("{financed}: the lease's financing of {principal} less {fees} in fees the "
                   "lessor takes from it when it pays for the car (part of the {charge}). The "
                   "dealer is paid that much less, so you pay the fees at signing with the down "
                   "payment: {due} in all.") if lease else
                N_("{financed}: the loan of {principal} less {fees} in fees the lender takes "
                   "from it when it pays out (part of the {charge}). The dealer is paid that "
                   "much less, so you pay the fees at signing with the down payment: {due} in "
                   "all."),
                financed=said["amount_financed"], principal=ctx.money(q.principal),
                fees=ctx.money(upfront), charge=said["finance_charge"].lower(),
                due=ctx.money(q.due_at_signing)), size=13, key="disc-upfront-fees")]
              if upfront else []),
            ft.Text(schedule, key="disc-schedule"),
            *[ft.Column([
                ft.Text(label, size=12, weight=ft.FontWeight.W_600),
                ft.Text(text, size=13, key=f"disc-term-{i}"),
            ], spacing=0) for i, (label, text) in enumerate(words.terms)],
            *([ft.Text(ctx.t("Late charges here add up to {yearly} a year, above 24%: a late "
                             "payment costs far more than the APR says.",
                             yearly=ctx.rate(words.late_yearly_rate)),
                       size=13, color=palette.WARN, key="disc-late-over24")]
              if words.late_yearly_rate > APR_FLAG else []),
        ], spacing=6),
        key="disclosure", padding=14, border_radius=12,
        border=ft.Border.all(2, ft.Colors.PRIMARY),
    )  # fmt: skip


def schedule_table(ctx: ViewContext, q, paid: int = 0, *, lease: bool = False) -> ft.Control:
    """The repayment schedule, each loan year closed by its subtotals: a table from a tablet
    up; on a phone a list of two lines per payment (date and amount, then its split), so
    nothing is cut off at the screen's edge. Payments made are ticked."""
    entries = _schedule_entries(q)
    if not ctx.wide:
        return _schedule_list(ctx, q, entries, paid)

    def money_cell(amount) -> ft.DataCell:
        return ft.DataCell(ft.Text(ctx.money(amount), text_align=ft.TextAlign.RIGHT))

    rows: list[ft.DataRow] = []
    bold = ft.FontWeight.BOLD
    for r, year in entries:
        if year is not None:
            rows.append(ft.DataRow([
                ft.DataCell(ft.Text(ctx.t("Loan year {year}", year=year.year), weight=bold)),
                ft.DataCell(ft.Text("")),
                *[ft.DataCell(ft.Text(ctx.money(v), weight=bold, text_align=ft.TextAlign.RIGHT))
                  for v in _amounts(r, year)],
            ], color=ft.Colors.SURFACE_CONTAINER_HIGH))  # fmt: skip
            continue
        rows.append(ft.DataRow([
            ft.DataCell(ft.Row([ft.Text(str(r.n)), *_paid_mark(r, paid)], spacing=4)),
            ft.DataCell(ft.Text(ctx.date(r.date))),
            *map(money_cell, _amounts(r, year)),
        ]))  # fmt: skip
    table = ft.DataTable(
        key="schedule",
        columns=[
            ft.DataColumn(ft.Text("#")),
            ft.DataColumn(ft.Text(ctx.t(N_("Rent due date") if lease else N_("Due date")))),
            *[ft.DataColumn(ft.Text(ctx.t(name), width=money_column(ctx),
                                    text_align=ft.TextAlign.RIGHT), numeric=True)
              for name in (N_("Rent due") if lease else N_("Payment"),
                           *(labels.part_name(q, part)
                             for part in ("principal", "interest", "balance")))],
        ],
        rows=rows, column_spacing=18, data_row_min_height=36, data_row_max_height=40,
    )  # fmt: skip
    return fill_or_scroll(ctx, table, SCHEDULE_MIN_WIDTH)


def money_column(ctx: ViewContext) -> int | None:
    """How wide each of the schedule's four money columns is: a share of the room, so a
    table across a wide screen spreads its figures instead of leaving them bunched at its
    right edge (the date column takes what is left); their own width where it scrolls."""
    if ctx.content_width < SCHEDULE_MIN_WIDTH:
        return None
    share = (ctx.content_width - 200) / 4 - 18  # the number and the date, the spacing
    return int(min(220, max(110, share)))


def _schedule_entries(q) -> list[tuple]:
    """(row, None) per payment, and (None, loan year's subtotals) after each loan year's last
    payment: years of 12 monthly payments, as the engine subtotals them."""
    yearly = {y.year: y for y in q.yearly}
    out: list[tuple] = []
    for i, r in enumerate(q.schedule):
        out.append((r, None))
        last_of_year = (i + 1) % 12 == 0 or i + 1 == len(q.schedule)
        if last_of_year and (year := yearly.get(i // 12 + 1)) is not None:
            out.append((None, year))
    return out


def _amounts(row, year) -> tuple:
    """(payment, principal, interest, balance after) of a payment, or of a loan year."""
    if year is not None:
        return year.payment, year.principal, year.interest, year.closing_balance
    return row.payment, row.principal, row.interest, row.balance


def _paid_mark(row, paid: int) -> list[ft.Control]:
    if row.n > paid:
        return []
    return [ft.Icon(ft.Icons.CHECK, size=16, color=palette.GOOD)]


def _schedule_list(ctx: ViewContext, q, entries: list[tuple], paid: int) -> ft.Control:
    muted = ft.Colors.ON_SURFACE_VARIANT
    items: list[ft.Control] = []
    for r, year in entries:
        amount, principal, interest, balance = _amounts(r, year)
        if year is not None:
            head = ctx.t("Loan year {year}", year=year.year)
            lead: list[ft.Control] = [ft.Text(head, weight=ft.FontWeight.BOLD)]
        else:
            lead = [ft.Text(f"{r.n}", width=28), ft.Text(ctx.date(r.date)), *_paid_mark(r, paid)]
        split = ctx.t(
            labels.balance_label(
                q,
                N_("Principal {principal} · interest {interest} · balance {balance}"),
                N_("Amount financed repaid {principal} · interest incl. fees {interest} · "
                   "financed balance {balance}"),
            ),
            principal=ctx.money(principal), interest=ctx.money(interest),
            balance=ctx.money(balance),
        )  # fmt: skip
        items.append(ft.Container(
            ft.Column([
                ft.Row([ft.Row(lead, spacing=6),
                        ft.Text(ctx.money(amount), weight=ft.FontWeight.W_600)],
                       alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                ft.Text(split, size=12, color=muted),
            ], spacing=2),
            padding=ft.Padding.symmetric(vertical=6, horizontal=8),
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH if year is not None else None,
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT)),
        ))  # fmt: skip
    return ft.Column(items, spacing=0, key="schedule")

"""Dealer mode (tablet): a walk-in application, handing the tablet to the customer behind a
staff PIN, the pipeline board by status, and customers (initials only)."""

from __future__ import annotations

import hashlib
import math
import secrets
import time

import flet as ft

from domain.catalog import ConsentPurpose
from domain.errors import InputError
from views import labels, palette
from views.context import ViewContext
from views.contract import open_signed_button, review_panel, signed_loan, what_happens_next
from views.loans import loan_detail
from views.offers import saved_check_lines, saved_offer_row
from views.shell import Screen
from views.widgets import (
    N_,
    ask_twice,
    content_column,
    deal_bar,
    empty_state,
    field_pairs,
    notice_line,
    section_title,
    sem,
)

COLUMNS = {
    "draft": N_("Draft"),
    "prequalified": N_("Prequalified"),
    "offer_chosen": N_("Offer chosen"),
    "signed": N_("Signed"),
    "funded": N_("Funded"),
}
#: Statuses off the board: the customer withdrew (their soft-check consent, in Settings or
#: asking at the desk).
OFF_BOARD = {"withdrawn": N_("Withdrawn by the customer")}
#: Checked, in the "Prequalified" column, but no lender offered: the card says so.
NO_OFFER = N_("Checked · no lender offered")


def no_offer(card) -> bool:
    """Declined by the check itself (no lender offered), not by a person reviewing it."""
    return card.status == "declined" and card.review_state != "declined"


def status_label(ctx: ViewContext, card) -> str:
    """An application's status as the dealer's staff read it: what the check found when no
    lender made an offer, what the review decided when it declined, else its board column,
    or why it left the board."""
    if card.review_state == "declined":
        return ctx.t(labels.REVIEW_SHORT["declined"])
    label = (NO_OFFER if no_offer(card) else None) or COLUMNS.get(card.column)
    label = label or OFF_BOARD.get(card.status)
    return ctx.t(label) if label else card.status


def pin_hash(pin: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{pin}".encode()).hexdigest()


def new_application_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    form = state.customer
    errors = state.prequal.errors

    def set_(name: str):
        def handler(e) -> None:
            form[name] = e.control.value or ""

        return handler

    matches = ctx.services.search_cars(  # the cars on sale here: a walk-in buys one of them
        type(state.query)(text=form.get("car_query", "")), state.deal, limit=30,
        dealer_id=state.user.dealer_id,
    ).cards  # fmt: skip

    def pick_car(e) -> None:
        state.car_id = e.control.value or None
        state.notify()

    def search(e) -> None:
        form["car_query"] = e.control.value or ""
        state.notify()

    def hand_over(e) -> None:
        pin = form.get("pin", "")
        typed = state.prequal.values  # the deal bar's trade-in field, as the staff appraised it
        state.prequal.errors = {}
        try:
            if not (pin.isdigit() and 4 <= len(pin) <= 8):
                raise ctx.i18n_input_error("staff.pin", "pin", "must be 4 to 8 digits")
            if not state.car_id:
                raise ctx.i18n_input_error("customer.car", "required", "is required")
            trade_in = ctx.services.walk_in_trade_in(state.user, state.car_id, state.deal, typed)
            user_id = ctx.services.start_walk_in(state.user, form.get("name", ""),
                                                 form.get("phone", ""))  # fmt: skip
            # on the board as a draft until the customer's check completes it
            state.application_id = ctx.services.start_draft(state.user, user_id, state.car_id,
                                                            state.deal, trade_in)  # fmt: skip
        except ValueError as exc:
            if hasattr(exc, "field"):
                state.prequal.errors = {exc.field: exc}
                state.notify()
                return
            raise
        salt = secrets.token_hex(8)
        state.customer_user_id = user_id
        state.staff_pin_hash = f"{salt}${pin_hash(pin, salt)}"
        form.pop("pin", None)
        # the customer's form starts from their profile and the trade-in the staff appraised
        state.prequal = type(state.prequal)(values={"trade_in": typed.get("trade_in", "")})
        state.hand_to_customer()
        ctx.go("/handoff")

    def err(name: str):
        e = errors.get(name)
        return ctx.error(e) if e is not None else None

    controls: list[ft.Control] = [
        ft.Text(ctx.t("Start an application for a customer at the desk. The customer enters "
                      "their own income and consents on this tablet."), key="dealer-intro"),
        section_title(ctx.t("Customer")),
        field_pairs([
            sem("customer-name", ft.TextField(
                label=ctx.t("Customer's name"), value=form.get("name", ""),
                on_change=set_("name"), error=err("customer.name"))),
            sem("customer-phone", ft.TextField(
                label=ctx.t("Mobile number"), value=form.get("phone", ""),
                on_change=set_("phone"), error=err("customer.phone"),
                keyboard_type=ft.KeyboardType.PHONE)),
        ], key="dealer-customer-fields"),
        section_title(ctx.t("Car and deal")),
        field_pairs([
            sem("customer-car-search", ft.TextField(
                label=ctx.t("Search cars"), value=form.get("car_query", ""),
                on_submit=search, on_blur=search)),
            sem("customer-car", ft.Dropdown(
                label=ctx.t("Car"), value=state.car_id, on_select=pick_car,
                error_text=err("customer.car"), expand=True,
                options=[ft.DropdownOption(key=c.vehicle.id, text=car_option(ctx, c.vehicle))
                         for c in matches])),
        ], key="dealer-car-fields"),
        deal_bar(ctx, next((c.vehicle.price for c in matches if c.vehicle.id == state.car_id),
                           None)),
        section_title(ctx.t("Hand the tablet to the customer")),
        sem("staff-pin", ft.TextField(label=ctx.t("Staff PIN"), password=True, width=360,
                                      helper=ctx.t("4 to 8 digits, to get the tablet back"),
                                      value=form.get("pin", ""), on_change=set_("pin"),
                                      error=err("staff.pin"),
                                      keyboard_type=ft.KeyboardType.NUMBER)),
        sem("hand-over", ft.FilledButton(ctx.t("Hand to customer"), icon=ft.Icons.TABLET_ANDROID,
                                         on_click=hand_over)),
    ]  # fmt: skip
    return Screen(title=ctx.t("New application"),
                  body=content_column(controls, spacing=10, key="dealer-new"))  # fmt: skip


#: Wrong staff PINs allowed before the tablet locks; each wrong PIN after that locks it for
#: twice as long as the last (a four-digit PIN must not be guessable by trying them all).
PIN_TRIES = 5
PIN_LOCK_SECONDS = 30
clock = time.monotonic  # module-level: tests move it


def pin_lock_seconds(failures: int) -> int:
    """How long the tablet stays locked after ``failures`` wrong PINs (0: not locked)."""
    return 0 if failures < PIN_TRIES else PIN_LOCK_SECONDS * 2 ** (failures - PIN_TRIES)


def return_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    """The customer gives the tablet back: only the staff PIN unlocks the staff screens, and
    unlocking clears everything of the customer from the screen and from memory. Wrong PINs
    lock it for a while (:data:`PIN_TRIES`)."""
    state = ctx.state
    entered = {"pin": ""}
    wait = math.ceil(state.pin_locked_until - clock())

    def typed(e) -> None:
        entered["pin"] = e.control.value or ""

    def unlock(e) -> None:
        now = clock()
        if now < state.pin_locked_until:  # not even tried while locked
            state.notify()
            return
        salt, digest = (state.staff_pin_hash or "$").split("$", 1)
        if state.staff_pin_hash and secrets.compare_digest(pin_hash(entered["pin"], salt), digest):
            state.car_id = None  # the customer's car is theirs too: the next form starts empty
            state.clear_customer()
            ctx.go("/dealer/pipeline")
            return
        state.pin_failures += 1
        state.pin_locked_until = now + pin_lock_seconds(state.pin_failures)
        state.notify()

    if wait > 0:
        error = ctx.t("Too many wrong PINs: try again in {seconds} s", seconds=wait)
    else:
        error = ctx.t("Wrong PIN") if state.pin_failures else None

    body = ft.Column([
        ft.Text(ctx.t("Thank you. Please hand the tablet back to the staff member."), size=18),
        sem("return-pin", ft.TextField(
            label=ctx.t("Staff PIN"), password=True, width=240, on_change=typed,
            error=error, keyboard_type=ft.KeyboardType.NUMBER)),
        sem("return-unlock", ft.FilledButton(ctx.t("Return to staff"), icon=ft.Icons.LOCK_OPEN,
                                             on_click=unlock)),
    ], spacing=12, key="handoff-return",
        horizontal_alignment=ft.CrossAxisAlignment.CENTER)  # fmt: skip
    return Screen(title=ctx.t("Return the tablet"),
                  body=ft.Row([body], alignment=ft.MainAxisAlignment.CENTER))  # fmt: skip


def handoff_done_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    """The customer's last screen before the tablet goes back: what they signed up to, in
    the order it happens (they have no app of their own to look it up in later)."""
    signed = ctx.state.contract
    next_steps = what_happens_next(ctx, signed_loan(ctx, signed)) if signed is not None else []
    body = content_column([
        ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=palette.GOOD, size=48), ft.Text(
            ctx.t("All done. Your signed contract is with the dealer and the lender."),
            size=18, key="handoff-done", expand=True)]),
        *next_steps,
        ft.Row([
            # their copy, to print at the desk: they have no app of their own to keep it in
            *([open_signed_button(ctx, signed)] if signed is not None else []),
            sem("handoff-give-back", ft.FilledButton(
                ctx.t("Give the tablet back"), on_click=lambda e: ctx.go("/handoff/return"))),
        ], wrap=True),
    ], key="handoff-done-body")  # fmt: skip
    return Screen(title=ctx.t("Done"), body=body)


def pipeline_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    """Columns by status, cards by initials; a card opens its application (and loan)."""
    columns = ctx.services.pipeline(ctx.state.user.dealer_id) if is_staff(ctx) else {}
    if not any(columns.values()):
        return Screen(title=ctx.t("Pipeline"), body=empty_state(
            "pipeline-empty", ft.Icons.VIEW_KANBAN_OUTLINED,
            ctx.t("No applications yet — start one under “New application”."),
            sem("pipeline-new", ft.FilledButton(
                ctx.t("New application"), on_click=lambda e: ctx.go("/dealer/new")))))  # fmt: skip

    def card(c) -> ft.Control:
        car = labels.car_name(ctx, c.vehicle) if c.vehicle else "-"
        return ft.Card(sem(f"pipe-{c.application_id}", ft.Container(ft.Column([
            ft.Text(c.initials, weight=ft.FontWeight.BOLD, key=f"pipe-who-{c.application_id}"),
            ft.Text(car, size=12, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
            ft.Text(ctx.t("Loan {amount}", amount=ctx.money(c.amount, whole=True)), size=12),
            *([ft.Text(ctx.day(c.started_at), size=11, color=ft.Colors.ON_SURFACE_VARIANT,
                       key=f"pipe-started-{c.application_id}")] if c.started_at else []),
            *([ft.Text(ctx.t(NO_OFFER), size=12, color=ft.Colors.ERROR,
                       key=f"pipe-no-offer-{c.application_id}")] if no_offer(c) else []),
            *([ft.Text(ctx.t(labels.REVIEW_SHORT[where]), size=12, color=palette.REVIEW[where],
                       key=f"pipe-review-{c.application_id}")]
              if (where := c.review_state) is not None else []),
        ], spacing=2), padding=10, ink=True,
            on_click=lambda e: ctx.go(f"/dealer/applications/{c.application_id}"))))  # fmt: skip

    def column(k: str, cards: list) -> ft.Control:
        empty = ft.Text(ctx.t("None yet"), size=12, color=ft.Colors.ON_SURFACE_VARIANT)
        items = [card(c) for c in cards] or [sem(f"col-{k}-empty", empty)]
        box = sem(f"col-{k}", ft.Container(ft.Column([
            ft.Text(ctx.t("{column} ({n})", column=ctx.t(COLUMNS[k]), n=len(cards)),
                    weight=ft.FontWeight.W_600),
            *items,
        ], spacing=6, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
            padding=8, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW))  # fmt: skip
        box.expand = ctx.wide  # the Row shares the width: five columns fit a tablet
        return box

    cols = [column(k, v) for k, v in columns.items()]
    board = (
        ft.Row(cols, spacing=8, vertical_alignment=ft.CrossAxisAlignment.START)
        if ctx.wide
        else ft.Column(cols, spacing=8)
    )
    return Screen(title=ctx.t("Pipeline"), body=sem("pipeline", board))


def application_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    """One application of the dealer's: who (initials), car, amount, status; once signed,
    the loan with "Record a payment" (a customer paying at the desk)."""
    c = _own_application(ctx, params["id"])
    if c is None:
        return Screen(
            title=ctx.t("Application"),
            body=empty_state(
                "application-missing",
                ft.Icons.VIEW_KANBAN_OUTLINED,
                ctx.t("No such application."),
                ft.TextButton(ctx.t("Pipeline"), on_click=lambda e: ctx.go("/dealer/pipeline")),
            ),
        )
    car = labels.car_name(ctx, c.vehicle) if c.vehicle else "-"
    summary = ft.Column([
        ft.Text(c.initials, size=20, weight=ft.FontWeight.BOLD, key="application-who"),
        ft.Text(f"{car} · " + ctx.t("Loan {amount}", amount=ctx.money(c.amount, whole=True))),
        ft.Text(status_label(ctx, c), key="application-status",
                weight=ft.FontWeight.W_500),
    ], spacing=4)  # fmt: skip
    # its signed loan (None before a contract, or when it is the buyer's own, signed on
    # their phone: the dealership never holds that)
    loan = ctx.services.staff_loan(ctx.state.user, c.application_id)
    if c.status == "contracted":
        summary.controls.append(payout_row(ctx, c))
    elif c.is_open:
        if c.review_state == "pending":  # a decision shows in the status line
            summary.controls.append(review_panel(ctx, c.review_state, c.application_id, staff=True))
        summary.controls += check_lines(ctx, c.application_id)
        if soft_check_in_force(ctx, c.user_id):
            summary.controls.append(withdraw_row(ctx, c.application_id))
    if loan is None:
        if (notice := notice_line(ctx, "application-notice")) is not None:
            summary.controls.append(notice)
        return Screen(title=ctx.t("Application"), body=summary)
    screen = loan_detail(ctx, loan)  # it shows the notice, under the payment it confirms
    screen.body = ft.Column([summary, ft.Divider(), screen.body], spacing=10)
    return screen


def _own_application(ctx: ViewContext, application_id: str):
    """The pipeline card of an application of the staff member's dealership; None for anyone
    else, or any other id (never said apart: another dealership's id is not confirmed)."""
    if not is_staff(ctx):
        return None
    try:
        return ctx.services.dealer_application(ctx.state.user, application_id)
    except InputError:
        return None


def payout_row(ctx: ViewContext, card) -> ft.Control:
    """A signed application (its pipeline ``card``) waits for the lender to pay the loan out
    to the dealership by its first repayment date; the staff confirm it here when the money
    has arrived (the status becomes "Funded" and the card moves to that column), or cancel
    the contract before it (the customer changed their mind; it lapsed: that date came
    first; or the server refused it: another contract on the car reached it first)."""
    state, application_id = ctx.state, card.application_id

    def confirm(e) -> None:
        if ctx.attempt(lambda: ctx.services.confirm_payout(state.user, application_id)):
            state.set_notice(None)  # redraws: the status line is the confirmation

    lines: list[ft.Control] = []
    if card.car_taken:
        lines.append(ft.Text(ctx.t(
            "Not accepted: another contract on this car reached Chedai first, so this one "
            "cannot be paid out. Cancel it; the customer may choose another car."),
            key="payout-car-taken", color=ft.Colors.ERROR))  # fmt: skip
    elif card.lapsed:
        lines.append(ft.Text(ctx.t(
            "Lapsed: its first repayment date, {date}, came before the payout, so the contract "
            "cannot be paid out. Cancel it; the customer checks again for a new one.",
            date=ctx.date(card.pay_out_by)), key="payout-lapsed",
            color=ft.Colors.ERROR))  # fmt: skip
    else:
        lines.append(ft.Text(ctx.t("Waiting for the lender's payout"), key="payout-waiting"))
        if card.pay_out_by is not None:
            lines.append(ft.Text(ctx.t("To be paid out by {date}, its first repayment date",
                                       date=ctx.date(card.pay_out_by)),
                                 size=13, key="payout-by"))  # fmt: skip
        lines.append(sem("payout-confirm", ft.OutlinedButton(
            ctx.t("Confirm payout received"), icon=ft.Icons.ACCOUNT_BALANCE_OUTLINED,
            on_click=confirm)))  # fmt: skip
    return ft.Column([*lines, *cancel_row(ctx, application_id)], spacing=6)


def cancel_row(ctx: ViewContext, application_id: str) -> list[ft.Control]:
    """Cancel a signed contract before its payout, after reading what it does."""
    return desk_action(
        ctx, "contract-cancel", f"cancel-contract-{application_id}",
        ask=ctx.t("Cancel the contract"), consequence=ctx.t(CANCEL_CONSEQUENCE),
        confirm=ctx.t("Cancel the contract"),
        act=lambda: ctx.services.cancel_contract(ctx.state.user, application_id),
        done=ctx.t("The contract is cancelled: nothing is owed."),
    )  # fmt: skip


def desk_action(
    ctx: ViewContext,
    prefix: str,
    flag: str,
    *,
    ask: str,
    consequence: str,
    confirm: str,
    act,
    done: str,
) -> list[ft.Control]:
    """A staff action asked twice (:func:`views.widgets.ask_twice`, its identifiers named
    from ``prefix``): ``act()`` once confirmed, then ``done`` is said (a refusal instead)."""

    def confirmed(e) -> None:
        if ctx.attempt(act):
            ctx.state.expanded.discard(flag)
            ctx.tell(done)

    ids = (prefix, f"{prefix}-consequence", f"{prefix}-keep", f"{prefix}-confirm")
    return ask_twice(ctx, flag, ids, ask=ask, consequence=consequence, confirm=confirm,
                     on_confirm=confirmed)  # fmt: skip


CANCEL_CONSEQUENCE = N_(
    "Only before the lender pays the loan out. The signed contract is cancelled and the "
    "application leaves the board: nothing is owed, and the lender does not pay it out. The "
    "customer checks again for a new contract."
)


def check_lines(ctx: ViewContext, application_id: str) -> list[ft.Control]:
    """What the customer's check found, for the salesperson beside them: the offer they chose
    (once they have), then the cheapest offers as quoted; nothing before the check."""
    check = ctx.services.dealer_check(ctx.state.user, application_id)
    if check is None:
        return []
    lines: list[ft.Control] = [ft.Divider(), section_title(ctx.t("The customer's check"))]
    chosen = check.application.product_id
    offer = next((o for o in check.offers if o.product_id == chosen), None)
    if offer is not None:
        lines += [
            ft.Text(ctx.t("Chosen by the customer"), weight=ft.FontWeight.W_600,
                    key="application-chosen"),
            saved_offer_row(ctx, check, offer, key="application-chosen-offer"),
            ft.Text(ctx.t("All offers"), weight=ft.FontWeight.W_600),
        ]  # fmt: skip
    return lines + saved_check_lines(ctx, check, shown=3)


def soft_check_in_force(ctx: ViewContext, user_id: str) -> bool:
    """Whether the customer's consent to the soft check is in force (a walk-in who left
    before their check never gave it: there is nothing to withdraw)."""
    return any(
        c.purpose is ConsentPurpose.SOFT_CHECK and c.active for c in ctx.services.consents(user_id)
    )


def withdraw_row(ctx: ViewContext, application_id: str) -> ft.Control:
    """A walk-in customer has no sign-in of their own: when they ask at the desk, the staff
    withdraw their soft-check consent here, after reading what it does and confirming."""
    return ft.Column(desk_action(
        ctx, "application-withdraw", f"withdraw-application-{application_id}",
        ask=ctx.t("Customer withdraws consent"), consequence=ctx.t(WITHDRAW_CONSEQUENCE),
        confirm=ctx.t("Withdraw consent"),
        act=lambda: ctx.services.withdraw_customer_consent(ctx.state.user, application_id),
        done=ctx.t("The customer's consent is withdrawn"),
    ), spacing=6)  # fmt: skip


WITHDRAW_CONSEQUENCE = N_(
    "Only at the customer's own request. Their consent to the soft check is withdrawn: this "
    "application stops and leaves the board, and their checks are no longer used."
)


def is_staff(ctx: ViewContext) -> bool:
    user = ctx.state.user
    return user is not None and user.role == "staff" and bool(user.dealer_id)


#: The Customers list's groups: (key, name, the board columns it keeps; None: off the board,
#: withdrawn or cancelled). "all" keeps every one.
CUSTOMER_GROUPS = (
    ("all", N_("All"), None),
    ("open", N_("In progress"), {"draft", "prequalified", "offer_chosen"}),
    ("signed", N_("Signed"), {"signed"}),
    ("funded", N_("Funded"), {"funded"}),
    ("ended", N_("Ended"), {None}),
)


def customers_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state = ctx.state
    every = ctx.services.customers(state.user.dealer_id) if is_staff(ctx) else []
    if not every:
        return Screen(title=ctx.t("Customers"), body=empty_state(
            "customers-empty", ft.Icons.PEOPLE_OUTLINE,
            ctx.t("No customers yet — start an application under “New application”.")))  # fmt: skip

    def members(columns) -> list:
        return every if columns is None else [c for c in every if c.column in columns]

    def choose(key: str) -> None:
        state.customer_group = key
        state.notify()

    chips = ft.Row([
        sem(f"customers-group-{key}", ft.Chip(
            label=ft.Text(ctx.t("{group} ({n})", group=ctx.t(name), n=len(members(columns)))),
            selected=state.customer_group == key, on_click=lambda e, k=key: choose(k)))
        for key, name, columns in CUSTOMER_GROUPS
    ], wrap=True, spacing=6, run_spacing=6, key="customers-groups")  # fmt: skip
    chosen = {key: columns for key, _, columns in CUSTOMER_GROUPS}
    rows = members(chosen.get(state.customer_group))
    if not rows:
        return Screen(title=ctx.t("Customers"), body=ft.Column([chips, ft.Text(
            ctx.t("No customer in this group."), key="customers-none")], spacing=12))  # fmt: skip
    table = ft.DataTable(
        key="customers",
        columns=[ft.DataColumn(ft.Text(ctx.t("Customer"))), ft.DataColumn(ft.Text(ctx.t("Car"))),
                 ft.DataColumn(ft.Text(ctx.t("Loan amount")), numeric=True),
                 ft.DataColumn(ft.Text(ctx.t("Status"))), ft.DataColumn(ft.Text(ctx.t("Started")))],
        rows=[ft.DataRow([
            ft.DataCell(ft.Text(c.initials)),
            ft.DataCell(ft.Text(labels.car_name(ctx, c.vehicle) if c.vehicle else "-")),
            ft.DataCell(ft.Text(ctx.money(c.amount, whole=True))),
            ft.DataCell(ft.Text(status_label(ctx, c))),
            ft.DataCell(ft.Text(ctx.day(c.started_at) if c.started_at else "-")),
        ], key=f"customer-{c.application_id}", on_select_change=lambda e, c=c: ctx.go(
            f"/dealer/applications/{c.application_id}")) for c in rows],
        show_checkbox_column=False,
    )  # fmt: skip
    listed = sem("customers", ft.Row([table], scroll=ft.ScrollMode.AUTO))
    return Screen(title=ctx.t("Customers"), body=ft.Column([chips, listed], spacing=12))


def car_option(ctx: ViewContext, v) -> str:
    return f"{labels.car_name(ctx, v)} {v.year} · {ctx.money(v.price, whole=True)}"

"""Dealer mode (tablet): a walk-in application, handing the tablet to the customer behind a
staff PIN, the pipeline board by status, and customers (initials only)."""

from __future__ import annotations

import hashlib
import secrets

import flet as ft

from views import labels
from views.context import ViewContext
from views.shell import Screen
from views.widgets import N_, deal_bar, empty_state, section_title, sem

COLUMNS = {
    "draft": N_("Draft"),
    "prequalified": N_("Prequalified"),
    "offer_chosen": N_("Offer chosen"),
    "signed": N_("Signed"),
    "funded": N_("Funded"),
}


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

    matches = ctx.services.search_cars(
        type(state.query)(text=form.get("car_query", "")), state.deal, limit=30
    ).cards  # fmt: skip

    def pick_car(e) -> None:
        state.car_id = e.control.value or None
        state.notify()

    def search(e) -> None:
        form["car_query"] = e.control.value or ""
        state.notify()

    def hand_over(e) -> None:
        pin = form.get("pin", "")
        state.prequal.errors = {}
        try:
            if not (pin.isdigit() and 4 <= len(pin) <= 8):
                raise ctx.i18n_input_error("staff.pin", "pin", "must be 4 to 8 digits")
            if not state.car_id:
                raise ctx.i18n_input_error("customer.car", "required", "is required")
            user_id = ctx.services.start_walk_in(state.user, form.get("name", ""),
                                                 form.get("phone", ""))  # fmt: skip
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
        state.prequal.values.clear()
        state.hand_to_customer()
        ctx.go("/handoff")

    def err(name: str):
        e = errors.get(name)
        return ctx.error(e) if e is not None else None

    controls: list[ft.Control] = [
        ft.Text(ctx.t("Start an application for a customer at the desk. The customer enters "
                      "their own income and consents on this tablet."), key="dealer-intro"),
        section_title(ctx.t("Customer")),
        sem("customer-name", ft.TextField(
            label=ctx.t("Customer's name"), value=form.get("name", ""), on_change=set_("name"),
            error=err("customer.name"), width=360)),
        sem("customer-phone", ft.TextField(label=ctx.t("Mobile number"),
                                           value=form.get("phone", ""), on_change=set_("phone"),
                                           error=err("customer.phone"), width=360,
                                           keyboard_type=ft.KeyboardType.PHONE)),
        section_title(ctx.t("Car and deal")),
        sem("customer-car-search", ft.TextField(label=ctx.t("Search cars"),
                                                value=form.get("car_query", ""),
                                                on_submit=search, on_blur=search, width=360)),
        sem("customer-car", ft.Dropdown(
            label=ctx.t("Car"), value=state.car_id, width=360, on_select=pick_car,
            error_text=err("customer.car"),
            options=[ft.DropdownOption(key=c.vehicle.id, text=car_option(ctx, c.vehicle))
                     for c in matches])),
        deal_bar(ctx),
        section_title(ctx.t("Hand the tablet to the customer")),
        sem("staff-pin", ft.TextField(label=ctx.t("Choose a staff PIN (4–8 digits) to get it "
                                                  "back"), password=True, width=360,
                                      value=form.get("pin", ""), on_change=set_("pin"),
                                      error=err("staff.pin"),
                                      keyboard_type=ft.KeyboardType.NUMBER)),
        sem("hand-over", ft.FilledButton(ctx.t("Hand to customer"), icon=ft.Icons.TABLET_ANDROID,
                                         on_click=hand_over)),
    ]  # fmt: skip
    return Screen(title=ctx.t("New application"),
                  body=ft.Column(controls, spacing=10, key="dealer-new"))  # fmt: skip


def return_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    """The customer gives the tablet back: only the staff PIN unlocks the staff screens, and
    unlocking clears everything of the customer from the screen and from memory."""
    state = ctx.state
    entered = {"pin": ""}
    error = state.customer.get("_pin_error")

    def typed(e) -> None:
        entered["pin"] = e.control.value or ""

    def unlock(e) -> None:
        salt, digest = (state.staff_pin_hash or "$").split("$", 1)
        if state.staff_pin_hash and secrets.compare_digest(pin_hash(entered["pin"], salt), digest):
            state.clear_customer()
            ctx.go("/dealer/pipeline")
        else:
            state.customer["_pin_error"] = "1"
            state.notify()

    body = ft.Column([
        ft.Text(ctx.t("Thank you. Please hand the tablet back to the staff member."), size=18),
        sem("return-pin", ft.TextField(
            label=ctx.t("Staff PIN"), password=True, width=240, on_change=typed,
            error=ctx.t("Wrong PIN") if error else None, keyboard_type=ft.KeyboardType.NUMBER)),
        sem("return-unlock", ft.FilledButton(ctx.t("Return to staff"), icon=ft.Icons.LOCK_OPEN,
                                             on_click=unlock)),
    ], spacing=12, key="handoff-return")  # fmt: skip
    return Screen(title=ctx.t("Return the tablet"), body=body)


def handoff_done_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    body = ft.Column([
        ft.Icon(ft.Icons.CHECK_CIRCLE, color=ft.Colors.GREEN_700, size=64),
        ft.Text(ctx.t("All done. Your signed contract is with the dealer and the lender."),
                size=18, key="handoff-done"),
        sem("handoff-give-back", ft.FilledButton(ctx.t("Give the tablet back"),
                                                 on_click=lambda e: ctx.go("/handoff/return"))),
    ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12)  # fmt: skip
    return Screen(title=ctx.t("Done"), body=body)


def pipeline_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    columns = ctx.services.pipeline(ctx.state.user.dealer_id)
    if not any(columns.values()):
        return Screen(title=ctx.t("Pipeline"), body=empty_state(
            "pipeline-empty", ft.Icons.VIEW_KANBAN_OUTLINED,
            ctx.t("No applications yet — start one under “New application”."),
            sem("pipeline-new", ft.FilledButton(
                ctx.t("New application"), on_click=lambda e: ctx.go("/dealer/new")))))  # fmt: skip

    def card(c) -> ft.Control:
        car = labels.car_name(ctx, c.vehicle) if c.vehicle else "-"
        return ft.Card(ft.Container(ft.Column([
            ft.Text(c.initials, weight=ft.FontWeight.BOLD, key=f"pipe-who-{c.application_id}"),
            ft.Text(car, size=12),
            ft.Text(ctx.money(c.amount, whole=True), size=12, text_align=ft.TextAlign.RIGHT),
        ], spacing=2), padding=10, width=180), key=f"pipe-{c.application_id}")  # fmt: skip

    board = ft.Row([
        ft.Container(ft.Column([
            ft.Text(f"{ctx.t(COLUMNS[k])} ({len(v)})", weight=ft.FontWeight.W_600),
            *[card(c) for c in v],
        ], spacing=6), key=f"col-{k}", width=196, padding=6, border_radius=12,
            bgcolor=ft.Colors.SURFACE_CONTAINER_LOW)
        for k, v in columns.items()
    ], scroll=ft.ScrollMode.AUTO, vertical_alignment=ft.CrossAxisAlignment.START,
        key="pipeline")  # fmt: skip
    return Screen(title=ctx.t("Pipeline"), body=board)


def customers_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    rows = ctx.services.customers(ctx.state.user.dealer_id)
    if not rows:
        return Screen(title=ctx.t("Customers"), body=empty_state(
            "customers-empty", ft.Icons.PEOPLE_OUTLINE,
            ctx.t("No customers yet — start an application under “New application”.")))  # fmt: skip
    table = ft.DataTable(
        key="customers",
        columns=[ft.DataColumn(ft.Text(ctx.t("Customer"))), ft.DataColumn(ft.Text(ctx.t("Car"))),
                 ft.DataColumn(ft.Text(ctx.t("Amount")), numeric=True),
                 ft.DataColumn(ft.Text(ctx.t("Status")))],
        rows=[ft.DataRow([
            ft.DataCell(ft.Text(c.initials)),
            ft.DataCell(ft.Text(labels.car_name(ctx, c.vehicle) if c.vehicle else "-")),
            ft.DataCell(ft.Text(ctx.money(c.amount, whole=True))),
            ft.DataCell(ft.Text(ctx.t(COLUMNS.get(_column(c.status), c.status)))),
        ]) for c in rows],
    )  # fmt: skip
    return Screen(title=ctx.t("Customers"), body=ft.Row([table], scroll=ft.ScrollMode.AUTO))


def car_option(ctx: ViewContext, v) -> str:
    return f"{labels.car_name(ctx, v)} {v.year} · {ctx.money(v.price, whole=True)}"


def _column(status: str) -> str:
    return {"declined": "prequalified", "contracted": "signed", "submitted": "offer_chosen",
            "approved": "offer_chosen"}.get(status, status)  # fmt: skip

"""Prequalification: a short form in steps (you; income and debts) with inline validation,
then the consent screen showing the exact text agreed to, then the soft check with progress."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import flet as ft

from views import labels
from views.context import ViewContext, run_in_background
from views.shell import Screen
from views.widgets import (
    N_,
    busy_row,
    car_gone,
    content_column,
    deal_bar,
    empty_state,
    field_pairs,
    notice_line,
    section_title,
    sem,
)

STEPS = (N_("You"), N_("Income and debts"), N_("Consent"))
FIELDS = {
    0: (
        ("age", N_("Age"), "number"),
        ("city", N_("City"), "city"),
        ("housing", N_("Housing"), "choice"),
    ),
    1: (
        ("monthly_income", N_("Monthly income before tax (¥)"), "money"),
        ("income_type", N_("Kind of income"), "choice"),
        ("employment_months", N_("Months in current job or business"), "number"),
        ("monthly_debt_payments", N_("Existing monthly debt payments (¥)"), "money"),
        ("existing_car_loans", N_("Car loans you already have"), "number"),
        ("trade_in", N_("Trade-in value of your current car (¥, empty if none)"), "money"),
    ),
}
CHOICES = {
    "housing": {
        "own": N_("Own home"), "mortgage": N_("Own home with a mortgage"),
        "rent": N_("Rent"), "family": N_("Live with family"),
    },
    "income_type": {
        "salary": N_("Salary"), "self_employed": N_("Self-employed"),
        "gig": N_("Platform or gig work"), "other": N_("Other"),
    },
}  # fmt: skip
CONSENT_TEXT = N_(
    "I agree that Chedai may run a soft credit check to show me prequalified offers. "
    "What is checked: my score at a licensed personal credit bureau (not my People's Bank of "
    "China credit report) and the income, debts and deal I entered here. "
    "Why: to tell me which lenders would lend to me, at what rate, or why not. "
    "For how long: this consent covers this check only and is kept with my application for "
    "three years; I can withdraw it at any time in Settings. "
    "A soft check leaves no inquiry on my People's Bank of China credit report and is not a "
    "loan application; a lender I then apply to will check that report."
)
#: The same consent for a customer at the dealership's tablet, who has no Settings of their
#: own (app.services.SOFT_CHECK_DESK_CONSENT_VERSION).
DESK_CONSENT_TEXT = N_(
    "I agree that Chedai may run a soft credit check to show me prequalified offers. "
    "What is checked: my score at a licensed personal credit bureau (not my People's Bank of "
    "China credit report) and the income, debts and deal I entered here. "
    "Why: to tell me which lenders would lend to me, at what rate, or why not. "
    "For how long: this consent covers this check only and is kept with my application for "
    "three years; I can withdraw it at any time by asking the dealership's staff. "
    "A soft check leaves no inquiry on my People's Bank of China credit report and is not a "
    "loan application; a lender I then apply to will check that report."
)


def prequal_path(car_id: str) -> str:
    """The check-my-rate form for a car: the car in the address, so a reload or a bookmark
    opens the form for it again (the form fills itself from the buyer's profile)."""
    return f"/cars/{car_id}/prequal"


def restore_car(ctx: ViewContext, params: dict[str, str]) -> None:
    """``Route.restore`` of the form: the car the address names, from its first step when
    the session was on another car's form (or none)."""
    state = ctx.state
    if state.car_id != params["id"]:
        state.car_id = params["id"]
        state.prequal.step = 0


def prequal_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state, services = ctx.state, ctx.services
    title = ctx.t("Check my rate")
    vehicle = services.car(state.car_id) if state.car_id else None
    # taken off sale, or put under contract, since the form was opened
    if vehicle is not None and not services.on_sale(vehicle):
        return Screen(title=title, body=car_gone(ctx))
    if vehicle is None or state.user is None:
        return Screen(
            title=title,
            body=empty_state(
                "prequal-no-car", ft.Icons.DIRECTIONS_CAR_OUTLINED,
                ctx.t("Choose a car first, then check your rate for it."),
                sem("prequal-find", ft.FilledButton(ctx.t("Find a car"),
                                                    on_click=lambda e: ctx.go("/cars"))),
            ),
        )  # fmt: skip
    draft = prefilled(ctx)
    step = draft.step
    stepper = progress(ctx, step)
    car = ft.Text(
        ctx.t("{car} · price {price}", car=labels.car_name(ctx, vehicle),
              price=ctx.money(vehicle.price, whole=True)),
        weight=ft.FontWeight.W_500, key="prequal-car",
    )  # fmt: skip
    # the form asks for the trade-in itself (its second step): not twice on one screen
    bar = deal_bar(ctx, vehicle.price, narrow=True, trade_in=False)
    controls: list[ft.Control] = [car, bar, stepper]
    if step < 2:
        controls.append(fields_grid(ctx, step))
        nav = []
        if step > 0:
            nav.append(
                sem(
                    "prequal-back",
                    ft.TextButton(ctx.t("Back"), on_click=lambda e: go_step(ctx, step - 1)),
                )
            )
        nav.append(
            sem("prequal-next", ft.FilledButton(ctx.t("Next"), on_click=lambda e: next_step(ctx)))
        )
        controls.append(ft.Row(nav, alignment=ft.MainAxisAlignment.END))
    else:
        controls += consent_section(ctx, vehicle.id)
    return Screen(title=title, body=content_column(controls, key="prequal"))


def progress(ctx: ViewContext, step: int) -> ft.Control:
    """Where the buyer is in the form: "Step 1 of 3 · You" over a bar filled that far. Not
    tabs: the steps are taken in order, with "Next" and "Back"."""
    text = ctx.t("Step {n} of {total} · {name}", n=step + 1, total=len(STEPS),
                 name=ctx.t(STEPS[step]))  # fmt: skip
    return ft.Column([
        ft.Text(text, weight=ft.FontWeight.W_600, color=ft.Colors.PRIMARY, key="prequal-step"),
        ft.ProgressBar(value=(step + 1) / len(STEPS), bar_height=6, border_radius=3,
                       semantics_label=text, key="prequal-progress"),
    ], spacing=6, key="prequal-steps")  # fmt: skip


def fields_grid(ctx: ViewContext, step: int) -> ft.Control:
    """The step's fields: two side by side from a tablet up, one a row on a phone."""
    return field_pairs([field(ctx, *f) for f in FIELDS[step]], key="prequal-fields")


def prefilled(ctx: ViewContext):
    """The form's draft, its fields not given yet (a trade-in the staff appraised, one kept
    by "Check again") filled from the buyer's profile the first time it is opened."""
    state = ctx.state
    draft = state.prequal
    if not draft.prefilled:
        defaults = ctx.services.prequal_defaults(state.customer_user_id or state.user.id)
        draft.values = {**defaults, **draft.values}
        draft.prefilled = True
    return draft


def field(ctx: ViewContext, name: str, label: str, kind: str) -> ft.Control:
    draft = ctx.state.prequal
    error = draft.errors.get(name)

    def changed(e) -> None:
        draft.values[name] = e.control.value or ""

    def blurred(e) -> None:
        errors = validate(ctx)
        if name in errors:
            draft.errors[name] = errors[name]
        else:
            draft.errors.pop(name, None)
        ctx.state.notify()

    if kind in ("choice", "city"):
        value = draft.values.get(name) or None
        if kind == "city":
            options = dict(ctx.services.cities(ctx.locale))
            if value is not None:
                options.setdefault(value, value)  # a city kept from before, not in the list
        else:
            options = {k: ctx.t(v) for k, v in CHOICES[name].items()}
        control = ft.Dropdown(
            label=ctx.t(label), value=value,
            options=[ft.DropdownOption(key=k, text=text) for k, text in options.items()],
            on_select=lambda e: (changed(e), blurred(e)),
            error_text=ctx.error(error) if error else None, expand=True,
        )  # fmt: skip
    else:
        control = ft.TextField(
            label=ctx.t(label), value=draft.values.get(name, ""), on_change=changed,
            on_blur=blurred, error=ctx.error(error) if error else None,
            keyboard_type=ft.KeyboardType.NUMBER if kind in ("number", "money") else None,
        )  # fmt: skip
    return sem(f"prequal-{name}", control, label=ctx.t(label))


def go_step(ctx: ViewContext, step: int) -> None:
    ctx.state.prequal.step = step
    ctx.state.notify()


def validate(ctx: ViewContext) -> dict:
    """Every field's error, the trade-in judged against the car's price and the deal bar's
    down payment."""
    state = ctx.state
    vehicle = ctx.services.car(state.car_id) if state.car_id else None
    if vehicle is None:
        return ctx.services.validate_applicant(state.prequal.values)
    return ctx.services.validate_applicant(
        state.prequal.values,
        price=vehicle.price,
        down_payment=state.deal.down_payment(vehicle.price),
    )


def next_step(ctx: ViewContext) -> None:
    draft = ctx.state.prequal
    names = {f[0] for f in FIELDS[draft.step]}
    errors = validate(ctx)
    draft.errors = {k: v for k, v in errors.items() if k in names}
    if not draft.errors:
        draft.step += 1
    ctx.state.notify()


def consent_section(ctx: ViewContext, vehicle_id: str) -> list[ft.Control]:
    draft = ctx.state.prequal
    busy = busy_row(ctx, "prequal")

    def agree(e) -> None:
        draft.consented_at = datetime.now(UTC) if e.control.value else None
        ctx.state.notify()

    applied = []
    if draft.applied is not None:
        said = ctx.services.reason_text(draft.applied, ctx.locale)
        applied.append(ft.Text(ctx.t("Applied: {change}", change=said), key="prequal-applied"))
    out: list[ft.Control] = [
        *applied,
        section_title(ctx.t("Your consent to a soft credit check")),
        ft.Container(
            ft.Text(ctx.t(DESK_CONSENT_TEXT if ctx.state.handed_to_customer else CONSENT_TEXT),
                    key="consent-text", selectable=True),
            padding=12, border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=8,
        ),
        sem("consent-agree", ft.Checkbox(label=ctx.t("I have read this and I agree"),
                                         value=draft.consented_at is not None, on_change=agree)),
        ft.Row([
            sem("prequal-back", ft.TextButton(ctx.t("Back"), on_click=lambda e: go_step(ctx, 1))),
            sem("prequal-submit", ft.FilledButton(
                ctx.t("Agree and check my rate"), icon=ft.Icons.VERIFIED_USER_OUTLINED,
                disabled=draft.consented_at is None or busy is not None,
                on_click=lambda e: submit(ctx, vehicle_id))),
        ], alignment=ft.MainAxisAlignment.END, wrap=True),
    ]  # fmt: skip
    if busy is not None:
        out.append(busy)
    if (notice := notice_line(ctx, "prequal-error")) is not None:
        out.append(notice)
    return out


def submit(ctx: ViewContext, vehicle_id: str) -> None:
    state = ctx.state
    user = state.user
    buyer_id = state.customer_user_id or user.id
    dealer_id = user.dealer_id if user.role == "staff" else None
    consented_at = state.prequal.consented_at

    def work():
        return ctx.services.run_prequal(
            buyer_id,
            vehicle_id,
            state.deal,
            dict(state.prequal.values),
            dealer_id=dealer_id,
            consented_at=consented_at,
            application_id=state.application_id,  # a walk-in's draft, completed by the check
        )

    def done(result) -> None:
        state.application_id = None
        # the consent covered this check only; the next one starts at the form, still filled
        state.prequal = replace(state.prequal, step=0, consented_at=None, applied=None)
        state.prequal_result = result
        state.offers_order = "recommended"
        state.notify()
        ctx.go("/handoff/offers" if state.handed_to_customer else "/offers")

    def failed(exc: Exception) -> None:
        # a field of the form (the deal bar moved since it was checked): back to it
        name = str(getattr(exc, "field", "")).removeprefix("applicant.")
        step = next((i for i, fields in FIELDS.items() if name in {f[0] for f in fields}), None)
        if step is not None:
            state.prequal.errors, state.prequal.step = {name: exc}, step
            state.notify()
            return
        ctx.fail(exc)

    run_in_background(ctx, "prequal", N_("Checking with every lender…"), work, done, failed)

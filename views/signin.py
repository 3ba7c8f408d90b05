"""Sign-in. In demo mode: pick a demo buyer or a dealer's staff member (no passwords). With a
server: the account's username and password, or a new buyer account (app.account_service)."""

from __future__ import annotations

import flet as ft

from views.context import ViewContext, run_in_background
from views.shell import Screen
from views.widgets import N_, busy_row, language_switch, notice_line, section_title, sem


def signin_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    body = demo_accounts(ctx) if ctx.services.demo_mode else account_form(ctx)
    creating = not ctx.services.demo_mode and ctx.state.account_form["create"]
    return Screen(
        title=ctx.t("Create account") if creating else ctx.t("Sign in"),
        body=ft.Row([body], alignment=ft.MainAxisAlignment.CENTER),
        actions=[language_switch(ctx)],
    )


#: What the app does for a buyer, said on the first screen: (icon, words).
PROMISES = (
    (ft.Icons.VERIFIED_USER_OUTLINED,
     N_("A free soft check: every lender's offer, your credit record untouched")),
    (ft.Icons.PERCENT, N_("Offers compared by their true APR, fees included")),
    (ft.Icons.DRAW_OUTLINED, N_("Sign online, then follow every repayment")),
)  # fmt: skip


def welcome(ctx: ViewContext) -> ft.Control:
    """The first thing a new user reads: the app's name, its mark and what it does."""
    mark = ft.Container(
        ft.Icon(ft.Icons.DIRECTIONS_CAR_FILLED, color=ft.Colors.ON_PRIMARY, size=30),
        width=56, height=56, border_radius=16, bgcolor=ft.Colors.PRIMARY,
        alignment=ft.Alignment.CENTER,
    )  # fmt: skip
    promises = [
        ft.Row([ft.Icon(icon, size=20, color=ft.Colors.PRIMARY),
                ft.Text(ctx.t(words), size=14, expand=True)], spacing=10)
        for icon, words in PROMISES
    ]  # fmt: skip
    return ft.Column([
        ft.Row([mark, ft.Text(ctx.t("Welcome to Chedai"), size=24, weight=ft.FontWeight.BOLD,
                              expand=True)], spacing=14),
        *promises,
    ], spacing=10, key="welcome")  # fmt: skip


def demo_accounts(ctx: ViewContext) -> ft.Control:
    """Demo mode: the demo buyers and staff, one tap each."""
    users = ctx.services.demo_users()
    buyers = [u for u in users if u.role == "buyer"]
    staff = [u for u in users if u.role == "staff"]

    def tile(user) -> ft.Control:
        subtitle = user.dealer_label(ctx.locale) if user.role == "staff" else ctx.t("Buyer")
        return sem(
            f"signin-{user.id}",
            ft.ListTile(
                leading=ft.CircleAvatar(content=ft.Text(user.name[:1])),
                title=ft.Text(user.name),
                subtitle=ft.Text(subtitle or ""),
                trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                on_click=lambda e, u=user: ctx.state.sign_in(u),
                bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                shape=ft.RoundedRectangleBorder(radius=12),
            ),
            label=ctx.t("Sign in as {name}", name=user.name),
        )

    intro = ctx.t(
        "Demo mode: no account and no server needed. Choose who you are; everything you do "
        "stays on this device."
    )
    col = ft.Column(
        [
            welcome(ctx),
            ft.Text(intro, key="signin-intro", size=13, color=ft.Colors.ON_SURFACE_VARIANT),
            section_title(ctx.t("Car buyers")),
            *[tile(u) for u in buyers],
            section_title(ctx.t("Dealer staff")),
            *[tile(u) for u in staff],
        ],
        spacing=8,
        # a reading width, but on a phone its own (in the centring row, 560 px cut the lines)
        width=560 if ctx.wide else None,
        expand=not ctx.wide,
        key="signin",
    )
    if not users:
        col.controls.append(ft.Text(ctx.t("No demo users: run “chedai seed” first.")))
    return col


def account_form(ctx: ViewContext) -> ft.Control:
    """With a server: sign in with a username and password, or create a buyer account (the
    password typed twice). What was typed stays when the server says no; the refusal is shown
    next to the field it concerns."""
    state = ctx.state
    form = state.account_form
    values, errors = form["values"], form["errors"]
    create = form["create"]
    busy = "signin" in state.busy

    def typed(name: str):
        def on_change(e) -> None:
            values[name] = e.control.value or ""
            errors.pop(name, None)

        return on_change

    def submit(e) -> None:
        if busy:
            return
        errors.clear()
        if create and values.get("password", "") != values.get("again", ""):
            errors["again"] = ctx.i18n_input_error(
                "again", "mismatch", "The two passwords are not the same")  # fmt: skip
            state.notify()
            return
        username, password = values.get("username", ""), values.get("password", "")

        def done(user) -> None:
            form.update(values={}, errors={}, create=False)
            state.sign_in(user)

        def failed(exc: Exception) -> None:
            if hasattr(exc, "rule"):
                errors[exc.field] = exc  # type: ignore[attr-defined]
                state.notify()
            else:
                ctx.fail(exc)

        run_in_background(
            ctx, "signin", N_("Creating your account…") if create else N_("Signing in…"),
            lambda: ctx.services.sign_in(username, password, create=create), done, failed,
        )  # fmt: skip

    def switch(e) -> None:
        form.update(create=not create, errors={})
        state.notify()

    def shown(name: str) -> str | None:
        return ctx.error(errors[name]) if name in errors else None

    def field(name: str, label: str, **options) -> ft.Control:
        return sem(f"account-{name}", ft.TextField(
            label=label, value=values.get(name, ""), on_change=typed(name), on_submit=submit,
            error=shown(name), disabled=busy, **options))  # fmt: skip

    server = ctx.services.settings.server_url
    controls: list[ft.Control] = [
        *([notice] if (notice := notice_line(ctx, "signin-notice")) is not None else []),
        welcome(ctx),
        ft.Text(ctx.t("Create your buyer account") if create else ctx.t("Sign in to your account"),
                size=16, key="account-heading"),
        field("username", ctx.t("Username"), autofocus=True,
              helper=ctx.t("3 to 64 letters, digits or . _ @ + -") if create else None),
        field("password", ctx.t("Password"), password=True, can_reveal_password=True,
              helper=ctx.t("At least 8 characters") if create else None),
    ]  # fmt: skip
    if create:
        controls.append(field("again", ctx.t("Password again"), password=True,
                              can_reveal_password=True))  # fmt: skip
    if "server" in errors:
        controls.append(ft.Text(shown("server"), color=ft.Colors.ERROR, key="account-server"))
    controls.append(sem("account-submit", ft.FilledButton(
        ctx.t("Create account") if create else ctx.t("Sign in"), on_click=submit, disabled=busy,
        icon=ft.Icons.PERSON_ADD if create else ft.Icons.LOGIN)))  # fmt: skip
    if (row := busy_row(ctx, "signin")) is not None:
        controls.append(row)
    controls += [
        sem("account-switch", ft.TextButton(
            ctx.t("I already have an account: sign in") if create
            else ctx.t("New here? Create a buyer account"), on_click=switch, disabled=busy)),
        ft.Text(ctx.t("Dealership staff: your account comes from your dealership."), size=12,
                color=ft.Colors.ON_SURFACE_VARIANT),
        ft.Text(ctx.t("Server: {server}", server=server), size=12, selectable=True,
                color=ft.Colors.ON_SURFACE_VARIANT, key="account-server-url"),
    ]  # fmt: skip
    # fields the column's width: 400 px from a tablet up, a phone's own (a fixed 360 px was
    # wider than a small phone's room)
    return ft.Column(
        controls,
        spacing=12,
        width=400 if ctx.wide else None,
        expand=not ctx.wide,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        key="signin-account",
    )

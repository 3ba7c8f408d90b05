"""Sign-in. In demo mode: pick a demo buyer or a dealer's staff member (no passwords)."""

from __future__ import annotations

import flet as ft

from views.context import ViewContext
from views.shell import Screen
from views.widgets import language_switch, section_title, sem


def signin_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
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
                on_click=lambda e, u=user: ctx.state.sign_in(u),
            ),
            label=ctx.t("Sign in as {name}", name=user.name),
        )

    intro = ctx.t(
        "Demo mode: no account and no server needed. Choose who you are; everything you do "
        "stays on this device."
    )
    col = ft.Column(
        [
            ft.Text(ctx.t("Welcome to Chedai"), size=24, weight=ft.FontWeight.BOLD),
            ft.Text(intro, key="signin-intro"),
            section_title(ctx.t("Car buyers")),
            *[tile(u) for u in buyers],
            section_title(ctx.t("Dealer staff")),
            *[tile(u) for u in staff],
        ],
        spacing=8,
        width=560,
        key="signin",
    )
    if not users:
        col.controls.append(ft.Text(ctx.t("No demo users: run “chedai seed” first.")))
    return Screen(
        title=ctx.t("Sign in"),
        body=ft.Row([col], alignment=ft.MainAxisAlignment.CENTER),
        actions=[language_switch(ctx)],
    )

"""Settings: language, sync status and "Sync now", server address, reset demo data, sign out."""

from __future__ import annotations

import flet as ft

from views.context import ViewContext, run_in_background
from views.shell import Screen
from views.widgets import busy_row, language_switch, section_title, sem


def settings_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state, services = ctx.state, ctx.services
    info = services.sync_status()

    def sync_now(e) -> None:
        def done(result) -> None:
            state.set_notice(ctx.t("Sync finished"))

        def failed(exc: Exception) -> None:
            state.set_notice(ctx.t("Sync failed: {error}", error=str(exc)))

        run_in_background(ctx, "sync", "Syncing…", services.sync_now, done, failed)

    def reset(e) -> None:
        def done(result) -> None:
            state.sign_out()

        run_in_background(ctx, "reset", "Resetting demo data…", services.reset_demo, done)

    last = ctx.date(info.last_sync) if info.last_sync else ctx.t("never")
    server = info.server_url or ctx.t("none (demo mode: data stays on this device)")
    sync_lines = [
        ft.Text(ctx.t("Pending changes: {n}", n=info.pending), key="sync-pending"),
        ft.Text(ctx.t("Last sync: {when}", when=last), key="sync-last"),
        ft.Text(ctx.t("Server: {server}", server=server), key="sync-server", selectable=True),
    ]
    if info.error:
        sync_lines.append(ft.Text(info.error, color=ft.Colors.ERROR, key="sync-error"))
    sync_button = sem(
        "settings-sync-now",
        ft.FilledTonalButton(
            ctx.t("Sync now"),
            icon=ft.Icons.SYNC,
            on_click=sync_now,
            disabled=not info.server_url or "sync" in state.busy,
        ),
    )
    controls: list[ft.Control] = [
        section_title(ctx.t("Language")),
        language_switch(ctx, key="settings-language"),
        ft.Divider(),
        section_title(ctx.t("Sync")),
        *sync_lines,
        sync_button,
    ]
    if (row := busy_row(ctx, "sync")) is not None:
        controls.append(row)
    if state.notice:
        controls.append(ft.Text(state.notice, key="settings-notice"))
    if services.demo_mode:
        controls += [
            ft.Divider(),
            section_title(ctx.t("Demo data")),
            ft.Text(
                ctx.t(
                    "All lenders, dealers, rates and people here are made up. Reset puts "
                    "the demo database back as it was first seeded."
                )
            ),
            sem(
                "settings-reset-demo",
                ft.OutlinedButton(
                    ctx.t("Reset demo data"),
                    icon=ft.Icons.RESTART_ALT,
                    on_click=reset,
                    disabled="reset" in state.busy,
                ),
            ),
        ]
        if (row := busy_row(ctx, "reset")) is not None:
            controls.append(row)
    user = state.user
    controls += [
        ft.Divider(),
        section_title(ctx.t("Account")),
        ft.Text(ctx.t("Signed in as {name}", name=user.name if user else "-"), key="who"),
        sem(
            "settings-sign-out",
            ft.TextButton(
                ctx.t("Sign out"), icon=ft.Icons.LOGOUT, on_click=lambda e: state.sign_out()
            ),
        ),
    ]
    return Screen(title=ctx.t("Settings"), body=ft.Column(controls, spacing=10, key="settings"))

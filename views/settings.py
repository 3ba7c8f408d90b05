"""Settings: language, the buyer's consents and their withdrawal, sync status and "Sync now",
server address, reset demo data, sign out, a copy of the buyer's data, closing the account."""

from __future__ import annotations

import flet as ft

from views.context import ViewContext, run_in_background, sign_out
from views.shell import Screen
from views.widgets import (
    N_,
    ask_twice,
    busy_row,
    content_column,
    language_switch,
    notice_line,
    section_title,
    sem,
)

PURPOSES = {
    "soft_check": N_("Soft credit checks"),
    "sensitive_data": N_("Sensitive personal data (ID number)"),
    "electronic_records": N_("Electronic records and signatures"),
    "data_sharing": N_("Sharing my application with lenders"),
    "marketing": N_("Marketing messages"),
}
#: What withdrawing changes, said before the buyer confirms it.
CONSEQUENCES = {
    "soft_check": N_(
        "Your checks and applications not yet signed will be withdrawn and no longer shown; "
        "a new check asks for your consent again. Signed contracts are not affected."
    ),
    "electronic_records": N_(
        "Contracts you have signed stay in force, and so do their electronic copies; each new "
        "contract asks for this consent again before you sign it."
    ),
}
OTHER_CONSEQUENCE = N_("Nothing more will be done on the strength of this consent.")
RESET_CONSEQUENCE = N_(
    "Everything done here since the demo was set up — checks, contracts, payments — is dropped "
    "for every demo account, and you are signed out."
)
CLOSE_CONSEQUENCE = N_(
    "Your profile, rate checks, applications that were not signed and what you looked at are "
    "erased from the server and from this device, and you can no longer sign in. Loans you have "
    "repaid are kept with their contracts, payments and consents, as the law requires lenders "
    "to keep them. A loan that is signed or not yet repaid must be repaid first."
)
#: Why the last sync round failed, by sync.client.SyncError.kind; the detail goes below it.
SYNC_ERRORS = {
    "unavailable": N_(
        "The server cannot be reached. Your changes stay on this device and are sent when it "
        "can be."
    ),
    "auth": N_(
        "The server no longer accepts this sign-in: sign out and sign in again to sync. Your "
        "changes stay on this device."
    ),
    "failed": N_("Sync stopped on a server error. Your changes stay on this device."),
    "closed": N_(
        "This account was closed on another device. Sign out: this device then forgets what it "
        "holds of it."
    ),
}


#: The server's refusals the app can say in the reader's language, by code (backend.rules);
#: any other is shown in the server's own words.
REFUSALS = {
    "under_contract": N_("another contract on the same car reached Chedai first, so the "
                         "contract signed here was not accepted"),
}  # fmt: skip


def settings_screen(ctx: ViewContext, params: dict[str, str]) -> Screen:
    state, services = ctx.state, ctx.services
    info = services.sync_status()

    def sync_now(e) -> None:
        def done(result) -> None:
            ctx.tell(ctx.t("Sync finished"))

        def failed(exc: Exception) -> None:  # the sync lines above say why
            ctx.tell(ctx.t("Sync failed"), error=True)

        run_in_background(ctx, "sync", N_("Syncing…"), services.sync_now, done, failed)

    def reset(e) -> None:
        def done(result) -> None:
            state.expanded.discard("reset-demo")
            state.sign_out()

        run_in_background(
            ctx, "reset", N_("Resetting demo data…"), services.reset_demo, done, ctx.fail
        )

    server = info.server_url or ctx.t("none (demo mode: data stays on this device)")
    sync_lines = [
        ft.Text(ctx.t("Pending changes: {n}", n=info.pending), key="sync-pending"),
        ft.Text(
            ctx.t("Last sync: {when}", when=ctx.date(info.last_sync))
            if info.last_sync
            else ctx.t("Not synced yet"),
            key="sync-last",
        ),
        ft.Text(ctx.t("Server: {server}", server=server), key="sync-server", selectable=True),
    ]
    if info.error:
        why = SYNC_ERRORS.get(info.error_kind or "failed", SYNC_ERRORS["failed"])
        sync_lines += [
            ft.Text(ctx.t(why), color=ft.Colors.ERROR, key="sync-error"),
            ft.Text(info.error, size=11, color=ft.Colors.ON_SURFACE_VARIANT,
                    key="sync-error-detail", selectable=True),
        ]  # fmt: skip
    if info.refused:
        sync_lines.append(ft.Text(
            ctx.tn("The server did not accept {n} change from this device",
                   "The server did not accept {n} changes from this device",
                   info.refused, n=info.refused),
            color=ft.Colors.ERROR, key="sync-refused"))  # fmt: skip
        reason = (ctx.t(REFUSALS[info.last_refusal_code])
                  if info.last_refusal_code in REFUSALS else info.last_refusal)  # fmt: skip
        if reason:
            sync_lines.append(ft.Text(
                ctx.t("The latest: {reason}", reason=reason), size=11,
                color=ft.Colors.ON_SURFACE_VARIANT, key="sync-refused-detail",
                selectable=True))  # fmt: skip

        def dismiss(e) -> None:  # read: counted no more (a loan still says what it was)
            services.dismiss_refusals()
            state.set_notice(None)

        sync_lines.append(sem("sync-refused-dismiss", ft.TextButton(
            ctx.t("Dismiss"), icon=ft.Icons.DONE, on_click=dismiss)))  # fmt: skip
    sync_button = sem(
        "settings-sync-now",
        ft.FilledTonalButton(
            ctx.t("Sync now"),
            icon=ft.Icons.SYNC,
            on_click=sync_now,
            disabled=not info.server_url or "sync" in state.busy,
        ),
    )
    user = state.user
    controls: list[ft.Control] = [
        section_title(ctx.t("Language")),
        language_switch(ctx, key="settings-language"),
        ft.Divider(),
    ]
    if user is not None and user.role == "buyer":  # what they agreed to comes before the rest
        controls += [*consents_section(ctx, user.id), ft.Divider()]
    controls += [
        section_title(ctx.t("Sync")),
        *sync_lines,
        sync_button,
    ]
    if (row := busy_row(ctx, "sync")) is not None:
        controls.append(row)
    if (notice := notice_line(ctx, "settings-notice")) is not None:
        controls.append(notice)
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
            *ask_twice(
                ctx, "reset-demo",
                ("settings-reset-demo", "reset-demo-consequence", "reset-demo-keep",
                 "reset-demo-confirm"),
                ask=ctx.t("Reset demo data"),
                consequence=ctx.t(RESET_CONSEQUENCE),
                confirm=ctx.t("Reset"),
                on_confirm=reset,
                disabled="reset" in state.busy,
                icon=ft.Icons.RESTART_ALT,
            ),
        ]  # fmt: skip
        if (row := busy_row(ctx, "reset")) is not None:
            controls.append(row)
    controls += [
        ft.Divider(),
        section_title(ctx.t("Account")),
        ft.Text(ctx.t("Signed in as {name}", name=user.name if user else "-"), key="who"),
        sem(
            "settings-sign-out",
            ft.TextButton(
                ctx.t("Sign out"), icon=ft.Icons.LOGOUT, on_click=lambda e: sign_out(ctx),
                disabled="signout" in state.busy,
            ),
        ),
    ]  # fmt: skip
    if (row := busy_row(ctx, "signout")) is not None:
        controls.append(row)
    if user is not None and user.role == "buyer":
        controls.append(sem("settings-data-copy", ft.TextButton(
            ctx.t("Download a copy of my data"), icon=ft.Icons.DOWNLOAD_OUTLINED,
            on_click=lambda e: ctx.open_url(services.data_copy_url(user)))))  # fmt: skip
    if user is not None and user.role == "buyer" and not services.demo_mode:
        controls += close_account_section(ctx)
    return Screen(title=ctx.t("Settings"),
                  body=content_column(controls, spacing=10, key="settings"))  # fmt: skip


def close_account_section(ctx: ViewContext) -> list[ft.Control]:
    """注销账户: what closing erases and keeps, said first; the password again; then the
    account is closed on the server and forgotten here (app.account_service)."""
    state = ctx.state
    form = state.close_form
    if "close-account" not in state.expanded:  # cancelled: the password is not kept around
        form.update(password="", error=None)
    busy = "close" in state.busy
    error = form["error"]

    def typed(e) -> None:
        form["password"] = e.control.value or ""
        form["error"] = None

    def confirm(e) -> None:
        if busy:
            return
        password = form["password"]

        def done(closed) -> None:
            form.update(password="", error=None)
            state.expanded.discard("close-account")
            said = (
                N_("Your account is closed and your data erased. The records of the loans you "
                   "repaid are kept, as the law requires.")
                if closed.kept_loans else N_("Your account is closed and your data erased.")
            )  # fmt: skip
            state.sign_out()
            state.set_notice(ctx.t(said), "/signin")

        def failed(exc: Exception) -> None:
            if not hasattr(exc, "rule"):
                ctx.fail(exc)
                return
            form["error"] = exc
            state.notify()

        run_in_background(ctx, "close", N_("Closing your account…"),
                          lambda: ctx.services.close_account(password), done, failed)  # fmt: skip

    parts = ask_twice(
        ctx, "close-account",
        ("settings-close-account", "close-account-consequence", "close-account-keep",
         "close-account-confirm"),
        ask=ctx.t("Close account"), consequence=ctx.t(CLOSE_CONSEQUENCE),
        confirm=ctx.t("Close my account"), on_confirm=confirm, disabled=busy,
        icon=ft.Icons.PERSON_REMOVE_OUTLINED,
    )  # fmt: skip
    if "close-account" in state.expanded:
        on_password = error is not None and error.field == "password"
        password = ft.TextField(
            label=ctx.t("Password"), password=True, can_reveal_password=True,
            value=form["password"], on_change=typed, on_submit=confirm, disabled=busy,
            error=ctx.error(error) if on_password else None,
        )  # fmt: skip
        parts.insert(1, sem("close-account-password", password))
        if error is not None and not on_password:
            parts.insert(2, ft.Text(ctx.error(error), color=ft.Colors.ERROR,
                                    key="close-account-error"))  # fmt: skip
    if (row := busy_row(ctx, "close")) is not None:
        parts.append(row)
    return parts


def consents_section(ctx: ViewContext, user_id: str) -> list[ft.Control]:
    """What the buyer agreed to, by purpose, each in force with a "Withdraw" that says what it
    changes and asks once more before it does it."""
    state = ctx.state
    out: list[ft.Control] = [section_title(ctx.t("Your consents"))]
    summaries = ctx.services.consents(user_id)
    if not summaries:
        out.append(ft.Text(ctx.t("You have not given any consent yet."), key="consents-none"))
    for c in summaries:
        purpose = c.purpose.value
        status = (
            ctx.t("In force")
            if c.active
            else ctx.t("Withdrawn on {date}", date=ctx.day(c.withdrawn_at))
        )
        lines: list[ft.Control] = [
            ft.Text(ctx.t(PURPOSES.get(purpose, purpose)), weight=ft.FontWeight.W_600),
            ft.Text(
                ctx.tn("Given {n} time · last on {date} · {status}",
                       "Given {n} times · last on {date} · {status}", c.given, n=c.given,
                       date=ctx.day(c.last_given_at), status=status),
                size=13, key=f"consent-{purpose}-status",
            ),
        ]  # fmt: skip
        if c.active:
            lines += ask_twice(
                ctx, f"withdraw-{purpose}",
                (f"consent-withdraw-{purpose}", f"consent-{purpose}-consequence",
                 f"consent-keep-{purpose}", f"consent-confirm-{purpose}"),
                ask=ctx.t("Withdraw"),
                consequence=ctx.t(CONSEQUENCES.get(purpose, OTHER_CONSEQUENCE)),
                confirm=ctx.t("Withdraw my consent"),
                on_confirm=lambda e, p=c.purpose: withdraw(ctx, user_id, p),
                disabled="consent" in state.busy,
            )  # fmt: skip
        # the column's whole width, in a Row: cards as wide as their words were ragged
        card = ft.Container(ft.Column(lines, spacing=4), key=f"consent-{purpose}", padding=12,
                            border_radius=12, expand=True,
                            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))  # fmt: skip
        out.append(ft.Row([card]))
    if (row := busy_row(ctx, "consent")) is not None:
        out.append(row)
    return out


def withdraw(ctx: ViewContext, user_id: str, purpose) -> None:
    state = ctx.state

    def done(count: int) -> None:
        state.expanded.discard(f"withdraw-{purpose.value}")
        if purpose.value == "soft_check":
            state.prequal_result = None  # its offers are no longer shown
        ctx.tell(ctx.t("Your consent is withdrawn"))

    def work() -> int:
        return ctx.services.withdraw_consent(user_id, purpose)

    run_in_background(ctx, "consent", N_("Withdrawing…"), work, done, ctx.fail)

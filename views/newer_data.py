"""The screen for a device whose database a newer Chedai wrote (a downgrade, or a data folder
copied from a newer install): this version cannot read it and leaves it as it is.

It says so calmly, in the user's language: the data was saved by a newer version, nothing has
been changed or lost, update (or use the newer version) to continue; the data folder is shown
small, for support. Nothing else works without the database, so there is no navigation: every
route shows this screen, and the only control is the language switch.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import flet as ft

from views.context import ViewContext
from views.shell import CJK_FONT, FONTS
from views.widgets import language_switch

#: The readable column's widest (the sign-in screen's).
MAX_WIDTH = 560


def mount(
    page: ft.Page,
    state: Any,
    i18n: ModuleType,
    *,
    folder: str,
    database: str | None,
    version: int,
    latest: int,
) -> None:
    """Show the screen on ``page`` for one session (``state``: its AppState, for the
    language); ``database`` is named too when it is not in ``folder``."""
    ctx = ViewContext(page=page, state=state, services=None, i18n=i18n)  # type: ignore[arg-type]
    page.title = "车贷 Chedai"
    page.fonts = dict(FONTS)
    page.theme = ft.Theme(font_family=CJK_FONT, color_scheme_seed=ft.Colors.INDIGO)
    page.theme_mode = ft.ThemeMode.LIGHT

    def render() -> None:
        language, _, country = ctx.locale.partition("_")
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale("zh", "CN"), ft.Locale("en", "US")],
            current_locale=ft.Locale(language, country),
        )
        page.views.clear()
        page.views.append(view(ctx, folder, database, version, latest))
        page.update()

    page.on_route_change = lambda e: render()  # a bookmark or a typed URL: the same screen
    page.on_view_pop = None
    page.on_resize = lambda e: render()
    state.subscribe(render)
    render()


def view(ctx: ViewContext, folder: str, database: str | None, version: int, latest: int) -> ft.View:
    primary = ft.Colors.PRIMARY
    quiet = ft.Colors.ON_SURFACE_VARIANT
    width = max(min(MAX_WIDTH, (ctx.page.width or MAX_WIDTH) - 48), 240)

    def small(key: str, text: str) -> ft.Text:  # for support: selectable, to copy into a message
        return ft.Text(text, size=12, color=quiet, selectable=True, key=key)

    support = [small("newer-data-folder", ctx.t("Data folder: {path}", path=folder))]
    if database is not None:
        support.append(small("newer-data-file", ctx.t("Database file: {path}", path=database)))
    support.append(
        small(
            "newer-data-version",
            ctx.t(
                "Data version {version}; this version reads up to {latest}",
                version=version,
                latest=latest,
            ),
        )
    )
    column = ft.Column(
        [
            ft.Icon(ft.Icons.SYSTEM_UPDATE_OUTLINED, size=56, color=primary),
            ft.Semantics(
                identifier="newer-data-title",
                header=True,
                content=ft.Text(
                    ctx.t("The data on this device was saved by a newer version of Chedai"),
                    size=22,
                    weight=ft.FontWeight.W_600,
                    key="newer-data-title",
                ),
            ),
            ft.Text(ctx.t("This version of Chedai cannot open it."), size=16, key="newer-data-why"),
            ft.Row(
                [
                    ft.Icon(ft.Icons.VERIFIED_USER_OUTLINED, color=primary, size=22),
                    ft.Text(
                        ctx.t("Nothing has been changed or lost."),
                        size=16,
                        weight=ft.FontWeight.W_500,
                        expand=True,
                        key="newer-data-safe",
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            ft.Text(
                ctx.t(
                    "To continue, update Chedai to the latest version, or use the newer "
                    "version that saved this data."
                ),
                size=16,
                key="newer-data-next",
            ),
            ft.Divider(height=24),
            ft.Column(support, spacing=6),
        ],
        spacing=16,
        width=width,
    )
    body = ft.Container(
        ft.Semantics(identifier="newer-data", content=column),
        alignment=ft.Alignment.TOP_CENTER,
        padding=ft.Padding.symmetric(horizontal=24, vertical=32),
    )
    return ft.View(
        key="view:newer-data",
        route=ctx.page.route or "/",
        appbar=ft.AppBar(
            title=ft.Text("车贷 Chedai", key="title"),
            automatically_imply_leading=False,
            actions=[ft.Container(language_switch(ctx), padding=ft.Padding.only(right=8))],
        ),
        controls=[
            ft.Column(
                [body],
                scroll=ft.ScrollMode.AUTO,
                expand=True,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            )
        ],
        padding=0,
    )

"""The app shell: routes -> a stack of views, navigation (bar on phones, rail from 640 px),
guards (signed in; dealer hand-off lock), the CJK font, and re-rendering on state changes.

The route string is the single source of truth for where the user is; the view stack is
rebuilt from it (and from state) on every change. Flet's keyed diff sends only what changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import flet as ft

from views.context import ViewContext, sign_out
from views.widgets import N_, demo_badge

CJK_FONT = "CJK"
#: a subset of DroidSansFallbackFull.ttf made by scripts/subset_cjk_font.py (1 MB, not 4)
FONTS = {CJK_FONT: "fonts/DroidSansFallbackChedai.ttf"}


@dataclass
class Screen:
    """What a screen function returns; the shell wraps it in a View with navigation."""

    title: str
    body: ft.Control
    actions: list[ft.Control] = field(default_factory=list)
    floating: ft.Control | None = None
    #: pinned under the screen, above the scrolling body: the next step within a thumb's
    #: reach on a phone, where it would otherwise sit below the fold
    bottom: ft.Control | None = None
    scroll: bool = True
    #: what the screen shows, where that changes wholesale at one address (a contract, then
    #: its signed result): a new page, read from the top, not at the old one's scroll offset
    page: str = ""


ScreenFn = Callable[[ViewContext, dict[str, str]], Screen]


@dataclass(frozen=True)
class Route:
    pattern: str  # "/cars/:id"
    screen: ScreenFn
    parent: Callable[[dict[str, str]], str | None] | None = None
    nav: str | None = None  # the destination highlighted (top-level screens only)
    #: Brings back from the device what the screen reads from the session's memory, when
    #: the session never had it (the page reloaded, a bookmark opened): None to draw the
    #: screen, or the route to go to instead (having told that screen why).
    restore: Callable[[ViewContext, dict[str, str]], str | None] | None = None

    def match(self, path: str) -> dict[str, str] | None:
        regex = "^" + re.sub(r":(\w+)", r"(?P<\1>[^/]+)", self.pattern) + "$"
        m = re.match(regex, path)
        return m.groupdict() if m else None


@dataclass(frozen=True)
class Destination:
    route: str
    icon: str
    label: str  # msgid


BUYER_DESTINATIONS = (
    Destination("/cars", ft.Icons.DIRECTIONS_CAR_OUTLINED, N_("Cars")),
    Destination("/offers", ft.Icons.LOCAL_OFFER_OUTLINED, N_("My offers")),
    Destination("/loans", ft.Icons.ACCOUNT_BALANCE_OUTLINED, N_("My loans")),
    Destination("/settings", ft.Icons.SETTINGS_OUTLINED, N_("Settings")),
)
STAFF_DESTINATIONS = (
    Destination("/dealer/new", ft.Icons.PERSON_ADD_ALT_OUTLINED, N_("New application")),
    Destination("/dealer/pipeline", ft.Icons.VIEW_KANBAN_OUTLINED, N_("Pipeline")),
    Destination("/dealer/customers", ft.Icons.PEOPLE_OUTLINE, N_("Customers")),
    Destination("/settings", ft.Icons.SETTINGS_OUTLINED, N_("Settings")),
)


class Shell:
    def __init__(self, ctx: ViewContext, routes: list[Route]) -> None:
        self.ctx = ctx
        self.routes = routes
        self._wide = ctx.wide
        #: the route render() pushed after drawing it: its route change needs no second draw
        self._redirected: str | None = None
        #: the buyer's loans with a payment due within days or overdue (the "My loans" badge),
        #: and the path it was counted at
        self._due: tuple[str, int] = ("", 0)

    # --- wiring ------------------------------------------------------------------------
    def mount(self) -> None:
        page = self.ctx.page
        page.title = "车贷 Chedai"
        page.fonts = dict(FONTS)
        page.theme = ft.Theme(font_family=CJK_FONT, color_scheme_seed=ft.Colors.INDIGO)
        page.theme_mode = ft.ThemeMode.LIGHT
        page.on_route_change = lambda e: self._on_route_change()
        page.on_view_pop = self._on_view_pop
        page.on_resize = self._on_resize
        self.ctx.state.subscribe(self.render)
        self.render()

    async def _on_view_pop(self, e: ft.ViewPopEvent) -> None:
        stack = self.stack(self.resolve(self.ctx.page.route))
        if len(stack) > 1:
            await self.ctx.page.push_route(stack[-2][0])

    def _on_route_change(self) -> None:
        if self._redirected is not None and self.ctx.page.route == self._redirected:
            self._redirected = None  # render() drew this route before pushing it
            return
        self.render()

    def _on_resize(self, e) -> None:
        if self.ctx.wide != self._wide:
            self._wide = self.ctx.wide
        self.render()

    def language_toggle(self) -> ft.Control:
        """One tap to the other language (the hand-off screens have no Settings)."""
        ctx = self.ctx
        other = next(code for code in ctx.i18n.LANGUAGE_NAMES if code != ctx.locale)
        name = ctx.i18n.LANGUAGE_NAMES[other]
        button = ft.TextButton(name, icon=ft.Icons.TRANSLATE,
                               on_click=lambda e: ctx.state.set_locale(other))  # fmt: skip
        return ft.Semantics(identifier="handoff-language", content=button, label=name)

    def sign_in_again(self) -> ft.Control:
        """The server no longer takes this sign-in: say so on every screen, with the way back
        (the session is forgotten; the changes waiting on the device are sent once the same
        person has signed in again)."""
        ctx = self.ctx

        button = ft.TextButton(
            ctx.t("Signed out by the server: sign in again"), icon=ft.Icons.LOGIN,
            style=ft.ButtonStyle(color=ft.Colors.ERROR), on_click=lambda e: sign_out(ctx),
        )  # fmt: skip
        return ft.Semantics(identifier="sign-in-again", content=button)

    # --- routing -------------------------------------------------------------------------
    def home(self) -> str:
        user = self.ctx.state.user
        if user is None:
            return "/signin"
        return "/dealer/new" if user.role == "staff" else "/cars"

    def resolve(self, path: str | None) -> str:
        """Apply the guards: sign-in first; a customer holding the tablet stays in hand-off."""
        path = (path or "/").split("?")[0].rstrip("/") or "/"
        state = self.ctx.state
        if state.user is None:
            if path not in ("/", "/signin") and self.find(path) is not None:
                state.wanted_route = path  # a deep link: opened once signed in
            return "/signin"
        if state.handed_to_customer:
            return path if path.startswith("/handoff") else "/handoff"
        if path.startswith("/handoff"):
            return "/dealer/new"
        if path in ("/", "/signin") or self.find(path) is None:
            wanted, state.wanted_route = state.wanted_route, None
            if wanted and (state.user.role == "staff" or not wanted.startswith("/dealer")):
                return wanted
            return self.home()
        return path

    def find(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(path)
            if params is not None:
                return route, params
        return None

    def stack(self, path: str) -> list[tuple[str, Route, dict[str, str]]]:
        out = []
        current: str | None = path
        while current is not None and len(out) < 8:
            found = self.find(current)
            if found is None:
                break
            route, params = found
            out.insert(0, (current, route, params))
            current = route.parent(params) if route.parent else None
        return out

    def restored(self, path: str) -> str:
        """``path``, its screen's state restored from the device (``Route.restore``), or
        where its route sends the user instead (resolved in turn, a few hops at most)."""
        for _ in range(3):
            found = self.find(path)
            if found is None or found[0].restore is None:
                break
            route, params = found
            elsewhere = route.restore(self.ctx, params)
            if elsewhere is None or elsewhere == path:
                break
            path = self.resolve(elsewhere)
        return path

    def render(self) -> None:
        page = self.ctx.page
        path = self.restored(self.resolve(page.route))
        self._redirected = None
        if path != (page.route or "/").split("?")[0]:
            self._redirected = path
            page.run_task(page.push_route, path)
        self.ctx.drawn = path
        self.ctx.state.arrive(path)
        self._count_due(path)
        views = [self.build_view(p, route, params) for p, route, params in self.stack(path)]
        self._follow_locale(page)
        page.views.clear()
        page.views.extend(views)
        page.update()

    def _count_due(self, path: str) -> None:
        """Count the buyer's loans needing a payment soon, once per screen reached: folding
        the loans at every redraw would slow every filter tap on the cars. A payment is
        recorded on a loan's screen, which has no navigation; the count is new on leaving it."""
        user = self.ctx.state.user
        if user is None or user.role != "buyer" or self.ctx.state.handed_to_customer:
            self._due = (path, 0)
        elif path != self._due[0]:
            self._due = (path, self.ctx.services.loans_due_soon(user.id))

    def nav_icon(self, d: Destination) -> ft.Control | str:
        """A destination's icon; "My loans" badged with how many loans need a payment soon."""
        n = self._due[1] if d.route == "/loans" else 0
        return ft.Icon(d.icon, badge=str(n), key=f"nav-due-{d.route}") if n else d.icon

    def _follow_locale(self, page: ft.Page) -> None:
        """Flutter's own words (the back button's "Back" read aloud, a text field's 复制 and
        粘贴, the date picker) in the app's language, not the framework's English default."""
        language, _, country = self.ctx.locale.partition("_")
        current = ft.Locale(language, country)
        config = page.locale_configuration
        if config is None or config.current_locale != current:
            page.locale_configuration = ft.LocaleConfiguration(
                supported_locales=[ft.Locale("zh", "CN"), ft.Locale("en", "US")],
                current_locale=current,
            )

    # --- layout --------------------------------------------------------------------------
    def destinations(self) -> tuple[Destination, ...]:
        user = self.ctx.state.user
        if user is None or self.ctx.state.handed_to_customer:
            return ()
        return STAFF_DESTINATIONS if user.role == "staff" else BUYER_DESTINATIONS

    def build_view(self, path: str, route: Route, params: dict[str, str]) -> ft.View:
        ctx = self.ctx
        screen = route.screen(ctx, params)
        body = screen.body
        dests = self.destinations() if route.nav else ()
        nav_index = next((i for i, d in enumerate(dests) if d.route == route.nav), None)
        actions = [*screen.actions, demo_badge(ctx)]
        if ctx.state.handed_to_customer and path != "/handoff/return":
            give_back = ft.IconButton(
                ft.Icons.LOCK_OUTLINE, key="handoff-return-action",
                tooltip=ctx.t("Give the tablet back"), on_click=lambda e: ctx.go("/handoff/return"),
            )  # fmt: skip
            actions.insert(0, ft.Semantics(identifier="handoff-return-action", content=give_back))
        if ctx.state.handed_to_customer:  # the customer reads in their own language
            actions.insert(0, self.language_toggle())
        elif ctx.state.user is not None and ctx.services.sign_in_expired():
            actions.insert(0, self.sign_in_again())
        appbar = ft.AppBar(
            title=ft.Text(screen.title, key="title"),
            actions=actions,
            automatically_imply_leading=route.parent is not None,
        )
        content = ft.Container(body, padding=ft.Padding.symmetric(horizontal=12, vertical=8))
        if screen.scroll:
            content = ft.Column([content], scroll=ft.ScrollMode.AUTO, expand=True,
                                key=f"scroll:{screen.page}")  # fmt: skip
        else:
            content.expand = True
        navigation_bar = None
        if dests and ctx.wide:
            rail = ft.NavigationRail(
                key="nav-rail",
                selected_index=nav_index,
                label_type=ft.NavigationRailLabelType.ALL,
                destinations=[
                    ft.NavigationRailDestination(
                        icon=self.nav_icon(d), label=ctx.t(d.label), key=f"nav-{d.route}"
                    )
                    for d in dests
                ],
                on_change=lambda e, ds=dests: ctx.go(ds[int(e.control.selected_index)].route),
            )
            controls = [
                ft.Row(
                    [
                        ft.Semantics(identifier="nav-rail", content=rail),
                        ft.VerticalDivider(width=1),
                        content,
                    ],
                    expand=True,
                    vertical_alignment=ft.CrossAxisAlignment.START,
                )
            ]
        else:
            controls = [content]
            if dests:
                navigation_bar = ft.NavigationBar(
                    key="nav-bar",
                    selected_index=nav_index,
                    destinations=[
                        ft.NavigationBarDestination(
                            icon=self.nav_icon(d), label=ctx.t(d.label), key=f"nav-{d.route}"
                        )
                        for d in dests
                    ],
                    on_change=lambda e, ds=dests: ctx.go(ds[int(e.control.selected_index)].route),
                )
        return ft.View(
            key=f"view:{path}",
            route=path,
            appbar=appbar,
            controls=controls,
            navigation_bar=navigation_bar,
            bottom_appbar=None
            if screen.bottom is None
            else ft.BottomAppBar(
                screen.bottom,
                key="bottom-bar",
                height=72,
                padding=ft.Padding.symmetric(horizontal=16, vertical=8),
            ),
            floating_action_button=screen.floating,
            padding=0,
        )

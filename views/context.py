"""What every screen function receives: the page, the session's state, the services, and the
locale-bound translation and formatting helpers. Injected by the composition root (app/), so
views import nothing of the application layer, databases or HTTP."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any

import flet as ft

from domain.errors import InputError

N_ = str  # extraction marker (babel.cfg keyword); the text is translated where it is shown

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # only for annotations: views never import the application layer at run time
    from app.services import Services
    from app.state import AppState


#: U+2060: no line break on either side; U+00A0: a space no line breaks at (the web client
#: breaks after a space, word joiner or not). The UI font has glyphs for both
#: (scripts/subset_cjk_font.py), so the web client looks for no fallback font.
WORD_JOINER, NO_BREAK_SPACE = "\u2060", "\u00a0"


def unbroken(text: str) -> str:
    """``text`` kept on one line, as a date or a figure with its unit should be: Chinese may
    break between any two characters (2026年12 / 月1日) and English at a space."""
    return WORD_JOINER.join(text.replace(" ", NO_BREAK_SPACE))


#: The navigation rail with its divider, and the shell's padding either side of a screen.
RAIL_WIDTH = 81
SHELL_PADDING = 24


@dataclass
class ViewContext:
    page: ft.Page
    state: AppState
    services: Services
    i18n: ModuleType  # app.i18n: translator and format_* with an explicit locale
    #: the route the shell draws (set by it): ahead of ``page.route`` while a redirect the
    #: shell pushed is on its way to the browser
    drawn: str | None = None

    @property
    def locale(self) -> str:
        return self.state.locale

    @property
    def wide(self) -> bool:
        """Tablet/desktop layout (NavigationRail) from 640 px; phone (NavigationBar) below."""
        return (self.page.width or 0) >= 640

    @property
    def content_width(self) -> float:
        """About how wide a screen's body is: the window less the navigation rail (from a
        tablet up) and the shell's padding. An estimate to choose a layout by, not a size:
        a screen without the rail has a little more."""
        width = (self.page.width or 0) - (RAIL_WIDTH if self.wide else 0) - SHELL_PADDING
        return max(width, 0)

    def t(self, message: str, **params: Any) -> str:
        text = self.i18n.translator(self.locale)(message)
        return text.format(**params) if params else text

    def tn(self, singular: str, plural: str, count: int, **params: Any) -> str:
        """A message whose words follow ``count`` (one of ``params``, named in the message)."""
        return self.i18n.plural_translator(self.locale)(singular, plural, count).format(**params)

    def money(self, amount: Decimal, *, whole: bool = False) -> str:
        return self.i18n.format_money(amount, self.locale, whole=whole)

    def money_compact(self, amount: Decimal | float) -> str:
        return self.i18n.format_money_compact(amount, self.locale)

    def rate(self, fraction: Decimal) -> str:
        return self.i18n.format_rate(fraction, self.locale)

    def number(self, value, decimals: int = 0) -> str:
        return self.i18n.format_number(value, self.locale, decimals)

    def date(self, value: date | datetime) -> str:
        """A day, or a moment with its time where the buyer is; never split across lines."""
        return unbroken(self.i18n.format_date(value, self.locale))

    def month(self, value: date) -> str:
        return unbroken(self.i18n.format_month(value, self.locale))

    def day(self, moment: datetime) -> str:
        """The day of a stored moment, where the buyer is."""
        return self.date(self.i18n.local_day(moment))

    @staticmethod
    def i18n_input_error(field: str, rule: str, message: str, **params):
        """An InputError raised by a view's own check (shown next to its field)."""
        from domain.errors import InputError

        return InputError(field, rule, message, params)

    def error(self, error) -> str:
        return self.i18n.error_message(error, self.locale)

    @property
    def path(self) -> str:
        """The current route without its query: the one drawn."""
        return self.drawn or (self.page.route or "/").split("?")[0]

    def tell(self, text: str, *, error: bool = False) -> None:
        """A line for the current screen, shown by its ``notice_line`` until the user leaves
        it: a confirmation, or (``error``) what went wrong."""
        self.state.set_notice(text, self.path, error=error)

    def attempt(self, act: Callable[[], object]) -> bool:
        """Do what the user asked: True once ``act()`` has; False when it refused with an
        InputError, whose sentence is then told (:meth:`fail`) instead."""
        try:
            act()
        except InputError as exc:
            self.fail(exc)
            return False
        return True

    def fail(self, exc: Exception) -> None:
        """Tell what went wrong, in the user's language (see ``explain``)."""
        self.tell(self.explain(exc), error=True)

    def explain(self, exc: Exception) -> str:
        """An input error's own sentence (it names the field and the rule); for anything else
        a general one — the details go to the log, never raw onto the screen."""
        if hasattr(exc, "rule"):
            return self.error(exc)
        log.error("unexpected failure behind the screen %s", self.path, exc_info=exc)
        return self.t("Something went wrong. Nothing you entered was lost; please try again.")

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open ``url`` (e.g. a contract PDF) in a new browser tab; ``new_tab=False`` hands it
        to the device from this one (a ``tel:`` link dials without leaving an empty tab)."""

        async def launch() -> None:
            window = "_blank" if new_tab else "_self"
            await ft.UrlLauncher().launch_url(url, web_only_window_name=window)

        self.page.run_task(launch)

    def go(self, route: str) -> None:
        """Navigate (push the URL); safe from the event loop and from background threads."""
        self.page.run_task(self.page.push_route, route)


def run_in_background(
    ctx: ViewContext, task: str, message: str, work, done=None, failed=None
) -> None:
    """Run ``work()`` off the event loop with a progress indicator for ``task``; then, back on
    the event loop, clear the indicator and call ``done(result)`` (or ``failed(exc)``).
    ``message`` is a msgid.

    The answer is handled on the loop, not in the worker thread, so the screen is never
    redrawn while the loop handles the user's own events (a tick landing during a redraw from
    a thread could be lost)."""
    ctx.state.set_busy(task, message)

    def finish(callback, value) -> None:
        async def on_the_loop() -> None:
            ctx.state.busy.pop(task, None)
            if callback is not None:
                callback(value)
            else:
                ctx.state.notify()

        ctx.page.run_task(on_the_loop)

    def runner() -> None:
        try:
            result = work()
        except Exception as exc:  # shown next to its cause by ``failed``; never swallowed
            if failed is None:
                ctx.state.busy.pop(task, None)
                ctx.state.notify()
                raise
            finish(failed, exc)
            return
        finish(done, result)

    ctx.page.run_thread(runner)


def sign_out(ctx: ViewContext) -> None:
    """Sign out; with a server, in the background, after sending what is pending and revoking
    the token (app.account_service)."""
    if ctx.services.demo_mode:
        ctx.state.sign_out()
        return
    run_in_background(ctx, "signout", N_("Signing out…"), ctx.services.sign_out,
                      lambda _: ctx.state.sign_out(), ctx.fail)  # fmt: skip

"""The route table: URL pattern -> screen, with each screen's parent for the back stack."""

from __future__ import annotations

from views.settings import settings_screen
from views.shell import Route
from views.signin import signin_screen


def routes() -> list[Route]:
    return [
        Route("/signin", signin_screen),
        Route("/settings", settings_screen, nav="/settings"),
    ]

"""Flet screens and widgets: functions of state -> controls. No DB, HTTP or model code here;
the composition root (app.commands.app) injects the state, the services and app.i18n."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import flet as ft


def mount(page: ft.Page, state: Any, services: Any, i18n: ModuleType) -> None:
    """Show the app on ``page`` for one session."""
    from views.context import ViewContext
    from views.routes import routes
    from views.shell import Shell

    Shell(ViewContext(page=page, state=state, services=services, i18n=i18n), routes()).mount()

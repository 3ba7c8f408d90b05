from __future__ import annotations

import pytest

import app.i18n
import views
from app.state import AppState
from tests.ui.flet_harness import FletHarness


@pytest.fixture
def anyio_backend():
    return "asyncio"


def start_app(services, *, route="/", width=1280, height=900, state=None):
    """A coroutine that mounts the app on a fresh harness page and returns the harness."""

    async def go() -> FletHarness:
        h = FletHarness(route=route, width=width, height=height)
        s = state or AppState()
        h.state = s
        await h.start(lambda page: views.mount(page, s, services, app.i18n))
        return h

    return go()

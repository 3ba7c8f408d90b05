from __future__ import annotations

import pytest

import app.i18n
import views
from app.state import AppState
from tests.conftest import require_binary
from tests.ui.flet_harness import FletHarness
from tests.ui.world import World, connect, make_world


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (missing: a skip, or a failure under CI=true)."""
    require_binary("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        yield b
        b.close()


@pytest.fixture
def world(tmp_path) -> World:
    return make_world(tmp_path)


@pytest.fixture
def connected(tmp_path):
    """A world whose device syncs with a backend in process: (world, the backend's app)."""
    world = make_world(tmp_path, server_url="http://testserver")
    return world, connect(world, tmp_path)


async def start_app(services, *, route="/", width=1280, height=900, state=None) -> FletHarness:
    """Mount the app on a fresh harness page (one browser session) and return the harness."""
    h = FletHarness(route=route, width=width, height=height)
    s = state or AppState()
    h.state = s
    await h.start(lambda page: views.mount(page, s, services, app.i18n))
    return h


async def signed_in(world: World, role: str = "buyer", **kw) -> FletHarness:
    h = await start_app(world.services, **kw)
    await h.click(f"signin-{world.buyer_id if role == 'buyer' else world.staff_id}")
    return h

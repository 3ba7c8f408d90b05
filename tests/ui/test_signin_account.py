"""The sign-in screen with a server: username and password, a new buyer account, the session
kept between launches, signing out (against a real backend in process)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.commands.app import make_main
from app.state import AppState
from tests.backend.factories import make_user
from tests.ui.conftest import start_app
from tests.ui.flet_harness import FletHarness
from tests.ui.world import connect, make_world

PASSWORD = "a-long-password"
pytestmark = pytest.mark.asyncio


@pytest.fixture
def connected(tmp_path):
    world = make_world(tmp_path, server_url="http://testserver")
    return world, connect(world, tmp_path)


async def english(services):
    return await start_app(services, state=AppState(locale="en_US"))


async def fill(h, **fields: str) -> None:
    for name, value in fields.items():
        await h.type_text(f"account-{name}", value)


async def submitted(h) -> None:
    await h.click("account-submit")
    await h.wait_until(lambda: "signin" not in h.state.busy)


async def test_with_a_server_the_sign_in_asks_for_an_account_not_a_demo_person(connected):
    world, _ = connected
    h = await start_app(world.services)
    assert h.top.route == "/signin" and h.has("account-username") and h.has("account-password")
    assert not h.find_ids("signin-")  # no demo people to pick
    assert "http://testserver" in h.find("account-server-url").value


async def test_a_wrong_password_is_said_at_the_password_and_the_username_stays(connected):
    world, api = connected
    _, row = make_user(api)
    h = await english(world.services)
    await fill(h, username=row["username"], password="not-the-password")
    await submitted(h)
    assert h.top.route == "/signin"
    assert h.find("account-password").error == "Wrong username or password"
    assert h.find("account-username").value == row["username"]


async def test_a_new_buyer_creates_an_account_and_lands_on_the_cars(connected):
    world, api = connected
    h = await english(world.services)
    await h.click("account-switch")
    assert h.has("account-again")
    await fill(h, username="li.ming", password=PASSWORD, again=PASSWORD + "x")
    await h.click("account-submit")
    assert h.find("account-again").error == "The two passwords are not the same"
    await fill(h, again=PASSWORD)
    await submitted(h)
    await h.wait_until(lambda: h.top.route == "/cars")
    assert h.state.user.name == "li.ming"
    token = TestClient(api).post("/auth/token", data={"username": "li.ming", "password": PASSWORD})
    assert token.status_code == 200


async def test_the_next_launch_opens_signed_in_and_signing_out_ends_it(connected):
    world, api = connected
    world.services.sign_in("li.ming", PASSWORD, create=True)
    h = FletHarness(route="/")
    await h.start(make_main(world.services))
    await h.wait_until(lambda: h.views[-1].route == "/cars")
    account = world.services._sync._runner.account
    await h.route("/settings")
    await h.click("settings-sign-out")
    await h.wait_until(lambda: h.top.route == "/signin")
    assert world.services.account_user() is None
    me = TestClient(api).get("/auth/me", headers={"Authorization": f"Bearer {account.token}"})
    assert me.status_code == 401


async def test_the_sign_in_screen_speaks_chinese(connected):
    world, _ = connected
    h = await start_app(world.services)
    await h.submit("account-password")
    await h.wait_until(lambda: "signin" not in h.state.busy)
    assert h.find("account-username").error == "请输入用户名"

"""The shell: sign-in guard, responsive navigation, routes and back, language switch."""

from __future__ import annotations

import flet as ft
import pytest

from tests.ui.conftest import start_app
from tests.ui.fakes import FakeServices

pytestmark = pytest.mark.asyncio


async def test_unsigned_visitor_lands_on_sign_in_whatever_the_url():
    h = await start_app(FakeServices(), route="/settings")
    assert h.top.route == "/signin"
    assert h.has("signin-b1") and h.has("signin-s1")
    assert "push_route" in h.invoked  # the browser URL is corrected too


async def test_signing_in_as_buyer_opens_buyer_home_with_four_destinations():
    h = await start_app(FakeServices())
    await h.click("signin-b1")
    await h.route("/settings")
    rail = h.find("nav-rail")
    assert isinstance(rail, ft.NavigationRail)
    assert [d.label for d in rail.destinations] == ["车辆", "我的报价", "我的贷款", "设置"]


async def test_staff_get_dealer_destinations():
    h = await start_app(FakeServices())
    await h.click("signin-s1")
    await h.route("/settings")
    rail = h.find("nav-rail")
    assert [d.label for d in rail.destinations] == ["新建申请", "申请看板", "客户", "设置"]


@pytest.mark.parametrize(
    ("width", "kind"),
    [pytest.param(390, "bar", id="phone-bar"), pytest.param(1024, "rail", id="tablet-rail")],
)
async def test_navigation_is_a_bar_on_phones_and_a_rail_from_640px(width, kind):
    h = await start_app(FakeServices(), width=width)
    await h.click("signin-b1")
    await h.route("/settings")
    assert h.has("nav-rail") == (kind == "rail")
    assert (h.top.navigation_bar is not None) == (kind == "bar")


async def test_resizing_across_640px_switches_rail_to_bar():
    h = await start_app(FakeServices(), width=1024)
    await h.click("signin-b1")
    await h.route("/settings")
    assert h.has("nav-rail")
    await h.resize(390, 844)
    assert not h.has("nav-rail") and h.top.navigation_bar is not None


async def test_language_switch_rerenders_in_english_and_back():
    h = await start_app(FakeServices())
    assert "登录" in h.texts()
    await h.select("language", ["en_US"])
    assert h.state.locale == "en_US"
    assert "Sign in" in h.texts()
    await h.select("language", ["zh_CN"])
    assert "登录" in h.texts()


async def test_demo_marker_is_on_every_screen_in_demo_mode():
    h = await start_app(FakeServices())
    assert "演示数据" in h.texts(h.top.appbar)
    await h.click("signin-b1")
    await h.route("/settings")
    assert "demo-badge" in h.identifiers(h.top.appbar)


async def test_no_demo_marker_when_a_server_is_configured():
    h = await start_app(FakeServices(demo_mode=False))
    assert "demo-badge" not in h.identifiers(h.top.appbar)


async def test_cjk_font_is_the_theme_font():
    h = await start_app(FakeServices())
    assert h.page.fonts == {"CJK": "fonts/DroidSansFallbackFull.ttf"}
    assert h.page.theme.font_family == "CJK"


async def test_sign_out_returns_to_sign_in():
    h = await start_app(FakeServices())
    await h.click("signin-b1")
    await h.route("/settings")
    await h.click("settings-sign-out")
    assert h.top.route == "/signin"

"""The shell: sign-in guard, responsive navigation, routes and back, language switch."""

from __future__ import annotations

import flet as ft
import pytest

from tests.ui.conftest import signed_in, start_app
from tests.ui.world import make_world

pytestmark = pytest.mark.asyncio


async def test_unsigned_visitor_lands_on_sign_in_whatever_the_url(world):
    h = await start_app(world.services, route="/settings")
    assert h.top.route == "/signin"
    assert h.has(f"signin-{world.buyer_id}") and h.has(f"signin-{world.staff_id}")
    assert "push_route" in h.invoked  # the browser URL is corrected too


async def test_synthetic_buyers_without_a_sign_in_are_not_offered(world):
    h = await start_app(world.services)
    assert "Synthetic" not in h.texts()


async def test_buyer_lands_on_cars_with_four_buyer_destinations(world):
    h = await signed_in(world)
    assert h.top.route == "/cars"
    rail = h.find("nav-rail")
    assert isinstance(rail, ft.NavigationRail)
    assert [d.label for d in rail.destinations] == ["车辆", "我的报价", "我的分期", "设置"]
    assert rail.selected_index == 0


async def test_staff_get_dealer_destinations(world):
    h = await signed_in(world, "staff")
    await h.route("/settings")
    rail = h.find("nav-rail")
    assert [d.label for d in rail.destinations] == ["新建申请", "申请看板", "客户", "设置"]
    assert rail.selected_index == 3


async def test_rail_destination_navigates(world):
    h = await signed_in(world)
    rail = h.find("nav-rail")
    h.session.apply_patch(rail._i, {"selected_index": 3})
    await h.event(rail, "change", "3")
    assert h.top.route == "/settings"


@pytest.mark.parametrize(
    ("width", "kind"),
    [pytest.param(390, "bar", id="phone-bar"), pytest.param(1024, "rail", id="tablet-rail")],
)
async def test_navigation_is_a_bar_on_phones_and_a_rail_from_640px(world, width, kind):
    h = await signed_in(world, width=width)
    assert h.has("nav-rail") == (kind == "rail")
    assert (h.top.navigation_bar is not None) == (kind == "bar")


async def test_resizing_across_640px_switches_rail_to_bar(world):
    h = await signed_in(world, width=1024)
    assert h.has("nav-rail")
    await h.resize(390, 844)
    assert not h.has("nav-rail") and h.top.navigation_bar is not None


async def test_language_switch_rerenders_in_english_and_back(world):
    h = await start_app(world.services)
    assert "登录" in h.texts()
    await h.select("language", ["en_US"])
    assert h.state.locale == "en_US"
    assert "Sign in" in h.texts()
    await h.select("language", ["zh_CN"])
    assert "登录" in h.texts()


async def test_flutters_own_words_follow_the_apps_language(world):
    """The back button's tooltip (read aloud), a text field's menu, the date picker."""

    def flutter_locale(h) -> tuple[str, str | None]:
        current = h.page.locale_configuration.current_locale
        return current.language_code, current.country_code

    h = await start_app(world.services)
    assert flutter_locale(h) == ("zh", "CN")
    await h.select("language", ["en_US"])
    assert flutter_locale(h) == ("en", "US")
    await h.select("language", ["zh_CN"])
    assert flutter_locale(h) == ("zh", "CN")


async def test_language_switch_in_settings_renames_the_destinations(world):
    h = await signed_in(world)
    await h.route("/settings")
    await h.select("settings-language", ["en_US"])
    assert [d.label for d in h.find("nav-rail").destinations] == [
        "Cars",
        "My offers",
        "My loans",
        "Settings",
    ]


async def test_demo_marker_is_on_every_screen_in_demo_mode(world):
    h = await start_app(world.services)
    assert "演示数据" in h.texts(h.top.appbar)
    await h.click(f"signin-{world.buyer_id}")
    for route in ("/cars", "/settings"):
        await h.route(route)
        assert "demo-badge" in h.identifiers(h.top.appbar), route


async def test_no_demo_marker_when_a_server_is_configured(tmp_path):
    w = make_world(tmp_path, server_url="http://127.0.0.1:9")
    h = await start_app(w.services)
    assert "demo-badge" not in h.identifiers(h.top.appbar)


async def test_cjk_font_is_the_theme_font(world):
    h = await start_app(world.services)
    assert h.page.fonts == {"CJK": "fonts/DroidSansFallbackChedai.ttf"}
    assert h.page.theme.font_family == "CJK"


async def test_sign_out_returns_to_sign_in(world):
    h = await signed_in(world)
    await h.route("/settings")
    await h.click("settings-sign-out")
    assert h.top.route == "/signin"


async def test_unknown_route_goes_home(world):
    h = await signed_in(world)
    await h.route("/no/such/page")
    assert h.top.route == "/cars"


async def test_signing_in_draws_the_catalogue_once_not_again_on_the_route_change(
    world, monkeypatch
):
    from views.shell import Shell

    built: list[str] = []
    original = Shell.build_view

    def counting(self, path, route, params):
        built.append(path)
        return original(self, path, route, params)

    monkeypatch.setattr(Shell, "build_view", counting)
    h = await start_app(world.services)
    built.clear()
    await h.click(f"signin-{world.buyer_id}")
    await h.settle()
    assert h.top.route == "/cars"  # the route change of the pushed URL did arrive
    assert built == ["/cars"]


async def test_a_deep_link_opened_before_signing_in_opens_once_signed_in(world):
    car = f"/cars/{world.vehicles['seal'].id}"
    h = await start_app(world.services, route=car)
    assert h.top.route == "/signin"
    await h.click(f"signin-{world.buyer_id}")
    assert h.top.route == car and h.has("car-check-rate")


async def test_a_buyer_following_a_staff_link_lands_on_their_own_home(world):
    h = await start_app(world.services, route="/dealer/pipeline")
    await h.click(f"signin-{world.buyer_id}")
    assert h.top.route == "/cars"


@pytest.mark.parametrize(("width", "column"), [(390, None), (1280, 560)])
async def test_the_sign_in_list_fits_a_phone_and_keeps_a_reading_width_beyond(world, width, column):
    h = await start_app(world.services, width=width, height=844)
    assert h.find("signin").width == column  # 560 px on a 390 px phone cut every line

"""``CHEDAI_LOCALE`` naming a language the app does not speak (``fr_FR``) starts the app in the
default, Chinese, with Chinese number formats and Flutter's own words in Chinese — not English
text with French numbers and dates; another spelling of a language it speaks (``en_GB``,
``zh-CN``) is that language. The command line agrees (tests/app/test_cli_unsupported_locale.py)."""

from __future__ import annotations

import flet as ft
import pytest

from app.commands.app import make_main
from tests.ui.flet_harness import FletHarness
from tests.ui.world import make_world

pytestmark = pytest.mark.asyncio


async def first_screen(tmp_path, monkeypatch, locale: str):
    """`chedai app`'s session as it starts with ``CHEDAI_LOCALE=locale``: (harness, world)."""
    monkeypatch.setenv("CHEDAI_LOCALE", locale)
    world = make_world(tmp_path)  # its Settings read the environment, as `chedai app`'s do
    h = FletHarness(width=1280, height=900)
    await h.start(make_main(world.services, world.services.settings))
    return h, world


def monthly(h, car_id: str) -> str:
    return next(t for t in h.texts(h.find(f"car-{car_id}")) if t.startswith("≈"))


@pytest.mark.parametrize("locale", ["fr_FR", "zh-CN", "zh_Hans_CN"])
async def test_the_first_screen_is_chinese_with_chinese_formats(tmp_path, monkeypatch, locale):
    h, world = await first_screen(tmp_path, monkeypatch, locale)
    assert h.top.route == "/signin"
    assert "欢迎使用「车贷」" in h.texts() and "购车人" in h.texts()
    assert h.page.locale_configuration.current_locale == ft.Locale("zh", "CN")
    await h.click(f"signin-{world.buyer_id}")
    figure = monthly(h, world.vehicles["dolphin"].id)
    assert figure.startswith("≈ ¥") and figure.endswith("/ 月"), figure
    assert "," in figure  # a thousands separator, not French's narrow space


@pytest.mark.parametrize("locale", ["en", "en_GB", "en-US"])
async def test_another_english_is_english_with_its_formats(tmp_path, monkeypatch, locale):
    h, world = await first_screen(tmp_path, monkeypatch, locale)
    assert "Welcome to Chedai" in h.texts() and "Car buyers" in h.texts()
    assert h.page.locale_configuration.current_locale == ft.Locale("en", "US")
    await h.click(f"signin-{world.buyer_id}")
    figure = monthly(h, world.vehicles["dolphin"].id)
    assert figure.startswith("≈ CN¥") and figure.endswith("/ month"), figure

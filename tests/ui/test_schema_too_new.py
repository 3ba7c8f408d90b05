"""The device's database was written by a newer Chedai (a downgrade, a data folder copied from
a newer install): `chedai app` shows a calm full-page screen — in the language the app is set
to (Chinese by default), switchable — saying so, that nothing was changed or lost and what to
do, with the data folder small for support; no navigation, whatever the URL; and the database
stays exactly as the newer version left it (no migration, no demo seeding, no sync)."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import flet as ft
import pytest

from app.commands.app import make_main, open_in_background
from app.settings import Settings
from local_db.migrations import LATEST
from tests.newer_database import NEWER, newer_database, snapshot
from tests.ui.flet_harness import FletHarness, walk

ZH_TITLE = "此设备上的数据由更新版本的「车贷」保存"
EN_TITLE = "The data on this device was saved by a newer version of Chedai"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    newer_database(folder / "chedai.db")
    return folder


async def opened_app(settings: Settings, *, route: str = "/", width: int = 390) -> FletHarness:
    """A browser session of `chedai app` (its services opened in the background, as served)."""
    ready: Future = Future()
    open_in_background(settings, ready)
    h = FletHarness(route=route, width=width, height=844)
    await h.start(make_main(ready, settings))
    return h


@pytest.mark.asyncio
@pytest.mark.parametrize("server_url", [None, "http://127.0.0.1:9"], ids=["demo", "server"])
async def test_a_newer_database_gets_a_calm_screen_and_is_left_as_it_is(
    data_dir, server_url, capsys
):
    before = snapshot(data_dir)
    h = await opened_app(Settings(data_dir=data_dir, server_url=server_url))
    assert h.find("newer-data-title").value == ZH_TITLE  # Chinese: the default
    assert h.find("newer-data-safe").value == "您的数据没有任何改动，也没有丢失。"
    assert "更新到最新版本" in h.find("newer-data-next").value
    assert h.find("newer-data-folder").value == f"数据文件夹：{data_dir}"
    assert f"{NEWER}" in h.find("newer-data-version").value
    assert not h.has("newer-data-file")  # the database is the data folder's own
    assert len(h.views) == 1 and h.page.title == "车贷 Chedai"
    assert snapshot(data_dir) == before  # not migrated, seeded, synced or even journalled
    # the server's console gets one line, not a traceback
    err = capsys.readouterr().err
    assert "Traceback" not in err and "chedai app: " in err


@pytest.mark.asyncio
async def test_the_screen_offers_no_navigation_only_the_language(data_dir):
    h = await opened_app(Settings(data_dir=data_dir))
    view = h.top
    assert view.navigation_bar is None and view.drawer is None
    assert view.floating_action_button is None
    assert view.appbar.automatically_imply_leading is False  # no back arrow
    kinds = (ft.NavigationRail, ft.NavigationBar, ft.TextButton, ft.FilledButton, ft.Button,
             ft.OutlinedButton, ft.IconButton, ft.TextField)  # fmt: skip
    assert not [c for c in walk(view) if isinstance(c, kinds)]
    assert isinstance(h.find("language"), ft.SegmentedButton)


@pytest.mark.asyncio
async def test_the_language_switch_redraws_the_screen_in_english(data_dir):
    h = await opened_app(Settings(data_dir=data_dir))
    await h.select("language", ["en_US"])
    assert h.find("newer-data-title").value == EN_TITLE
    assert h.find("newer-data-safe").value == "Nothing has been changed or lost."
    assert h.find("newer-data-next").value == (
        "To continue, update Chedai to the latest version, or use the newer version that "
        "saved this data."
    )
    assert h.find("newer-data-folder").value == f"Data folder: {data_dir}"
    assert h.find("newer-data-version").value == (
        f"Data version {NEWER}; this version reads up to {LATEST}"
    )
    assert h.page.locale_configuration.current_locale == ft.Locale("en", "US")


@pytest.mark.asyncio
async def test_the_language_the_app_is_set_to_is_used_without_the_database(data_dir):
    h = await opened_app(Settings(data_dir=data_dir, locale="en_US"))
    assert h.find("newer-data-title").value == EN_TITLE


@pytest.mark.asyncio
async def test_an_unknown_language_setting_falls_back_to_chinese(data_dir):
    h = await opened_app(Settings(data_dir=data_dir, locale="fr_FR"))
    assert h.find("newer-data-title").value == ZH_TITLE


@pytest.mark.asyncio
async def test_any_url_shows_the_same_screen(data_dir):
    h = await opened_app(Settings(data_dir=data_dir), route="/cars/some-car")
    assert h.find("newer-data-title").value == ZH_TITLE
    await h.route("/settings")
    assert h.has("newer-data-title") and len(h.views) == 1
    assert not h.has("nav-bar") and not h.has("nav-rail")


@pytest.mark.asyncio
async def test_a_database_outside_the_data_folder_is_named_too(tmp_path):
    db = newer_database(tmp_path / "elsewhere" / "mine.db")
    before = db.read_bytes()
    h = await opened_app(Settings(data_dir=tmp_path / "data", db_path=db, locale="en_US"))
    assert h.find("newer-data-file").value == f"Database file: {db}"
    assert db.read_bytes() == before


@pytest.mark.asyncio
async def test_the_screen_fits_a_phone_and_widens_on_a_desktop(data_dir):
    h = await opened_app(Settings(data_dir=data_dir), width=390)
    column = h.find("newer-data")
    assert column.width <= 390 - 48
    await h.resize(1280, 900)
    assert h.find("newer-data").width == 560


def test_a_contract_file_request_is_refused_not_an_error(data_dir):
    """No session could have issued a link: 403, as for any link that is not valid, not a
    server error."""
    import uuid

    from fastapi.testclient import TestClient

    from app.commands.app import asgi_app

    name = f"{uuid.uuid4()}-{uuid.uuid4()}-signed.pdf"
    (data_dir / "contracts").mkdir()
    (data_dir / "contracts" / name).write_bytes(b"%PDF-1.7 kept by the newer version")
    client = TestClient(asgi_app(Settings(data_dir=data_dir)))
    answer = client.get(f"/files/contracts/{name}", params={"u": "x", "e": "1", "s": "0" * 64})
    assert answer.status_code == 403

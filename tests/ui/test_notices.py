"""What a screen tells the user after an action: on that screen only, in the user's language,
an error in words rather than an exception's text; and asking twice before dropping data."""

from __future__ import annotations

import flet as ft
import pytest

from app.services import SyncFailed, SyncInfo
from tests.ui.conftest import signed_in

pytestmark = pytest.mark.asyncio


def syncing_against(world, monkeypatch, *, fails: bool, kind: str = "unavailable") -> None:
    """A configured server, whose rounds succeed or fail (``kind``) as told."""
    error = "gave up after 5 attempts (ConnectError)" if fails else None
    info = SyncInfo(3, None, "http://127.0.0.1:9", error, kind if fails else None)
    monkeypatch.setattr(world.services, "sync_status", lambda: info)

    def sync_now() -> bool:
        if fails:
            raise SyncFailed(error)
        return True

    monkeypatch.setattr(world.services, "sync_now", sync_now)


async def test_a_notice_stays_on_the_screen_it_was_given_on(world, monkeypatch):
    syncing_against(world, monkeypatch, fails=False)
    h = await signed_in(world)
    await h.route("/settings")
    await h.click("settings-sync-now")
    await h.wait_until(lambda: h.has("settings-notice"))
    assert h.find("settings-notice").value == "同步完成"
    await h.route("/cars")
    await h.route("/settings")  # back later: the confirmation was for then
    assert not h.has("settings-notice")


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("unavailable", "无法连接服务器。您的更改保留在本机，连上后会自动发送。"),
        (
            "auth",
            "服务器已不再接受此次登录：请退出后重新登录以继续同步。您的更改仍保存在本设备上。",
        ),
        ("failed", "服务器出错，同步已中止。您的更改保留在本机。"),
    ],
)
async def test_a_failed_sync_says_why_in_the_users_language_with_the_detail_below(
    world, monkeypatch, kind, said
):
    syncing_against(world, monkeypatch, fails=True, kind=kind)
    h = await signed_in(world)
    await h.route("/settings")
    assert h.find("sync-error").value == said
    assert h.find("sync-error-detail").value == "gave up after 5 attempts (ConnectError)"
    await h.click("settings-sync-now")
    await h.wait_until(lambda: h.has("settings-notice"))
    assert h.find("settings-notice").value == "同步失败"


async def test_changes_the_server_refused_are_counted_with_the_latest_reason(world):
    from sync.local_store import LocalStore
    from sync.store import Rejection

    h = await signed_in(world)
    await h.route("/settings")
    assert not h.has("sync-refused")  # nothing refused yet
    store = LocalStore(world.services.engine)
    store.ack([], [Rejection("op-1", "note", "n-1", "append_only", "notes are append-only")])
    await h.route("/cars")
    await h.route("/settings")
    assert h.value("sync-refused") == "服务器未接受本设备的 1 项更改"
    assert h.value("sync-refused-detail") == "最近一项：notes are append-only"  # its own words
    store.ack([], [Rejection("op-2", "application", "a-1", "under_contract", "taken")])
    await h.route("/cars")
    await h.route("/settings")
    assert h.value("sync-refused") == "服务器未接受本设备的 2 项更改"
    assert h.value("sync-refused-detail").startswith("最近一项：同一辆车的另一份贷款合同")
    await h.click("sync-refused-dismiss")  # read: counted no more
    assert not h.has("sync-refused") and not h.has("sync-refused-dismiss")
    store.ack([], [Rejection("op-3", "note", "n-2", "append_only", "notes are append-only")])
    await h.route("/cars")
    await h.route("/settings")
    assert h.value("sync-refused") == "服务器未接受本设备的 1 项更改"  # only what came after


async def test_an_unexpected_failure_is_told_in_words_not_as_the_exceptions_text(
    world, monkeypatch
):
    def broken(user_id, purpose):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(world.services, "withdraw_consent", broken)
    h = await signed_in(world)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await h.click("prequal-next")
    await h.click("prequal-next")
    await h.select("consent-agree", True)
    await h.click("prequal-submit")
    await h.wait_until(lambda: h.top.route == "/offers")
    await h.route("/settings")
    await h.click("consent-withdraw-soft_check")
    await h.click("consent-confirm-soft_check")
    await h.wait_until(lambda: h.has("settings-notice"))
    assert h.find("settings-notice").value == "出了点问题。您填写的内容都还在，请重试。"
    assert "database is locked" not in h.text()


async def test_resetting_the_demo_says_what_it_drops_and_asks_again(world, monkeypatch):
    resets = []
    monkeypatch.setattr(world.services, "reset_demo", lambda: resets.append(1))
    h = await signed_in(world)
    await h.route("/settings")
    await h.click("settings-reset-demo")
    assert resets == [] and "所有演示账号" in h.find("reset-demo-consequence").value
    await h.click("reset-demo-keep")
    assert not h.has("reset-demo-consequence") and resets == []
    await h.click("settings-reset-demo")
    confirm = h.find("reset-demo-confirm")  # it drops everything: not a "go on" button
    assert (confirm.style.bgcolor, confirm.style.color) == (ft.Colors.ERROR, ft.Colors.ON_ERROR)
    await h.click("reset-demo-confirm")
    await h.wait_until(lambda: h.top.route == "/signin")
    assert resets == [1]

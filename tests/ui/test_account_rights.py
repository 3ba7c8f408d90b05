"""A buyer's rights over their data, from Settings: closing the account (注销账户, against a
real backend in process: what it erases is said first, the password is asked again, and a loan
in progress stops it) and downloading a copy of their data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.state import AppState
from local_db.tables import ApplicationRow, ConsentRow, OutboxRow, UserRow
from tests.ui.conftest import signed_in, start_app
from tests.ui.test_contract import confirm_identity
from tests.ui.test_journey import sign
from tests.ui.test_prequal_offers import through_form
from tests.ui.world import make_world

PASSWORD = "a-long-password"
pytestmark = pytest.mark.asyncio


async def a_buyer_who_checked_a_rate(world, *, create: bool = True):
    state = AppState(locale="en_US")
    state.user = world.services.sign_in("li.ming", PASSWORD, create=create)
    h = await start_app(world.services, state=state)
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await h.type_text("prequal-age", "34")
    await through_form(h, monthly_income="25000", employment_months="48",
                       monthly_debt_payments="0", income_type="salary")  # fmt: skip
    return h


async def close(h, password: str) -> None:
    await h.route("/settings")
    if not h.has("close-account-password"):
        await h.click("settings-close-account")
    await h.type_text("close-account-password", password)
    await h.click("close-account-confirm")
    await h.wait_until(lambda: "close" not in h.state.busy)


def rows(services, table, user_id):
    with Session(services.engine) as s:
        return s.exec(select(table).where(table.user_id == user_id)).all()


async def test_a_buyer_closes_their_account_and_the_device_and_server_forget_them(connected):
    world, api = connected
    h = await a_buyer_who_checked_a_rate(world)
    user_id = h.state.user.id
    assert rows(world.services, ApplicationRow, user_id)
    await h.route("/settings")
    await h.click("settings-close-account")
    said = h.find("close-account-consequence").value
    assert "erased" in said and "repaid are kept" in said  # before anything is done

    await close(h, "not-the-password")
    assert h.find("close-account-password").error == "Wrong password"
    assert h.find("close-account-password").value == "not-the-password"  # what was typed stays
    assert h.state.user is not None
    await h.click("close-account-keep")  # cancelled: the password typed goes
    await h.click("settings-close-account")
    assert h.find("close-account-password").value == ""

    await close(h, PASSWORD)
    await h.wait_until(lambda: h.top.route == "/signin")
    assert "Your account is closed" in h.find("signin-notice").value
    services = world.services
    assert services.account_user() is None
    assert not rows(services, ApplicationRow, user_id) and not rows(services, ConsentRow, user_id)
    with Session(services.engine) as s:
        assert s.get(UserRow, user_id) is None and not s.exec(select(OutboxRow)).all()
    server = TestClient(api)
    signin = {"username": "li.ming", "password": PASSWORD}
    assert server.post("/auth/token", data=signin).status_code == 401


async def test_a_signed_loan_stops_the_closing_and_says_why(connected):
    world, _ = connected
    h = await a_buyer_who_checked_a_rate(world)
    await h.click(f"offer-open-{h.state.prequal_result.cheapest_id}")
    await h.click("offer-contract")
    await confirm_identity(h, "李明")
    await sign(h)

    await close(h, PASSWORD)

    assert "repaid" in h.find("close-account-error").value
    assert h.state.user is not None and world.services.account_user() is not None
    assert rows(world.services, ApplicationRow, h.state.user.id)


async def test_a_device_holding_an_account_closed_elsewhere_forgets_it_at_sign_out(
    connected, tmp_path
):
    from app.services import SyncFailed
    from app.sync_service import start_background_sync

    world, api = connected
    world.services.sign_in("li.ming", PASSWORD, create=True)
    other = make_world(tmp_path / "tablet", server_url="http://testserver")
    other.services._sync = start_background_sync(
        other.services.settings, other.services.engine, http=TestClient(api), start=False
    )
    h = await a_buyer_who_checked_a_rate(other, create=False)
    user_id = h.state.user.id
    assert rows(other.services, ApplicationRow, user_id)
    assert other.services.sync_now()

    world.services.close_account(PASSWORD)  # on the phone
    with pytest.raises(SyncFailed):
        other.services.sync_now()

    await h.route("/settings")
    assert "closed on another device" in h.find("sync-error").value
    await h.click("settings-sign-out")
    await h.wait_until(lambda: h.top.route == "/signin")
    assert not rows(other.services, ApplicationRow, user_id)
    assert other.services.account_user() is None


async def test_demo_mode_has_no_account_to_close(world):
    h = await signed_in(world)
    await h.route("/settings")
    assert not h.has("settings-close-account")


async def test_a_buyer_downloads_a_copy_of_their_data_from_settings(world):
    h = await signed_in(world)
    await h.route("/settings")
    await h.click("settings-data-copy")
    await h.settle()
    [url] = [args["url"] for name, args in h.invocations if name == "launch_url"]
    assert url.startswith("/files/export/chedai-my-data.json?")
    assert f"u={world.buyer_id}" in url


async def test_staff_have_no_copy_to_download(world):
    h = await signed_in(world, role="staff")
    await h.route("/settings")
    assert not h.has("settings-data-copy")

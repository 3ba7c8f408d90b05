"""The sign-in screen with a server: username and password, a new buyer account, the session
kept between launches, signing out (against a real backend in process)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.commands.app import make_main
from app.services import SyncFailed
from app.state import AppState
from local_db.repositories import people as people_repo
from tests.backend.factories import make_user
from tests.ui.conftest import start_app
from tests.ui.flet_harness import FletHarness
from tests.ui.test_contract import confirm_identity
from tests.ui.test_dealer import customer_chooses_an_offer, hand_over
from tests.ui.test_journey import sign
from tests.ui.test_prequal_offers import through_form

PASSWORD = "a-long-password"
pytestmark = pytest.mark.asyncio


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


async def test_on_a_phone_the_account_fields_take_the_screens_width_not_a_fixed_one(connected):
    world, _ = connected
    h = await start_app(world.services, width=360, height=780)
    assert h.find("account-username").width is None
    assert h.find("signin-account").expand  # the phone's own width, whatever it is
    said = h.texts(h.find("welcome"))
    assert said[0] == "欢迎使用「车贷」"
    assert "报价按含费用的真实年化利率比较" in said  # what it does
    assert h.find("title").value == "登录"
    await h.click("account-switch")
    assert h.find("title").value == "创建账号"  # the page says what it does now


async def test_a_new_buyers_whole_journey_reaches_the_server(connected):
    """Account, check, offer, signature on this device; then the server has the signed
    contract in the buyer's name and nobody else's."""
    world, api = connected
    h = await english(world.services)
    await h.click("account-switch")
    await fill(h, username="li.ming", password=PASSWORD, again=PASSWORD)
    await submitted(h)
    await h.wait_until(lambda: h.top.route == "/cars")
    await h.route(f"/cars/{world.vehicles['seal'].id}")
    await h.click("car-check-rate")
    await h.select("prequal-housing", "rent")
    await h.type_text("prequal-age", "34")
    await through_form(
        h,
        monthly_income="25000",
        employment_months="48",
        monthly_debt_payments="0",
        income_type="salary",
    )
    pid = h.state.prequal_result.cheapest_id
    await h.click(f"offer-open-{pid}")
    await h.click("offer-contract")
    await confirm_identity(h, "李明")  # a new account: no profile holds who they are
    await sign(h)
    contract_id = h.state.contract.record.id
    assert world.services.sync_now() and world.services.sync_status().pending == 0
    assert world.services._sync.status().rejected == ()  # every step was one the server takes
    token = world.services._sync._runner.account.token
    pulled = TestClient(api).get(
        "/sync/pull", params={"since": 0, "limit": 1000},
        headers={"Authorization": f"Bearer {token}"},
    ).json()  # fmt: skip
    mine = {(c["entity"], c["entity_id"]) for c in pulled["changes"]}
    assert ("contract", contract_id) in mine
    stranger, _ = make_user(api)
    theirs = stranger.get("/sync/pull", params={"since": 0, "limit": 1000}).json()["changes"]
    assert ("contract", contract_id) not in {(c["entity"], c["entity_id"]) for c in theirs}


async def test_a_walk_in_signed_on_a_staff_members_tablet_reaches_the_server(connected):
    """Staff sign in with their own account; the walk-in's check, consent, signature, payout
    and first payment all leave the tablet and the server takes every one, in that order."""
    world, api = connected
    with world.services.session() as s:
        staff = people_repo.get_user(s, user_id=world.staff_id)
    _, row = make_user(api, "dealer_staff", dealer_id=staff.dealer_id, password=PASSWORD)
    h = await start_app(world.services, width=1024, height=768)
    await fill(h, username=row["username"], password=PASSWORD)
    await submitted(h)
    await h.wait_until(lambda: h.top.route == "/dealer/new")
    assert h.state.user.dealer_id == staff.dealer_id
    await hand_over(h, world)
    await customer_chooses_an_offer(h)
    await confirm_identity(h)
    await sign(h)
    await h.click("contract-to-loans")
    await h.click("handoff-give-back")
    await h.type_text("return-pin", "2468")
    await h.click("return-unlock")
    await h.click(h.find_ids("pipe-", h.find("col-signed"))[0])
    await h.click("payout-confirm")  # the lender's money arrived: the loan is funded
    await h.click("pay-record")
    await h.wait_until(lambda: h.has("loan-notice"), timeout=30)
    assert world.services.sync_now(), world.services.sync_status().error
    status = world.services._sync.status()
    assert [(r.entity, r.message) for r in status.rejected] == [] and status.pending == 0
    pulled = TestClient(api).get(
        "/sync/pull", params={"since": 0, "limit": 1000},
        headers={"Authorization": f"Bearer {world.services._sync._runner.account.token}"},
    ).json()["changes"]  # fmt: skip
    kinds = {c["entity"] for c in pulled}
    assert {"application", "offer", "consent", "contract", "payment"} <= kinds


async def test_a_sign_in_the_server_no_longer_takes_is_said_on_every_screen_with_the_way_back(
    connected,
):
    """The token expires (or is revoked from another device): the changes made since wait on
    the device; every screen offers to sign in again, after which they are sent."""
    world, api = connected
    user = world.services.sign_in("li.ming", PASSWORD, create=True)
    token = world.services._sync._runner.account.token
    TestClient(api).post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    world.services.record_event(user.id, world.services.products()[0].id, "view")
    with pytest.raises(SyncFailed):
        world.services.sync_now()
    assert world.services.sign_in_expired()
    assert world.services.account_user() == user  # a page reloaded: still the same person,
    assert world.services.sign_in_expired()  # and what the server said still stands
    h = await start_app(world.services, state=AppState(locale="en_US", user=user))
    await h.route("/cars")
    assert h.has("sign-in-again")
    await h.click("sign-in-again")
    await h.wait_until(lambda: h.top.route == "/signin")
    assert world.services.sync_status().pending == 1  # still waiting, not lost
    await fill(h, username="li.ming", password=PASSWORD)
    await submitted(h)
    await h.wait_until(lambda: h.top.route == "/cars")
    assert not h.has("sign-in-again") and world.services.sync_status().pending == 0

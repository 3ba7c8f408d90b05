"""A reload (or a bookmark) on a deep route shows that screen again: what the screen reads
from the session's memory is restored from the device (``Route.restore``); when it cannot
be, the user lands on a screen that says why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.state import AppState, SessionUser
from local_db.repositories import catalog as catalog_repo
from tests.ui.conftest import start_app
from tests.ui.test_contract import at_contract, draw, open_pdf

pytestmark = pytest.mark.asyncio


async def reloaded(world, route: str, *, sign_in: bool = True):
    """A new browser session opened on ``route`` (nothing in memory); in demo mode the buyer
    signs in first, and the route opens then (``sign_in=False``: still on the sign-in)."""
    h = await start_app(world.services, route=route)
    if sign_in:
        await h.click(f"signin-{world.buyer_id}")
        await h.settle()
    return h


async def test_reloading_a_contract_shows_that_contract_and_it_can_be_signed(world):
    h, pid = await at_contract(world)
    quoted = h.find("disc-apr").value, h.find("disc-charge").value, h.find("disc-schedule").value
    application_id = h.state.prequal_result.application_id

    again = await reloaded(world, f"/contract/{pid}")
    assert again.top.route == f"/contract/{pid}"
    assert not again.has("contract-missing")
    shown = again.find("disc-apr").value, again.find("disc-charge").value
    assert (*shown, again.find("disc-schedule").value) == quoted  # the figures quoted then
    assert again.state.prequal_result.application_id == application_id
    # the back stack is the one the buyer came by
    assert [v.route for v in again.views] == ["/offers", f"/offers/{pid}", f"/contract/{pid}"]

    await open_pdf(again)  # the reopened check is the real one: it signs
    await again.select("contract-consent", True)
    await draw(again, [(20, 80), (60, 40), (120, 100)])
    await again.click("contract-sign")
    await again.wait_until(lambda: again.has("verify-result"), timeout=60)
    assert again.state.contract.record.application_id == application_id
    assert again.state.contract.verification.disclosure_matches_engine


async def test_with_a_server_a_reload_opens_the_contract_straight_away(world):
    """With a server the account stays signed in on the device: no sign-in page between."""
    _, pid = await at_contract(world)
    buyer = SessionUser(id=world.buyer_id, name="王小明", role="buyer")
    again = await start_app(world.services, route=f"/contract/{pid}", state=AppState(user=buyer))
    assert again.top.route == f"/contract/{pid}" and again.has("contract-open-pdf")
    assert "push_route" not in again.invoked  # the URL stays the bookmarked one


async def test_reloading_an_offer_shows_it_and_back_leads_to_the_saved_checks(world):
    _, pid = await at_contract(world)
    again = await reloaded(world, f"/offers/{pid}")
    assert again.top.route == f"/offers/{pid}"
    assert again.has("disclosure") and again.has("schedule") and not again.has("offer-missing")
    await again.back()
    assert again.top.route == "/offers" and again.has("offers-saved")
    await again.route(f"/offers/{pid}")  # and forward again, "Continue to contract" too
    await again.click("offer-contract")
    assert again.top.route == f"/contract/{pid}" and again.has("contract-open-pdf")


async def test_an_offer_none_of_the_buyers_checks_made_leads_to_my_offers_saying_so(world):
    _, pid = await at_contract(world)  # the buyer's check, opened by someone else
    other = SessionUser(id="someone-else", name="赵六", role="buyer")
    again = await start_app(world.services, route=f"/contract/{pid}", state=AppState(user=other))
    assert again.top.route == "/offers"
    assert again.find("offers-notice").value == "这个报价已不在屏幕上——请重新查看利率。"
    assert again.has("offers-empty") and again.state.prequal_result is None
    assert "push_route" in again.invoked  # the browser's URL says where they are

    unknown = await reloaded(world, "/offers/no-such-product")
    assert unknown.top.route == "/offers" and unknown.has("offers-notice")
    assert unknown.has("offers-saved")  # the buyer's own checks are there


async def test_a_reload_after_the_rates_changed_asks_to_check_again(world):
    _, pid = await at_contract(world)
    seal = world.vehicles["seal"]
    with world.services.session() as s:  # the dealer repriced the car since the check
        catalog_repo.save_vehicles(s, vehicles=[replace(seal, price=seal.price + 1000)])
        s.commit()
    again = await reloaded(world, f"/contract/{pid}")
    assert again.top.route == "/offers" and again.has("offers-saved")
    assert again.find("offers-notice").value == (
        "自您查询以来，这个报价的数字已有变化：请再查一次今天的报价。"
    )


async def test_reloading_a_signed_contract_opens_its_loan(world):
    h, pid = await at_contract(world)
    await open_pdf(h)
    await h.select("contract-consent", True)
    await draw(h, [(20, 80), (60, 40), (120, 100)])
    await h.click("contract-sign")
    await h.wait_until(lambda: h.has("verify-result"), timeout=60)
    contract_id = h.state.contract.record.id

    again = await reloaded(world, f"/contract/{pid}")
    assert again.top.route == f"/loans/{contract_id}"
    assert again.find("loan-notice").value == "这次查询的合同已签署：以下是它的贷款。"
    assert not again.has("loan-missing")
    loan = await reloaded(world, f"/loans/{contract_id}")  # a loan's page restores as it is
    assert loan.top.route == f"/loans/{contract_id}" and not loan.has("loan-missing")


async def test_a_car_page_and_my_offers_reload_as_they_were(world):
    await at_contract(world)  # a check saved on the device
    car = f"/cars/{world.vehicles['seal'].id}"
    again = await reloaded(world, car)
    assert again.top.route == car and again.has("car-check-rate")
    offers = await reloaded(world, "/offers")
    assert offers.top.route == "/offers" and offers.has("offers-saved")
    assert not offers.has("offers-notice")


async def test_a_session_with_its_own_check_is_not_given_an_older_one(world):
    """Only a session that has no check reopens one: its own check's offers stay on screen."""
    h, _ = await at_contract(world)
    live = h.state.prequal_result
    await h.route("/offers/no-such-product")
    assert h.has("offer-missing") and h.state.prequal_result is live


async def test_reloading_the_rate_check_form_opens_it_for_the_same_car(world):
    seal = world.vehicles["seal"]
    h = await reloaded(world, f"/cars/{seal.id}/prequal")
    assert h.top.route == f"/cars/{seal.id}/prequal" and not h.has("prequal-no-car")
    assert h.state.car_id == seal.id and h.state.prequal.step == 0
    assert seal.model in h.text()  # the form names the car it checks
    # back leads to that car's page, not to the catalogue
    assert [v.route for v in h.views] == ["/cars", f"/cars/{seal.id}", f"/cars/{seal.id}/prequal"]


async def test_another_cars_form_starts_from_its_first_step(world):
    from tests.ui.test_prequal_offers import to_prequal

    seal, dolphin = world.vehicles["seal"], world.vehicles["dolphin"]
    h = await to_prequal(world)
    await h.click("prequal-next")
    assert h.state.prequal.step == 1
    await h.route(f"/cars/{dolphin.id}/prequal")
    assert h.state.car_id == dolphin.id and h.state.prequal.step == 0
    await h.route(f"/cars/{seal.id}/prequal")  # and back to the Seal's: another car again
    assert h.state.car_id == seal.id and h.state.prequal.step == 0

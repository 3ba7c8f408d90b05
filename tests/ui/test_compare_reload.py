"""The Compare screen's address names its cars (``/compare/<id>,<id>``): a bookmark, a
shared link, a new tab or a reload shows the same comparison, and the address follows the
cars ticked and removed. The address wins over the session's own ticks (``restore_compare``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.state import AppState, SessionUser
from local_db.repositories import catalog as catalog_repo
from tests.ui.conftest import signed_in, start_app
from tests.ui.test_reload import reloaded

pytestmark = pytest.mark.asyncio


def compared(h) -> list[str]:
    """The cars set side by side on the screen, by name, in column order."""
    columns = h.find("compare-table").columns[1:]
    return [h.texts(c.label)[0] for c in columns if c.label.key != "compare-add-slot"]


def ids(world, *names: str) -> str:
    return ",".join(world.vehicles[n].id for n in names)


async def test_a_compare_address_opened_in_a_new_session_shows_its_cars(world):
    h = await signed_in(world)
    for name in ("seal", "camry", "dolphin"):
        await h.select(f"compare-{world.vehicles[name].id}", True)
    await h.click("cat-compare")
    address = f"/compare/{ids(world, 'seal', 'camry', 'dolphin')}"
    assert h.top.route == address

    again = await reloaded(world, address)  # a bookmark: signed in first, then the comparison
    assert again.top.route == address and not again.has("compare-empty")
    assert compared(again) == ["比亚迪 Seal", "丰田 Camry", "比亚迪 Dolphin"]
    assert again.state.compare == [world.vehicles[n].id for n in ("seal", "camry", "dolphin")]
    # back leads to the catalogue, the cars compared ticked there
    assert [v.route for v in again.views] == ["/cars", address]
    await again.back()
    assert again.top.route == "/cars"
    assert again.find(f"compare-{world.vehicles['seal'].id}").value
    assert not again.find(f"compare-{world.vehicles['model3'].id}").value


async def test_with_a_server_a_compare_link_opens_straight_away_and_stays_as_sent(world):
    buyer = SessionUser(id=world.buyer_id, name="王小明", role="buyer")
    address = f"/compare/{ids(world, 'model3', 'seal')}"
    h = await start_app(world.services, route=address, state=AppState(user=buyer))
    assert h.top.route == address
    assert compared(h) == ["特斯拉 Model 3", "比亚迪 Seal"]  # in the address's order
    assert "push_route" not in h.invoked


async def test_unknown_and_delisted_cars_in_a_compare_address_are_left_out(world):
    dolphin = world.vehicles["dolphin"]
    with world.services.session() as s:  # taken off sale since the link was sent
        catalog_repo.save_vehicles(s, vehicles=[replace(dolphin, deleted=True)])
        s.commit()
    seal, camry = world.vehicles["seal"].id, world.vehicles["camry"].id
    h = await reloaded(world, f"/compare/{seal},no-such-car,{dolphin.id},{camry}")
    assert compared(h) == ["比亚迪 Seal", "丰田 Camry"]
    assert h.state.compare == [seal, camry]

    alone = await reloaded(world, f"/compare/no-such-car,{dolphin.id},{seal}")
    assert alone.has("compare-empty")  # one car left: nothing to set it beside
    assert alone.state.compare == [seal]


async def test_a_compare_address_shows_at_most_three_cars_each_once(world):
    address = f"/compare/{ids(world, 'seal', 'seal', 'camry', 'model3', 'dolphin')}"
    h = await reloaded(world, address)
    assert compared(h) == ["比亚迪 Seal", "丰田 Camry", "特斯拉 Model 3"]
    assert h.state.compare == [world.vehicles[n].id for n in ("seal", "camry", "model3")]


async def test_the_compare_address_follows_the_cars_ticked_and_removed(world):
    v = world.vehicles
    h = await signed_in(world)
    await h.select(f"compare-{v['seal'].id}", True)
    await h.select(f"compare-{v['camry'].id}", True)
    await h.click("cat-compare")
    assert h.top.route == f"/compare/{ids(world, 'seal', 'camry')}"

    await h.back()  # to the catalogue: a third car ticked there
    await h.select(f"compare-{v['dolphin'].id}", True)
    await h.click("cat-compare")
    assert h.top.route == f"/compare/{ids(world, 'seal', 'camry', 'dolphin')}"

    await h.click(f"compare-remove-{v['camry'].id}")
    assert h.top.route == f"/compare/{ids(world, 'seal', 'dolphin')}"
    assert compared(h) == ["比亚迪 Seal", "比亚迪 Dolphin"]
    assert h.state.compare == [v["seal"].id, v["dolphin"].id]

    await h.route(f"/cars/{v['model3'].id}")  # ticked on a car's page
    await h.click("car-compare")
    await h.click("detail-see-compare")
    assert h.top.route == f"/compare/{ids(world, 'seal', 'dolphin', 'model3')}"

    await h.click(f"compare-remove-{v['seal'].id}")
    await h.click(f"compare-remove-{v['dolphin'].id}")
    assert h.top.route == f"/compare/{v['model3'].id}" and h.has("compare-empty")
    again = await reloaded(world, h.top.route)  # what is left reloads as it was
    assert again.state.compare == [v["model3"].id] and again.has("compare-empty")


async def test_back_to_a_comparison_before_a_car_was_removed_shows_that_car_again(world):
    """The browser's back (a route change to the earlier address) is an undo of the remove."""
    v = world.vehicles
    address = f"/compare/{ids(world, 'seal', 'camry', 'dolphin')}"
    h = await reloaded(world, address)
    await h.click(f"compare-remove-{v['dolphin'].id}")
    assert compared(h) == ["比亚迪 Seal", "丰田 Camry"]
    await h.route(address)
    assert h.top.route == address
    assert compared(h) == ["比亚迪 Seal", "丰田 Camry", "比亚迪 Dolphin"]
    assert h.state.compare == [v[n].id for n in ("seal", "camry", "dolphin")]


async def test_the_address_wins_over_the_sessions_own_ticks(world):
    """``/compare`` alone shows the cars the session ticked; an address naming cars shows
    those, and the catalogue's ticks follow it."""
    v = world.vehicles
    h = await signed_in(world)
    await h.select(f"compare-{v['seal'].id}", True)
    await h.select(f"compare-{v['camry'].id}", True)
    await h.route("/compare")
    assert h.top.route == "/compare" and compared(h) == ["比亚迪 Seal", "丰田 Camry"]

    await h.route(f"/compare/{ids(world, 'dolphin', 'model3')}")  # a link opened in-session
    assert compared(h) == ["比亚迪 Dolphin", "特斯拉 Model 3"]
    await h.back()
    assert h.top.route == "/cars"
    assert h.find(f"compare-{v['dolphin'].id}").value
    assert not h.find(f"compare-{v['seal'].id}").value

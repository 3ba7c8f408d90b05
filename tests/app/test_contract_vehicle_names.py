"""The contract names the car as the screens do, in the contract's language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from local_db.repositories import catalog as catalog_repo
from tests.app.test_draft_cleanup import checked
from tests.ui.world import make_world


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


@pytest.mark.parametrize(("locale", "named"), [("zh_CN", "比亚迪 海豹"), ("en_US", "BYD Seal")])
def test_the_contract_names_the_car_as_the_screens_do_in_its_language(world, locale, named):
    s = world.services
    with s.session() as db:  # the car has a Chinese model name, as the demo market's do
        seal = replace(world.vehicles["seal"], model_zh="海豹")
        catalog_repo.save_vehicles(db, vehicles=[seal])
        db.commit()
    result = checked(world)
    vehicle = s.contract_deal(result, result.cheapest_id, world.buyer_id, locale=locale).vehicle
    assert f"{vehicle.make} {vehicle.model}" == named

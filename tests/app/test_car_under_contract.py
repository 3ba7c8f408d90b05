"""One listing is one car: once a loan contract is signed on it, it leaves the catalogue, and
no one checks a rate on it or signs for it again, until the contract lapses unpaid out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.state import CatalogueQuery, Deal
from domain.errors import InputError
from tests.ui.world import make_world

STROKES = [[(0.1, 0.1), (0.2, 0.3)]]


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def check(world, car_id: str):
    s = world.services
    values = {**s.prequal_defaults(world.buyer_id), "housing": "rent"}
    return s.run_prequal(world.buyer_id, car_id, Deal(), values, consented_at=datetime.now(UTC))


def sign(world, result):
    return world.services.sign_contract(
        result, result.cheapest_id, world.buyer_id, consented_at=datetime.now(UTC),
        strokes=STROKES, locale="zh_CN",
    )  # fmt: skip


def listed_ids(world) -> set[str]:
    page = world.services.search_cars(CatalogueQuery(), Deal(), limit=100)
    return {c.vehicle.id for c in page.cards}


def test_a_signed_car_leaves_the_catalogue_and_cannot_be_signed_for_again(world):
    s, seal = world.services, world.vehicles["seal"].id
    first, second = check(world, seal), check(world, seal)  # two checks, as two tabs would
    assert seal in listed_ids(world)
    sign(world, first)
    assert seal not in listed_ids(world) and s.listed_car(seal) is None
    with pytest.raises(InputError) as refused:
        sign(world, second)
    assert (refused.value.field, refused.value.rule) == ("vehicle_id", "under_contract")
    with pytest.raises(InputError) as refused:
        check(world, seal)
    assert refused.value.rule == "under_contract"
    s.pay_out_demo(world.buyer_id, first.application_id)
    assert seal not in listed_ids(world)  # paid out: sold
    assert s.car(seal) is not None  # the loan's screens still name it


def test_a_contract_that_lapses_unpaid_out_puts_the_car_back_on_sale(world):
    s, seal = world.services, world.vehicles["seal"].id
    signed = sign(world, check(world, seal))
    first_due = s.loan(world.buyer_id, signed.record.id).quote.schedule[0].date
    s._today = first_due  # the payout never came: the contract has lapsed
    assert seal in listed_ids(world) and s.listed_car(seal) is not None


@pytest.mark.parametrize(
    ("until", "on_sale"),
    [("2026-12-31", False), ("sold", False), ("signed", False), ("2026-12-01", True)],
)
def test_a_car_the_server_marked_held_for_another_buyer_is_off_sale_until_it_lapses(
    world, until, on_sale
):
    """The server's mark (``vehicles.held_until``, pulled with the catalogue) holds the car as a
    contract on this device would: until its first repayment date (the world's today is
    2026-12-01), for good once sold, and with no date known until it says one."""
    from sqlalchemy import update

    from local_db.tables import VehicleRow

    s, seal = world.services, world.vehicles["seal"].id
    with s.session() as session:
        session.execute(update(VehicleRow).where(VehicleRow.id == seal).values(held_until=until))
        session.commit()
    assert (seal in listed_ids(world)) is on_sale and (s.listed_car(seal) is not None) is on_sale
    if not on_sale:
        with pytest.raises(InputError) as refused:
            check(world, seal)
        assert refused.value.rule == "under_contract"


def test_saving_the_catalogue_again_keeps_the_servers_mark(world):
    from sqlalchemy import select, update

    from local_db.repositories import catalog
    from local_db.tables import VehicleRow

    s, seal = world.services, world.vehicles["seal"]
    with s.session() as session:
        marked = update(VehicleRow).where(VehicleRow.id == seal.id).values(held_until="sold")
        session.execute(marked)
        catalog.save_vehicles(session, vehicles=[seal])
        session.commit()
        kept = session.execute(select(VehicleRow.held_until).where(VehicleRow.id == seal.id))
        assert kept.scalar_one() == "sold"

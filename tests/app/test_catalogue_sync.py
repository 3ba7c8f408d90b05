"""What the app derives from the catalogue follows the catalogue a sync round pulls."""

from __future__ import annotations

import uuid
from decimal import Decimal

from backend import store
from backend.demo import PUBLISHER
from local_db.repositories import catalog as catalog_repo
from sync.wire import Op
from tests.factories import make_lender, make_product, make_vehicle
from tests.ui.world import connect, make_world


def publish(api, records) -> None:
    """The server's catalogue gains ``records`` (``catalog_repo.sync_records``' shape)."""
    ops = [Op(op_id=str(uuid.uuid4()), entity=e, entity_id=i, payload=d, created_ms=2)
           for e, i, d in records]  # fmt: skip
    results = store.push(api.state.backend.engine, PUBLISHER, "server", ops, 2)
    assert {r.status for r in results} == {"applied"}


def test_a_pulled_product_and_car_change_the_smallest_loan_and_the_brands(tmp_path):
    world = make_world(tmp_path, server_url="http://testserver")
    api = connect(world, tmp_path)
    services = world.services
    services.sign_in("li.ming", "a-long-password", create=True)
    assert services.smallest_loan() == Decimal("10000.00")
    assert "Nio" not in dict(services.brands())
    version = services.catalogue_version()

    lender = make_lender(name_zh="新来银行", name_en="Newcomer Bank")
    small = make_product(lender_id=lender.id, min_amount=Decimal("5000.00"))
    dealer_id = next(iter(world.vehicles.values())).dealer_id
    car = make_vehicle(dealer_id=dealer_id, make="Nio", make_zh="蔚来", model="ET5")
    publish(api, catalog_repo.sync_records(lenders=[lender], products=[small], vehicles=[car]))
    services.sync_now()

    assert services.catalogue_version() != version
    assert services.smallest_loan() == Decimal("5000.00")
    assert "Nio" in dict(services.brands())


def test_a_round_that_pulls_no_catalogue_keeps_the_cached_figures(tmp_path):
    world = make_world(tmp_path, server_url="http://testserver")
    connect(world, tmp_path)
    services = world.services
    services.sign_in("li.ming", "a-long-password", create=True)
    version = services.catalogue_version()
    services.sync_now()
    assert services.catalogue_version() == version

"""A small market in an in-memory database, for the screens' tests (factories, real repos)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from app.services import Services
from app.settings import Settings
from domain.catalog import BodyType, Condition, Energy, LenderType, Role, Vehicle
from local_db.crypto import cipher_for_dir
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import catalog as catalog_repo
from local_db.repositories import people as people_repo
from tests.factories import (
    make_applicant,
    make_dealer,
    make_lender,
    make_product,
    make_user,
    make_vehicle,
    rate,
)

TODAY = date(2026, 12, 1)


@dataclass
class World:
    services: Services
    vehicles: dict[str, Vehicle] = field(default_factory=dict)
    buyer_id: str = ""
    staff_id: str = ""


def make_world(tmp_path, **settings) -> World:
    engine = make_engine(":memory:")
    migrate(engine)
    dealer = make_dealer(  # the Seal's; the used-car dealer below has no contact on file
        address_zh="上海市闵行区浦江路 888 号",
        address_en="888 Pujiang Road, Minhang, Shanghai",
        phone="021-0000 0101",
    )
    dealer2 = make_dealer(name_zh="远航二手车", name_en="Yuanhang Used Cars", brands=())
    lender = make_lender()
    cars = {
        "seal": make_vehicle(
            dealer_id=dealer.id, electric_range_km=550, power_kwh_100km=Decimal("12.6")
        ),
        "dolphin": make_vehicle(
            dealer_id=dealer.id,
            model="Dolphin",
            trim="420 Active",
            body=BodyType.HATCHBACK,
            price=Decimal("99800.00"),
            electric_range_km=420,
            power_kwh_100km=Decimal("10.3"),
        ),
        "camry": make_vehicle(
            dealer_id=dealer2.id,
            make="Toyota",
            make_zh="丰田",
            model="Camry",
            trim="2.0G",
            energy=Energy.ICE,
            price=Decimal("179800.00"),
            fuel_l_100km=Decimal("6.1"),
        ),
        "model3": make_vehicle(
            dealer_id=dealer2.id,
            make="Tesla",
            make_zh="特斯拉",
            model="Model 3",
            trim="RWD",
            year=2023,
            condition=Condition.USED,
            mileage_km=32000,
            first_registration=date(2023, 5, 1),
            price=Decimal("168000.00"),
        ),
    }
    buyer = make_user(username="wang", display_name="王小明", password_hash="x")
    synthetic = make_user(username="synthetic1", display_name="Synthetic", password_hash=None)
    staff = make_user(
        username="li",
        display_name="李娜",
        role=Role.DEALER_STAFF,
        dealer_id=dealer.id,
        password_hash="x",
    )
    lender2 = make_lender(name_zh="安逸消费金融", name_en="Anyi Consumer Finance",
                          type=LenderType.CONSUMER_FINANCE)  # fmt: skip
    products = [
        make_product(lender_id=lender.id),
        make_product(
            lender_id=lender2.id,
            name_zh="安逸车贷",
            name_en="Anyi car loan",
            rate_card=(rate("A", "0.0890"), rate("B", "0.0990"), rate("C", "0.1190")),
        ),
        make_product(
            lender_id=lender2.id,
            name_zh="严选车贷",
            name_en="Strict car loan",
            max_pti=Decimal("0.05"),
            rate_card=(rate("A", "0.0590"), rate("B", "0.0690")),
        ),
        make_product(
            lender_id=lender.id,
            name_zh="二手车专享",
            name_en="Used-car special",
            conditions=frozenset({Condition.USED}),
        ),
    ]
    with Session(engine) as s:
        catalog_repo.save_dealers(s, dealers=[dealer, dealer2])
        catalog_repo.save_lenders(s, lenders=[lender, lender2])
        catalog_repo.save_vehicles(s, vehicles=cars.values())
        catalog_repo.save_products(s, products=products)
        for u in (buyer, synthetic, staff):
            people_repo.save_user(s, user=u)
        people_repo.save_buyer_profile(
            s,
            profile=make_applicant(user_id=buyer.id, monthly_income=Decimal("25000.00")),
            cipher=cipher_for_dir(tmp_path),
            enqueue=False,  # the world as it stands, not a change someone made
        )
        s.commit()
    services = Services(Settings(data_dir=tmp_path, **settings), engine, today=TODAY)
    return World(services, cars, buyer.id, staff.id)


def connect(world: World, tmp_path, *, demo: bool = False):
    """A backend for ``world`` (made with ``server_url="http://testserver"``), its sync going
    through an in-process client, selling the world's catalogue (``demo``: saying its market is
    a demo's); returns the backend's ASGI app."""
    from fastapi.testclient import TestClient

    from app.sync_service import start_background_sync
    from backend.db import make_engine as server_engine
    from backend.db import migrate as server_migrate
    from tests.backend.factories import make_app, publish_catalogue

    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server_migrate(engine)
    api = make_app(engine, tmp_path / "server")
    api.state.backend.demo = demo  # what --demo says of the market (its catalogue: below)
    services = world.services
    with Session(services.engine) as s:  # the server sells what the device shows
        records = catalog_repo.sync_records(
            dealers=catalog_repo.list_dealers(s),
            lenders=catalog_repo.list_lenders(s),
            products=catalog_repo.list_products(s),
            vehicles=world.vehicles.values(),
        )
    publish_catalogue(engine, records)
    services._sync = start_background_sync(
        services.settings, services.engine, http=TestClient(api), start=False
    )
    return api


def refuse_signing(services: Services, record_id: str, entity: str = "application") -> None:
    """The server refused an op of the signing (on the application, or ``entity`` contract),
    as the sync client keeps it (``sync.local_store.LocalStore.ack``): another contract on its
    car reached it first."""
    from sync.local_store import LocalStore
    from sync.store import Rejection

    refusal = Rejection(str(uuid.uuid4()), entity, record_id, "under_contract",
                        "the application's car (vehicle_id) is under another contract")  # fmt: skip
    LocalStore(services.engine, user_id=None).ack([], [refusal])

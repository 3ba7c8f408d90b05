"""A fresh device signing in to a demo server (``chedai serve --demo``) gets the demo market by
pulling: every dealer, lender, product and vehicle the demo world has, none skipped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from backend.db import make_engine as server_engine
from backend.db import migrate as server_migrate
from backend.demo import demo_world
from domain.catalog import Role, User
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import catalog, people
from sync.client import SyncClient, login
from sync.local_store import LocalStore
from tests.backend.factories import make_app


@pytest.fixture(scope="module")
def world():
    return demo_world(Settings().demo_seed)


@pytest.fixture
def server(tmp_path):
    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server_migrate(engine)
    yield engine, make_app(engine, tmp_path, demo=True)
    engine.dispose()


@pytest.fixture
def device(tmp_path):
    """A freshly migrated, empty local database."""
    local = make_engine(tmp_path / "device.db")
    migrate(local)
    yield local
    local.dispose()


def _signed_in(api, username: str, password: str) -> tuple[TestClient, dict]:
    http = TestClient(api)
    http.headers["Authorization"] = f"Bearer {login(http, username, password)}"
    return http, http.get("/auth/me").json()


def _sync(api, local, username="demo-buyer", password="demo-buyer-pass"):
    http, me = _signed_in(api, username, password)
    store = LocalStore(local, user_id=me["id"])
    client = SyncClient(http, store, device_id="phone", sleep=lambda _s: None)
    assert client.sync_once(), client.status().last_error
    return store, me


def _all_vehicles(session, **filters) -> list:
    found, offset = [], 0
    while True:
        page = catalog.list_vehicles(session, limit=catalog.MAX_PAGE, offset=offset, **filters)
        found += page.items
        offset += len(page.items)
        if not page.has_more:
            return found


def _by_id(items) -> list:
    return sorted(items, key=lambda x: x.id)


def test_a_fresh_device_pulls_the_whole_demo_catalogue_with_nothing_skipped(server, device, world):
    _, api = server
    store, _ = _sync(api, device)
    assert store.skipped() == []
    published = len(world.dealers) + len(world.lenders) + len(world.products)
    assert store.get_cursor("main") == published + len(world.vehicles)
    with Session(device) as session:
        dealers = catalog.list_dealers(session)
        lenders = catalog.list_lenders(session)
        products = catalog.list_products(session)
        vehicles = _all_vehicles(session)
    assert _by_id(dealers) == _by_id(world.dealers)
    assert _by_id(lenders) == _by_id(world.lenders)
    assert _by_id(products) == _by_id(world.products)
    # the pictures are files the seeding device draws: a pulled car has none (the app's icon)
    assert len(vehicles) == len(world.vehicles)
    assert _by_id(vehicles) == _by_id(replace(v, picture="") for v in world.vehicles)


def test_the_demo_staff_account_works_at_a_dealership_the_device_has(server, device, world):
    _, api = server
    _, me = _sync(api, device, "demo-dealer", "demo-dealer-pass")
    assert me["dealer_id"] in {d.id for d in world.dealers}
    with Session(device) as session:
        # the local users table refers to dealers (foreign keys on): the row can be stored
        user = User(me["id"], me["username"], Role.DEALER_STAFF, dealer_id=me["dealer_id"])
        people.save_user(session, user=user)
        session.commit()
        stock = _all_vehicles(session, dealer_id=me["dealer_id"])
    assert stock and len(stock) == sum(v.dealer_id == me["dealer_id"] for v in world.vehicles)


def test_after_a_restart_of_the_demo_server_the_device_pulls_nothing_new(server, device, tmp_path):
    engine, api = server
    store, _ = _sync(api, device)
    cursor = store.get_cursor("main")
    restarted = make_app(engine, tmp_path, demo=True)
    http, _ = _signed_in(restarted, "demo-buyer", "demo-buyer-pass")
    client = SyncClient(http, store, device_id="phone", sleep=lambda _s: None)
    assert client.pull() == 0
    assert store.get_cursor("main") == cursor and store.skipped() == []

"""Factories for backend and sync tests: apps, users with signed-in clients, operations."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine

from app.settings import Settings
from backend import auth, store
from backend.app import create_app
from backend.db import make_engine, migrate
from backend.rules import Actor
from sync.wire import Op

# The cheapest argon2 parameters: tests exercise the flow, not the hash's strength.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
DEALER_X = "00000000-0000-4000-8000-0000000000d1"
DEALER_Y = "00000000-0000-4000-8000-0000000000d2"
_names = itertools.count(1)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Clock:
    """A settable clock in epoch ms, injected into the app."""

    now: int = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


def make_app(engine: Engine, tmp_path, *, clock: Clock | None = None, demo: bool = False, **kw):
    return create_app(
        Settings(data_dir=tmp_path),
        demo=demo,
        engine=engine,
        hasher=FAST_HASHER,
        clock=clock or Clock(),
        **kw,
    )


def server_app(tmp_path, *, clock: Clock | None = None):
    """:func:`make_app` on a fresh SQLite server database in ``tmp_path``."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    return make_app(engine, tmp_path, clock=clock)


def make_actor(role: str = "buyer", dealer_id: str | None = None) -> Actor:
    return Actor(new_id(), role, dealer_id if role == "dealer_staff" else None)


def make_user(app, role: str = "buyer", dealer_id: str | None = None, password="password-123"):
    """Create an account and sign it in; returns (TestClient with the bearer token, user row)."""
    from fastapi.testclient import TestClient

    backend = app.state.backend
    username = f"user{next(_names)}-{role}"
    row = auth.create_user(
        backend.engine,
        FAST_HASHER,
        username=username,
        password=password,
        role=role,
        dealer_id=dealer_id,
        now_ms=backend.clock(),
    )
    client = TestClient(app)
    response = client.post("/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client, row


def make_op(
    entity: str,
    entity_id: str | None = None,
    payload: dict[str, Any] | None = None,
    *,
    op: str = "upsert",
    created_ms: int = 1_000,
    op_id: str | None = None,
) -> Op:
    return Op(
        op_id=op_id or new_id(),
        entity=entity,
        entity_id=entity_id or new_id(),
        op=op,
        payload=payload or {},
        created_ms=created_ms,
    )


def publish_catalogue(engine: Engine, records) -> None:
    """The server sells ``records`` (``(entity, id, data)``, as
    ``local_db.repositories.catalog.sync_records`` gives them): its admin publishes them."""
    from backend.demo import PUBLISHER

    ops = [make_op(entity, entity_id, data, created_ms=1) for entity, entity_id, data in records]
    results = store.push(engine, PUBLISHER, "server", ops, 1)
    assert all(r.status == "applied" for r in results), results


def listed_cars(engine: Engine, cars: dict[str, str]) -> None:
    """The server's catalogue lists each car of ``cars`` (car id -> its dealership's id)."""
    publish_catalogue(
        engine, [("vehicle", car, {"dealer_id": dealer}) for car, dealer in cars.items()]
    )


def application(dealer_id: str = DEALER_X, status: str = "draft", **extra) -> dict[str, Any]:
    return {"status": status, "dealer_id": dealer_id, "amount_cents": 15_000_000, **extra}


def payment(
    application_id: str, amount_cents: int = 375_595, paid_ms: int = 5_000, **extra
) -> dict:
    return {
        "application_id": application_id,
        "amount_cents": amount_cents,
        "paid_ms": paid_ms,
        **extra,
    }


# --- a loan the lender has paid out ---------------------------------------------------------

#: The statuses a buyer's app steps a new draft through to its signing
#: (``sync.wire.APPLICATION_TRANSITIONS``); then its dealership's staff confirm the payout.
TO_SIGNED = ("prequalified", "submitted", "approved", "contracted")


def paid_out_journey(app_id: str, **extra) -> tuple[list[Op], Op]:
    """The ops of a loan paid out, as real life writes them: its writer's (the application
    as a draft, ``extra`` its fields, then each legal status up to ``contracted``) and the
    payout's (:func:`payout_op`). A payment is taken only after it (``backend.rules``:
    ``not_paid_out``)."""
    steps = [make_op("application", app_id, application(**extra))]
    steps += [make_op("application", app_id, {"status": s}) for s in TO_SIGNED]
    return steps, payout_op(app_id)


def payout_op(app_id: str) -> Op:
    """The lender's payout as the application's dealership's staff or an admin confirm it
    (never its buyer): the signed application ``funded``."""
    return make_op("application", app_id, {"status": "funded"})


def funded_application(
    engine: Engine,
    writer: Actor,
    *,
    payout: Actor | None = None,
    signing=(),
    app_id: str | None = None,
    **extra,
) -> str:
    """The id of a new application that ``writer`` pushed to the store through its legal
    statuses (with ``signing``: ops pushed with it once signed, e.g. its contract) and
    ``payout`` funded: by default a staff member of its dealership, or ``writer`` itself
    when staff or an admin wrote it (a walk-in's deal at the desk). ``app_id``: its id (a
    new one by default); ``extra``: its fields."""
    app_id = app_id or new_id()
    steps, funded = paid_out_journey(app_id, **extra)
    if payout is None and writer.role == "buyer":
        payout = make_actor("dealer_staff", extra.get("dealer_id", DEALER_X))
    now = Clock().now
    results = store.push(engine, writer, "phone", [*steps, *signing], now)
    results += store.push(engine, payout or writer, "desk", [funded], now)
    assert all(r.status == "applied" for r in results), results
    return app_id


def funded_application_over_http(buyer, payout, *, signing=(), app_id=None, **extra) -> str:
    """:func:`funded_application` through ``/sync/push``: ``buyer`` and ``payout`` are
    signed-in clients (:func:`make_user`), ``payout`` a staff member of the application's
    dealership or an admin."""
    app_id = app_id or new_id()
    steps, funded = paid_out_journey(app_id, **extra)
    push_over_http(buyer, [*steps, *signing])
    push_over_http(payout, [funded])
    return app_id


def push_over_http(client, ops: list[Op], device_id: str = "phone") -> list[dict]:
    """The results of ``ops`` pushed through ``/sync/push`` by the signed-in ``client``;
    each must be applied."""
    body = {"device_id": device_id, "ops": [op.model_dump(mode="json") for op in ops]}
    response = client.post("/sync/push", json=body)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert all(r["status"] == "applied" for r in results), results
    return results

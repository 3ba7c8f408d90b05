"""Factories for backend and sync tests: apps, users with signed-in clients, operations."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine

from app.settings import Settings
from backend import auth
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

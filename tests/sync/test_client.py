"""The sync client end to end against the app in-process, with faults injected in transport.

In-process transport: Starlette's TestClient (an httpx.Client) drives the ASGI app; the
fault-injecting transport below forwards to it through its public ``request`` API.
"""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from backend import store as server_store
from backend.db import make_engine, migrate
from sync.client import SyncClient
from sync.store import MemoryStore
from tests.backend.factories import (
    DEALER_X,
    application,
    funded_application_over_http,
    make_app,
    make_user,
    new_id,
    payment,
)


class Faulty(httpx.BaseTransport):
    """Forwards to the app, except for the faults queued in ``plan`` (one per request):
    ``"drop_before"`` (connection refused: the server never sees it), ``"drop_after"`` (the
    server commits, the answer is lost: a read timeout), ``"duplicate"`` (delivered twice),
    ``"http_503"``; ``None`` forwards normally."""

    def __init__(self, app_client: TestClient) -> None:
        self.app_client = app_client
        self.plan: list[str | None] = []
        self.delivered = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.plan.pop(0) if self.plan else None
        if fault == "drop_before":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "http_503":
            return httpx.Response(503, json={"code": "unavailable", "message": "restarting"})
        response = self._forward(request)
        if fault == "duplicate":
            response = self._forward(request)
        if fault == "drop_after":
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    def _forward(self, request: httpx.Request) -> httpx.Response:
        self.delivered += 1
        answer = self.app_client.request(
            request.method,
            request.url.raw_path.decode(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            content=request.read(),
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@pytest.fixture
def server(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(engine)
    api = make_app(engine, tmp_path)
    yield api, engine
    engine.dispose()


def device(api, signed_in: TestClient, name: str, **kwargs):
    """A device of the signed-in user: its own MemoryStore, a faulty transport and a client."""
    transport = Faulty(TestClient(api, raise_server_exceptions=False))
    http = httpx.Client(
        transport=transport, base_url="http://testserver", headers=dict(signed_in.headers)
    )
    sleeps: list[float] = []
    store = MemoryStore()
    client = SyncClient(http, store, device_id=name, sleep=sleeps.append, **kwargs)
    return client, store, transport, sleeps


def _changes(engine):
    """Every change the server applied, oldest first: its change history (a pull gives each
    row once, at its latest version)."""
    from sqlalchemy import select

    from backend.models import ChangeRow

    history = ChangeRow.__table__
    with engine.connect() as conn:
        return conn.execute(select(history).order_by(history.c.seq)).all()


def _paid_out_loan(api, buyer: TestClient) -> str:
    """The id of a loan ``buyer`` signed and its dealership's staff paid out."""
    staff, _ = make_user(api, "dealer_staff", DEALER_X)
    return funded_application_over_http(buyer, staff)


def test_a_second_device_sees_what_the_first_entered_offline(server):
    api, engine = server
    user, _ = make_user(api)
    phone, phone_store, _, _ = device(api, user, "phone")
    tablet, tablet_store, _, _ = device(api, user, "tablet")
    loan, before = _paid_out_loan(api, user), len(_changes(engine))
    assert phone.sync_once()  # the phone hears of the payout: the loan takes payments
    app_id = new_id()
    phone_store.record("application", app_id, application())
    phone_store.record("payment", new_id(), payment(loan))
    assert phone.status().pending == 2
    assert phone.sync_once() and tablet.sync_once()
    assert phone.status().pending == 0 and phone.status().last_success_ms is not None
    assert tablet_store.live_records() == phone_store.live_records()
    assert tablet_store.get_cursor("main") == before + 2


def test_pulls_come_in_pages_and_the_cursor_ends_at_the_last_change(server):
    api, _ = server
    user, _ = make_user(api)
    phone, phone_store, _, _ = device(api, user, "phone", batch_size=7)
    for i in range(25):
        phone_store.record("interaction", new_id(), {"product_id": new_id(), "kind": "view",
                                                     "at_ms": i})  # fmt: skip
    assert phone.sync_once()
    tablet, tablet_store, transport, _ = device(api, user, "tablet", page_size=10)
    assert tablet.sync_once()
    assert len(tablet_store.live_records()) == 25 and tablet_store.get_cursor("main") == 25
    assert transport.delivered == 3  # 10 + 10 + 5


@pytest.mark.parametrize(
    ("faults", "retries"),
    [
        pytest.param(["drop_before"], 1, id="connection-dropped-before-the-server-commits"),
        pytest.param(["drop_after"], 1, id="connection-dropped-after-the-server-commits"),
        pytest.param(["duplicate"], 0, id="duplicate-delivery"),
        pytest.param(["http_503", "drop_after", "http_503"], 3, id="several-faults-in-a-row"),
    ],
)
def test_faults_lose_nothing_and_apply_nothing_twice(server, faults, retries):
    api, engine = server
    user, _ = make_user(api)
    phone, phone_store, transport, sleeps = device(api, user, "phone")
    loan = _paid_out_loan(api, user)
    before = len(_changes(engine))
    assert phone.sync_once()  # the phone hears of the payout: the loan takes payments
    app_id = new_id()
    made = [
        phone_store.record("application", app_id, application()),
        phone_store.record("application", app_id, {"status": "prequalified"}),
        phone_store.record("payment", new_id(), payment(loan)),
    ]
    transport.plan = list(faults)
    assert phone.sync_once(), phone.status().last_error
    changes = _changes(engine)[before:]
    assert len(changes) == 3  # each op applied exactly once
    assert json.loads(changes[1].data)["status"] == "prequalified"
    assert phone.status().pending == 0 and phone.status().rejected == ()
    assert sleeps == [0.5, 1.0, 2.0][:retries]  # backoff doubled per retry
    # replaying the whole outbox again changes nothing
    phone_store.outbox = list(made)
    assert phone.sync_once() and len(_changes(engine)) == before + 3


def test_when_the_server_stays_down_the_outbox_keeps_everything(server):
    api, engine = server
    user, _ = make_user(api)
    phone, phone_store, transport, _ = device(api, user, "phone", max_attempts=3)
    phone_store.record("note", new_id(), {"text": "call back"})
    transport.plan = ["drop_before"] * 3
    assert not phone.sync_once()
    status = phone.status()
    assert status.pending == 1 and "ConnectError" in status.last_error
    assert status.last_error_kind == "unavailable"
    assert _changes(engine) == []
    assert phone.sync_once() and phone.status().pending == 0 and phone.status().last_error is None


def test_a_server_restart_mid_batch_loses_no_acknowledged_write(server, tmp_path, monkeypatch):
    api, engine = server
    user, _ = make_user(api)
    phone, phone_store, transport, _ = device(api, user, "phone", batch_size=100)
    for i in range(250):
        phone_store.record("interaction", new_id(), {"product_id": new_id(), "kind": "save",
                                                     "at_ms": i})  # fmt: skip
    real_upsert = server_store._record_rows
    calls = {"n": 0}

    def crash_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the server process died mid-batch")
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(server_store, "_record_rows", crash_on_second_batch)
    # the first batch commits, the second dies inside its transaction (the client sees 500)
    # and the client retries it against a freshly started server on the same database
    restarted = make_app(make_engine(f"sqlite:///{tmp_path / 'server.db'}"), tmp_path)
    original_forward = transport._forward

    def forward(request):
        if calls["n"] >= 2:
            transport.app_client = TestClient(restarted, raise_server_exceptions=False)
        return original_forward(request)

    transport._forward = forward
    assert phone.sync_once(), phone.status().last_error
    assert len(_changes(engine)) == 250 and phone.status().pending == 0


def test_two_devices_editing_offline_converge(server):
    api, _ = server
    user, _ = make_user(api)
    phone, phone_store, _, _ = device(api, user, "phone")
    tablet, tablet_store, _, _ = device(api, user, "tablet")
    profile, note = new_id(), new_id()
    phone_store.record("profile", profile, {"name": "王伟"})
    phone_store.record("note", note, {"text": "first"})
    assert phone.sync_once() and tablet.sync_once()
    # both offline now: edit the same records
    tablet_store.clock_ms = phone_store.clock_ms = 5_000
    phone_store.record("profile", profile, {"city": "上海", "employment": "salary"})
    tablet_store.record("profile", profile, {"city": "北京"})  # same ms: "tablet" > "phone"
    phone_store.record("note", note, {"text": "phone's edit", "base_version": 1})
    tablet_store.record("note", note, {"text": "tablet's edit", "base_version": 1})
    assert tablet.sync_once() and phone.sync_once() and tablet.sync_once()
    assert phone_store.live_records() == tablet_store.live_records()
    merged = phone_store.live_records()
    assert merged[("profile", profile)] == {"name": "王伟", "city": "北京", "employment": "salary"}
    kept = merged[("note", note)]
    assert {kept["text"], *(c["text"] for c in kept["conflicts"])} == {
        "phone's edit",
        "tablet's edit",
    }


def test_rejections_are_acknowledged_and_reported(server):
    api, _ = server
    user, _ = make_user(api)
    phone, phone_store, _, _ = device(api, user, "phone")
    phone_store.record("application", new_id(), application(status="funded"))
    assert phone.sync_once()
    [rejection] = phone.status().rejected
    assert rejection.reason == "illegal_transition" and phone.status().pending == 0


def test_a_refused_token_stops_sync_without_dropping_anything(server):
    api, _ = server
    user, _ = make_user(api)
    user.headers["Authorization"] = "Bearer not-a-token"
    phone, phone_store, _, _ = device(api, user, "phone")
    phone_store.record("note", new_id(), {"text": "x"})
    assert not phone.sync_once()
    assert "sign in again" in phone.status().last_error and phone.status().pending == 1
    assert phone.status().last_error_kind == "auth"

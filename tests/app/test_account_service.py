"""Connected mode's account on the device (app.account_service): sign in, create an account,
stay signed in, sign out — against a real backend in process."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.account_service import LAST_KEY, SESSION_KEY
from app.services import Services
from app.sync_service import start_background_sync
from domain.catalog import EventType
from domain.errors import InputError
from local_db.repositories import interactions as interactions_repo
from local_db.repositories import people as people_repo
from local_db.tables import MetaRow
from sync.account import Account
from sync.local_store import LocalStore
from sync.store import Rejection
from tests.backend.factories import make_user
from tests.ui.world import connect, make_world

PASSWORD = "a-long-password"


@pytest.fixture
def connected(tmp_path):
    world = make_world(tmp_path, server_url="http://testserver")
    api = connect(world, tmp_path)
    return world, api


def refusal(call) -> tuple[str, str]:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.field, caught.value.rule


def meta(services, key: str) -> str | None:
    with Session(services.engine) as s:
        row = s.get(MetaRow, key)
        return None if row is None else row.value


def test_a_new_buyer_creates_an_account_and_is_signed_in_on_this_device(connected):
    world, api = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    assert user.role == "buyer" and user.name == "li.ming"
    me = TestClient(api).post("/auth/token", data={"username": "li.ming", "password": PASSWORD})
    assert me.status_code == 200
    with Session(services.engine) as s:
        local = people_repo.get_user(s, user_id=user.id)
    assert local is not None and local.username == "li.ming" and local.password_hash is None
    assert services.account_user() == user
    account = services._sync._runner.account  # a device's sign-in: the server's 30 days
    assert account.expires_ms - api.state.backend.clock() == 30 * 24 * 3600 * 1000


def test_the_session_is_kept_encrypted_and_resumed_by_the_next_launch(connected, tmp_path):
    world, _ = connected
    user = world.services.sign_in("li.ming", PASSWORD, create=True)
    account = world.services._sync._runner.account
    stored = meta(world.services, SESSION_KEY)
    assert stored is not None and account.token not in stored and "li.ming" not in stored
    relaunched = Services(world.services.settings, world.services.engine)
    relaunched._sync = start_background_sync(
        relaunched.settings, relaunched.engine, http=world.services._sync._runner.http,
        start=False,
    )  # fmt: skip
    assert relaunched.account_user() == user
    assert relaunched._sync.status().user_id == user.id  # sync goes on as them


def test_an_expired_session_is_forgotten(connected):
    world, _ = connected
    services = world.services
    services.sign_in("li.ming", PASSWORD, create=True)
    old = services._sync._runner.account
    services._remember(Account(old.user_id, old.username, old.role, None, old.token, 1))
    assert services.account_user() is None
    assert meta(services, SESSION_KEY) is None


def test_a_wrong_password_is_named_and_nothing_is_remembered(connected):
    world, api = connected
    _, row = make_user(api)
    services = world.services
    assert refusal(lambda: services.sign_in(row["username"], "not-the-password")) == (
        "password",
        "bad_credentials",
    )
    assert meta(services, SESSION_KEY) is None and services.account_user() is None


def test_the_forms_rules_are_named_before_anything_is_sent(connected):
    world, _ = connected
    services = world.services
    sent: list[httpx.Request] = []
    services._sync._runner.http = httpx.Client(
        base_url="http://testserver",
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(500)),
    )
    assert refusal(lambda: services.sign_in("", PASSWORD)) == ("username", "required")
    assert refusal(lambda: services.sign_in("li.ming", "")) == ("password", "required")
    assert refusal(lambda: services.sign_in("李明", PASSWORD, create=True)) == (
        "username",
        "format",
    )
    assert refusal(lambda: services.sign_in("li.ming", "short", create=True)) == (
        "password",
        "length",
    )
    assert sent == []


def test_a_taken_username_is_named(connected):
    world, api = connected
    _, row = make_user(api)
    assert refusal(lambda: world.services.sign_in(row["username"], PASSWORD, create=True)) == (
        "username",
        "taken",
    )


def test_an_unreachable_server_is_said_so(connected):
    world, _ = connected
    world.services._sync._runner.http = httpx.Client(base_url="http://127.0.0.1:9", timeout=2)
    assert refusal(lambda: world.services.sign_in("li.ming", PASSWORD)) == ("server", "unreachable")


def test_signing_out_revokes_the_token_and_forgets_the_session(connected):
    world, api = connected
    services = world.services
    services.sign_in("li.ming", PASSWORD, create=True)
    token = services._sync._runner.account.token
    services.sign_out()
    assert services.account_user() is None and meta(services, SESSION_KEY) is None
    me = TestClient(api).get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


def test_the_refusals_counted_are_the_signed_in_accounts(connected):
    world, _ = connected
    services = world.services
    services.sign_in("li.ming", PASSWORD, create=True)
    refused = Rejection("op-1", "note", "n-1", "append_only", "notes are append-only")
    LocalStore(services.engine).ack([], [refused])
    assert services.sync_status().refused == 1
    services.sign_out()
    services.sign_in("li.ming", PASSWORD)  # the same account again: still its own
    assert services.sync_status().refused == 1
    services.sign_out()
    services.sign_in("wang.fang", PASSWORD, create=True)  # another account: not its refusals
    assert services.sync_status().refused == 0


def test_signing_out_sends_what_is_pending_first(connected):
    world, _ = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    services.record_event(user.id, services.products()[0].id, EventType.VIEW.value)
    assert services.sync_status().pending == 1
    services.sign_out()
    assert services.sync_status().pending == 0


def test_another_account_waits_while_this_ones_changes_are_unsent(connected):
    world, api = connected
    services = world.services
    first = services.sign_in("li.ming", PASSWORD, create=True)
    product = world.services.products()[0]
    with Session(services.engine) as s:
        interactions_repo.record_interaction(
            s, user_id=first.id, product_id=product.id, event=EventType.VIEW
        )
        s.commit()
    services._sync.use(None)  # signed out while offline: the change stays in the outbox
    services._forget()
    _, other = make_user(api, password=PASSWORD)
    field, rule = refusal(lambda: services.sign_in(other["username"], PASSWORD))
    assert (field, rule) == ("username", "other_account_pending")
    assert services.sync_status().pending == 1 and meta(services, LAST_KEY) == first.id
    assert services.sign_in("li.ming", PASSWORD) == first  # its own account sends them
    assert services.sync_status().pending == 0


def test_a_reviewer_account_is_refused_and_its_token_revoked(connected, monkeypatch):
    world, api = connected
    _, row = make_user(api, "admin", password=PASSWORD)
    handle, refused = world.services._sync, []
    revoke = handle.revoke
    monkeypatch.setattr(handle, "revoke", lambda a: refused.append(a) or revoke(a))
    assert refusal(lambda: world.services.sign_in(row["username"], PASSWORD)) == (
        "username",
        "role",
    )
    assert world.services.account_user() is None and handle.status().user_id is None
    [account] = refused
    me = TestClient(api).get("/auth/me", headers={"Authorization": f"Bearer {account.token}"})
    assert me.status_code == 401


def test_staff_sign_in_with_their_dealership(connected):
    world, api = connected
    with Session(world.services.engine) as s:
        staff = people_repo.get_user(s, user_id=world.staff_id)
    _, row = make_user(api, "dealer_staff", dealer_id=staff.dealer_id, password=PASSWORD)
    user = world.services.sign_in(row["username"], PASSWORD)
    assert user.role == "staff" and user.dealer_id == staff.dealer_id
    assert user.dealer_name is not None


def test_demo_mode_has_no_account(tmp_path):
    world = make_world(tmp_path)
    assert world.services.account_user() is None
    assert refusal(lambda: world.services.sign_in("li.ming", PASSWORD)) == ("server", "demo_only")


def test_a_walk_ins_user_row_which_never_travels_does_not_hold_the_device(connected):
    """A dealership's tablet keeps the walk-in customers it creates as local users: the wire
    does not carry them, so they are no changes waiting for the last account."""
    world, api = connected
    services = world.services
    with Session(services.engine) as s:
        staff = people_repo.get_user(s, user_id=world.staff_id)
    _, first = make_user(api, "dealer_staff", dealer_id=staff.dealer_id, password=PASSWORD)
    _, second = make_user(api, "dealer_staff", dealer_id=staff.dealer_id, password=PASSWORD)
    services.sign_in(first["username"], PASSWORD)
    services.start_walk_in(services.account_user(), "王小明", "13800000000")
    services.sign_out()
    assert services.sync_status().pending == 0
    assert services.sign_in(second["username"], PASSWORD).id == second["id"]


def test_with_a_server_the_device_ranks_by_the_model_the_server_published(connected):
    """No model is trained from one device's few interactions: until the server publishes one
    there is none; then it is downloaded (checked against its digest) and kept for offline."""
    world, api = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    assert services.recommender() is None
    assert not (world.services.settings.data_dir / "model" / "als.npz").exists()
    products = [p.id for p in services.products()]
    for n, product in enumerate(products * 2):
        services.record_event(user.id, product, "view" if n % 3 else "apply")
    assert services.sync_now()
    admin, _ = make_user(api, "admin")
    assert admin.post("/admin/recommender/fit").status_code == 201
    services._model_checked_at = None  # the next ask is due
    model = services.recommender()
    assert model is not None and services._model_from.name == "server-1.npz"
    assert {r.item_id for r in model.rank(user.id, eligible=products, k=2)} <= set(products)
    offline = Services(services.settings, services.engine)
    offline._sync = start_background_sync(
        offline.settings, offline.engine,
        http=httpx.Client(base_url="http://127.0.0.1:9", timeout=2), start=False,
    )  # fmt: skip
    assert offline.recommender() is not None and offline._model_from.name == "server-1.npz"


def test_a_model_file_that_does_not_match_its_digest_is_not_used(connected, monkeypatch):
    world, api = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    services.record_event(user.id, services.products()[0].id, "apply")
    assert services.sync_now()
    admin, _ = make_user(api, "admin")
    assert admin.post("/admin/recommender/fit").status_code == 201
    real_get = services._sync._runner.http.get

    def tampered(url, **kw):
        response = real_get(url, **kw)
        if url.startswith("/recommender/model/"):
            return httpx.Response(200, content=response.content + b"x")
        return response

    monkeypatch.setattr(services._sync._runner.http, "get", tampered)
    assert services.recommender() is None
    assert not list((services.settings.data_dir / "model").glob("server-*"))


def test_a_demo_servers_market_is_marked_as_demo_data_on_the_device(tmp_path):
    world = make_world(tmp_path, server_url="http://testserver")
    api = connect(world, tmp_path, demo=True)
    services = world.services
    assert not services.demo_market  # nobody has asked the server yet
    services.sign_in("li.ming", PASSWORD, create=True)
    assert services.demo_market and not services.demo_mode  # marked, but no demo powers
    relaunched = Services(services.settings, services.engine)
    assert relaunched.demo_market
    assert TestClient(api).get("/health").json() == {"status": "ok", "demo": True}


def test_a_real_servers_market_is_not_marked(connected):
    world, api = connected
    world.services.sign_in("li.ming", PASSWORD, create=True)
    assert not world.services.demo_market
    assert TestClient(api).get("/health").json() == {"status": "ok", "demo": False}


def test_closing_sends_what_is_pending_first_and_then_forgets_the_account(connected):
    world, _ = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    services.record_event(user.id, services.products()[0].id, EventType.VIEW.value)
    assert services.sync_status().pending == 1
    refused = Rejection("op-1", "note", "n-1", "append_only", "notes are append-only")
    LocalStore(services.engine).ack([], [refused])  # a refusal the server gave the account
    closed = services.close_account(PASSWORD)
    assert closed.erased == 1 and closed.kept_loans == 0  # the view, sent and then erased
    assert services.account_user() is None and meta(services, LAST_KEY) is None
    with Session(services.engine) as s:
        assert people_repo.get_user(s, user_id=user.id) is None
    assert services.sync_status().refused == 0  # forgotten with the account


def test_closing_offline_is_refused_and_keeps_everything(connected):
    world, _ = connected
    services = world.services
    user = services.sign_in("li.ming", PASSWORD, create=True)
    services.record_event(user.id, services.products()[0].id, EventType.VIEW.value)
    services._sync._runner.http = httpx.Client(base_url="http://127.0.0.1:9", timeout=2)
    services._sync._runner.client.http = services._sync._runner.http
    assert refusal(lambda: services.close_account(PASSWORD)) == ("account", "unsent")
    assert services.sync_status().pending == 1 and services.account_user() == user


def test_demo_mode_has_no_account_to_close(tmp_path):
    world = make_world(tmp_path)
    assert refusal(lambda: world.services.close_account(PASSWORD)) == ("server", "demo_only")

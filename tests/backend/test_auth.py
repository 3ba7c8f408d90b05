"""Accounts, the OAuth2 password login, token expiry and revocation, the failed-login limit."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.settings import Settings
from backend import auth
from backend.app import create_app
from backend.auth import AuthPolicy
from backend.models import LoginFailure
from tests.backend.factories import Clock, make_app, make_user


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def api(sqlite_engine, tmp_path, clock):
    return make_app(sqlite_engine, tmp_path, clock=clock, policy=AuthPolicy(token_ttl_ms=60_000))


def _login(client, username, password):
    return client.post("/auth/token", data={"username": username, "password": password})


def test_register_then_login_with_the_oauth2_password_form(api):
    client = TestClient(api)
    created = client.post("/auth/register", json={"username": "li.na", "password": "s3cret-pass"})
    assert created.status_code == 201 and created.json()["role"] == "buyer"
    token = _login(client, "li.na", "s3cret-pass").json()
    assert token["token_type"] == "bearer"
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json()["username"] == "li.na"


def test_a_taken_username_is_a_409_with_a_json_error(api):
    client = TestClient(api)
    body = {"username": "li.na", "password": "s3cret-pass"}
    client.post("/auth/register", json=body)
    response = client.post("/auth/register", json=body)
    assert response.status_code == 409 and response.json()["code"] == "username_taken"


def test_a_wrong_password_is_401_without_saying_which_part_was_wrong(api):
    client, user = make_user(api)
    wrong = _login(client, user["username"], "not-the-password")
    unknown = _login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]


def test_repeated_failures_lock_the_account_until_the_lockout_passes(api, clock):
    client, user = make_user(api)
    statuses = [_login(client, user["username"], "bad-password").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = _login(client, user["username"], "password-123")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    clock.advance(15 * 60 * 1000 + 1)
    assert _login(client, user["username"], "password-123").status_code == 200


def test_a_token_expires(api, clock):
    client, _ = make_user(api)
    assert client.get("/auth/me").status_code == 200
    clock.advance(60_001)
    response = client.get("/auth/me")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_a_devices_sign_in_lasts_thirty_days_and_an_ordinary_one_twelve_hours(
    sqlite_engine, tmp_path, clock
):
    api = make_app(sqlite_engine, tmp_path, clock=clock)  # the default policy
    _, user = make_user(api)
    client = TestClient(api)
    form = {"username": user["username"], "password": "password-123"}
    plain = client.post("/auth/token", data=form).json()
    device = client.post("/auth/token", data={**form, "scope": "device"}).json()
    assert plain["expires_ms"] - clock.now == 12 * 3600 * 1000
    assert device["expires_ms"] - clock.now == 30 * 24 * 3600 * 1000
    clock.advance(12 * 3600 * 1000 + 1)
    headers = {"Authorization": f"Bearer {device['access_token']}"}
    assert client.get("/auth/me", headers=headers).status_code == 200
    plain_headers = {"Authorization": f"Bearer {plain['access_token']}"}
    assert client.get("/auth/me", headers=plain_headers).status_code == 401


def test_logout_revokes_the_token(api):
    client, _ = make_user(api)
    assert client.post("/auth/logout").status_code == 204
    assert client.get("/auth/me").status_code == 401


def test_demo_accounts_exist_only_in_demo_mode(sqlite_engine, tmp_path):
    plain = TestClient(make_app(sqlite_engine, tmp_path))
    assert _login(plain, "demo-buyer", "demo-buyer-pass").status_code == 401
    demo = TestClient(make_app(sqlite_engine, tmp_path, demo=True))
    assert _login(demo, "demo-buyer", "demo-buyer-pass").status_code == 200


def test_invalid_bodies_answer_422_naming_the_field(api):
    response = TestClient(api).post("/auth/register", json={"username": "x", "password": 1})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "invalid_request"
    assert {f["field"] for f in body["fields"]} == {"body.username", "body.password"}


class _RacingHasher(PasswordHasher):
    """Lets a second failed login for the same username land between the first one's read of
    the failure counter and its write: the race two simultaneous first failures run."""

    def __init__(self, engine, policy: AuthPolicy) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.engine, self.policy, self.raced = engine, policy, False

    def hash(self, password, **kw):
        if not self.raced:
            self.raced = True
            with pytest.raises(auth.AuthFailed):
                _fail(self.engine, self, self.policy, "nobody-yet")
        return super().hash(password, **kw)


def _fail(engine, hasher, policy, username):
    auth.login(engine, hasher, policy, username=username, password="wrong-pass", now_ms=1_000)


def test_two_simultaneous_first_failures_both_count_instead_of_colliding(sqlite_engine):
    policy = AuthPolicy()
    hasher = _RacingHasher(sqlite_engine, policy)
    with pytest.raises(auth.AuthFailed):
        _fail(sqlite_engine, hasher, policy, "nobody-yet")
    with sqlite_engine.connect() as conn:
        failures = conn.execute(
            select(LoginFailure.failures).where(LoginFailure.username == "nobody-yet")
        ).scalar_one()
    assert hasher.raced and failures == 2


def test_racing_failures_answer_401_over_http_never_500(sqlite_engine, tmp_path):
    policy = AuthPolicy()
    api = create_app(
        Settings(data_dir=tmp_path),
        engine=sqlite_engine,
        hasher=_RacingHasher(sqlite_engine, policy),
        policy=policy,
    )
    response = _login(TestClient(api, raise_server_exceptions=False), "nobody-yet", "wrong-pass")
    assert response.status_code == 401

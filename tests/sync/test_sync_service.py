"""app.sync_service: sign in from Settings, sync the local database, report status."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.settings import Settings
from app.sync_service import device_id, start_background_sync
from backend.db import make_engine as server_engine
from backend.db import migrate as server_migrate
from domain.catalog import Role, User
from local_db.engine import make_engine
from local_db.migrations import migrate
from tests.backend.factories import make_app, make_user, publish_catalogue
from tests.local_db.sync_world import (
    catalogue_records,
    install_catalogue,
    make_catalogue,
    sign_deal,
)


@pytest.fixture
def setup(tmp_path):
    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server_migrate(engine)
    api = make_app(engine, tmp_path)
    _, row = make_user(api)
    local = make_engine(tmp_path / "phone.db")
    migrate(local)
    user = User(id=row["id"], username=row["username"], role=Role.BUYER)
    catalogue = make_catalogue()
    publish_catalogue(engine, catalogue_records(catalogue))
    with Session(local) as session:
        install_catalogue(session, catalogue, user)
        sign_deal(session, catalogue, user)  # up to signing: no payment before the payout
        session.commit()
    yield api, row, local, user
    local.dispose()
    engine.dispose()


def _settings(tmp_path, row, password="password-123"):
    return Settings(
        data_dir=tmp_path,
        server_url="http://testserver",
        server_username=row["username"],
        server_password=password,
    )


def test_demo_mode_has_an_inert_handle(tmp_path, setup):
    _, _, local, _ = setup
    handle = start_background_sync(Settings(data_dir=tmp_path), local)
    assert not handle.status().enabled and handle.sync_now() is False
    handle.stop()


def test_sync_now_signs_in_sends_the_outbox_and_reports_success(tmp_path, setup):
    api, row, local, _ = setup
    handle = start_background_sync(
        _settings(tmp_path, row), local, http=TestClient(api), start=False
    )
    before = handle.status()
    assert (before.enabled, before.signed_in, before.pending) == (True, False, 9)
    assert handle.sync_now(), handle.status().last_error
    after = handle.status()
    assert (after.signed_in, after.user_id, after.pending, after.last_error) == (
        True, row["id"], 0, None
    )  # fmt: skip
    assert after.last_success_ms is not None and after.rejected == ()
    handle.stop()


def test_a_wrong_password_is_reported_and_nothing_is_lost(tmp_path, setup):
    api, row, local, _ = setup
    handle = start_background_sync(
        _settings(tmp_path, row, "wrong-pass"), local, http=TestClient(api), start=False
    )
    assert not handle.sync_now()
    status = handle.status()
    assert "sign-in failed" in status.last_error and status.pending == 9
    assert status.last_error_kind == "auth"
    handle.stop()


def test_the_device_id_is_made_once_per_database(setup):
    _, _, local, _ = setup
    assert device_id(local) == device_id(local)

"""A buyer's copy of their data (PIPL Art. 45): served only through a live link issued to
them, holding their rows (the profile opened) and no one else's."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.testclient import TestClient

from app.commands.app import asgi_app
from app.file_links import CONTRACT_PREFIX
from app.state import SessionUser
from domain.errors import InputError
from tests.ui.world import make_world


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def buyer(world) -> SessionUser:
    return next(u for u in world.services.demo_users() if u.id == world.buyer_id)


def test_the_copy_holds_the_buyers_profile_opened_and_their_rows_only(world):
    services = world.services
    product = services.products()[0]
    services.record_event(world.buyer_id, product.id, "view")
    copy = json.loads(services.data_copy(world.buyer_id))
    assert copy["user_id"] == world.buyer_id and copy["format"] == "chedai-data-copy/1"
    profile = copy["profile"]
    assert profile["user_id"] == world.buyer_id and profile["id_number"]  # theirs, in clear
    assert isinstance(profile["monthly_income_cents"], int)
    assert [row["product_id"] for row in copy["interactions"]] == [product.id]
    assert [row["id"] for row in copy["users"]] == [world.buyer_id]
    assert "password_hash" not in copy["users"][0]
    staff_copy = json.loads(services.data_copy(world.staff_id))
    assert staff_copy["profile"] is None and staff_copy["interactions"] == []


def test_only_a_buyer_gets_a_link_to_a_copy(world):
    staff = next(u for u in world.services.demo_users() if u.id == world.staff_id)
    with pytest.raises(InputError) as refused:
        world.services.data_copy_url(staff)
    assert refused.value.rule == "forbidden"


def test_the_route_serves_the_copy_as_a_download_only_with_a_live_link(world):
    client = TestClient(asgi_app(world.services.settings, world.services))
    url = world.services.data_copy_url(buyer(world))
    ok = client.get(url)
    assert ok.status_code == 200 and json.loads(ok.content)["user_id"] == world.buyer_id
    assert ok.headers["content-disposition"] == 'attachment; filename="chedai-my-data.json"'
    assert "no-store" in ok.headers["cache-control"]

    path, q = urlsplit(url).path, query(url)
    assert client.get(path).status_code == 403  # no link
    assert client.get(path, params={**q, "u": world.staff_id}).status_code == 403  # another's
    assert client.get(path, params={**q, "s": "0" * 64}).status_code == 403
    name = path.rsplit("/", 1)[1]  # a contract link is no export link, nor the other way
    assert not world.services.links.check(name, q, prefix=CONTRACT_PREFIX)
    assert client.get("/files/export/other.json", params=q).status_code == 404

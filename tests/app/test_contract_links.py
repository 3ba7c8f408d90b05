"""Contract PDFs are served only through a live signed link issued to their buyer or to staff
of the dealership the application was made at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from app.commands.app import asgi_app
from app.file_links import FileLinks
from app.state import SessionUser
from domain.catalog import Application
from domain.errors import InputError
from local_db.repositories import deals as deals_repo
from tests.ui.world import make_world


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def test_a_link_works_for_its_file_until_it_expires():
    clock = Clock()
    links = FileLinks(ttl=600, clock=clock)
    url = links.url("a.pdf", "user-1")
    assert url.startswith("/files/contracts/a.pdf?")
    q = query(url)
    assert links.check("a.pdf", q)
    assert not links.check("b.pdf", q)  # another file
    assert not links.check("a.pdf", {**q, "u": "user-2"})  # another user
    assert not links.check("a.pdf", {**q, "e": str(int(q["e"]) + 3600)})  # a longer life
    assert not links.check("a.pdf", {**q, "s": "0" * 64})
    assert not links.check("a.pdf", {})
    assert not FileLinks(clock=clock).check("a.pdf", q)  # another process's key
    clock.now += 601
    assert not links.check("a.pdf", q)


@pytest.fixture
def world_app(tmp_path):
    """The world, an application by its buyer at the staff member's dealership, and its
    signed PDF in the data dir."""
    world = make_world(tmp_path)
    seal = world.vehicles["seal"]
    application = Application(
        id=str(uuid.uuid4()), user_id=world.buyer_id, vehicle_id=seal.id,
        cash_price=seal.price, down_payment=Decimal("50000.00"), term=36,
        dealer_id=seal.dealer_id, created_at=datetime.now(UTC),
    )  # fmt: skip
    with world.services.session() as s:
        deals_repo.save_application(s, application=application)
        s.commit()
    name = f"{application.id}-{uuid.uuid4()}-signed.pdf"
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / name).write_bytes(b"%PDF-1.7 the contract")
    return world, application, name


def users(world) -> dict[str, SessionUser]:
    staff = next(u for u in world.services.demo_users() if u.id == world.staff_id)
    return {
        "buyer": SessionUser(world.buyer_id, "王小明", "buyer"),
        "other_buyer": SessionUser(str(uuid.uuid4()), "Other", "buyer"),
        "staff": staff,
        "other_staff": SessionUser(str(uuid.uuid4()), "Other", "staff", dealer_id="elsewhere"),
        "staff_without_dealer": SessionUser(str(uuid.uuid4()), "Other", "staff"),
    }


def test_links_are_issued_only_to_the_buyer_and_the_dealerships_staff(world_app):
    world, application, name = world_app
    who = users(world)
    for allowed in ("buyer", "staff"):
        url = world.services.contract_url(who[allowed], application.id, name)
        assert world.services.links.check(name, query(url))
    for denied in ("other_buyer", "other_staff", "staff_without_dealer"):
        with pytest.raises(InputError) as err:
            world.services.contract_url(who[denied], application.id, name)
        assert err.value.rule == "forbidden"
    with pytest.raises(InputError):  # a file of another application
        world.services.contract_url(who["buyer"], application.id, f"{uuid.uuid4()}-x.pdf")
    with pytest.raises(InputError):  # no such application
        world.services.contract_url(who["buyer"], str(uuid.uuid4()), name)


def test_the_route_serves_a_pdf_only_with_a_live_link(world_app):
    world, application, name = world_app
    client = TestClient(asgi_app(world.services.settings, world.services))
    url = world.services.contract_url(users(world)["buyer"], application.id, name)

    ok = client.get(url)
    assert ok.status_code == 200 and ok.content == b"%PDF-1.7 the contract"
    assert ok.headers["content-type"] == "application/pdf"
    assert "no-store" in ok.headers["cache-control"]

    assert client.get(f"/files/contracts/{name}").status_code == 403  # no token
    q = query(url)
    assert client.get(f"/files/contracts/{name}", params={**q, "s": "f" * 64}).status_code == 403
    assert client.get(f"/files/contracts/{name}", params={**q, "u": "x"}).status_code == 403
    other = f"{application.id}-{uuid.uuid4()}-signed.pdf"  # the same link for another file
    (world.services.settings.data_dir / "contracts" / other).write_bytes(b"%PDF other")
    assert client.get(f"/files/contracts/{other}", params=q).status_code == 403
    assert client.get("/files/contracts/..%2Fsecrets.pdf", params=q).status_code == 404

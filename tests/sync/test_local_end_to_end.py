"""Two devices, each with its own local SQLite database, syncing through the in-process
backend: what one enters offline reaches the other, and after offline edits on both they
converge to the same rows. A deal's payout is confirmed on the server by its dealership's
staff between the signing and the first repayment (``tests.local_db.sync_world``)."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from backend.db import make_engine as server_engine
from backend.db import migrate as server_migrate
from domain.catalog import ApplicationStatus, Role, User
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import catalog, deals, people
from local_db.tables import SyncParkedRow
from sync.client import SyncClient
from sync.contract_loan import from_wire
from sync.local_store import ENTITY_MAP, LocalStore
from tests.backend.factories import (
    make_app,
    make_op,
    make_user,
    payout_op,
    publish_catalogue,
    push_over_http,
)
from tests.factories import SIGNED_LOAN, make_vehicle
from tests.local_db.sync_world import (
    CIPHER,
    Payout,
    catalogue_records,
    install_catalogue,
    make_catalogue,
    sign_deal,
    synced_payout,
    write_deal,
)

# never travel (see local_db payloads), or travel in clear but are stored sealed with each
# device's own key (a profile's figures: local_db.repositories.people.SEALED_FIGURES)
_LOCAL_ONLY = {
    "pdf", "id_number_enc", "phone_enc", "monthly_income_enc", "monthly_debt_enc",
    "credit_score_enc",
}  # fmt: skip


@pytest.fixture
def server(tmp_path):
    engine = server_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server_migrate(engine)
    yield make_app(engine, tmp_path)
    engine.dispose()


@pytest.fixture
def world(tmp_path, server):
    api = server
    signed_in, row = make_user(api)
    user = User(id=row["id"], username=row["username"], role=Role.BUYER)
    catalogue = make_catalogue()
    publish_catalogue(api.state.backend.engine, catalogue_records(catalogue))
    devices = {}
    for name in ("phone", "tablet"):
        client, local = a_device(api, signed_in, tmp_path, name, catalogue, user)
        devices[name] = (client, client.store, local)
    yield devices, catalogue, user
    for _, _, local in devices.values():
        local.dispose()


def a_device(server, signed_in, tmp_path, name: str, catalogue, user: User):
    """A device of ``user``'s (signed in as ``signed_in``, a client of ``server``): its own
    database, named ``name``, holding ``catalogue``; its sync client and its engine."""
    local = make_engine(tmp_path / f"{name}.db")
    migrate(local)
    with Session(local) as session:
        install_catalogue(session, catalogue, user)
        session.commit()
    http = TestClient(server)
    http.headers.update(signed_in.headers)
    store = LocalStore(local, user_id=user.id, cipher=CIPHER)
    return SyncClient(http, store, device_id=name, sleep=lambda _s: None), local


def payout(server, device: SyncClient, catalogue) -> Payout:
    """The payout of a deal ``device`` signed: a staff member of the car's dealership funds it
    on the server (``sync_world.synced_payout``)."""
    staff, _ = make_user(server, "dealer_staff", catalogue.dealer_id)
    return synced_payout(
        device.sync_once, lambda app_id: push_over_http(staff, [payout_op(app_id)])
    )


def another_buyers_device(server, tmp_path, catalogue) -> tuple[SyncClient, object, User]:
    """A second buyer's own device (their account, their database, the same catalogue):
    its sync client, its engine and its user."""
    signed_in, row = make_user(server)
    other_user = User(id=row["id"], username=row["username"], role=Role.BUYER)
    client, other_db = a_device(server, signed_in, tmp_path, "other", catalogue, other_user)
    return client, other_db, other_user


def snapshot(local) -> dict[str, list[dict]]:
    """Every synced table's rows, minus what stays on the device that wrote it."""
    out = {}
    with Session(local) as session:
        for mapping in ENTITY_MAP:
            if mapping.table is None:
                continue
            rows = session.execute(select(mapping.table).order_by(mapping.table.c.id)).mappings()
            out[mapping.table.name] = [
                {k: v for k, v in r.items() if k not in _LOCAL_ONLY} for r in rows
            ]
    return out


def test_what_the_phone_entered_offline_reaches_the_tablets_tables(world, server):
    devices, catalogue, user = world
    phone, phone_store, phone_db = devices["phone"]
    tablet, tablet_store, tablet_db = devices["tablet"]
    with Session(phone_db) as session:
        deal = write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.status().pending == 1  # the repayment, recorded once the payout came in
    assert phone.sync_once(), phone.status().last_error
    assert phone.status().rejected == () and phone.status().pending == 0
    assert tablet.sync_once(), tablet.status().last_error
    assert tablet_store.skipped() == [] and phone_store.skipped() == []
    with Session(tablet_db) as session:
        application = deals.get_application(session, application_id=deal.application_id)
        contract = deals.latest_contract(session, application_id=deal.application_id)
        payments = deals.list_payments(session, contract_id=deal.contract_id)
        profile = people.get_buyer_profile(session, user_id=user.id, cipher=CIPHER)
    assert application.status is ApplicationStatus.FUNDED
    assert application.dealer_id == catalogue.dealer_id  # filled in by the server's rule
    assert (contract.version, contract.pdf) == (1, b"")  # the signed PDF stays on the phone
    assert from_wire(contract.loan) == SIGNED_LOAN  # the loan it signs travels with it
    assert application.pay_out_by == SIGNED_LOAN.terms.first_due  # the server's, from it
    assert [p.id for p in payments] == [deal.payment_id]
    assert profile.full_name == "李明" and profile.id_number == ""  # never leaves the phone
    assert phone.sync_once()  # the phone takes the server's dealer_id back
    assert snapshot(tablet_db) == snapshot(phone_db)


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_a_record_pulled_before_the_one_it_names_waits_for_it_across_pages(
    world, server, page_size
):
    """A pull sends each record at its latest change: the contract and offer come before
    their application (contracted, then funded, after them), a page or more before it when
    pages are small. Each waits for it; nothing is skipped or lost."""
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    tablet, tablet_store, tablet_db = devices["tablet"]
    tablet.page_size = page_size
    with Session(phone_db) as session:
        write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.sync_once() and tablet.sync_once(), tablet.status().last_error
    assert tablet_store.skipped() == []
    assert phone.sync_once()  # the phone takes the server's dealer_id back
    assert snapshot(tablet_db) == snapshot(phone_db)


def test_a_pull_cut_short_while_a_record_waits_loses_nothing(world, server, tmp_path):
    """The app closes mid-pull, just after a page whose contract waits for its application:
    the pull's cursor has moved past the contract, which the server never sends again. The
    next start's pull applies it once the application comes."""
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    tablet, tablet_store, tablet_db = devices["tablet"]
    tablet.page_size = 1
    with Session(phone_db) as session:
        write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.sync_once()
    applied = tablet_store.apply_page

    def closes_once_a_record_waits(stream, changes, cursor):
        applied(stream, changes, cursor)
        if tablet_store.skipped():  # waiting for a record that comes later in the pull
            raise RuntimeError("the app closed")

    tablet_store.apply_page = closes_once_a_record_waits
    with pytest.raises(RuntimeError, match="the app closed"):
        tablet.sync_once()
    restarted = LocalStore(tablet_db, user_id=user.id, cipher=CIPHER)
    again = SyncClient(tablet.http, restarted, device_id="tablet", sleep=lambda _s: None)
    again.page_size = 1
    assert again.sync_once(), again.status().last_error
    assert restarted.skipped() == []
    with Session(tablet_db) as session:
        assert session.execute(select(SyncParkedRow)).first() is None
    assert phone.sync_once()  # the phone takes the server's dealer_id back
    assert snapshot(tablet_db) == snapshot(phone_db)


def test_offline_edits_on_both_devices_converge(world, server):
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    tablet, _, tablet_db = devices["tablet"]
    with Session(phone_db) as session:
        deal = write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        # and the buyer checks another car: an application still open beside the loan
        loan = deals.get_application(session, application_id=deal.application_id)
        other = replace(loan, id=str(uuid.uuid4()), status=ApplicationStatus.PREQUALIFIED,
                        pay_out_by=None)  # fmt: skip
        deals.save_application(session, application=other)
        session.commit()
    assert phone.sync_once() and tablet.sync_once()
    # both offline: the tablet withdraws the open application and the consent, the phone
    # edits the profile and records another payment on the loan
    with Session(tablet_db) as session:
        app = deals.get_application(session, application_id=other.id)
        deals.save_application(
            session, application=replace(app, status=ApplicationStatus.WITHDRAWN)
        )
        people.withdraw_consent(session, consent_id=deal.consent_id)
        session.commit()
    with Session(phone_db) as session:
        profile = people.get_buyer_profile(session, user_id=user.id, cipher=CIPHER)
        people.save_buyer_profile(session, profile=replace(profile, city="Hangzhou"), cipher=CIPHER)
        [payment] = deals.list_payments(session, contract_id=deal.contract_id)
        deals.record_payment(session, payment=replace(payment, id=payment.id[:-4] + "beef"))
        session.commit()
    for client in (tablet, phone, tablet):
        assert client.sync_once(), client.status().last_error
        assert client.status().rejected == ()
    phone_rows, tablet_rows = snapshot(phone_db), snapshot(tablet_db)
    assert phone_rows == tablet_rows
    assert {a["id"]: a["status"] for a in phone_rows["applications"]} == {
        deal.application_id: "funded", other.id: "withdrawn"
    }  # fmt: skip
    assert [c["withdrawn_ms"] is not None for c in phone_rows["consents"]] == [True]
    assert [p["city"] for p in phone_rows["buyer_profiles"]] == ["Hangzhou"]
    assert len(phone_rows["payments"]) == 2


def test_an_offline_edit_of_one_profile_field_keeps_the_other_devices_edit_of_another(
    world, server
):
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    tablet, _, tablet_db = devices["tablet"]
    with Session(phone_db) as session:
        write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.sync_once() and tablet.sync_once()
    for local, edit in ((tablet_db, {"monthly_income": Decimal("31000.00")}),
                        (phone_db, {"city": "Hangzhou"})):  # fmt: skip
        with Session(local) as session:
            profile = people.get_buyer_profile(session, user_id=user.id, cipher=CIPHER)
            people.save_buyer_profile(session, profile=replace(profile, **edit), cipher=CIPHER)
            session.commit()
        time.sleep(0.005)  # the phone's edit is the later one, by the outbox's ms clock
    for client in (tablet, phone, tablet):
        assert client.sync_once(), client.status().last_error
    for local in (phone_db, tablet_db):
        with Session(local) as session:
            profile = people.get_buyer_profile(session, user_id=user.id, cipher=CIPHER)
        assert (profile.city, profile.monthly_income) == ("Hangzhou", Decimal("31000.00"))


def test_saving_an_unchanged_profile_queues_nothing(world, server):
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    with Session(phone_db) as session:
        write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.sync_once() and phone.status().pending == 0
    assert phone.status().rejected == ()
    with Session(phone_db) as session:
        profile = people.get_buyer_profile(session, user_id=user.id, cipher=CIPHER)
        people.save_buyer_profile(session, profile=replace(profile, id_number=""), cipher=CIPHER)
        session.commit()
    assert phone.status().pending == 0


def test_a_reviewers_decision_on_the_server_reaches_the_buyers_device(world, server):
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    with Session(phone_db) as session:
        deal = write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        first = deals.get_application(session, application_id=deal.application_id)
        next_car = make_vehicle(dealer_id=catalogue.dealer_id)  # the first is financed
        catalog.save_vehicles(session, vehicles=[next_car])
        publish_catalogue(server.state.backend.engine, catalog.sync_records(vehicles=[next_car]))
        # the next car's check raised a flag: saved with it, then its offer chosen
        app = replace(first, id=str(uuid.uuid4()), vehicle_id=next_car.id,
                      status=ApplicationStatus.PREQUALIFIED,
                      review=("fraud.velocity_person",))  # fmt: skip
        deals.save_application(session, application=app)
        deals.save_application(
            session, application=replace(app, status=ApplicationStatus.SUBMITTED)
        )
        session.commit()
    assert phone.sync_once() and phone.status().rejected == ()
    admin, _ = make_user(server, "admin")
    [waiting] = admin.get("/admin/reviews").json()
    assert waiting["entity_id"] == app.id
    decided = admin.post(f"/admin/reviews/{app.id}", json={"decision": "approved"})
    assert decided.status_code == 200, decided.text
    assert phone.sync_once(), phone.status().last_error
    with Session(phone_db) as session:
        app = deals.get_application(session, application_id=app.id)
    assert (app.status, app.review_decision, app.review_state) == (
        ApplicationStatus.APPROVED,
        "approved",
        "approved",
    )
    with Session(phone_db) as session:  # and the buyer signs: the server takes it
        deals.save_application(
            session, application=replace(app, status=ApplicationStatus.CONTRACTED)
        )
        session.commit()
    assert phone.sync_once() and phone.status().rejected == ()


def test_a_dealers_tablet_takes_its_customers_applications_without_knowing_the_customers(
    world, server, tmp_path
):
    """Users are not pulled (each device provisions its own), so a staff member's tablet has
    never heard of the buyers whose applications it pulls: it keeps each owner as a nameless
    row rather than skipping their records."""
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    with Session(phone_db) as session:
        deal = write_deal(session, catalogue, user, payout=payout(server, phone, catalogue))
        session.commit()
    assert phone.sync_once(), phone.status().last_error
    assert phone.status().rejected == ()
    staff_http, row = make_user(server, "dealer_staff", dealer_id=catalogue.dealer_id)
    staff = User(row["id"], row["username"], Role.DEALER_STAFF, dealer_id=catalogue.dealer_id)
    tablet_db = make_engine(tmp_path / "staff-tablet.db")
    migrate(tablet_db)
    with Session(tablet_db) as session:
        install_catalogue(session, catalogue, staff)  # the staff member, not the buyer
        session.commit()
    store = LocalStore(tablet_db, cipher=CIPHER)
    tablet = SyncClient(staff_http, store, device_id="staff-tablet", sleep=lambda _s: None)
    assert tablet.sync_once(), tablet.status().last_error
    assert store.skipped() == []
    with Session(tablet_db) as session:
        application = deals.get_application(session, application_id=deal.application_id)
        owner = people.get_user(session, user_id=user.id)
    assert application is not None and application.user_id == user.id
    assert owner.role is Role.BUYER and owner.display_name == "" and owner.password_hash is None
    tablet_db.dispose()


def test_a_contract_refused_for_its_car_is_kept_on_the_device_that_signed_it(
    world, server, tmp_path, monkeypatch
):
    """Two buyers sign for one car offline; the first to sync stands, and the second's device
    keeps the server's refusal (``sync_refusals``), which its screens read."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from local_db import outbox
    from local_db.repositories import refusals

    both_sign_at = datetime(2026, 11, 30, 12, tzinfo=UTC).timestamp()  # before the payout date
    monkeypatch.setattr(outbox, "time", SimpleNamespace(time=lambda: both_sign_at))
    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    other, other_db, other_user = another_buyers_device(server, tmp_path, catalogue)
    with Session(phone_db) as session:
        sign_deal(session, catalogue, user)
        session.commit()
    with Session(other_db) as session:
        refused = sign_deal(session, catalogue, other_user)
        session.commit()
    assert phone.sync_once() and phone.status().rejected == ()
    assert other.sync_once() and other.status().pending == 0
    assert {(r.entity, r.reason) for r in other.status().rejected} == {
        ("contract", "under_contract"), ("application", "under_contract")
    }  # fmt: skip
    with Session(other_db) as session:  # kept: a restarted app still knows
        kept = refusals.cars_taken(session, [refused.application_id])
    assert kept == {refused.application_id}
    other_db.dispose()


def test_a_car_another_buyer_signed_for_leaves_this_devices_catalogue(world, server, tmp_path):
    """The server marks the car held, and every device pulls the mark: another buyer's
    catalogue leaves it out and their device refuses to sign for it, with no contract of
    the first buyer's on that device."""
    from datetime import date

    devices, catalogue, user = world
    phone, _, phone_db = devices["phone"]
    other, other_db, _ = another_buyers_device(server, tmp_path, catalogue)
    car, day = catalogue.vehicle.id, date(2026, 11, 2)  # after the signing, before its payout

    def on_sale() -> bool:
        with Session(other_db) as session:
            listed = catalog.list_vehicles(session, available_on=day).items
            return car in {v.id for v in listed} and not catalog.under_contract(
                session, vehicle_id=car, today=day
            )

    assert other.sync_once() and on_sale()
    with Session(phone_db) as session:
        deal = sign_deal(session, catalogue, user)
        session.commit()
    assert phone.sync_once() and phone.status().rejected == ()
    assert other.sync_once() and not on_sale()
    staff, _ = make_user(server, "dealer_staff", catalogue.dealer_id)  # the dealership cancels
    push_over_http(staff, [make_op("application", deal.application_id, {"status": "withdrawn"})])
    assert other.sync_once() and on_sale()
    other_db.dispose()

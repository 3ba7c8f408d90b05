"""The application queries the app's screens use: by buyer (newest first, limited), by dealer
(the pipeline), and every answer of several applications in one query."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from domain.catalog import OfferRecord, RiskTier
from local_db.repositories import catalog, deals, people
from tests.factories import (
    make_application,
    make_dealer,
    make_lender,
    make_product,
    make_user,
    make_vehicle,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _world(session):
    dealers = [make_dealer(), make_dealer(id=str(uuid.uuid4()), name_zh="二", name_en="Two")]
    catalog.save_dealers(session, dealers=dealers)
    vehicle = make_vehicle(dealer_id=dealers[0].id)
    catalog.save_vehicles(session, vehicles=[vehicle])
    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    product = make_product(lender_id=lender.id)
    catalog.save_products(session, products=[product])
    buyers = [make_user(), make_user(id=str(uuid.uuid4()), username="other")]
    for u in buyers:
        people.save_user(session, user=u)
    return dealers, vehicle, product, buyers


def _application(vehicle, buyer, dealer_id, minutes):
    return make_application(
        id=str(uuid.uuid4()), user_id=buyer.id, vehicle_id=vehicle.id, dealer_id=dealer_id,
        created_at=T0 + timedelta(minutes=minutes),
    )  # fmt: skip


def test_applications_by_buyer_and_by_dealer_newest_first(session):
    dealers, vehicle, _, (buyer, other) = _world(session)
    a1 = _application(vehicle, buyer, None, 1)
    a2 = _application(vehicle, buyer, dealers[0].id, 2)
    a3 = _application(vehicle, other, dealers[0].id, 3)
    a4 = _application(vehicle, other, dealers[1].id, 4)
    for a in (a1, a2, a3, a4):
        deals.save_application(session, application=a)
    session.commit()
    assert [a.id for a in deals.list_applications(session, user_id=buyer.id)] == [a2.id, a1.id]
    assert [a.id for a in deals.list_applications(session, user_id=buyer.id, limit=1)] == [a2.id]
    mine = deals.list_dealer_applications(session, dealer_id=dealers[0].id)
    assert [a.id for a in mine] == [a3.id, a2.id]
    assert [a.id for a in deals.list_dealer_applications(session, dealer_id=dealers[1].id)] == [
        a4.id
    ]
    assert deals.list_dealer_applications(session, dealer_id="nobody") == []


def test_offers_of_several_applications_in_one_query(session):
    _, vehicle, product, (buyer, _) = _world(session)
    a1 = _application(vehicle, buyer, None, 1)
    a2 = _application(vehicle, buyer, None, 2)
    a3 = _application(vehicle, buyer, None, 3)
    for a in (a1, a2, a3):
        deals.save_application(session, application=a)

    def offer(application, eligible):
        return OfferRecord(
            id=str(uuid.uuid4()), application_id=application.id, product_id=product.id,
            eligible=eligible, tier=RiskTier.B if eligible else None,
            reasons=() if eligible else ("applicant.dti",), created_at=T0,
        )  # fmt: skip

    o1, o2, o3 = offer(a1, True), offer(a1, False), offer(a2, True)
    deals.save_offers(session, offers=[o1, o2, o3])
    session.commit()
    found = deals.list_offers_of(session, application_ids=[a1.id, a2.id, a3.id])
    assert {o.id: o.eligible for o in found[a1.id]} == {o1.id: True, o2.id: False}
    assert [o.id for o in found[a2.id]] == [o3.id]
    assert found[a1.id][0].application_id == a1.id
    assert a3.id not in found  # a draft nobody answered
    assert deals.list_offers_of(session, application_ids=[]) == {}
    assert [o.id for o in deals.list_offers(session, application_id=a2.id)] == [o3.id]

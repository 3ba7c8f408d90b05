from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.catalog import (
    BalloonRule,
    ConsentPurpose,
    Energy,
    EventType,
    FlatPer,
    LtvCap,
    LtvCategory,
    OfferRecord,
    PrepaymentRule,
    ProductKind,
    RiskTier,
    VehicleLimits,
)
from local_db.repositories import catalog, deals, interactions, people
from tests.factories import (
    make_applicant,
    make_application,
    make_dealer,
    make_lender,
    make_product,
    make_user,
    make_vehicle,
    rate,
)

HUGE = Decimal("123456789012345678.91")


def _seed_vehicle(session, **overrides):
    dealer = make_dealer()
    catalog.save_dealers(session, dealers=[dealer])
    vehicle = make_vehicle(dealer_id=dealer.id, **overrides)
    catalog.save_vehicles(session, vehicles=[vehicle])
    return vehicle


def test_a_dealers_showroom_address_and_phone_survive_the_database(session):
    dealer = make_dealer(
        address_zh="上海市闵行区浦江路 888 号",
        address_en="888 Pujiang Road, Minhang, Shanghai",
        phone="021-0000 0101",
    )
    catalog.save_dealers(session, dealers=[dealer])
    session.commit()
    session.expunge_all()
    assert catalog.get_dealer(session, dealer_id=dealer.id) == dealer


@pytest.mark.parametrize(
    "price",
    [
        pytest.param(Decimal("0.01"), id="one-fen"),
        pytest.param(Decimal("179800.00"), id="ordinary"),
        pytest.param(Decimal("92233720368547758.07"), id="int64-max-cents"),
        pytest.param(HUGE, id="beyond-int64"),
    ],
)
def test_vehicle_price_survives_the_database_exactly(session, price):
    vehicle = _seed_vehicle(session, price=price)
    session.commit()
    session.expunge_all()
    assert catalog.get_vehicle(session, vehicle_id=vehicle.id) == vehicle


@pytest.mark.parametrize(
    "figures",
    [
        {"electric_range_km": 605, "power_kwh_100km": Decimal("13.3")},
        {"electric_range_km": 120, "fuel_l_100km": Decimal("3.8")},
        {"fuel_l_100km": Decimal("10.55")},
        {},
    ],
    ids=["bev", "phev", "ice-two-decimals", "none-known"],
)
def test_a_cars_energy_figures_survive_the_database_exactly(session, figures):
    vehicle = _seed_vehicle(session, **figures)
    session.commit()
    assert catalog.get_vehicle(session, vehicle_id=vehicle.id) == vehicle


def test_huge_amounts_still_sort_after_ordinary_ones(session):
    small = _seed_vehicle(session, price=Decimal("99800.00"))
    huge = _seed_vehicle(session, price=HUGE)
    page = catalog.list_vehicles(session, sort="price_desc")
    assert [v.id for v in page.items] == [huge.id, small.id]
    assert catalog.list_vehicles(session, price_max=Decimal("100000")).total == 1


def test_product_with_every_rule_round_trips(session):
    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    product = make_product(
        lender_id=lender.id,
        kind=ProductKind.BALLOON,
        balloon=BalloonRule(Decimal("0.30"), Decimal("0.40")),
        rate_card=(
            rate("A", flat="0.0035", flat_per=FlatPer.MONTH, terms=(36,)),
            rate("B", "0.0499"),
        ),
        ltv_caps=(
            LtvCap(LtvCategory.USED, Decimal("0.65")),
            LtvCap(LtvCategory.COMMERCIAL_NEV, Decimal("0.75")),
        ),
        energies=frozenset({Energy.BEV, Energy.PHEV}),
        brands=frozenset({"BYD"}),
        vehicle_limits=VehicleLimits(max_age_years=6, max_mileage_km=150_000),
        prepayment=PrepaymentRule(fee_rate=Decimal("0.03"), fee_free_after_months=12),
        min_monthly_income=HUGE,
    )
    catalog.save_products(session, products=[product])
    assert catalog.get_product(session, product_id=product.id) == product


def test_products_are_listed_only_while_valid(session):
    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    product = make_product(
        lender_id=lender.id, valid_from=date(2026, 3, 1), valid_to=date(2026, 5, 31)
    )
    catalog.save_products(session, products=[product])
    assert catalog.list_products(session, active_on=date(2026, 5, 31)) == [product]
    assert catalog.list_products(session, active_on=date(2026, 6, 1)) == []
    assert catalog.list_products(session, active_on=date(2026, 2, 28)) == []


def test_products_can_be_read_by_their_ids_alone(session):
    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    products = [make_product(lender_id=lender.id) for _ in range(3)]
    catalog.save_products(session, products=products)
    wanted = {products[0].id, products[2].id}
    assert {p.id for p in catalog.list_products(session, ids=wanted)} == wanted
    assert catalog.list_products(session, ids=[]) == []


def test_an_applications_review_flags_survive_the_database(session):
    vehicle = _seed_vehicle(session)
    user = make_user()
    people.save_user(session, user=user)
    flags = ("fraud.velocity_person", "consistency.debts_over_income")
    application = make_application(user_id=user.id, vehicle_id=vehicle.id, review=flags)
    deals.save_application(session, application=application)
    session.commit()
    session.expunge_all()
    assert deals.get_application(session, application_id=application.id).review == flags


def test_application_and_offer_round_trip_with_uuids_and_utc(session):
    vehicle = _seed_vehicle(session)
    user = make_user()
    people.save_user(session, user=user)
    shanghai = timezone(timedelta(hours=8))
    application = make_application(
        user_id=user.id,
        vehicle_id=vehicle.id,
        cash_price=HUGE,
        created_at=datetime(2026, 11, 2, 8, 0, 0, 123000, tzinfo=shanghai),
    )
    deals.save_application(session, application=application)
    stored = deals.get_application(session, application_id=application.id)
    assert stored.cash_price == HUGE
    assert stored.created_at == application.created_at
    assert stored.created_at.utcoffset() == timedelta(0)
    offer = OfferRecord(
        id="6f1c3c1e-1f0a-4c4e-9b7e-2f7a1d9c0b11",
        application_id=application.id,
        product_id=_product_id(session),
        eligible=True,
        tier=RiskTier.B,
        term=36,
        principal=Decimal("125860.00"),
        payment=Decimal("3890.12"),
        apr=Decimal("0.0757841234567"),
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        updated_ms=1,
    )
    deals.save_offers(session, offers=[offer])
    assert deals.list_offers(session, application_id=application.id) == [offer]


def _product_id(session):
    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    product = make_product(lender_id=lender.id)
    catalog.save_products(session, products=[product])
    return product.id


def test_naive_datetimes_are_refused(session):
    user = make_user()
    people.save_user(session, user=user)
    with pytest.raises(ValueError, match="naive"):
        people.record_consent(
            session,
            user_id=user.id,
            purpose=ConsentPurpose.SOFT_CHECK,
            text_version="v1",
            at=datetime(2026, 1, 1),
        )


def test_buyer_profile_round_trips_through_encryption(session, cipher):
    user = make_user()
    people.save_user(session, user=user)
    profile = make_applicant(user_id=user.id, monthly_income=Decimal("18500.50"))
    people.save_buyer_profile(session, profile=profile, cipher=cipher)
    assert people.get_buyer_profile(session, user_id=user.id, cipher=cipher) == profile


def test_consent_withdrawal_keeps_the_record(session):
    user = make_user()
    people.save_user(session, user=user)
    given = people.record_consent(
        session, user_id=user.id, purpose=ConsentPurpose.SOFT_CHECK, text_version="2026-11"
    )
    assert people.active_consent(session, user_id=user.id, purpose=ConsentPurpose.SOFT_CHECK)
    people.withdraw_consent(session, consent_id=given.id)
    assert (
        people.active_consent(session, user_id=user.id, purpose=ConsentPurpose.SOFT_CHECK) is None
    )
    [history] = people.list_consents(session, user_id=user.id)
    assert history.withdrawn_at is not None and history.given_at == given.given_at


def test_interaction_round_trips(session):
    user = make_user()
    people.save_user(session, user=user)
    product_id = _product_id(session)
    at = datetime(2026, 10, 5, 14, 30, 15, 250000, tzinfo=UTC)
    recorded = interactions.record_interaction(
        session, user_id=user.id, product_id=product_id, event=EventType.APPLY, at=at
    )
    assert interactions.list_interactions_for_training(session) == [recorded]
    assert interactions.interaction_events(session) == [
        (user.id, product_id, "apply", int(at.timestamp() * 1000))
    ]

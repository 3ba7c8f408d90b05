# ruff: noqa: E501  (the case tables read best one case per line)
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.catalog import BodyType, Condition, Energy
from domain.errors import InputError
from local_db.repositories import catalog
from tests.factories import make_dealer, make_vehicle


@pytest.fixture
def cars(session):
    dealer = make_dealer()
    catalog.save_dealers(session, dealers=[dealer])
    specs = [
        ("BYD", "比亚迪", "Seal", BodyType.SEDAN, Energy.BEV, Condition.NEW, "179800", 0, 2026),
        ("BYD", "比亚迪", "Song PLUS", BodyType.SUV, Energy.PHEV, Condition.USED, "98000", 42000, 2023),
        ("Toyota", "丰田", "Camry", BodyType.SEDAN, Energy.HEV, Condition.NEW, "179800", 0, 2026),
        ("Tesla", "特斯拉", "Model 3", BodyType.SEDAN, Energy.BEV, Condition.USED, "168000", 15000, 2024),
        ("Haval", "哈弗", "H6 100%_edition", BodyType.SUV, Energy.ICE, Condition.NEW, "119800", 0, 2027),
    ]  # fmt: skip
    vehicles = {}
    for make, make_zh, model, body, energy, condition, price, km, year in specs:
        vehicles[model] = make_vehicle(
            dealer_id=dealer.id,
            make=make,
            make_zh=make_zh,
            model=model,
            body=body,
            energy=energy,
            condition=condition,
            price=Decimal(price),
            mileage_km=km,
            year=year,
        )
    catalog.save_vehicles(session, vehicles=vehicles.values())
    return vehicles


def _models(page):
    return [v.model for v in page.items]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, ["Song PLUS", "H6 100%_edition", "Model 3", "Seal", "Camry"], id="all-by-price-then-id"),
        pytest.param({"brands": ["BYD"]}, ["Song PLUS", "Seal"], id="brand"),
        pytest.param({"energy": ["BEV", "PHEV"], "condition": "used"}, ["Song PLUS", "Model 3"], id="nev-used"),
        pytest.param({"body": ["suv"], "price_max": Decimal("100000")}, ["Song PLUS"], id="body-and-price"),
        pytest.param({"price_min": Decimal("179800")}, ["Seal", "Camry"], id="price-inclusive"),
        pytest.param({"query": "比亚迪"}, ["Song PLUS", "Seal"], id="chinese-make"),
        pytest.param({"query": "MODEL"}, ["Model 3"], id="case-insensitive"),
        pytest.param({"query": "%"}, ["H6 100%_edition"], id="percent-is-literal"),
        pytest.param({"query": "0_"}, [], id="underscore-is-literal"),
        pytest.param({"sort": "mileage_asc", "condition": "used"}, ["Model 3", "Song PLUS"], id="mileage"),
        pytest.param({"sort": "year_desc", "brands": ["Haval", "Tesla"]}, ["H6 100%_edition", "Model 3"], id="year"),
    ],
)  # fmt: skip
def test_catalogue_filters_and_sorts(session, cars, filters, expected):
    assert _models(catalog.list_vehicles(session, **filters)) == expected


def test_equal_prices_keep_a_stable_order_across_pages(session, cars):
    first = catalog.list_vehicles(session, sort="price_desc", limit=2)
    second = catalog.list_vehicles(session, sort="price_desc", limit=2, offset=2)
    assert first.total == 5 and first.has_more
    assert set(_models(first)) == {"Camry", "Seal"}
    assert _models(second) == ["Model 3", "H6 100%_edition"]


def test_tombstoned_cars_leave_the_catalogue(session, cars):
    from dataclasses import replace

    catalog.save_vehicles(session, vehicles=[replace(cars["Seal"], deleted=True)])
    assert "Seal" not in _models(catalog.list_vehicles(session))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"sort": "cheapest"}, "sort", id="unknown-sort"),
        pytest.param({"limit": 0}, "limit", id="zero-limit"),
        pytest.param({"limit": 101}, "limit", id="huge-limit"),
        pytest.param({"offset": -1}, "offset", id="negative-offset"),
    ],
)
def test_bad_paging_names_the_field(session, kwargs, field):
    with pytest.raises(InputError) as error:
        catalog.list_vehicles(session, **kwargs)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("status", "pay_out_by", "held"),
    [
        pytest.param("contracted", date(2027, 1, 1), True, id="signed-awaiting-payout"),
        pytest.param("contracted", date(2026, 12, 1), False, id="lapsed-on-its-first-due-date"),
        pytest.param("funded", date(2026, 12, 1), True, id="paid-out"),
        pytest.param("withdrawn", date(2027, 1, 1), False, id="cancelled"),
        pytest.param("prequalified", None, False, id="only-checked"),
    ],
)
def test_a_car_a_live_contract_holds_leaves_the_catalogue(session, cars, status, pay_out_by, held):
    """One listing is one car: financed once, it is no longer on sale to anyone else."""
    from domain.catalog import ApplicationStatus
    from local_db.repositories import deals, people
    from tests.factories import make_application, make_user

    buyer = make_user()
    people.save_user(session, user=buyer)
    application = make_application(user_id=buyer.id, vehicle_id=cars["Seal"].id,
                                   status=ApplicationStatus(status), pay_out_by=pay_out_by)  # fmt: skip
    deals.save_application(session, application=application, enqueue=False)
    today = date(2026, 12, 1)
    shown = _models(catalog.list_vehicles(session, available_on=today))
    assert ("Seal" not in shown) is held
    assert catalog.under_contract(session, vehicle_id=cars["Seal"].id, today=today) is held
    assert "Seal" in _models(catalog.list_vehicles(session))  # the listing itself stays

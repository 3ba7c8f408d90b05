"""Services for the catalogue and the car calculator, over a small real database."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.state import CatalogueQuery, Deal
from domain.loans import LoanTerms, quote
from tests.ui.world import TODAY, make_world


def test_demo_users_are_sign_in_capable_buyers_and_staff(tmp_path):
    w = make_world(tmp_path)
    users = w.services.demo_users()
    assert [(u.name, u.role) for u in users] == [("王小明", "buyer"), ("李娜", "staff")]
    assert users[1].dealer_name == "演示汽车城" and users[1].dealer_name_en == "Demo Auto Mall"


def test_reference_rate_is_the_median_tier_b_rate_of_loans_for_the_term(tmp_path):
    w = make_world(tmp_path)
    assert w.services.reference_rate(36) == Decimal("0.0590")  # 4.90, 4.90, 6.90, 9.90


def dolphin_payment(trade_in: str = "0") -> Decimal:
    """The engine's payment for the Dolphin (¥99,800) at 30% down over 36 months at the
    reference rate, with ``trade_in``."""
    terms = LoanTerms(
        cash_price=Decimal("99800.00"),
        down_payment=Decimal("29940.00"),
        trade_in=Decimal(trade_in),
        loan_date=TODAY,
        count=36,
        annual_rate=Decimal("0.0590"),
    )
    return quote(terms).payment


def test_card_monthly_payment_is_the_engine_payment_for_the_deal_bar(tmp_path):
    w = make_world(tmp_path)
    page = w.services.search_cars(CatalogueQuery(text="dolphin"), Deal(Decimal("0.30"), 36))
    (card,) = page.cards
    assert card.monthly == dolphin_payment()


def test_a_trade_in_is_counted_in_the_cards_figure_and_can_leave_no_loan(tmp_path):
    w = make_world(tmp_path)
    q = CatalogueQuery(text="dolphin")
    (card,) = w.services.search_cars(q, Deal(Decimal("0.30"), 36, Decimal("20000"))).cards
    assert card.monthly == dolphin_payment("20000") < dolphin_payment()
    covered = Deal(Decimal("0.30"), 36, Decimal("69860"))  # 29,940 + 69,860 = the price
    (card,) = w.services.search_cars(q, covered).cards
    assert card.monthly is None
    calc = w.services.calculate(card.vehicle, covered)
    assert calc.quote is None and calc.ltv == 0 and calc.down_payment == Decimal("29940.00")


def test_a_card_says_when_its_loan_is_less_than_any_lender_lends(tmp_path):
    w = make_world(tmp_path)
    q = CatalogueQuery(text="dolphin")
    assert w.services.smallest_loan() == Decimal("10000.00")  # every product's minimum here
    (card,) = w.services.search_cars(q, Deal(Decimal("0.30"), 36)).cards
    assert not card.below_smallest_loan
    (card,) = w.services.search_cars(q, Deal(Decimal("0.30"), 36, Decimal("60000"))).cards
    assert card.below_smallest_loan and card.monthly is not None  # ¥9,860 financed
    (card,) = w.services.search_cars(q, Deal(Decimal("0.30"), 36, Decimal("59860"))).cards
    assert not card.below_smallest_loan  # exactly ¥10,000: a loan a lender makes


def test_filters_combine(tmp_path):
    w = make_world(tmp_path)
    s = w.services
    deal = Deal()
    assert s.search_cars(CatalogueQuery(condition="used"), deal).total == 1
    assert s.search_cars(CatalogueQuery(energy="ICE"), deal).total == 1
    assert s.search_cars(CatalogueQuery(price_band="0-100000"), deal).total == 1
    assert s.search_cars(CatalogueQuery(brand="BYD", body="sedan"), deal).total == 1
    assert s.search_cars(CatalogueQuery(text="比亚迪"), deal).total == 2


def test_a_monthly_budget_shows_exactly_the_cars_whose_card_figure_fits_it(tmp_path):
    w = make_world(tmp_path)
    s = w.services
    deals = (
        Deal(Decimal("0.30"), 36),
        Deal(Decimal("0.10"), 12),
        Deal(Decimal("0.50"), 60),
        Deal(Decimal("0.30"), 36, Decimal("80000")),  # covers the cheapest car: no loan there
    )
    for deal in deals:
        every = s.search_cars(CatalogueQuery(), deal).cards
        for budget in ("2000", "3000", "5000", "8000"):
            shown = s.search_cars(CatalogueQuery(monthly_max=budget), deal).cards
            assert {c.vehicle.id for c in shown} == {
                c.vehicle.id for c in every if c.monthly is None or c.monthly <= Decimal(budget)
            }, (deal, budget)


@pytest.mark.parametrize("down", ["0.00", "0.15", "0.30", "0.70"])
@pytest.mark.parametrize("term", [12, 36, 60])
@pytest.mark.parametrize("budget", ["2000", "3333"])
@pytest.mark.parametrize("trade_in", ["0", "35000"])
def test_the_price_ceiling_is_the_last_whole_yuan_whose_figure_fits(
    tmp_path, down, term, budget, trade_in
):
    w = make_world(tmp_path)
    deal = Deal(Decimal(down), term, Decimal(trade_in))
    ceiling = w.services.price_ceiling(Decimal(budget), deal)

    def card_figure(price: Decimal) -> Decimal:
        page = w.services.calculate(replace(w.vehicles["seal"], price=price), deal)
        return page.quote.payment

    assert card_figure(ceiling) <= Decimal(budget) < card_figure(ceiling + 1)


def test_a_budget_and_a_price_band_combine(tmp_path):
    w = make_world(tmp_path)
    deal = Deal(Decimal("0.30"), 36)
    q = CatalogueQuery(monthly_max="8000", price_band="0-100000")
    assert [c.vehicle.model for c in w.services.search_cars(q, deal).cards] == ["Dolphin"]


def test_longer_term_lowers_the_monthly_figure(tmp_path):
    w = make_world(tmp_path)
    q = CatalogueQuery(text="seal")
    short = w.services.search_cars(q, Deal(term=24)).cards[0].monthly
    long = w.services.search_cars(q, Deal(term=60)).cards[0].monthly
    assert long < short


@pytest.mark.parametrize(
    ("down", "ltv", "level"),
    [
        pytest.param("0.50", "0.5437", "ok", id="green-well-under-cap"),
        pytest.param("0.40", "0.6524", "warn", id="amber-near-cap"),
        pytest.param("0.35", "0.7068", "over", id="red-over-used-car-cap"),
    ],
)
def test_calculator_ltv_meter_against_the_used_car_cap(tmp_path, down, ltv, level):
    """A used car's LTV divides by its collateral value, as the check's does: the lower of
    its price and its appraisal (here ¥154,503.72 for a ¥168,000 Model 3), never the asking
    price — at 35% down the meter is red, where on the price it read 65% and amber."""
    w = make_world(tmp_path)
    car = w.vehicles["model3"]
    calc = w.services.calculate(car, Deal(Decimal(down), 36))
    assert (calc.ltv, calc.ltv_level, calc.ltv_cap) == (Decimal(ltv), level, Decimal("0.70"))
    from app.prequal_service import vehicle_facts
    from domain.prequal.valuation import value_vehicle

    with w.services.session() as s:
        value = value_vehicle(vehicle_facts(s, car.id, today=w.services.today())).value
    assert value == Decimal("154503.72") < car.price
    assert calc.ltv == (calc.quote.amount_financed / value).quantize(Decimal("0.0001"))


def test_the_cities_are_the_dealers_once_each_in_pinyin_order_named_in_the_language(tmp_path):
    from local_db.repositories import catalog as catalog_repo
    from tests.factories import _uuid, make_dealer

    w = make_world(tmp_path)
    with w.services.session() as s:
        catalog_repo.save_dealers(
            s, dealers=[make_dealer(id=_uuid(90), city="Beijing", city_zh="北京")]
        )
        s.commit()
    assert w.services.cities("zh_CN") == [("Beijing", "北京"), ("Shanghai", "上海")]
    assert w.services.cities("en_US") == [("Beijing", "Beijing"), ("Shanghai", "Shanghai")]


def test_a_reason_naming_a_city_names_it_in_the_readers_language(tmp_path):
    from domain.prequal.text import Reason

    w = make_world(tmp_path)  # its dealers are in Shanghai (上海)
    reason = Reason(
        "applicant.city",
        "This product is not offered in {city}",
        {"city": "Shanghai"},
        {"city": "city"},
    )
    assert w.services.reason_text(reason, "zh_CN") == "本产品在上海不提供"
    assert w.services.reason_text(reason, "en_US") == "This product is not offered in Shanghai"


def test_a_car_without_its_picture_file_is_drawn_from_its_body_and_colour(tmp_path):
    from local_db.pictures import picture_svg

    w = make_world(tmp_path)  # no seed has drawn any file into this data dir
    car = w.vehicles["seal"]
    assert w.services.picture(car) == picture_svg(car.body.value, car.colour)
    drawn = tmp_path / "pictures" / "own.svg"
    drawn.parent.mkdir()
    drawn.write_text("<svg>own</svg>", encoding="utf-8")
    assert w.services.picture(replace(car, picture="pictures/own.svg")) == "<svg>own</svg>"

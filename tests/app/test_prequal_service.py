"""app.prequal_service: products from the local database, consent recorded before the check."""

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import Session

from app.prequal_service import prequalify, to_wire
from domain.catalog import ConsentPurpose
from domain.errors import InputError
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import catalog, people
from tests.domain.prequal.factories import CONSENT, NOW, TODAY, applicant, deal, vehicle
from tests.factories import make_lender, make_product, make_user


@pytest.fixture
def session():
    engine = make_engine(":memory:")
    migrate(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def seed(session):
    lender = make_lender()
    user = make_user()
    catalog.save_lenders(session, lenders=[lender])
    catalog.save_products(session, products=[make_product(lender_id=lender.id)])
    people.save_user(session, user=user)
    session.commit()
    return lender, user


def test_consent_is_recorded_and_the_offer_names_the_lender(session):
    lender, user = seed(session)
    answer = prequalify(
        session,
        applicant(),
        vehicle(),
        deal(),
        today=TODAY,
        consent=CONSENT,
        now=NOW,
        user_id=user.id,
    )
    consent = people.active_consent(session, user_id=user.id, purpose=ConsentPurpose.SOFT_CHECK)
    assert consent is not None and consent.text_version == CONSENT.text_version
    wire = to_wire(answer, "en_US")
    assert [o["lender"] for o in wire["offers"]] == [lender.name_en]
    # 179,800 - 60,000 down, less the 400 handling fee paid up front (a prepaid finance charge)
    assert Decimal(wire["offers"][0]["amount_financed"]) == Decimal("119400.00")


def test_without_consent_nothing_runs_and_nothing_is_recorded(session):
    _, user = seed(session)
    with pytest.raises(InputError) as err:
        prequalify(
            session, applicant(), vehicle(), deal(), today=TODAY, consent=None, user_id=user.id
        )
    assert err.value.field == "consent"
    assert people.list_consents(session, user_id=user.id) == []


def test_a_changed_product_is_read_again(session):
    seed(session)
    [product] = catalog.list_products(session)

    def offers():
        answer = prequalify(
            session, applicant(), vehicle(), deal(), today=TODAY, consent=CONSENT, now=NOW
        )
        return [o.product.code for o in answer.result.offers]

    assert offers() == [product.code]
    catalog.save_products(session, products=[replace(product, max_pti=Decimal("0.01"))])
    session.commit()
    assert offers() == []
    catalog.save_products(session, products=[product])
    assert offers() == [product.code]  # pending, not yet committed: the session sees it


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("zh_CN", "本产品不为燃油车辆提供贷款"),
        ("en_US", "This product does not finance petrol cars"),
    ],
)
def test_a_declined_energy_is_named_in_the_readers_language(locale, text):
    from app.prequal_service import reason_text
    from domain.catalog import Energy
    from tests.domain.prequal.factories import run

    electric_or_hybrid = make_product(energies=frozenset({Energy.BEV, Energy.HEV}))
    (decline,) = run([electric_or_hybrid], v=vehicle(energy=Energy.ICE)).declines
    assert reason_text(decline.reasons[0], locale) == text


@pytest.mark.parametrize(
    ("locale", "text"),
    [("zh_CN", "本产品在上海不提供"), ("en_US", "This product is not offered in Shanghai")],
)
def test_a_declined_city_is_named_in_the_readers_language(session, locale, text):
    from tests.factories import make_dealer

    lender = make_lender()
    catalog.save_lenders(session, lenders=[lender])
    catalog.save_dealers(session, dealers=[make_dealer(city="Shanghai", city_zh="上海")])
    beijing_only = make_product(lender_id=lender.id, cities=frozenset({"Beijing"}))
    catalog.save_products(session, products=[beijing_only])
    session.commit()
    answer = prequalify(
        session, applicant(city="Shanghai"), vehicle(), deal(), today=TODAY, consent=CONSENT,
        now=NOW,
    )  # fmt: skip
    (decline,) = to_wire(answer, locale)["declines"]
    assert decline["reasons"] == [{"code": "applicant.city", "text": text}]


def test_the_cheapest_offer_comes_right_after_a_top_pick_that_costs_more():
    from app.services import cheapest_second

    assert cheapest_second(["a", "b", "c", "cheap"], "cheap") == ["a", "cheap", "b", "c"]
    assert cheapest_second(["cheap", "a", "b"], "cheap") == ["cheap", "a", "b"]  # on top already
    assert cheapest_second(["a", "cheap"], "cheap") == ["a", "cheap"]
    assert cheapest_second([], "cheap") == []

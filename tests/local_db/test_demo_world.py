from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.settings import Settings
from domain.catalog import REGULATORY_LTV_CAPS, Condition, LenderType, ProductKind
from local_db.crypto import FieldCipher
from local_db.demo import DemoModeRequired, buyer_segments, ensure_demo_database, seed_database
from local_db.demo.world import SEGMENTS, generate, vin_check_digit
from local_db.engine import make_engine
from local_db.repositories import catalog, people

KEY = bytes(range(32))
SEED = 20261128


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The full-size demo world, seeded once for this module."""
    data_dir = tmp_path_factory.mktemp("demo")
    engine = make_engine(data_dir / "chedai.db")
    report = seed_database(engine, seed=SEED, data_dir=data_dir, cipher=FieldCipher(KEY))
    yield engine, report, data_dir
    engine.dispose()


def _scalar(engine, sql):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar()


@pytest.mark.slow
def test_the_world_is_as_big_and_varied_as_the_issue_asks(demo):
    engine, report, _ = demo
    assert report.counts["vehicles"] >= 200
    assert _scalar(engine, "SELECT count(DISTINCT make) FROM vehicles") >= 20
    nev = _scalar(engine, "SELECT avg(energy IN ('BEV','PHEV')) FROM vehicles")
    used = _scalar(engine, "SELECT avg(condition = 'used') FROM vehicles")
    assert 0.35 <= nev <= 0.45 and used >= 0.30
    assert report.counts["dealers"] >= 10
    assert _scalar(engine, "SELECT count(DISTINCT city) FROM dealers") >= 5
    assert report.counts["lenders"] >= 10
    assert report.counts["products"] >= 40
    assert report.counts["buyers"] >= 5000
    assert report.counts["interactions"] >= 200_000
    assert _scalar(engine, "SELECT count(DISTINCT event) FROM interactions") == 6
    months = _scalar(
        engine,
        "SELECT count(DISTINCT strftime('%Y-%m', at_ms / 1000, 'unixepoch')) FROM interactions",
    )
    assert months >= 6


@pytest.mark.slow
def test_every_lender_type_and_product_kind_is_present_with_legal_ltv_caps(demo):
    engine, _, _ = demo
    with Session(engine) as session:
        lenders = catalog.list_lenders(session)
        products = catalog.list_products(session)
    assert {lender.type for lender in lenders} == set(LenderType)
    assert {p.kind for p in products} == set(ProductKind)
    assert any(p.nev_only for p in products) and any(p.brand_captive for p in products)
    for product in products:
        for cap in product.ltv_caps:
            assert cap.max_ltv <= REGULATORY_LTV_CAPS[cap.category]


@pytest.mark.slow
def test_prices_look_like_chinas_market(demo):
    engine, _, _ = demo
    with Session(engine) as session:
        seals = catalog.list_vehicles(session, query="seal", condition="new", limit=100).items
        used = catalog.list_vehicles(session, condition="used", limit=100).items
    assert seals and all(Decimal("170000") <= v.price <= Decimal("215000") for v in seals)
    assert all(v.first_registration and v.mileage_km > 0 for v in used)
    assert all(vin_check_digit(v.vin) == v.vin[8] for v in seals + used)


@pytest.mark.slow
def test_referential_integrity_holds(demo):
    engine, _, _ = demo
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


@pytest.mark.slow
def test_buyers_of_a_segment_engage_with_far_more_similar_products(demo):
    engine, _, _ = demo
    with Session(engine) as session:
        segments = buyer_segments(session)
        rows = session.execute(text("SELECT DISTINCT user_id, product_id FROM interactions"))
        products = defaultdict(set)
        for user_id, product_id in rows:
            products[user_id].add(product_id)
    by_segment = defaultdict(list)
    for user_id, segment in segments.items():
        if products[user_id]:
            by_segment[segment].append(products[user_id])
    assert set(by_segment) == {s.key for s in SEGMENTS}
    rand = random.Random(0)

    def jaccard(a, b):
        return len(a & b) / len(a | b)

    within = [
        jaccard(*rand.sample(buyers, 2)) for buyers in by_segment.values() for _ in range(300)
    ]
    across = [
        jaccard(rand.choice(by_segment[s1]), rand.choice(by_segment[s2]))
        for s1, s2 in itertools.combinations(by_segment, 2)
        for _ in range(120)
    ]
    mean_within, mean_across = sum(within) / len(within), sum(across) / len(across)
    assert mean_within > 2 * mean_across, (mean_within, mean_across)


@pytest.mark.slow
def test_demo_accounts_sign_in_with_the_printed_passwords(demo):
    from argon2 import PasswordHasher

    engine, report, _ = demo
    roles = {a.role.value for a in report.accounts}
    assert roles == {"buyer", "dealer_staff"}
    with Session(engine) as session:
        for account in report.accounts:
            user = people.get_user_by_username(session, username=account.username)
            assert PasswordHasher().verify(user.password_hash, account.password)
        staff = [a for a in report.accounts if a.role.value == "dealer_staff"]
        dealers = {
            people.get_user_by_username(session, username=a.username).dealer_id for a in staff
        }
    assert len(dealers) == 2 and None not in dealers
    # a person's name (the dealership is said beside it in the reader's language), never a
    # job title in Chinese that an English screen would show as a name
    assert all(len(a.display_name) <= 3 and "销售" not in a.display_name for a in staff), staff


@pytest.mark.slow
def test_every_vehicle_has_its_picture_on_disk(demo):
    engine, _, data_dir = demo
    with engine.connect() as connection:
        pictures = {
            r[0] for r in connection.exec_driver_sql("SELECT DISTINCT picture FROM vehicles")
        }
    for picture in pictures:
        assert (Path(data_dir) / picture).read_text(encoding="utf-8").startswith("<svg")


def test_every_car_has_the_energy_figures_of_its_kind():
    """BEV: range and electricity; PHEV: range and fuel (battery depleted); HEV and ICE: fuel."""
    expected = {
        "BEV": (True, False, True),
        "PHEV": (True, True, False),
        "HEV": (False, True, False),
        "ICE": (False, True, False),
    }
    for v in generate(5, n_buyers=10).vehicles:
        has = (v.electric_range_km is not None, v.fuel_l_100km is not None,
               v.power_kwh_100km is not None)  # fmt: skip
        assert has == expected[v.energy.value], (v.make, v.model)
        assert v.electric_range_km is None or 50 <= v.electric_range_km <= 800
        assert v.fuel_l_100km is None or Decimal(3) <= v.fuel_l_100km <= Decimal(12)
        assert v.power_kwh_100km is None or Decimal(8) <= v.power_kwh_100km <= Decimal(20)


def test_no_used_car_is_older_than_its_model():
    """A 2018 Seagull never existed: a used car was registered after its model went on sale,
    and cars of older models still reach back the eight years a used car may be old."""
    from local_db.demo.market import LAUNCHED, MODELS, REFERENCE_DATE

    assert set(LAUNCHED) <= {(m.make, m.model) for m in MODELS}
    assert all((REFERENCE_DATE - day).days > 200 for day in LAUNCHED.values())  # the youngest
    used = [v for v in generate(5, n_buyers=10).vehicles if v.condition is Condition.USED]
    for v in used:
        launched = LAUNCHED.get((v.make, v.model))
        assert launched is None or v.first_registration > launched, (v.model, v.year)
        assert v.year == v.first_registration.year
    assert min(v.year for v in used) <= 2019 and {v.model for v in used} & {"Seagull", "SU7"}


def test_models_known_in_china_by_a_chinese_name_carry_it_and_the_rest_none():
    from local_db.demo.market import MODEL_ZH

    vehicles = generate(5, n_buyers=10).vehicles
    assert {v.model for v in vehicles} >= {"Seal", "Camry"}  # the world sells them
    for v in vehicles:
        assert v.model_zh == MODEL_ZH.get(v.model, ""), v.model
    assert {v.model_zh for v in vehicles if v.model == "Seal"} == {"海豹"}


def test_every_demo_dealer_has_a_showroom_whose_number_cannot_be_dialled():
    """A made-up address in both languages, and a number in the Chinese form whose local part
    starts with 0, which no real number does: a tap on "Call" in the demo reaches no one."""
    dealers = generate(5, n_buyers=10).dealers
    for d in dealers:
        assert d.address_zh.startswith(d.city_zh) and d.address_en.endswith(d.city), d.name_en
        assert re.fullmatch(r"0\d{2,3}-0\d{3} \d{4}", d.phone), d.phone
    assert len({d.phone for d in dealers}) == len(dealers)


def test_the_same_seed_gives_the_same_world_and_another_seed_does_not():
    first, again, other = (
        generate(5, n_buyers=150),
        generate(5, n_buyers=150),
        generate(6, n_buyers=150),
    )
    assert first == again
    assert first.vehicles != other.vehicles
    assert first.interactions != other.interactions


def _snapshot(engine, cipher) -> dict:
    with Session(engine) as session:
        return {
            "vehicles": catalog.list_vehicles(session, limit=100).items,
            "products": catalog.list_products(session),
            "profiles": [
                people.get_buyer_profile(session, user_id=u, cipher=cipher)
                for u in sorted(buyer_segments(session))
            ],
            "interactions": session.execute(text("SELECT * FROM interactions ORDER BY id")).all(),
        }


def test_reseeding_is_idempotent(tmp_path):
    engine = make_engine(tmp_path / "chedai.db")
    cipher = FieldCipher(KEY)
    seed_database(engine, seed=3, data_dir=tmp_path, cipher=cipher, n_buyers=120)
    before = _snapshot(engine, cipher)
    seed_database(engine, seed=3, data_dir=tmp_path, cipher=cipher, n_buyers=120)
    assert _snapshot(engine, cipher) == before
    assert _scalar(engine, "SELECT count(*) FROM audit_log WHERE action = 'demo.seed'") == 2
    engine.dispose()


def test_demo_data_is_refused_outside_demo_mode(tmp_path):
    settings = Settings(data_dir=tmp_path, server_url="http://127.0.0.1:9")
    with pytest.raises(DemoModeRequired):
        ensure_demo_database(settings)
    assert not (tmp_path / "chedai.db").exists()


def test_the_seed_command_refuses_outside_demo_mode(tmp_path, monkeypatch, capsys):
    from app.cli import main

    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CHEDAI_SERVER_URL", "http://127.0.0.1:9")
    assert main(["seed"]) == 2
    assert "演示模式" in capsys.readouterr().err  # in the default language


def test_products_have_valid_windows_around_the_demo_date():
    world = generate(5, n_buyers=10)
    active = [p for p in world.products if p.is_active_on(date(2026, 11, 28))]
    expired = [p for p in world.products if not p.is_active_on(date(2026, 11, 28))]
    assert len(active) >= 40 and expired  # an ended promotion is kept for history
    assert all(p.conditions == {Condition.USED} or p.ltv_caps for p in world.products)


def test_ensure_demo_database_reuses_a_database_seeded_from_the_same_seed(tmp_path):
    settings = Settings(data_dir=tmp_path, demo_seed=11)
    engine = make_engine(settings.local_db_path)
    seed_database(engine, seed=11, data_dir=tmp_path, cipher=FieldCipher(KEY), n_buyers=50)
    engine.dispose()
    assert ensure_demo_database(settings) == settings.local_db_path
    assert _scalar(make_engine(settings.local_db_path), "SELECT count(*) FROM users") == 55


@pytest.mark.parametrize("seed", [19, 31, 20261128])
def test_no_two_lenders_of_a_kind_offer_twin_products(seed):
    """Two consumer-finance companies once priced alike to the cent: twin cards, side by side
    in every buyer's offers, read as padding. A captive's products are its brands' alone, so
    one buyer never sees two captives' side by side."""
    world = generate(seed, n_buyers=10)
    kind = {lender.id: lender.type for lender in world.lenders}
    first_with: dict[tuple, str] = {}
    for p in world.products:
        if p.brands:
            continue
        priced = (kind[p.lender_id], p.code.split("-")[1], p.rate_card, p.fees, p.terms)
        assert first_with.setdefault(priced, p.lender_id) == p.lender_id, p.code

"""The demo world, generated deterministically from a seed: vehicles, dealers, lenders,
products, buyers drawn from named segments (``local_db.demo.segments``), and months of their
shopping journeys (``local_db.demo.behaviour``), so collaborative filtering has real structure
to find.

Every generator parameter lives in code. ``generate(seed)`` is pure: same seed, same world.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from domain.catalog import (
    BodyType,
    BuyerProfile,
    Condition,
    Dealer,
    Employment,
    Energy,
    Lender,
    LenderType,
    LoanProduct,
    Role,
    User,
    Vehicle,
    VehicleUse,
)
from domain.identity import id_check_character
from domain.ids import seeded_id
from local_db.demo import market
from local_db.demo.behaviour import Shoppers
from local_db.demo.products import build_products
from local_db.demo.segments import SEGMENTS
from local_db.pictures import picture_name

N_VEHICLES = 260
NEV_SHARE = 0.40
USED_SHARE = 0.35
N_BUYERS = 6000
GENERATOR_VERSION = "8"  # bump when the generator's output changes for the same seed

_EPOCH_MS = int(datetime(2026, 11, 28, tzinfo=UTC).timestamp() * 1000)


@dataclass
class World:
    seed: int
    dealers: list[Dealer] = field(default_factory=list)
    lenders: list[Lender] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    products: list[LoanProduct] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    profiles: list[BuyerProfile] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)  # rows, ready for a bulk insert


def generate(seed: int, *, n_buyers: int = N_BUYERS, n_vehicles: int = N_VEHICLES) -> World:
    rng = np.random.default_rng(seed)
    ids = random.Random(seed)
    world = World(seed=seed)
    world.dealers = _dealers(ids)
    world.vehicles = _vehicles(n_vehicles, world.dealers, rng, ids)
    lenders = _lenders(ids)
    world.lenders = [lender for lender, _ in lenders]
    world.products = build_products(lenders, rng, ids, _EPOCH_MS)
    _buyers_and_interactions(world, n_buyers, rng, ids)
    return world


# --- catalogue ------------------------------------------------------------------------------


def _dealers(ids: random.Random) -> list[Dealer]:
    city_zh = {c: zh for c, zh, _ in market.CITIES}
    return [
        Dealer(
            id=seeded_id(ids),
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            city=spec.city,
            city_zh=city_zh[spec.city],
            brands=spec.brands,
            sells_used=spec.sells_used,
            address_zh=market.DEALER_CONTACTS[spec.name_en][0],
            address_en=market.DEALER_CONTACTS[spec.name_en][1],
            phone=market.DEALER_CONTACTS[spec.name_en][2],
            updated_ms=_EPOCH_MS,
        )
        for spec in market.DEALERS
    ]


def _lenders(ids: random.Random) -> list[tuple[Lender, str]]:
    return [
        (
            Lender(
                id=seeded_id(ids),
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                type=LenderType(spec.type),
                captive_brands=spec.captive_brands,
                updated_ms=_EPOCH_MS,
            ),
            spec.key,
        )
        for spec in market.LENDERS
    ]


_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", "12345678123457923456789", strict=True))
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 2010 = A, repeating every 30 years


def vin_check_digit(vin: str) -> str:
    """ISO 3779 / GB 16735 check digit (position 9) of a 17-character VIN."""
    total = sum(int(_VIN_VALUES.get(ch, ch)) * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def _vin(make_index: int, year: int, serial: int, rng: np.random.Generator) -> str:
    wmi = "L" + _VIN_CHARS[make_index % 23] + _VIN_CHARS[(make_index * 7 + 3) % 23]
    vds = "".join(_VIN_CHARS[i] for i in rng.integers(0, len(_VIN_CHARS), 5))
    tail = _VIN_YEARS[(year - 2010) % 30] + "C" + f"{serial:06d}"
    draft = wmi + vds + "0" + tail
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def _vehicles(
    n: int, dealers: list[Dealer], rng: np.random.Generator, ids: random.Random
) -> list[Vehicle]:
    nev = [m for m in market.MODELS if Energy(m.energy).is_nev]
    fuel = [m for m in market.MODELS if not Energy(m.energy).is_nev]
    n_nev = round(n * NEV_SHARE)
    # Every model appears at least once (cycling), then random draws: coverage of all brands.
    picks = [
        nev[i % len(nev)] if i < len(nev) else nev[rng.integers(len(nev))] for i in range(n_nev)
    ]
    picks += [
        fuel[i % len(fuel)] if i < len(fuel) else fuel[rng.integers(len(fuel))]
        for i in range(n - n_nev)
    ]
    used_flags = np.zeros(n, dtype=bool)
    used_flags[rng.choice(n, size=round(n * USED_SHARE), replace=False)] = True
    makes = sorted({m.make for m in market.MODELS})
    colour_p = np.array(market.COLOUR_WEIGHTS, dtype=float)
    colour_p /= colour_p.sum()
    used_dealers = [d for d in dealers if not d.brands]
    out = []
    for i, (model, used) in enumerate(zip(picks, used_flags, strict=True)):
        trim, uplift = market.TRIMS[int(rng.integers(len(market.TRIMS)))]
        price = model.price * (1 + uplift)
        franchised = [d for d in dealers if model.make in d.brands]
        colour = market.COLOURS[int(rng.choice(len(market.COLOURS), p=colour_p))]
        if used:
            age_days = _within_model_life(int(rng.integers(200, _MAX_AGE_DAYS)), model)
            registered = market.REFERENCE_DATE - timedelta(days=age_days)
            years = age_days / 365.25
            first_year = 0.75 if Energy(model.energy) is Energy.BEV else 0.82
            price *= first_year * (0.88 ** max(0.0, years - 1)) * rng.uniform(0.93, 1.05)
            mileage = int(max(3000, years * rng.normal(16000, 4000)) // 100 * 100)
            pool = used_dealers + [d for d in franchised if d.sells_used]
            dealer = (
                used_dealers[int(rng.integers(len(used_dealers)))]
                if rng.random() < 0.6
                else pool[int(rng.integers(len(pool)))]
            )
            year = registered.year
        else:
            registered, mileage, year = None, 0, 2026 + int(rng.random() < 0.2)
            dealer = (
                franchised[int(rng.integers(len(franchised)))] if franchised else used_dealers[0]
            )
        price_yuan = round(price / 100.0) * 100
        body = model.body
        out.append(
            Vehicle(
                id=seeded_id(ids),
                dealer_id=dealer.id,
                make=model.make,
                make_zh=model.make_zh,
                model=model.model,
                model_zh=market.MODEL_ZH.get(model.model, ""),
                trim=trim,
                year=year,
                body=BodyType(body),
                energy=Energy(model.energy),
                condition=Condition.USED if used else Condition.NEW,
                price=Decimal(price_yuan).quantize(Decimal("0.01")),
                colour=colour,
                vin=_vin(makes.index(model.make), year, i + 1, rng),
                picture=picture_name(body, colour),
                mileage_km=mileage,
                first_registration=registered,
                seats=model.seats,
                **_energy_figures(market.SPECS[(model.make, model.model)]),
                updated_ms=_EPOCH_MS,
            )
        )
    return out


_MIN_AGE_DAYS, _MAX_AGE_DAYS = 200, 8 * 365


def _within_model_life(age_days: int, model: market.Model) -> int:
    """A used car's age drawn for the eight years a used car may be, scaled into the years
    its model has been on sale (the same draw: the rest of the world's random stream is
    what it was)."""
    launched = market.LAUNCHED.get((model.make, model.model))
    on_sale = (market.REFERENCE_DATE - launched).days if launched else _MAX_AGE_DAYS
    if on_sale >= _MAX_AGE_DAYS:
        return age_days
    span = max(0, on_sale - _MIN_AGE_DAYS)
    return _MIN_AGE_DAYS + (age_days - _MIN_AGE_DAYS) * span // (_MAX_AGE_DAYS - _MIN_AGE_DAYS)


def _energy_figures(spec: market.Spec) -> dict:
    """A model's figures as a vehicle's fields (drawn from no random stream: the rest of the
    world is what it was without them)."""
    return {
        "electric_range_km": spec.range_km,
        "fuel_l_100km": None if spec.fuel is None else Decimal(spec.fuel),
        "power_kwh_100km": None if spec.power is None else Decimal(spec.power),
    }


# --- buyers and their behaviour -------------------------------------------------------------


def id_number(region: str, born: date, sequence: int) -> str:
    """An 18-digit resident ID number with a valid GB 11643 check character."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_character(body)


def _buyers_and_interactions(
    world: World, n_buyers: int, rng: np.random.Generator, ids: random.Random
) -> None:
    shoppers = Shoppers(world.vehicles, world.products, world.lenders, rng, ids, world.interactions)
    shares = np.array([s.share for s in SEGMENTS])
    seg_of = rng.choice(len(SEGMENTS), size=n_buyers, p=shares / shares.sum())
    cities = market.CITIES
    for n in range(n_buyers):
        seg = SEGMENTS[seg_of[n]]
        user_id, profile_id = seeded_id(ids), seeded_id(ids)
        age = int(rng.integers(seg.age[0], seg.age[1] + 1))
        born = date(
            market.REFERENCE_DATE.year - age, int(rng.integers(1, 13)), int(rng.integers(1, 29))
        )
        city, _, region = cities[int(rng.integers(len(cities)))]
        income = float(seg.income_median * math.exp(rng.normal(0.0, seg.income_sigma)))
        income = max(3000.0, round(income / 100) * 100)
        debt = max(0.0, round(income * rng.normal(seg.debt_ratio, 0.08) / 100) * 100)
        employment = list(seg.employment)[
            int(
                rng.choice(
                    len(seg.employment),
                    p=np.array(list(seg.employment.values())) / sum(seg.employment.values()),
                )
            )
        ]
        use = VehicleUse.COMMERCIAL if rng.random() < seg.commercial else VehicleUse.PRIVATE
        credit = int(np.clip(rng.normal(seg.credit_mean, seg.credit_sd), 350, 900))
        name = market.SURNAMES[int(rng.integers(len(market.SURNAMES)))] + "".join(
            market.GIVEN[int(k)]
            for k in rng.integers(0, len(market.GIVEN), int(rng.integers(1, 3)))
        )
        world.users.append(
            User(
                id=user_id,
                username=f"buyer{n + 1:05d}",
                role=Role.BUYER,
                display_name=name,
                updated_ms=_EPOCH_MS,
            )
        )
        world.profiles.append(
            BuyerProfile(
                id=profile_id,
                user_id=user_id,
                full_name=name,
                birth_year=born.year,
                city=city,
                monthly_income=Decimal(int(income)).quantize(Decimal("0.01")),
                monthly_debt_payments=Decimal(int(debt)).quantize(Decimal("0.01")),
                credit_score=credit,
                employment=Employment(employment),
                years_employed=int(min(age - 18, rng.integers(0, 15))),
                id_number=id_number(region, born, int(rng.integers(1, 1000))),
                phone="1"
                + str(int(rng.choice([3, 5, 7, 8, 9])))
                + f"{int(rng.integers(0, 10**9)):09d}",
                use=use,
                segment=seg.key,
                updated_ms=_EPOCH_MS,
            )
        )
        shoppers.shop(
            user_id=user_id, segment=int(seg_of[n]), income=income, use=use, credit=credit
        )


def segment_names() -> dict[str, str]:
    """segment key -> Chinese name."""
    return {s.key: s.name_zh for s in SEGMENTS}

"""The demo world, generated deterministically from a seed: vehicles, dealers, lenders,
products, buyers drawn from named segments, and months of interactions driven by each
segment's latent preferences (so collaborative filtering has real structure to find).

Every generator parameter lives here in code. ``generate(seed)`` is pure: same seed, same world.
"""

from __future__ import annotations

import bisect
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
    EventType,
    Lender,
    LenderType,
    LoanProduct,
    Role,
    User,
    Vehicle,
    VehicleUse,
)
from domain.ids import seeded_id
from local_db.demo import market
from local_db.demo.products import build_products
from local_db.pictures import picture_name

N_VEHICLES = 260
NEV_SHARE = 0.40
USED_SHARE = 0.35
N_BUYERS = 6000
GENERATOR_VERSION = "1"  # bump when the generator's output changes for the same seed

_EPOCH_MS = int(datetime(2026, 11, 28, tzinfo=UTC).timestamp() * 1000)


@dataclass(frozen=True)
class Segment:
    """A buyer segment's distributions and latent tastes (logit weights)."""

    key: str
    name_zh: str
    share: float
    age: tuple[int, int]
    income_median: int  # monthly, CNY
    income_sigma: float
    credit_mean: int
    credit_sd: int
    debt_ratio: float  # mean existing debt payments / income
    employment: dict[str, float]
    commercial: float  # share using the car commercially
    body: dict[str, float]
    energy: dict[str, float]
    used: float  # logit bonus for used cars
    premium: float  # logit bonus for premium models
    price_target: int
    price_spread: float  # sd of log price
    lender: dict[str, float]
    kind: dict[str, float]
    sessions: float = 12.0  # mean (vehicle, product) pairs a buyer explores


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "first_time_young", "首次购车青年", 0.25, (22, 30), 9000, 0.35, 650, 55, 0.10,
        {"employed": 0.85, "self_employed": 0.05, "gig": 0.10}, 0.0,
        {"hatchback": 1.2, "sedan": 1.0, "suv": 0.3}, {"BEV": 1.0, "PHEV": 0.3, "ICE": 0.0},
        -0.5, -1.0, 100_000, 0.35,
        {"consumer_finance": 1.2, "auto_finance": 0.8, "bank": -0.3, "finance_leasing": 0.2},
        {"flat_promo": 1.0, "loan": 0.5, "balloon": -0.5, "finance_lease": -0.2},
    ),
    Segment(
        "young_family", "年轻家庭", 0.24, (29, 42), 17000, 0.30, 700, 45, 0.15,
        {"employed": 0.85, "self_employed": 0.15}, 0.0,
        {"suv": 1.3, "mpv": 1.0, "sedan": 0.2}, {"PHEV": 1.2, "HEV": 0.8, "BEV": 0.5, "ICE": 0.2},
        -0.2, 0.0, 180_000, 0.30,
        {"bank": 1.0, "auto_finance": 0.9, "consumer_finance": -0.5, "finance_leasing": -0.5},
        {"loan": 0.9, "flat_promo": 0.6, "balloon": 0.2, "finance_lease": -0.5},
    ),
    Segment(
        "premium", "高端客户", 0.10, (33, 55), 45000, 0.40, 760, 40, 0.12,
        {"employed": 0.6, "self_employed": 0.4}, 0.0,
        {"sedan": 1.0, "suv": 1.0, "mpv": 0.5, "wagon": 0.6}, {"ICE": 0.6, "BEV": 0.6, "PHEV": 0.6},
        -1.0, 2.0, 350_000, 0.30,
        {"bank": 1.2, "auto_finance": 1.0, "consumer_finance": -2.0, "finance_leasing": -0.5},
        {"loan": 0.8, "balloon": 1.0, "flat_promo": 0.3, "finance_lease": -0.8},
    ),
    Segment(
        "ride_hailing", "网约车司机", 0.15, (26, 50), 9500, 0.25, 630, 50, 0.20,
        {"gig": 0.9, "self_employed": 0.1}, 0.9,
        {"sedan": 1.5, "suv": 0.0, "mpv": 0.3}, {"BEV": 1.6, "PHEV": 0.6, "ICE": -0.5},
        -0.3, -1.0, 120_000, 0.25,
        {"finance_leasing": 1.4, "auto_finance": 0.6, "consumer_finance": 0.4, "bank": -0.2},
        {"finance_lease": 1.2, "loan": 0.4, "flat_promo": 0.0, "balloon": -1.0},
    ),
    Segment(
        "small_business", "个体工商户", 0.12, (30, 56), 20000, 0.45, 680, 60, 0.20,
        {"self_employed": 0.9, "employed": 0.1}, 0.5,
        {"pickup": 1.6, "van": 1.6, "mpv": 0.8, "suv": 0.6}, {"ICE": 1.0, "HEV": 0.3, "PHEV": 0.3},
        0.0, 0.0, 150_000, 0.35,
        {"bank": 0.8, "finance_leasing": 0.9, "auto_finance": 0.2, "consumer_finance": 0.0},
        {"loan": 0.8, "finance_lease": 0.8, "balloon": 0.0, "flat_promo": 0.0},
    ),
    Segment(
        "used_value", "二手车实惠型", 0.14, (24, 55), 8000, 0.35, 640, 60, 0.18,
        {"employed": 0.7, "self_employed": 0.15, "gig": 0.1, "retired": 0.05}, 0.0,
        {"sedan": 1.0, "suv": 0.8, "hatchback": 0.6}, {"ICE": 0.8, "HEV": 0.6, "BEV": 0.0},
        2.5, -0.5, 80_000, 0.45,
        {"consumer_finance": 0.9, "finance_leasing": 0.8, "bank": 0.5, "auto_finance": -0.5},
        {"loan": 0.8, "finance_lease": 0.6, "flat_promo": -0.5, "balloon": -1.5},
    ),
)  # fmt: skip

EVENT_FUNNEL = (  # probability of reaching each stage given the previous one
    (EventType.SAVE, 0.35),
    (EventType.OFFER_OPEN, 0.55),
    (EventType.APPLY, 0.30),
    (EventType.ACCEPT, 0.60),
    (EventType.FUND, 0.80),
)


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
            age_days = int(rng.integers(200, 8 * 365))
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
                updated_ms=_EPOCH_MS,
            )
        )
    return out


# --- buyers and their behaviour -------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(region: str, born: date, sequence: int) -> str:
    """An 18-digit resident ID number with a valid GB 11643 check character."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _vehicle_logits(seg: Segment, vehicles: list[Vehicle]) -> np.ndarray:
    premium = {(m.make, m.model): m.premium for m in market.MODELS}
    out = np.empty(len(vehicles))
    for i, v in enumerate(vehicles):
        fit = (math.log(float(v.price)) - math.log(seg.price_target)) / seg.price_spread
        out[i] = (
            seg.body.get(v.body.value, -1.5)
            + seg.energy.get(v.energy.value, -0.5)
            + (seg.used if v.condition is Condition.USED else 0.0)
            + (seg.premium if premium[(v.make, v.model)] else 0.0)
            - 0.5 * fit * fit
        )
    return out


def _compatible(vehicles: list[Vehicle], products: list[LoanProduct]) -> np.ndarray:
    on = market.REFERENCE_DATE
    ok = np.zeros((len(vehicles), len(products)), dtype=bool)
    for i, v in enumerate(vehicles):
        for j, p in enumerate(products):
            lim = p.vehicle_limits
            ok[i, j] = (
                p.accepts_vehicle(v)
                and (lim.max_age_years is None or v.age_years(on) <= lim.max_age_years)
                and (lim.max_mileage_km is None or v.mileage_km <= lim.max_mileage_km)
                and (lim.min_price is None or v.price >= lim.min_price)
                and (lim.max_price is None or v.price <= lim.max_price)
            )
    return ok


def _buyers_and_interactions(
    world: World, n_buyers: int, rng: np.random.Generator, ids: random.Random
) -> None:
    vehicles, products = world.vehicles, world.products
    lender_type = {lender.id: lender.type.value for lender in world.lenders}
    compat = _compatible(vehicles, products)
    uses = {
        use: np.array([use in p.uses for p in products])
        for use in (VehicleUse.PRIVATE, VehicleUse.COMMERCIAL)
    }
    min_income = np.array([float(p.min_monthly_income) for p in products])
    seg_vehicle = [_vehicle_logits(s, vehicles) for s in SEGMENTS]
    # Each segment's taste for each product: its stated preferences plus an idiosyncratic part
    # (brand loyalty, word of mouth) that only the data reveals.
    seg_product = [
        np.array(
            [
                s.lender.get(lender_type[p.lender_id], 0.0) + s.kind.get(p.kind.value, 0.0)
                for p in products
            ]
        )
        + rng.normal(0.0, 1.2, len(products))
        for s in SEGMENTS
    ]
    shares = np.array([s.share for s in SEGMENTS])
    seg_of = rng.choice(len(SEGMENTS), size=n_buyers, p=shares / shares.sum())
    start_ms = int(
        datetime.combine(market.HISTORY_START, datetime.min.time(), UTC).timestamp() * 1000
    )
    end_ms = _EPOCH_MS - 1
    day_ms = 86_400_000
    cities = market.CITIES
    rows = world.interactions
    product_ids = [p.id for p in products]
    vehicle_ids = [v.id for v in vehicles]
    u = _Uniforms(np.random.default_rng(rng.integers(2**63)))
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
                credit_score=int(np.clip(rng.normal(seg.credit_mean, seg.credit_sd), 350, 900)),
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
        # The buyer's shortlist of cars (Gumbel top-k: k draws without replacement from the
        # segment's softmax), and product tastes a little their own.
        s_idx = seg_of[n]
        gumbel = -np.log(-np.log(rng.random(len(vehicles))))
        k = int(rng.integers(2, 6))
        shortlist = np.argsort(
            -(seg_vehicle[s_idx] + rng.normal(0.0, 0.5, len(vehicles)) + gumbel)
        )[:k]
        tastes = seg_product[s_idx] + rng.normal(0.0, 0.6, len(products))
        tastes = np.exp(tastes - tastes.max()) * (uses[use] & (min_income <= income * 1.1))
        choices = []
        for v in shortlist:
            cum = np.cumsum(tastes * compat[v])
            if cum[-1] > 0:
                choices.append((int(v), (cum / cum[-1]).tolist()))
        if not choices:
            continue
        t = int(rng.integers(start_ms, end_ms - 14 * day_ms))
        funded = False
        for _ in range(1 + int(rng.poisson(seg.sessions))):
            v, cum = choices[int(u() * len(choices))]
            p = min(bisect.bisect_left(cum, u()), len(cum) - 1)
            t += int(-math.log(1.0 - u()) * 2.5 * day_ms)
            events = [EventType.VIEW]
            while u() < 0.55:  # repeat views: geometric
                events.append(EventType.VIEW)
            for event, chance in EVENT_FUNNEL:
                if u() >= chance or (event is EventType.FUND and funded):
                    break
                events.append(event)
            funded = funded or events[-1] is EventType.FUND
            product_id, vehicle_id = product_ids[p], vehicle_ids[v]
            for event in events:
                t += int(-math.log(1.0 - u()) * 3 * 3_600_000)
                at = min(t, end_ms)
                rows.append(
                    {
                        "id": seeded_id(ids),
                        "user_id": user_id,
                        "product_id": product_id,
                        "vehicle_id": vehicle_id,
                        "event": event.value,
                        "at_ms": at,
                        "updated_ms": at,
                        "deleted": False,
                    }
                )


class _Uniforms:
    """Uniform draws from ``rng`` in blocks: a Python-speed source for the inner loop."""

    def __init__(self, rng: np.random.Generator, block: int = 65536) -> None:
        self._rng, self._block, self._buf, self._i = rng, block, [], 0

    def __call__(self) -> float:
        if self._i >= len(self._buf):
            self._buf, self._i = self._rng.random(self._block).tolist(), 0
        self._i += 1
        return self._buf[self._i - 1]


def segment_names() -> dict[str, str]:
    """segment key -> Chinese name."""
    return {s.key: s.name_zh for s in SEGMENTS}

"""How the demo buyers shop: journeys of weeks, return visits, comparison, a late decision.

A buyer's journey runs from a first visit to a decision a few weeks later (segment median,
log-normal spread). Between them the buyer comes back on several days; each visit looks at a
car from a shortlist that grows now and then, with a loan product, and often goes back to a
pair seen before to compare. Early visits browse widely, later ones focus on favourites.
Some buyers run a prequalification part-way through and open offers from then on; at the end a
share of journeys apply to one or two of the products they engaged with most, some of those are
approved and taken (accept) and one is funded. A share of buyers come back months later for
another car (a second family car, a second ride-hailing car, a van for the shop).

A buyer's taste for a product = the segment's weights on the product's attributes, moved by the
buyer's own departures from them; plus their house bank (the bank that holds their salary
account), the segment's word of mouth about particular products, the product's general appeal
(the part popularity sees), and a little that is only theirs. Products are chosen only among
those the car and the buyer qualify for (make, energy, condition, age and price limits; use;
income), and only while the product is on offer (a spring promotion stops in June).
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import accumulate

import numpy as np

from domain.catalog import (
    Condition,
    EventType,
    Lender,
    LenderType,
    LoanProduct,
    Vehicle,
    VehicleUse,
)
from domain.ids import seeded_id
from domain.market_time import DAY_MS
from local_db.demo import market
from local_db.demo.segments import SEGMENTS, Segment, product_attributes, segment_weights

MINUTE_MS = 60_000

# --- parameters ------------------------------------------------------------------------------
TASTE_SD = 0.5  # a buyer's departure from the segment's weight, per product attribute
OWN_SD = 0.35  # a buyer's taste for one product that nothing else explains
WORD_OF_MOUTH_SD = 0.5  # a segment's taste for one product beyond its attributes
APPEAL_SD = 0.4  # a product's appeal to everybody (marketing, dealers' push)
HOUSE_BANK = 1.0  # logit bonus for the products of the bank holding the buyer's salary
HOUSE_BANK_SHARES = (0.45, 0.35, 0.20)  # by bank, in market.LENDERS order
VEHICLE_SD = 0.5  # a buyer's departure from the segment's taste, per car
SHORTLIST = (2, 6)  # cars on the first shortlist: uniform in [lo, hi)
CANDIDATES = 10  # cars a buyer might ever consider (the shortlist grows from these)
DISCOVER = 0.08  # chance that a fresh look adds a car to the shortlist
JOURNEY_SD = 0.6  # sd of log journey length
JOURNEY_DAYS = (3.0, 180.0)  # journey length bounds
PAIRS_PER_VISIT = 1.0  # mean extra (car, product) pairs looked at in one visit
REVISIT = (0.25, 0.40, 0.55)  # chance a look returns to a pair already seen, by phase
FOCUS = (1.4, 1.0, 0.7)  # taste temperature by phase (early, middle, late): browsing → focus
REPEAT_VIEW = 0.4  # chance of one more view of the same pair, repeatedly (geometric)
SAVE = (0.15, 0.25, 0.35)  # chance of saving a pair on a look, by phase
OFFER_OPEN = 0.5  # chance of opening the offer on a look after prequalification
SECOND_APPLICATION = 0.3  # chance of applying to a second product
APPROVAL = (0.45, 0.35)  # accept chance = a + b × clip((credit − 600) / 150, 0, 1)
#: bureau score → the risk tier a lender prices (the prequal scorecard weighs more; the
#: bureau score alone is near enough for who gets which offers in the demo)
TIER_CUTOFFS = ((750, "A"), (700, "B"), (650, "C"), (600, "D"), (0, "E"))
FUND = 0.9  # chance an accepted offer is funded (once per journey)
RETURN_GAP_DAYS = (60, 200)  # from the end of one journey to the start of the next
START_LEAD_DAYS = 40  # journeys may have begun before the history starts
#: relative journey starts by month: the 金九银十 autumn peak, a summer lull
SEASON = {1: 1.0, 2: 0.8, 3: 0.9, 4: 0.9, 5: 1.0, 6: 0.95, 7: 0.85, 8: 0.9, 9: 1.2, 10: 1.25,
          11: 1.05, 12: 1.0}  # fmt: skip
VISIT_HOURS_UTC = 15  # visits fall in 08:00–23:00 Beijing time (00:00–15:00 UTC)
EVENT_GAP_MINUTES = 3.0  # mean gap between events in one visit


def uniforms(rng: np.random.Generator, block: int = 65536) -> Callable[[], float]:
    """A function returning uniform draws from ``rng``, drawn in blocks: a Python-speed
    source for the inner loops (a generator's ``__next__`` costs a fraction of a method)."""

    def draws():
        while True:
            yield from rng.random(block).tolist()

    return draws().__next__


def _ms(day: date) -> int:
    return int(datetime.combine(day, datetime.min.time(), UTC).timestamp() * 1000)


def vehicle_logits(seg: Segment, vehicles: list[Vehicle]) -> np.ndarray:
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


def compatible(vehicles: list[Vehicle], products: list[LoanProduct]) -> np.ndarray:
    """vehicles × products: the product may finance the car (make, energy, condition, age,
    mileage and price limits)."""
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


class Shoppers:
    """The market as the buyers see it, prepared once; :meth:`shop` plays one buyer."""

    def __init__(
        self,
        vehicles: list[Vehicle],
        products: list[LoanProduct],
        lenders: list[Lender],
        rng: np.random.Generator,
        ids: random.Random,
        rows: list[dict],
    ) -> None:
        self.rng, self.ids, self.rows = rng, ids, rows
        self.u = uniforms(np.random.default_rng(rng.integers(2**63)))
        lender_type = {lender.id: lender.type.value for lender in lenders}
        compat = compatible(vehicles, products)
        self.compatible_products = [np.flatnonzero(row).tolist() for row in compat]
        self.uses = {
            use: np.array([use in p.uses for p in products])
            for use in (VehicleUse.PRIVATE, VehicleUse.COMMERCIAL)
        }
        self.min_income = np.array([float(p.min_monthly_income) for p in products])
        self.attributes = product_attributes(products, lender_type)
        self.weights = [segment_weights(s) for s in SEGMENTS]
        self.seg_vehicle = [vehicle_logits(s, vehicles) for s in SEGMENTS]
        appeal = rng.normal(0.0, APPEAL_SD, len(products))
        self.seg_product = [
            appeal + rng.normal(0.0, WORD_OF_MOUTH_SD, len(products)) for _ in SEGMENTS
        ]
        banks = [lender.id for lender in lenders if lender.type is LenderType.BANK]
        self.bank_products = [np.array([p.lender_id == bank for p in products]) for bank in banks]
        shares = np.array(HOUSE_BANK_SHARES[: len(banks)], dtype=float)
        self.bank_cum = (np.cumsum(shares) / shares.sum()).tolist()
        self.active = [
            (
                _ms(p.valid_from) if p.valid_from else 0,
                _ms(p.valid_to) + DAY_MS if p.valid_to else 2**62,
            )
            for p in products
        ]
        self.offered = {
            tier: [tier in {q.tier.value for q in p.rate_card} for p in products]
            for _, tier in TIER_CUTOFFS
        }
        self.product_ids = [p.id for p in products]
        self.vehicle_ids = [v.id for v in vehicles]
        self.start_ms = _ms(market.HISTORY_START)
        self.end_ms = _ms(market.REFERENCE_DATE) - 1
        self.n_products = len(products)

    # --- one buyer ---------------------------------------------------------------------------

    def shop(
        self,
        *,
        user_id: str,
        segment: int,
        income: float,
        use: VehicleUse,
        credit: int,
    ) -> None:
        """Append the buyer's interactions (one journey, sometimes two) to ``rows``."""
        rng, seg = self.rng, SEGMENTS[segment]
        taste = (
            self.attributes
            @ (self.weights[segment] + rng.normal(0.0, TASTE_SD, len(self.weights[segment])))
            + self.seg_product[segment]
            + rng.normal(0.0, OWN_SD, self.n_products)
        )
        bank = min(bisect.bisect_left(self.bank_cum, self.u()), len(self.bank_cum) - 1)
        taste[self.bank_products[bank]] += HOUSE_BANK
        allowed = self.uses[use] & (self.min_income <= income * 1.1)
        approval = APPROVAL[0] + APPROVAL[1] * min(1.0, max(0.0, (credit - 600) / 150))
        offered = self.offered[next(tier for cutoff, tier in TIER_CUTOFFS if credit >= cutoff)]
        buyer = _Buyer(user_id, seg, taste, allowed, approval, offered)
        start = self._journey_start()
        for journey in range(2):
            end = self._journey(buyer, start)
            if journey == 1 or self.u() >= seg.returns:
                break
            start = end + int(rng.integers(*RETURN_GAP_DAYS)) * DAY_MS
            if start > self.end_ms:
                break

    def _journey_start(self) -> int:
        first = self.start_ms - START_LEAD_DAYS * DAY_MS
        days = (self.end_ms - first) // DAY_MS - 2
        top = max(SEASON.values())
        while True:
            day = first + int(self.u() * days) * DAY_MS
            month = datetime.fromtimestamp(day / 1000, UTC).month
            if self.u() * top < SEASON[month]:
                return day

    def _choosers(self, vehicle_taste: np.ndarray, taste: np.ndarray, allowed: np.ndarray):
        """The buyer's candidate cars, best first: :class:`_Car` s with products to choose."""
        rng = self.rng
        gumbel = -np.log(-np.log(rng.random(len(vehicle_taste))))
        noisy = vehicle_taste + rng.normal(0.0, VEHICLE_SD, len(vehicle_taste)) + gumbel
        top = np.argpartition(-noisy, CANDIDATES)[:CANDIDATES]
        top = top[np.argsort(-noisy[top])].tolist()
        ok = allowed.tolist()
        weights = [np.exp((taste - taste.max()) / temperature).tolist() for temperature in FOCUS]
        cars = []
        for v in top:
            products = [j for j in self.compatible_products[v] if ok[j]]
            if products:
                cars.append(_Car(v, products, weights))
        return cars

    def _journey(self, buyer: _Buyer, start: int) -> int:
        """One journey from ``start`` (ms); returns its decision time. After a
        prequalification the buyer looks at the products that made them an offer."""
        rng, u, seg, user_id = self.rng, self.u, buyer.segment, buyer.user_id
        candidates = self._choosers(
            self.seg_vehicle[SEGMENTS.index(seg)], buyer.taste, buyer.allowed
        )
        length = min(
            max(seg.journey_days * math.exp(rng.normal(0.0, JOURNEY_SD)), JOURNEY_DAYS[0]),
            JOURNEY_DAYS[1],
        )
        decision = start + int(length * DAY_MS)
        if not candidates:
            return decision
        n_short = min(int(rng.integers(*SHORTLIST)), len(candidates))
        n_visits = 2 + int(rng.poisson(seg.visits))
        offsets = [0.0, *sorted(u() * length for _ in range(n_visits - 1))]
        prequal_at = start + int((0.2 + 0.6 * u()) * length * DAY_MS) if u() < seg.prequal else None
        engaged: dict[tuple[int, int], float] = {}
        seen: list[tuple[int, int]] = []
        for offset in offsets:
            phase = min(int(3 * offset / length), 2)
            t = self._visit_time(start + int(offset * DAY_MS))
            qualified = prequal_at is not None and t >= prequal_at
            for _ in range(1 + int(rng.poisson(PAIRS_PER_VISIT))):
                only = buyer.offered if qualified else None
                pair, n_short = self._look(candidates, seen, phase, t, n_short, only)
                if pair is None:
                    continue
                if pair not in engaged:
                    engaged[pair] = 0.0
                    seen.append(pair)
                t = self._emit(user_id, pair, EventType.VIEW, t)
                engaged[pair] += 1.0
                while u() < REPEAT_VIEW:
                    t = self._emit(user_id, pair, EventType.VIEW, t)
                    engaged[pair] += 1.0
                if u() < SAVE[phase]:
                    t = self._emit(user_id, pair, EventType.SAVE, t)
                    engaged[pair] += 2.0
                if qualified and buyer.offered[pair[1]] and u() < OFFER_OPEN:
                    t = self._emit(user_id, pair, EventType.OFFER_OPEN, t)
                    engaged[pair] += 4.0
        if prequal_at is not None:
            engaged = {pair: n for pair, n in engaged.items() if buyer.offered[pair[1]]}
        if engaged and u() < seg.apply:
            self._decide(buyer, engaged, decision)
        return decision

    def _visit_time(self, day_ms: int) -> int:
        day = day_ms - day_ms % DAY_MS
        return day + int(self.u() * VISIT_HOURS_UTC * 3_600_000)

    def _pick(self, candidate, phase: int, t: int, only: list[bool] | None) -> int | None:
        """A product for the car, by taste at this phase, among those on offer at ``t``
        (and, when ``only`` is given, among those it marks)."""
        products, cum = candidate.products, candidate.cumulative(phase)
        for _ in range(5):
            p = products[min(bisect.bisect_left(cum, self.u() * cum[-1]), len(cum) - 1)]
            lo, hi = self.active[p]
            if lo <= t < hi and (only is None or only[p]):
                return p
        return None

    def _look(self, candidates, seen, phase: int, t: int, n_short: int, only):
        """One look: ((vehicle, product) or None when nothing suitable is on offer, the
        shortlist's new length). A look returns to a pair already seen, or takes a car from
        the shortlist (favourites first; now and then a new car joins it) and a product."""
        u = self.u
        if seen and u() < REVISIT[phase]:
            v, p = seen[int(u() * len(seen))]
            lo, hi = self.active[p]
            return ((v, p) if lo <= t < hi else None), n_short
        if n_short < len(candidates) and u() < DISCOVER:
            c, n_short = n_short, n_short + 1
        else:
            c = int(n_short * u() ** 1.6)
        p = self._pick(candidates[c], phase, t, only)
        return (None if p is None else (candidates[c].vehicle, p)), n_short

    def _decide(self, buyer: _Buyer, engaged, at: int) -> None:
        """Apply to the one or two pairs the buyer liked best; some are approved and taken
        (never where the lender does not lend to the buyer's tier), one is funded."""
        u, taste, user_id = self.u, buyer.taste, buyer.user_id
        scored = sorted(
            engaged,
            key=lambda pair: (
                -(
                    taste[pair[1]] / FOCUS[-1]
                    + math.log(engaged[pair])
                    - math.log(-math.log(u() or 1e-12))
                )
            ),
        )
        t = self._visit_time(at)
        funded = False
        for pair in scored[: 1 + int(u() < SECOND_APPLICATION)]:
            lo, hi = self.active[pair[1]]
            if not lo <= t < hi:  # the promotion ended before the buyer made up their mind
                continue
            if buyer.offered[pair[1]]:  # otherwise the application is declined
                t = self._emit(user_id, pair, EventType.OFFER_OPEN, t)
            t = self._emit(user_id, pair, EventType.APPLY, t)
            if buyer.offered[pair[1]] and u() < buyer.approval:
                accepted = self._visit_time(t + int(1 + u() * 4) * DAY_MS)
                self._emit(user_id, pair, EventType.ACCEPT, accepted)
                if not funded and u() < FUND:
                    funded = True
                    self._emit(
                        user_id, pair, EventType.FUND,
                        self._visit_time(accepted + int(2 + u() * 8) * DAY_MS),
                    )  # fmt: skip
            t = self._visit_time(t + int(u() * 3) * DAY_MS)

    def _emit(self, user_id: str, pair, event: EventType, t: int) -> int:
        """Record one event at ``t`` (dropped outside the history) and return the next
        event's time in the same visit."""
        v, p = pair
        if self.start_ms <= t <= self.end_ms:
            self.rows.append(
                {
                    "id": seeded_id(self.ids),
                    "user_id": user_id,
                    "product_id": self.product_ids[p],
                    "vehicle_id": self.vehicle_ids[v],
                    "event": event.value,
                    "at_ms": t,
                    "updated_ms": t,
                    "deleted": False,
                }
            )
        return t + int(-math.log(1.0 - self.u()) * EVENT_GAP_MINUTES * MINUTE_MS) + 1000


@dataclass(frozen=True)
class _Buyer:
    user_id: str
    segment: Segment
    taste: np.ndarray  # logit per product
    allowed: np.ndarray  # products the buyer's use and income qualify for
    approval: float  # chance an application is approved and taken
    offered: list[bool]  # products whose rate card prices the buyer's tier


class _Car:
    """A car a buyer considers, the products that could finance it for them, and the
    cumulative taste weights for choosing among those, per phase (computed on first use)."""

    __slots__ = ("_cums", "_weights", "products", "vehicle")

    def __init__(self, vehicle: int, products: list[int], weights: list[list[float]]) -> None:
        self.vehicle, self.products, self._weights = vehicle, products, weights
        self._cums: list[list[float] | None] = [None] * len(weights)

    def cumulative(self, phase: int) -> list[float]:
        cum = self._cums[phase]
        if cum is None:
            w = self._weights[phase]
            cum = self._cums[phase] = list(accumulate(w[j] for j in self.products))
        return cum

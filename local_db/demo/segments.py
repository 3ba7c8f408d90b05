"""The demo buyers' segments: who they are (income, credit, age), what cars they look at, how
they shop (how long, how often they come back, how many apply) and what they want from a loan,
as weights on the products' attributes (:data:`PRODUCT_ATTRIBUTES`).

The product weights follow the segments' needs in China's car-credit market: ride-hailing
drivers lease NEVs on long terms from leasing companies; premium buyers take the brand's captive
finance, often with a balloon; first-time young buyers want a low down payment and go to
consumer-finance companies and "0 利息" promotions; families borrow from banks and compare rates;
small-business owners need products that finance commercial use; used-car buyers need products
that take used cars and watch the price. Each buyer then departs from the segment's weights
(``local_db.demo.behaviour``), so popularity is never the whole story.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domain.catalog import Condition, FeeBasis, FlatPer, LoanProduct, VehicleUse

#: What a buyer can see of a product when choosing one, each on a scale of about one unit.
PRODUCT_ATTRIBUTES = (
    "bank", "auto_finance", "consumer_finance", "finance_leasing",  # lender type
    "loan", "finance_lease", "balloon", "flat_promo",  # product kind
    "captive",  # the car brand's own finance company
    "nev_only", "commercial", "used_only",
    "low_down",  # (30% − minimum down payment) / 10%: zero-down is 3, 40% down is −1
    "long_term",  # 48 or 60 months on offer
    "apr",  # an approximate all-in APR, in units of 5 percentage points
    "upmarket",  # log2(minimum income / 6,000)
)  # fmt: skip


#: Weights every buyer shares: dealers' finance desks push the brand's captive finance, and
#: "0 利息" promotions draw clicks.
MARKET = {"captive": 0.6, "flat_promo": 0.3}


@dataclass(frozen=True)
class Segment:
    """A buyer segment's distributions, shopping habits and tastes (logit weights)."""

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
    product: dict[str, float]  # weights on PRODUCT_ATTRIBUTES (missing: 0)
    journey_days: float  # median length of a shopping journey, first visit to decision
    visits: float  # mean return visits in a journey, beyond the first two
    prequal: float  # share who run a prequalification (and then open offers)
    apply: float  # share of journeys that end in at least one application
    returns: float  # share who come back for another car months later


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "first_time_young", "首次购车青年", 0.25, (22, 30), 9000, 0.35, 650, 55, 0.10,
        {"employed": 0.85, "self_employed": 0.05, "gig": 0.10}, 0.0,
        {"hatchback": 1.2, "sedan": 1.0, "suv": 0.3}, {"BEV": 1.0, "PHEV": 0.3, "ICE": 0.0},
        -0.5, -1.0, 100_000, 0.35,
        product={"consumer_finance": 1.0, "auto_finance": 0.4, "bank": -0.6,
                 "flat_promo": 0.8, "balloon": -0.6, "low_down": 0.8, "long_term": 0.4,
                 "apr": -0.4, "upmarket": -0.6},
        journey_days=50, visits=8.5, prequal=0.6, apply=0.30, returns=0.05,
    ),
    Segment(
        "young_family", "年轻家庭", 0.24, (29, 42), 17000, 0.30, 700, 45, 0.15,
        {"employed": 0.85, "self_employed": 0.15}, 0.0,
        {"suv": 1.3, "mpv": 1.0, "sedan": 0.2}, {"PHEV": 1.2, "HEV": 0.8, "BEV": 0.5, "ICE": 0.2},
        -0.2, 0.0, 180_000, 0.30,
        product={"bank": 1.0, "auto_finance": 0.5, "consumer_finance": -0.8,
                 "finance_leasing": -0.8, "loan": 0.6, "flat_promo": 0.3, "low_down": -0.1,
                 "long_term": 0.3, "apr": -0.9},
        journey_days=45, visits=8.0, prequal=0.65, apply=0.38, returns=0.10,
    ),
    Segment(
        "premium", "高端客户", 0.10, (33, 55), 45000, 0.40, 760, 40, 0.12,
        {"employed": 0.6, "self_employed": 0.4}, 0.0,
        {"sedan": 1.0, "suv": 1.0, "mpv": 0.5, "wagon": 0.6}, {"ICE": 0.6, "BEV": 0.6, "PHEV": 0.6},
        -1.0, 2.0, 350_000, 0.30,
        product={"auto_finance": 1.0, "captive": 0.8, "bank": 0.5, "consumer_finance": -1.5,
                 "finance_leasing": -1.0, "balloon": 1.2, "upmarket": 0.6, "apr": -0.2},
        journey_days=35, visits=7.0, prequal=0.55, apply=0.40, returns=0.10,
    ),
    Segment(
        "ride_hailing", "网约车司机", 0.15, (26, 50), 9500, 0.25, 630, 50, 0.20,
        {"gig": 0.9, "self_employed": 0.1}, 0.9,
        {"sedan": 1.5, "suv": 0.0, "mpv": 0.3}, {"BEV": 1.6, "PHEV": 0.6, "ICE": -0.5},
        -0.3, -1.0, 120_000, 0.25,
        product={"finance_leasing": 1.2, "finance_lease": 0.6, "nev_only": 1.0,
                 "commercial": 1.2, "long_term": 1.0, "low_down": 0.5, "balloon": -1.0,
                 "bank": -0.5, "apr": -0.2},
        journey_days=25, visits=7.5, prequal=0.7, apply=0.45, returns=0.18,
    ),
    Segment(
        "small_business", "个体工商户", 0.12, (30, 56), 20000, 0.45, 680, 60, 0.20,
        {"self_employed": 0.9, "employed": 0.1}, 0.5,
        {"pickup": 1.6, "van": 1.6, "mpv": 0.8, "suv": 0.6}, {"ICE": 1.0, "HEV": 0.3, "PHEV": 0.3},
        0.0, 0.0, 150_000, 0.35,
        product={"commercial": 1.3, "bank": 0.6, "finance_leasing": 0.6, "loan": 0.4,
                 "balloon": -0.5, "flat_promo": -0.3, "apr": -0.5, "upmarket": 0.2},
        journey_days=30, visits=7.0, prequal=0.6, apply=0.40, returns=0.18,
    ),
    Segment(
        "used_value", "二手车实惠型", 0.14, (24, 55), 8000, 0.35, 640, 60, 0.18,
        {"employed": 0.7, "self_employed": 0.15, "gig": 0.1, "retired": 0.05}, 0.0,
        {"sedan": 1.0, "suv": 0.8, "hatchback": 0.6}, {"ICE": 0.8, "HEV": 0.6, "BEV": 0.0},
        2.5, -0.5, 80_000, 0.45,
        product={"used_only": 1.0, "consumer_finance": 0.9, "finance_leasing": 0.8,
                 "bank": -0.3, "auto_finance": -0.4, "apr": -0.7, "low_down": 0.3,
                 "balloon": -1.0, "flat_promo": -0.5},
        journey_days=40, visits=7.5, prequal=0.5, apply=0.33, returns=0.08,
    ),
)  # fmt: skip


def approximate_apr(product: LoanProduct, principal: float = 100_000.0) -> float:
    """A rough all-in APR (a fraction) from the tier-A rate and the fees, as a buyer
    comparing offers would gauge it: a flat rate costs about 1.85× its face value
    (standards.md §2), a one-off fee spread over the loan's life costs about
    fee × 24 / (months + 1) a year."""
    quote = product.rate_card[0]
    if quote.annual_rate is not None:
        rate = float(quote.annual_rate)
    else:
        per_year = 12 if quote.flat_per is FlatPer.MONTH else 1
        rate = float(quote.flat_rate) * per_year * 1.85
    months = sorted(product.terms)[len(product.terms) // 2]
    for fee in product.fees:
        share = float(fee.amount) / principal if fee.basis is FeeBasis.FIXED else float(fee.rate)
        rate += share * 24 / (months + 1)
    return rate


def product_attributes(products: list[LoanProduct], lender_type: dict[str, str]) -> np.ndarray:
    """products × PRODUCT_ATTRIBUTES, the values a buyer's weights apply to."""
    out = np.zeros((len(products), len(PRODUCT_ATTRIBUTES)))
    col = {name: i for i, name in enumerate(PRODUCT_ATTRIBUTES)}
    for j, p in enumerate(products):
        row = out[j]
        row[col[lender_type[p.lender_id]]] = 1.0
        row[col[p.kind.value]] = 1.0
        row[col["captive"]] = float(p.brand_captive)
        row[col["nev_only"]] = float(p.nev_only)
        row[col["commercial"]] = float(VehicleUse.COMMERCIAL in p.uses)
        row[col["used_only"]] = float(p.conditions == frozenset({Condition.USED}))
        row[col["low_down"]] = (0.30 - float(p.min_down_payment_pct)) / 0.10
        row[col["long_term"]] = float(max(p.terms) >= 48)
        row[col["apr"]] = approximate_apr(p) / 0.05
        row[col["upmarket"]] = math.log2(max(float(p.min_monthly_income), 1000.0) / 6000.0)
    return out


def segment_weights(segment: Segment) -> np.ndarray:
    """The segment's product weights, the market's included, over PRODUCT_ATTRIBUTES."""
    unknown = (set(segment.product) | set(MARKET)) - set(PRODUCT_ATTRIBUTES)
    if unknown:
        raise ValueError(f"{segment.key}: unknown product attributes {sorted(unknown)}")
    return np.array(
        [segment.product.get(name, 0.0) + MARKET.get(name, 0.0) for name in PRODUCT_ATTRIBUTES]
    )

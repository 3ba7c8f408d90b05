"""The demo buyers shop like car-loan shoppers: over weeks, coming back, choosing what their
segment needs with tastes of their own, and getting offers only where a lender prices them."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.catalog import (
    Condition,
    EventType,
    FlatPer,
    LenderType,
    ProductKind,
    RateQuote,
    RiskTier,
    VehicleUse,
)
from local_db.demo.behaviour import TIER_CUTOFFS
from local_db.demo.market import HISTORY_START
from local_db.demo.products import handling_fee
from local_db.demo.segments import (
    PRODUCT_ATTRIBUTES,
    SEGMENTS,
    approximate_apr,
    product_attributes,
    segment_weights,
)
from local_db.demo.world import generate

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def world():
    return generate(20261128, n_buyers=1500)


def _by_buyer(world) -> dict[str, list[dict]]:
    out = defaultdict(list)
    for row in world.interactions:
        out[row["user_id"]].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: r["at_ms"])
    return out


def test_buyers_come_back_on_several_days_over_weeks(world):
    buyers = _by_buyer(world)
    spans = [(rows[-1]["at_ms"] - rows[0]["at_ms"]) / DAY_MS for rows in buyers.values()]
    days = [len({r["at_ms"] // DAY_MS for r in rows}) for rows in buyers.values()]
    assert statistics.median(spans) >= 14
    assert sum(d >= 4 for d in days) / len(days) >= 0.5


def test_applications_come_weeks_after_the_first_visit(world):
    waits = [
        (next(r["at_ms"] for r in rows if r["event"] == "apply") - rows[0]["at_ms"]) / DAY_MS
        for rows in _by_buyer(world).values()
        if any(r["event"] == "apply" for r in rows)
    ]
    assert len(waits) >= 150
    assert statistics.median(waits) >= 14


def test_some_buyers_return_months_later_for_another_car(world):
    returning = [
        user
        for user, rows in _by_buyer(world).items()
        if any(b["at_ms"] - a["at_ms"] >= 60 * DAY_MS for a, b in itertools.pairwise(rows))
    ]
    assert len(returning) >= 30


def _share_by_segment(world, attribute) -> dict[str, float]:
    segment = {p.user_id: p.segment for p in world.profiles}
    product = {p.id: p for p in world.products}
    lender = {x.id: x for x in world.lenders}
    hits, totals = Counter(), Counter()
    for row in world.interactions:
        key = segment[row["user_id"]]
        totals[key] += 1
        hits[key] += attribute(product[row["product_id"]], lender)
    return {key: hits[key] / totals[key] for key in totals}


@pytest.mark.parametrize(
    ("segment", "attribute"),
    [
        pytest.param(
            "ride_hailing",
            lambda p, lenders: lenders[p.lender_id].type is LenderType.FINANCE_LEASING,
            id="ride-hailing-drivers-lease-from-leasing-companies",
        ),
        pytest.param(
            "premium",
            lambda p, lenders: p.brand_captive or p.kind is ProductKind.BALLOON,
            id="premium-buyers-take-captive-finance-and-balloons",
        ),
        pytest.param(
            "first_time_young",
            lambda p, lenders: lenders[p.lender_id].type is LenderType.CONSUMER_FINANCE,
            id="first-time-buyers-go-to-consumer-finance",
        ),
        pytest.param(
            "young_family",
            lambda p, lenders: lenders[p.lender_id].type is LenderType.BANK,
            id="families-borrow-from-banks",
        ),
        pytest.param(
            "used_value",
            lambda p, lenders: p.conditions == {Condition.USED},
            id="used-car-buyers-take-used-car-products",
        ),
        pytest.param(
            "small_business",
            lambda p, lenders: VehicleUse.COMMERCIAL in p.uses,
            id="small-business-owners-finance-commercial-use",
        ),
    ],
)
def test_each_segment_leans_most_towards_what_it_needs(world, segment, attribute):
    shares = _share_by_segment(world, attribute)
    # Ride-hailing drivers are the other commercial users (and lease more of it).
    rivals = {segment, "ride_hailing"} if segment == "small_business" else {segment}
    others = max(share for key, share in shares.items() if key not in rivals)
    assert shares[segment] > max(0.3, others), shares


def test_buyers_of_one_segment_do_not_all_want_the_same_products(world):
    """Individual taste: within a segment the buyers' favourite products differ."""
    segment = {p.user_id: p.segment for p in world.profiles}
    favourites = defaultdict(Counter)
    for user, rows in _by_buyer(world).items():
        top = Counter(r["product_id"] for r in rows).most_common(1)[0][0]
        favourites[segment[user]][top] += 1
    for key, counts in favourites.items():
        assert counts.most_common(1)[0][1] / sum(counts.values()) < 0.5, key
        assert len(counts) >= 5, key


def test_offers_and_approvals_only_where_a_lender_prices_the_buyers_tier(world):
    credit = {p.user_id: p.credit_score for p in world.profiles}
    tiers = {p.id: {q.tier.value for q in p.rate_card} for p in world.products}
    checked = 0
    for row in world.interactions:
        if row["event"] in {EventType.OFFER_OPEN, EventType.ACCEPT, EventType.FUND}:
            score = credit[row["user_id"]]
            tier = next(t for cutoff, t in TIER_CUTOFFS if score >= cutoff)
            assert tier in tiers[row["product_id"]], row
            checked += 1
    assert checked > 1000


def test_products_are_only_chosen_while_on_offer(world):
    window = {p.id: (p.valid_from, p.valid_to) for p in world.products}
    promotions = 0
    for row in world.interactions:
        day = datetime.fromtimestamp(row["at_ms"] / 1000, UTC).date()
        start, end = window[row["product_id"]]
        assert (start is None or start <= day) and (end is None or day <= end), row
        promotions += start is not None and start >= HISTORY_START
    assert promotions > 0  # promotions that began during the history were taken up


def test_every_segment_weighs_every_product_attribute(world):
    lender_type = {lender.id: lender.type.value for lender in world.lenders}
    matrix = product_attributes(world.products, lender_type)
    assert matrix.shape == (len(world.products), len(PRODUCT_ATTRIBUTES))
    for segment in SEGMENTS:
        assert segment_weights(segment).shape == (len(PRODUCT_ATTRIBUTES),)


def _quote(annual=None, flat=None, per=FlatPer.YEAR):
    return (RateQuote(RiskTier.A, annual_rate=annual, flat_rate=flat, flat_per=per),)


@pytest.mark.parametrize(
    ("rate_card", "fee", "expected"),
    [
        pytest.param(_quote(flat=Decimal(0)), "0.09", 0.0568, id="zero-interest-plus-9pct-fee"),
        pytest.param(_quote(flat=Decimal("0.04")), None, 0.0751, id="4pct-flat-per-year"),
        pytest.param(
            _quote(flat=Decimal("0.0035"), per=FlatPer.MONTH), None, 0.0787, id="monthly-0.35pct"
        ),
        pytest.param(_quote(annual=Decimal("0.069")), None, 0.069, id="6.9pct-note-rate"),
    ],
)
def test_the_buyers_rough_apr_is_within_a_quarter_point_of_standards_vectors(
    world, rate_card, fee, expected
):
    """standards.md §2's flat-rate vectors, 100,000 over 36 months."""
    product = replace(
        world.products[0],
        rate_card=rate_card,
        terms=(36,),
        fees=(handling_fee(rate=fee),) if fee else (),
    )
    assert approximate_apr(product) == pytest.approx(expected, abs=0.0025)

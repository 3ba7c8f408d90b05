"""The demo lenders' loan products, built from templates per lender type with seeded
variation: realistic rate cards (standards.md §8), fees, terms and restrictions."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import numpy as np

from domain.catalog import (
    BalloonRule,
    Condition,
    Energy,
    FeeBasis,
    FeeRule,
    FlatPer,
    LateFeeRule,
    Lender,
    LoanProduct,
    LtvCap,
    LtvCategory,
    PrepaymentRule,
    ProductKind,
    RateQuote,
    RiskTier,
    VehicleLimits,
    VehicleUse,
)
from domain.ids import seeded_id

TIERS = tuple(RiskTier)
ALL_TERMS = (12, 24, 36, 48, 60)
NEV = frozenset({Energy.BEV, Energy.PHEV})
NEW = frozenset({Condition.NEW})
USED = frozenset({Condition.USED})
PRIVATE = frozenset({VehicleUse.PRIVATE})
COMMERCIAL = frozenset({VehicleUse.COMMERCIAL})
BOTH_USES = PRIVATE | COMMERCIAL
YEAR_START, YEAR_END = date(2026, 1, 1), date(2027, 6, 30)


def _d(value: str | int | float) -> Decimal:
    return Decimal(str(value))


def _bp(bp: int) -> Decimal:
    return (Decimal(bp) / Decimal(10000)).quantize(Decimal("0.0001"))


def card(base_bp: int, step_bp: int, tiers: int, *, terms: tuple[int, ...] = ()):
    """An annual-rate card: tier A at ``base_bp`` basis points, each lower tier ``step_bp``
    more."""
    return tuple(
        RateQuote(TIERS[i], annual_rate=_bp(base_bp + i * step_bp), terms=terms)
        for i in range(tiers)
    )


def flat_card(base_bp: int, step_bp: int, tiers: int, per: FlatPer = FlatPer.YEAR):
    return tuple(
        RateQuote(TIERS[i], flat_rate=_bp(base_bp + i * step_bp), flat_per=per)
        for i in range(tiers)
    )


def caps(**values: str) -> tuple[LtvCap, ...]:
    return tuple(LtvCap(LtvCategory(k), _d(v)) for k, v in values.items())


def handling_fee(amount: int = 0, *, rate: str | None = None, financed: bool = False):
    if rate is not None:
        return FeeRule(
            "手续费",
            "Handling fee",
            FeeBasis.PERCENT_OF_PRINCIPAL,
            rate=_d(rate),
            financed=financed,
        )
    return FeeRule("手续费", "Handling fee", FeeBasis.FIXED, amount=_d(amount), financed=financed)


GPS_FEE = FeeRule("GPS 安装费", "GPS installation fee", FeeBasis.FIXED, amount=_d(1500))
MORTGAGE_FEE = FeeRule("抵押登记费", "Lien registration fee", FeeBasis.FIXED, amount=_d(300))


def build_products(
    lenders: list[tuple[Lender, str]], rng: np.random.Generator, ids: random.Random, now_ms: int
) -> list[LoanProduct]:
    """Every lender's products. ``lenders`` pairs each lender with its spec key."""
    products: list[LoanProduct] = []
    taken: dict[str, set[int]] = {}
    for lender, key in lenders:
        drawn = int(rng.integers(-6, 7)) * 5  # ±30 bp of lender-specific pricing
        jitter = _distinct_jitter(drawn, taken.setdefault(lender.type.value, set()))
        taken[lender.type.value].add(jitter)

        def add(n: int, lender=lender, key=key, **fields) -> None:
            products.append(
                LoanProduct(
                    id=seeded_id(ids),
                    lender_id=lender.id,
                    code=f"{key.upper()}-{n:02d}",
                    updated_ms=now_ms,
                    **fields,
                )
            )

        BUILDERS[lender.type.value](add, lender, key, jitter)
    return products


#: the lender-specific pricing adjustments, in bp
JITTERS = tuple(range(-30, 35, 5))


def _distinct_jitter(drawn: int, taken: set[int]) -> int:
    """``drawn``, or the next adjustment up (wrapping within ±30 bp) that prices no product
    like an earlier lender of the same kind: side by side in one buyer's offers, twin cards
    read as padding. The monthly-fee card moves in 10 bp steps, so its tens must differ too."""
    start = JITTERS.index(drawn)
    for step in range(len(JITTERS)):
        jitter = JITTERS[(start + step) % len(JITTERS)]
        if all(jitter // 10 != t // 10 for t in taken):
            return jitter
    return drawn  # more lenders of a kind than distinct prices


def _bank(add: Callable, lender: Lender, key: str, j: int) -> None:
    common = {
        "fees": (MORTGAGE_FEE,),
        "prepayment": PrepaymentRule(
            fee_rate=_d("0.02"), fee_free_after_months=12, waived_for_trade_in=True
        ),
        "late_fee": LateFeeRule(grace_days=3, daily_penalty_rate=_d("0.0005")),
        "valid_from": YEAR_START,
        "valid_to": YEAR_END,
    }
    add(
        1,
        name_zh=f"{lender.name_zh}新车贷",
        name_en=f"{lender.name_en} new-car loan",
        kind=ProductKind.LOAN,
        rate_card=card(320 + j, 60, 4),
        terms=ALL_TERMS,
        ltv_caps=caps(private_new="0.80"),
        min_down_payment_pct=_d("0.20"),
        min_monthly_income=_d(6000),
        conditions=NEW,
        **common,
    )
    add(
        2,
        name_zh=f"{lender.name_zh}二手车贷",
        name_en=f"{lender.name_en} used-car loan",
        kind=ProductKind.LOAN,
        rate_card=card(450 + j, 80, 4),
        terms=(12, 24, 36),
        ltv_caps=caps(used="0.70" if key != "dongyue" else "0.60"),
        min_down_payment_pct=_d("0.30") if key != "dongyue" else _d("0.40"),
        min_monthly_income=_d(6000),
        conditions=USED,
        vehicle_limits=VehicleLimits(
            max_age_years=8, max_age_at_maturity_years=10, max_mileage_km=150_000
        ),
        **common,
    )
    add(
        3,
        name_zh=f"{lender.name_zh}新能源专享贷",
        name_en=f"{lender.name_en} NEV loan",
        kind=ProductKind.LOAN,
        rate_card=card(290 + j, 60, 3),
        terms=ALL_TERMS,
        ltv_caps=caps(private_new="0.85"),
        min_down_payment_pct=_d("0.15"),
        min_monthly_income=_d(7000),
        conditions=NEW,
        energies=NEV,
        **common,
    )
    add(
        4,
        name_zh=f"{lender.name_zh}尊享车贷",
        name_en=f"{lender.name_en} premium car loan",
        kind=ProductKind.LOAN,
        rate_card=card(260 + j, 30, 2),
        terms=(12, 24, 36, 48, 60),
        ltv_caps=caps(private_new="0.90"),
        min_down_payment_pct=_d("0.10"),
        min_monthly_income=_d(25000),
        max_amount=_d(1500000),
        conditions=NEW,
        vehicle_limits=VehicleLimits(min_price=_d(250000)),
        **common,
    )
    if key == "jiangnan":
        add(
            5,
            name_zh="江南小微商用车贷",
            name_en="Jiangnan small-business vehicle loan",
            kind=ProductKind.LOAN,
            rate_card=card(480 + j, 80, 3),
            terms=(12, 24, 36),
            ltv_caps=caps(commercial_fuel="0.70", commercial_nev="0.75"),
            min_down_payment_pct=_d("0.30"),
            min_monthly_income=_d(8000),
            max_dti=_d("0.45"),
            conditions=NEW,
            uses=COMMERCIAL,
            **common,
        )


def _captive(add: Callable, lender: Lender, key: str, j: int) -> None:
    brands = frozenset(lender.captive_brands)
    fee_rate = {"haitun": "0.04", "xingyue": "0.06", "deyun": "0.08", "fenglian": "0.05"}.get(
        key, "0.09"
    )
    promo_window = (
        (date(2026, 3, 1), date(2026, 6, 30))
        if key == "haitun"  # a spring promotion that has ended
        else (date(2026, 9, 1), date(2027, 3, 31))
    )
    common = {
        "brands": brands,
        "prepayment": PrepaymentRule(
            lockout_months=6, fee_rate=_d("0.03"), fee_free_after_months=24
        ),
        "late_fee": LateFeeRule(grace_days=3, daily_penalty_rate=_d("0.0005"), fixed_fee=_d(50)),
    }
    add(
        1,
        name_zh=f"{lender.name_zh} 0 利息 + 手续费",
        name_en=f"{lender.name_en} 0% interest + fee",
        kind=ProductKind.FLAT_PROMO,
        rate_card=flat_card(0, 0, 3),
        terms=(12, 24, 36),
        fees=(handling_fee(rate=fee_rate, financed=True),),
        ltv_caps=caps(private_new="0.70"),
        min_down_payment_pct=_d("0.30"),
        min_monthly_income=_d(5000),
        conditions=NEW,
        valid_from=promo_window[0],
        valid_to=promo_window[1],
        **common,
    )
    add(
        2,
        name_zh=f"{lender.name_zh}低息购车 1.99%",
        name_en=f"{lender.name_en} 1.99% low-rate offer",
        kind=ProductKind.LOAN,
        rate_card=(
            RateQuote(RiskTier.A, annual_rate=_d("0.0199")),
            RateQuote(RiskTier.B, annual_rate=_d("0.0299")),
        ),
        terms=(12, 24),
        fees=(handling_fee(2000),),
        ltv_caps=caps(private_new="0.75"),
        min_down_payment_pct=_d("0.25"),
        min_monthly_income=_d(8000),
        conditions=NEW,
        valid_from=YEAR_START,
        valid_to=date(2026, 12, 31),
        **common,
    )
    add(
        3,
        name_zh=f"{lender.name_zh}标准车贷",
        name_en=f"{lender.name_en} standard loan",
        kind=ProductKind.LOAN,
        rate_card=card(480 + j, 100, 4),
        terms=ALL_TERMS,
        fees=(handling_fee(800), GPS_FEE),
        ltv_caps=caps(private_new="0.85", used="0.70"),
        min_down_payment_pct=_d("0.15"),
        min_monthly_income=_d(5000),
        vehicle_limits=VehicleLimits(max_age_years=5, max_mileage_km=100_000),
        valid_from=YEAR_START,
        valid_to=YEAR_END,
        **common,
    )
    add(
        4,
        name_zh=f"{lender.name_zh}弹性尾款",
        name_en=f"{lender.name_en} balloon plan",
        kind=ProductKind.BALLOON,
        rate_card=card(399 + j, 80, 3),
        terms=(36,),
        fees=(handling_fee(1000),),
        balloon=BalloonRule(_d("0.30"), _d("0.40")),
        ltv_caps=caps(private_new="0.70"),
        min_down_payment_pct=_d("0.30"),
        min_monthly_income=_d(10000),
        conditions=NEW,
        valid_from=YEAR_START,
        valid_to=YEAR_END,
        **common,
    )
    if key == "haitun":
        add(
            5,
            name_zh="鹏程网约车新能源贷",
            name_en="Pengcheng ride-hailing NEV loan",
            kind=ProductKind.LOAN,
            rate_card=card(560 + j, 100, 4),
            terms=(24, 36, 48),
            fees=(handling_fee(1200), GPS_FEE),
            ltv_caps=caps(commercial_nev="0.75"),
            min_down_payment_pct=_d("0.25"),
            min_monthly_income=_d(6000),
            max_pti=_d("0.25"),
            conditions=NEW,
            energies=NEV,
            uses=COMMERCIAL,
            valid_from=YEAR_START,
            valid_to=YEAR_END,
            **common,
        )


def _consumer(add: Callable, lender: Lender, key: str, j: int) -> None:
    common = {
        "prepayment": PrepaymentRule(lockout_months=3, fee_rate=_d("0.03")),
        "late_fee": LateFeeRule(grace_days=1, daily_penalty_rate=_d("0.0007"), fixed_fee=_d(80)),
        "valid_from": YEAR_START,
        "valid_to": YEAR_END,
        "max_pti": _d("0.25"),
        "max_dti": _d("0.55"),
        "max_age_at_maturity": 60,
    }
    add(
        1,
        name_zh=f"{lender.name_zh}零首付车贷",
        name_en=f"{lender.name_en} zero-down car loan",
        kind=ProductKind.LOAN,
        rate_card=card(880 + j, 250, 5),
        terms=ALL_TERMS,
        fees=(handling_fee(rate="0.01"),),
        ltv_caps=caps(private_new="1.00"),
        min_down_payment_pct=_d("0.00"),
        min_monthly_income=_d(4000),
        max_amount=_d(300000),
        conditions=NEW,
        **common,
    )
    add(
        2,
        name_zh=f"{lender.name_zh}二手车分期",
        name_en=f"{lender.name_en} used-car instalments",
        kind=ProductKind.LOAN,
        rate_card=card(1180 + j, 200, 5),
        terms=(12, 24, 36),
        fees=(handling_fee(600),),
        ltv_caps=caps(used="0.70"),
        min_down_payment_pct=_d("0.30"),
        min_monthly_income=_d(4000),
        max_amount=_d(200000),
        conditions=USED,
        vehicle_limits=VehicleLimits(
            max_age_years=8, max_age_at_maturity_years=10, max_mileage_km=160_000
        ),
        **common,
    )
    add(
        3,
        name_zh=f"{lender.name_zh}月费率分期",
        name_en=f"{lender.name_en} monthly-fee instalments",
        kind=ProductKind.FLAT_PROMO,
        rate_card=flat_card(35 + (j // 10), 7, 4, FlatPer.MONTH),
        terms=(12, 24, 36),
        ltv_caps=caps(private_new="0.90"),
        min_down_payment_pct=_d("0.10"),
        min_monthly_income=_d(4500),
        max_amount=_d(250000),
        conditions=NEW,
        **common,
    )


def _leasing(add: Callable, lender: Lender, key: str, j: int) -> None:
    common = {
        "fees": (FeeRule("服务费", "Service fee", FeeBasis.PERCENT_OF_PRICE, rate=_d("0.02")),),
        "prepayment": PrepaymentRule(lockout_months=12, fee_rate=_d("0.05")),
        "late_fee": LateFeeRule(grace_days=0, daily_penalty_rate=_d("0.001"), fixed_fee=_d(100)),
        "valid_from": YEAR_START,
        "valid_to": YEAR_END,
        "max_pti": _d("0.25"),
        "max_dti": _d("0.55"),
    }
    add(
        1,
        name_zh=f"{lender.name_zh}以租代购",
        name_en=f"{lender.name_en} rent-to-own lease",
        kind=ProductKind.FINANCE_LEASE,
        rate_card=flat_card(450 + j, 100, 5),
        terms=(24, 36, 48),
        ltv_caps=caps(private_new="0.90", commercial_fuel="0.70", commercial_nev="0.75"),
        min_down_payment_pct=_d("0.10"),
        min_monthly_income=_d(4000),
        conditions=NEW,
        uses=BOTH_USES,
        **common,
    )
    add(
        2,
        name_zh=f"{lender.name_zh}网约车专案",
        name_en=f"{lender.name_en} ride-hailing lease",
        kind=ProductKind.FINANCE_LEASE,
        rate_card=flat_card(500 + j, 100, 5),
        terms=(36, 48),
        ltv_caps=caps(commercial_nev="0.75"),
        min_down_payment_pct=_d("0.25"),
        min_monthly_income=_d(5000),
        conditions=NEW,
        energies=NEV,
        uses=COMMERCIAL,
        vehicle_limits=VehicleLimits(max_price=_d(200000)),
        **common,
    )
    add(
        3,
        name_zh=f"{lender.name_zh}二手车融资租赁",
        name_en=f"{lender.name_en} used-car lease",
        kind=ProductKind.FINANCE_LEASE,
        rate_card=flat_card(600 + j, 100, 5),
        terms=(12, 24, 36),
        ltv_caps=caps(used="0.70"),
        min_down_payment_pct=_d("0.30"),
        min_monthly_income=_d(4000),
        conditions=USED,
        uses=BOTH_USES,
        vehicle_limits=VehicleLimits(max_age_years=6, max_mileage_km=120_000),
        **common,
    )
    add(
        4,
        name_zh=f"{lender.name_zh}尾款租",
        name_en=f"{lender.name_en} balloon lease",
        kind=ProductKind.BALLOON,
        rate_card=card(750 + j, 150, 4),
        terms=(36,),
        balloon=BalloonRule(_d("0.30"), _d("0.40")),
        ltv_caps=caps(private_new="0.70"),
        min_down_payment_pct=_d("0.30"),
        min_monthly_income=_d(6000),
        conditions=NEW,
        **common,
    )


BUILDERS = {
    "bank": _bank,
    "auto_finance": _captive,
    "consumer_finance": _consumer,
    "finance_leasing": _leasing,
}

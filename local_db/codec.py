"""Rows <-> domain dataclasses. Money crosses as integer cents, rates as exact decimal text,
times as epoch milliseconds (UTC)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.catalog import (
    BalloonRule,
    BodyType,
    Condition,
    Dealer,
    Energy,
    FeeBasis,
    FeeRule,
    FlatPer,
    LateFeeRule,
    Lender,
    LenderType,
    LoanProduct,
    LtvCap,
    LtvCategory,
    PrepaymentRule,
    ProductKind,
    RateQuote,
    RiskTier,
    Vehicle,
    VehicleLimits,
    VehicleUse,
)
from domain.money import from_cents, to_cents
from local_db.tables import DealerRow, LenderRow, LoanProductRow, VehicleRow


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: use an aware UTC datetime")
    return int(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def dumps(data: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, real UTF-8 (stable for hashing and diffs)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _cents_or_none(value: Decimal | None) -> int | None:
    return None if value is None else to_cents(value)


def _money_or_none(value: int | None) -> Decimal | None:
    return None if value is None else from_cents(value)


# --- vehicles, dealers, lenders -------------------------------------------------------------


def search_text(make: str, make_zh: str, model: str, trim: str, model_zh: str = "") -> str:
    """What the catalogue's text search matches: the names in both languages, lower-cased."""
    return " ".join(x for x in (make, make_zh, model, model_zh, trim) if x).lower()


def vehicle_to_row(v: Vehicle) -> dict[str, Any]:
    return {
        "id": v.id,
        "dealer_id": v.dealer_id,
        "make": v.make,
        "make_zh": v.make_zh,
        "model": v.model,
        "trim": v.trim,
        "year": v.year,
        "body": v.body.value,
        "energy": v.energy.value,
        "condition": v.condition.value,
        "price_cents": to_cents(v.price),
        "colour": v.colour,
        "vin": v.vin,
        "picture": v.picture,
        "mileage_km": v.mileage_km,
        "first_registration": v.first_registration,
        "seats": v.seats,
        "electric_range_km": v.electric_range_km,
        "fuel_ml_100km": _thousandths(v.fuel_l_100km),
        "power_wh_100km": _thousandths(v.power_kwh_100km),
        "model_zh": v.model_zh,
        "search_text": search_text(v.make, v.make_zh, v.model, v.trim, v.model_zh),
        "updated_ms": v.updated_ms,
        "deleted": v.deleted,
    }


def _thousandths(value: Decimal | None) -> int | None:
    """Litres or kWh per 100 km as whole millilitres or watt-hours on disk (exact to them)."""
    return None if value is None else int(value.scaleb(3).to_integral_value())


def _from_thousandths(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 1000).normalize()


_BODY = {b.value: b for b in BodyType}
_ENERGY = {e.value: e for e in Energy}
_CONDITION = {c.value: c for c in Condition}


def vehicle_from_tuple(r: dict[str, Any]) -> Vehicle:
    """A vehicle from raw column values (as the driver returns them)."""
    registered = r["first_registration"]
    return Vehicle(
        id=r["id"],
        dealer_id=r["dealer_id"],
        make=r["make"],
        make_zh=r["make_zh"],
        model=r["model"],
        trim=r["trim"],
        year=r["year"],
        body=_BODY[r["body"]],
        energy=_ENERGY[r["energy"]],
        condition=_CONDITION[r["condition"]],
        price=from_cents(int(r["price_cents"])),
        colour=r["colour"],
        vin=r["vin"],
        picture=r["picture"],
        mileage_km=r["mileage_km"],
        first_registration=None if registered is None else date.fromisoformat(registered),
        seats=r["seats"],
        electric_range_km=r["electric_range_km"],
        fuel_l_100km=_from_thousandths(r["fuel_ml_100km"]),
        power_kwh_100km=_from_thousandths(r["power_wh_100km"]),
        model_zh=r["model_zh"],
        updated_ms=r["updated_ms"],
        deleted=bool(r["deleted"]),
    )


def vehicle_from_row(r: VehicleRow) -> Vehicle:
    return Vehicle(
        id=r.id,
        dealer_id=r.dealer_id,
        make=r.make,
        make_zh=r.make_zh,
        model=r.model,
        trim=r.trim,
        year=r.year,
        body=BodyType(r.body),
        energy=Energy(r.energy),
        condition=Condition(r.condition),
        price=from_cents(r.price_cents),
        colour=r.colour,
        vin=r.vin,
        picture=r.picture,
        mileage_km=r.mileage_km,
        first_registration=r.first_registration,
        seats=r.seats,
        electric_range_km=r.electric_range_km,
        fuel_l_100km=_from_thousandths(r.fuel_ml_100km),
        power_kwh_100km=_from_thousandths(r.power_wh_100km),
        model_zh=r.model_zh,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


def dealer_to_row(d: Dealer) -> dict[str, Any]:
    return {
        "id": d.id,
        "name_zh": d.name_zh,
        "name_en": d.name_en,
        "city": d.city,
        "city_zh": d.city_zh,
        "brands": dumps(list(d.brands)),
        "sells_used": d.sells_used,
        "address_zh": d.address_zh,
        "address_en": d.address_en,
        "phone": d.phone,
        "updated_ms": d.updated_ms,
        "deleted": d.deleted,
    }


def dealer_from_row(r: DealerRow) -> Dealer:
    return Dealer(
        id=r.id,
        name_zh=r.name_zh,
        name_en=r.name_en,
        city=r.city,
        city_zh=r.city_zh,
        brands=tuple(json.loads(r.brands)),
        sells_used=r.sells_used,
        address_zh=r.address_zh,
        address_en=r.address_en,
        phone=r.phone,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


def lender_to_row(lender: Lender) -> dict[str, Any]:
    return {
        "id": lender.id,
        "name_zh": lender.name_zh,
        "name_en": lender.name_en,
        "type": lender.type.value,
        "captive_brands": dumps(list(lender.captive_brands)),
        "updated_ms": lender.updated_ms,
        "deleted": lender.deleted,
    }


def lender_from_row(r: LenderRow) -> Lender:
    return Lender(
        id=r.id,
        name_zh=r.name_zh,
        name_en=r.name_en,
        type=LenderType(r.type),
        captive_brands=tuple(json.loads(r.captive_brands)),
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


# --- loan products: scalar columns + one JSON document of rules ------------------------------


def product_rules(p: LoanProduct) -> dict[str, Any]:
    """Every rule of a product that has no column of its own, as JSON-ready data."""
    limits = p.vehicle_limits
    return {
        "rate_card": [
            {
                "tier": q.tier.value,
                "annual_rate": _dec(q.annual_rate),
                "flat_rate": _dec(q.flat_rate),
                "flat_per": q.flat_per.value,
                "terms": list(q.terms),
            }
            for q in p.rate_card
        ],
        "terms": list(p.terms),
        "ltv_caps": [[c.category.value, str(c.max_ltv)] for c in p.ltv_caps],
        "fees": [
            {
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "basis": f.basis.value,
                "amount_cents": to_cents(f.amount),
                "rate": str(f.rate),
                "financed": f.financed,
                "prepaid_finance_charge": f.prepaid_finance_charge,
            }
            for f in p.fees
        ],
        "min_down_payment_pct": str(p.min_down_payment_pct),
        "max_dti": str(p.max_dti),
        "max_pti": str(p.max_pti),
        "min_monthly_income_cents": to_cents(p.min_monthly_income),
        "min_age": p.min_age,
        "max_age_at_maturity": p.max_age_at_maturity,
        "min_amount_cents": to_cents(p.min_amount),
        "max_amount_cents": to_cents(p.max_amount),
        "conditions": sorted(c.value for c in p.conditions),
        "uses": sorted(u.value for u in p.uses),
        "energies": sorted(e.value for e in p.energies),
        "brands": sorted(p.brands),
        "cities": sorted(p.cities),
        "vehicle_limits": {
            "max_age_years": limits.max_age_years,
            "max_age_at_maturity_years": limits.max_age_at_maturity_years,
            "max_mileage_km": limits.max_mileage_km,
            "min_price_cents": _cents_or_none(limits.min_price),
            "max_price_cents": _cents_or_none(limits.max_price),
        },
        "balloon": None
        if p.balloon is None
        else {"min_pct": str(p.balloon.min_pct), "max_pct": str(p.balloon.max_pct)},
        "prepayment": {
            "allowed": p.prepayment.allowed,
            "lockout_months": p.prepayment.lockout_months,
            "fee_rate": str(p.prepayment.fee_rate),
            "fee_free_after_months": p.prepayment.fee_free_after_months,
            "waived_for_trade_in": p.prepayment.waived_for_trade_in,
        },
        "late_fee": {
            "grace_days": p.late_fee.grace_days,
            "daily_penalty_rate": str(p.late_fee.daily_penalty_rate),
            "fixed_fee_cents": to_cents(p.late_fee.fixed_fee),
            "credit_report_after_days": p.late_fee.credit_report_after_days,
        },
    }


def product_to_row(p: LoanProduct) -> dict[str, Any]:
    return {
        "id": p.id,
        "lender_id": p.lender_id,
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "kind": p.kind.value,
        "valid_from": p.valid_from,
        "valid_to": p.valid_to,
        "rules": dumps(product_rules(p)),
        "updated_ms": p.updated_ms,
        "deleted": p.deleted,
    }


def product_from_row(r: LoanProductRow) -> LoanProduct:
    rules = json.loads(r.rules)
    limits = rules["vehicle_limits"]
    prepay = rules["prepayment"]
    late = rules["late_fee"]
    balloon = rules["balloon"]
    return LoanProduct(
        id=r.id,
        lender_id=r.lender_id,
        code=r.code,
        name_zh=r.name_zh,
        name_en=r.name_en,
        kind=ProductKind(r.kind),
        rate_card=tuple(
            RateQuote(
                tier=RiskTier(q["tier"]),
                annual_rate=_undec(q["annual_rate"]),
                flat_rate=_undec(q["flat_rate"]),
                flat_per=FlatPer(q["flat_per"]),
                terms=tuple(q["terms"]),
            )
            for q in rules["rate_card"]
        ),
        terms=tuple(rules["terms"]),
        ltv_caps=tuple(LtvCap(LtvCategory(k), Decimal(v)) for k, v in rules["ltv_caps"]),
        fees=tuple(
            FeeRule(
                name_zh=f["name_zh"],
                name_en=f["name_en"],
                basis=FeeBasis(f["basis"]),
                amount=from_cents(f["amount_cents"]),
                rate=Decimal(f["rate"]),
                financed=f["financed"],
                prepaid_finance_charge=f["prepaid_finance_charge"],
            )
            for f in rules["fees"]
        ),
        min_down_payment_pct=Decimal(rules["min_down_payment_pct"]),
        max_dti=Decimal(rules["max_dti"]),
        max_pti=Decimal(rules["max_pti"]),
        min_monthly_income=from_cents(rules["min_monthly_income_cents"]),
        min_age=rules["min_age"],
        max_age_at_maturity=rules["max_age_at_maturity"],
        min_amount=from_cents(rules["min_amount_cents"]),
        max_amount=from_cents(rules["max_amount_cents"]),
        conditions=frozenset(Condition(c) for c in rules["conditions"]),
        uses=frozenset(VehicleUse(u) for u in rules["uses"]),
        energies=frozenset(Energy(e) for e in rules["energies"]),
        brands=frozenset(rules["brands"]),
        cities=frozenset(rules["cities"]),
        vehicle_limits=VehicleLimits(
            max_age_years=limits["max_age_years"],
            max_age_at_maturity_years=limits["max_age_at_maturity_years"],
            max_mileage_km=limits["max_mileage_km"],
            min_price=_money_or_none(limits["min_price_cents"]),
            max_price=_money_or_none(limits["max_price_cents"]),
        ),
        balloon=None
        if balloon is None
        else BalloonRule(Decimal(balloon["min_pct"]), Decimal(balloon["max_pct"])),
        prepayment=PrepaymentRule(
            allowed=prepay["allowed"],
            lockout_months=prepay["lockout_months"],
            fee_rate=Decimal(prepay["fee_rate"]),
            fee_free_after_months=prepay["fee_free_after_months"],
            waived_for_trade_in=prepay["waived_for_trade_in"],
        ),
        late_fee=LateFeeRule(
            grace_days=late["grace_days"],
            daily_penalty_rate=Decimal(late["daily_penalty_rate"]),
            fixed_fee=from_cents(late["fixed_fee_cents"]),
            credit_report_after_days=late["credit_report_after_days"],
        ),
        valid_from=r.valid_from,
        valid_to=r.valid_to,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )

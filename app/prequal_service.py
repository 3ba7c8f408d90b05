"""Prequalification for the app and the CLI: load the market from the local database, run the
pure domain check (domain.prequal), and put the answer into the user's language.

    answer = prequalify(session, applicant, vehicle, deal, today=..., consent=...)
    answer.result            # domain.prequal.PrequalResult: score, tier, offers, declines, review
    answer.lenders           # lender id -> Lender, for names
    to_wire(answer, locale)  # the JSON of `chedai prequal`

``vehicle`` is either a :class:`domain.prequal.VehicleFacts` or a catalogue vehicle id; for a
used car from the catalogue, the reference new price of the same make and model (the median
price of that model's new cars in the catalogue) feeds the depreciation model.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from app.i18n import format_money, format_number, format_rate, translator
from domain.catalog import Condition, Lender, LoanProduct, VehicleUse
from domain.errors import InputError
from domain.money import money
from domain.prequal import (
    ConsentGiven,
    Deal,
    Offer,
    PrequalResult,
    PriorApplication,
    Reason,
    VehicleFacts,
)
from domain.prequal import prequalify as domain_prequalify
from local_db.repositories import catalog as catalog_repo
from local_db.repositories import people as people_repo

__all__ = ["PrequalAnswer", "prequalify", "reason_text", "to_wire", "vehicle_facts"]


@dataclass(frozen=True)
class PrequalAnswer:
    result: PrequalResult
    lenders: dict[str, Lender]
    vehicle: VehicleFacts
    places: dict[str, str]  # city key -> its Chinese name (see city_names)


def vehicle_facts(
    session: Session, vehicle_id: str, *, today: date, use: VehicleUse = VehicleUse.PRIVATE
) -> VehicleFacts:
    """The rules' view of a catalogue car; InputError when there is no such car."""
    v = catalog_repo.get_vehicle(session, vehicle_id=vehicle_id)
    if v is None or v.deleted:
        raise InputError("vehicle_id", "not_found", "no such vehicle in the catalogue")
    new_price = None
    if v.condition is Condition.USED:
        page = catalog_repo.list_vehicles(
            session, query=v.model, brands=[v.make], condition="new", limit=100
        )
        prices = [c.price for c in page.items if c.model == v.model]
        if prices:
            new_price = money(statistics.median(prices))
    return VehicleFacts(
        price=v.price,
        use=use,
        energy=v.energy,
        condition=v.condition,
        age_years=max(Decimal(0), v.age_years(today))
        if v.condition is Condition.USED
        else Decimal(0),
        mileage_km=v.mileage_km,
        make=v.make,
        new_price=new_price,
        vehicle_id=v.id,
    )


def prequalify(
    session: Session,
    applicant,
    vehicle: VehicleFacts | str,
    deal: Deal,
    *,
    today: date,
    consent: ConsentGiven | None,
    now: datetime | None = None,
    history: Sequence[PriorApplication] = (),
    user_id: str | None = None,
) -> PrequalAnswer:
    """Every active product's answer for this buyer, car and deal.

    The consent is checked before anything else; with ``user_id`` it is also recorded in the
    local database (purpose, text version, time — with its outbox row) before the check runs.
    Raises InputError on bad input (no consent, unknown vehicle, impossible deal).
    """
    now = now or datetime.now(UTC)
    if consent is None:
        raise InputError(
            "consent", "required", "the buyer's consent to the soft check must be recorded first"
        )
    facts = (
        vehicle
        if isinstance(vehicle, VehicleFacts)
        else vehicle_facts(session, vehicle, today=today)
    )
    if user_id is not None:
        people_repo.record_consent(
            session,
            user_id=user_id,
            purpose=consent.purpose,
            text_version=consent.text_version,
            at=consent.given_at,
        )
    products = _active_products(session, today)
    result = domain_prequalify(
        applicant, facts, deal, products, consent=consent, today=today, now=now, history=history
    )
    lenders = {x.id: x for x in catalog_repo.list_lenders(session)}
    return PrequalAnswer(result, lenders, facts, city_names(session))


def city_names(session: Session) -> dict[str, str]:
    """Each city's key in the catalogue ("Shanghai") -> its Chinese name (上海), from the
    dealerships' cities: how a reason names a city to a Chinese reader."""
    return {d.city: d.city_zh for d in catalog_repo.list_dealers(session)}


_PRODUCTS: dict[tuple, tuple[LoanProduct, ...]] = {}


def _active_products(session: Session, today: date) -> tuple[LoanProduct, ...]:
    """The products active on ``today``, decoded once while the products table's rows stay
    the same (decoding them was half of a call); the same objects each time also let the
    domain keep its per-market work (reach verdicts, rate lines) across calls."""
    key = (today, catalog_repo.products_fingerprint(session))
    hit = _PRODUCTS.get(key)
    if hit is None:
        _PRODUCTS.clear()
        hit = _PRODUCTS[key] = tuple(catalog_repo.list_products(session, active_on=today))
    return hit


# --- the user's language --------------------------------------------------------------------


def _format(value: Any, kind: str | None, locale: str, places: Mapping[str, str]) -> str:
    if kind == "money":
        return format_money(Decimal(value), locale)
    if kind == "percent":
        return format_rate(Decimal(value), locale)
    if kind == "number":
        return format_number(value, locale)
    if kind == "label":
        return translator(locale)(str(value))
    if kind == "city" and locale.startswith("zh"):
        return places.get(str(value), str(value))
    return str(value)


def reason_text(reason: Reason, locale: str, places: Mapping[str, str] | None = None) -> str:
    """The reason's sentence in ``locale``, its values formatted for that locale; ``places``
    (:func:`city_names`) names a city to a Chinese reader (an English one reads its key)."""
    _ = translator(locale)
    params = {
        k: _format(v, reason.formats.get(k), locale, places or {}) for k, v in reason.params.items()
    }
    return _(reason.message).format(**params)


def _reason(reason: Reason, locale: str, places: Mapping[str, str]) -> dict[str, str]:
    return {"code": reason.code, "text": reason_text(reason, locale, places)}


def _s(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _pct(fraction: Decimal) -> str:
    return f"{money(fraction * 100):.2f}"


def _lender(lenders: dict[str, Lender], lender_id: str, locale: str) -> str:
    lender = lenders.get(lender_id)
    if lender is None:
        return lender_id
    return lender.name_zh if locale.startswith("zh") else lender.name_en


def _offer(o: Offer, lenders: dict[str, Lender], locale: str) -> dict[str, Any]:
    q = o.quote
    wire: dict[str, Any] = {
        "product_id": o.product.id,
        "product_code": o.product.code,
        "product_name": o.product.name_zh if locale.startswith("zh") else o.product.name_en,
        "lender": _lender(lenders, o.product.lender_id, locale),
        "apr": _s(q.apr_percent),  # the true APR first, before any flat rate
        "apr_over_24_percent": o.apr_over_limit,
    }
    if o.rate.flat_rate is not None:
        wire["flat_rate"] = {"rate": _pct(o.rate.flat_rate), "per": o.rate.flat_per.value}
    wire.update(
        {
            "monthly_payment": _s(q.payment),
            "last_payment": _s(q.last_payment),
            "amount_financed": _s(q.amount_financed),
            "finance_charge": _s(q.finance_charge),
            "total_of_payments": _s(q.total_of_payments),
            "total_sale_price": _s(q.total_sale_price),
            "term_months": q.terms.count,
            "max_amount_financed": _s(o.max_amount_financed),
            "metrics": o.metrics.percent(),
        }
    )
    return wire


def to_wire(answer: PrequalAnswer, locale: str) -> dict[str, Any]:
    """The JSON of ``chedai prequal``: amounts as strings, rates and metrics as percentage
    strings ("6.90" = 6.90%), sentences in ``locale``."""
    r = answer.result
    lenders, places = answer.lenders, answer.places
    declines = []
    for d in r.declines:
        hint = None
        if d.hint is not None:
            hint = {"kind": d.hint.kind, "text": reason_text(d.hint.reason, locale, places)}
            if d.hint.case is not None:
                deal = d.hint.case.deal
                hint["deal"] = {
                    "down_payment": _s(deal.down_payment),
                    "trade_in": _s(deal.trade_in),
                    "term_months": deal.term_months,
                }
                hint["price"] = _s(d.hint.case.vehicle.price)
                hint["monthly_debt_payments"] = _s(d.hint.case.applicant.monthly_debt_payments)
        declines.append(
            {
                "product_id": d.product.id,
                "product_code": d.product.code,
                "lender": _lender(lenders, d.product.lender_id, locale),
                "reasons": [_reason(x, locale, places) for x in d.reasons],
                "hint": hint,
            }
        )
    return {
        "status": r.status,
        "score": r.score.score,
        "tier": None if r.score.tier is None else r.score.tier.value,
        "score_reasons": [_reason(x, locale, places) for x in r.score.reasons],
        "scorecard_version": r.score.version,
        "review": [_reason(x, locale, places) for x in r.review],
        "vehicle_value": _s(r.valuation.value),
        "valuation_model_version": r.depreciation_version,
        "consent": {
            "purpose": r.consent.purpose.value,
            "text_version": r.consent.text_version,
            "given_at": r.consent.given_at.isoformat(),
        },
        "offers": [_offer(o, lenders, locale) for o in r.offers],
        "declines": declines,
    }

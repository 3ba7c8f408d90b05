"""What a contract is about: the parties, the vehicle, the loan terms and the consent record."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from contracts.record import encode
from domain.errors import InputError
from domain.loan_io import parse_terms
from domain.loans import LoanTerms
from domain.money import parse_money
from domain.parse import require
from domain.repayment_io import parse_servicing_terms
from domain.repayments import Terms

#: The namespace of document ids derived from a deal's content (uuid5), so that the same deal
#: always renders the same bytes.
_DOC_NS = uuid.UUID("6f1c1a52-4d0e-4a43-9a7e-2f3c9b0c7d11")


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Vehicle:
    vin: str
    make: str
    model: str
    year: int
    price: Decimal


@dataclass(frozen=True)
class Consent:
    """The buyer's affirmative consent to electronic records and signatures (ESIGN-style)."""

    consented_at: datetime  # aware
    scope: str
    method: str  # how the buyer showed they can open the format


@dataclass(frozen=True)
class Deal:
    buyer: Party
    dealer: Party
    lender: Party
    vehicle: Vehicle
    terms: LoanTerms
    consent: Consent | None = None
    #: drawn signature per role ("buyer", "lender"): strokes of (x, y) points in a 0..1 box
    signatures: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = field(default_factory=dict)
    #: the late-fee and prepayment terms the loan is serviced by (the repayment engine's own:
    #: what the contract discloses is what will be charged)
    servicing: Terms = field(default_factory=Terms)
    demo: bool = True
    document_id: str = ""  # empty: derived from the content
    #: a finance lease (融资租赁): the lessor owns the car until the last rent
    lease: bool = False

    def content_digest(self) -> str:
        """SHA-256 of the deal's canonical JSON: what the QR code and the record carry."""
        data = encode(self)
        data["document_id"] = ""
        if not self.lease:  # added later: a loan's digest is what it was before the field
            del data["lease"]
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def resolved_id(self) -> str:
        return self.document_id or str(uuid.uuid5(_DOC_NS, self.content_digest()))


def parse_deal(data: Any) -> Deal:
    """deal.json as a :class:`Deal`; InputError names the first bad field (dotted path)."""
    if not isinstance(data, dict):
        raise InputError("deal", "object", "must be a JSON object")
    buyer = _party(data, "buyer", need_id=True)
    dealer = _party(data, "dealer")
    lender = _party(data, "lender")
    raw_v = require(data, "vehicle", "")
    if not isinstance(raw_v, dict):
        raise InputError("vehicle", "object", "must be a JSON object")
    year = require(raw_v, "year", "vehicle.")
    if isinstance(year, bool) or not isinstance(year, int) or not 1950 <= year <= 2100:
        raise InputError("vehicle.year", "year", "must be a year such as 2026")
    vehicle = Vehicle(
        vin=_text(raw_v, "vin", "vehicle."),
        make=_text(raw_v, "make", "vehicle."),
        model=_text(raw_v, "model", "vehicle."),
        year=year,
        price=parse_money(require(raw_v, "price", "vehicle."), "vehicle.price"),
    )
    for old in _REPLACED:
        if old in data:
            raise InputError(old, "replaced", "is replaced by late_fee and prepayment objects")
    raw_terms = require(data, "terms", "")
    if not isinstance(raw_terms, dict):
        raise InputError("terms", "object", "must be a JSON object")
    terms = parse_terms(raw_terms, "terms.")
    if terms.cash_price != vehicle.price:
        raise InputError(
            "terms.cash_price",
            "equals_vehicle_price",
            "must equal vehicle.price ({price})",
            {"price": str(vehicle.price)},
        )
    return Deal(
        buyer=buyer,
        dealer=dealer,
        lender=lender,
        vehicle=vehicle,
        terms=terms,
        consent=_consent(data.get("consent")),
        signatures=_signatures(data.get("signatures") or {}),
        servicing=parse_servicing_terms(data),
        demo=bool(data.get("demo", True)),
        document_id=str(data.get("document_id") or ""),
        lease=_flag(data, "lease"),
    )


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise InputError(key, "boolean", "must be true or false")
    return value


def _text(data: dict, key: str, prefix: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise InputError(f"{prefix}{key}", "required", "is required")
        return ""
    if not isinstance(value, str):
        raise InputError(f"{prefix}{key}", "text", "must be text")
    if len(value) > 200:
        raise InputError(
            f"{prefix}{key}", "max_length", "must be at most {max} characters", {"max": 200}
        )
    return value.strip()


def _party(data: dict, key: str, *, need_id: bool = False) -> Party:
    raw = require(data, key, "")
    if not isinstance(raw, dict):
        raise InputError(key, "object", "must be a JSON object")
    p = f"{key}."
    return Party(
        name=_text(raw, "name", p),
        address=_text(raw, "address", p, required=False),
        id_number=_text(raw, "id_number", p, required=need_id),
        phone=_text(raw, "phone", p, required=False),
    )


def _consent(raw: Any) -> Consent | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("consent", "object", "must be a JSON object")
    at = _text(raw, "consented_at", "consent.")
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            "consent.consented_at",
            "datetime",
            "must be a date and time such as 2026-12-01T09:30:00+08:00",
        ) from None
    if moment.tzinfo is None:
        raise InputError("consent.consented_at", "aware", "must include a time zone offset")
    return Consent(
        consented_at=moment,
        scope=_text(raw, "scope", "consent."),
        method=_text(raw, "method", "consent."),
    )


def _signatures(raw: Any) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    if not isinstance(raw, dict):
        raise InputError("signatures", "object", "must be a JSON object")
    out = {}
    for role, strokes in raw.items():
        f = f"signatures.{role}"
        if role not in ("buyer", "lender"):
            raise InputError(f, "one_of", "must be one of {choices}", {"choices": "buyer, lender"})
        try:
            out[role] = tuple(tuple((_unit(x), _unit(y)) for x, y in stroke) for stroke in strokes)
        except (TypeError, ValueError):
            raise InputError(
                f, "strokes", "must be a list of strokes, each a list of [x, y] points in 0..1"
            ) from None
    return out


def _unit(v: Any) -> float:
    # drawing coordinates, not money: floats are right here
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise ValueError(v)
    return float(v)


#: Fields of earlier versions, which stated late and prepayment charges the loan's servicing
#: did not apply; refused with a pointer to what replaced them.
_REPLACED = ("late_fee_rate", "late_grace_days", "prepayment_fee_rate")

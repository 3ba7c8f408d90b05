"""Per-entity conflict rules: given who pushes an operation and the record's current state,
decide the outcome. Pure functions over plain data; ``backend.store`` does the I/O.

- catalogue (vehicle, lender, product, dealer): server wins; only admins write; ids are
  lower-case UUIDs (``invalid_id``), as applications name their car case-blind.
- profile: last writer wins per field; the clock is ``(created_ms, device_id)``, so two
  devices that apply the same edits in any order end with the same fields.
- application: the status follows ``sync.wire.APPLICATION_TRANSITIONS`` (one flagged for
  manual review is approved only by an admin, its flags unchanged); only the dealership's
  staff confirm a payout (contracted -> funded) or cancel a signed contract before it
  (contracted -> withdrawn); anything else is rejected with the reason. Applications are
  withdrawn, never deleted. A payout is refused (``lapsed``) once the first repayment date
  of the loan its latest contract signs has come, by the market's day (China's, as the
  devices count it) of the op's ``created_ms`` (when the staff confirmed it): the contract
  lapsed, and is cancelled instead. That date is
  the application's ``pay_out_by``, which the server sets as each contract arrives with its
  ``loan`` (so the dealership's devices, which never see a buyer's own contract, learn it);
  a device's ``pay_out_by`` is ignored, and a contract from a device that sent no loan
  leaves the payout unchecked.
- application and contract, the car: a car is financed once. While another application on
  the same ``vehicle_id`` holds it, no application steps to ``contracted`` or ``funded`` and
  no contract is stored for one (``under_contract``). An application holds its car once
  signed (contracted, or approved with its contract's date already stored) until the
  contract lapses, by the market's day of the op's ``created_ms`` (never later than the
  server's clock) as for a payout, or is cancelled; and for good once paid out. Two
  contracts signed offline on two devices: the first to reach the server stands. A signed
  application's car does not change. The server marks the car's catalogue record while an
  application holds it (``held_until``: the first repayment date, ``signed`` or ``sold``;
  the application's id in its ``meta``, never pulled; cleared once that application no
  longer holds it; :func:`car_marked`), and every device pulls it, so the car leaves every
  buyer's catalogue, not only the signer's.
- application, which car: the ``vehicle_id`` a new application names, or an application
  changes to, is a car the catalogue lists and has not delisted (else ``not_found``), on
  sale at the application's own dealership (else ``invalid_payload``). Applications stored
  earlier are not re-checked when the catalogue later delists their car.
- payment, interaction: append-only events; a second op on the same id is rejected. Dealer
  staff record the payments customers make at the desk, for their own dealership.
- payment, its dates and links (for a new event; see :func:`_payment_links`): a
  ``contract_id`` names a contract of the payment's application; no event is dated
  (``paid_ms``, by UTC day as devices date them) before its loan starts; a reversal names,
  in ``reverses``, a payment (not a reversal) of the same application and contract, dated
  on or before the reversal's day, and not reversed already (a payment is reversed once).
  The loan starts, for the server, on the UTC day of its contract's ``signed_ms``: no
  payment on a loan precedes its contract (the terms' loan date, the day the offer was
  priced, is that day or earlier). A payment that names no contract, or whose contract
  carries no ``signed_ms``, has no loan start on the server and is not date-checked (only
  the reversal rules apply to it).
- payment, its loan's payout: a new payment (not a reversal: that undoes one) names a
  ``funded`` application, or is rejected ``not_paid_out``: nothing is owed on a loan the
  lender has not paid out (its dealership's staff confirm the payout, see ``application``).
  The application is read as the push left it so far: funded earlier in the same push counts.
- contract: immutable once stored; a change is a new contract with ``supersedes``. The
  ``loan`` it signs (``sync.contract_loan``), when sent, must be a loan's terms.
- offer: immutable once stored, like a contract (a lender's answer at one moment).
- consent: its terms are immutable; the only change is a withdrawal, once.
- note: an edit based on an older version is kept beside the current text as a conflict
  for a person to resolve (an edit with ``resolve: true`` on the current version clears them).

For every entity: money is integer cents (each ``*_cents`` field a whole number ≥ 0). A new
contract, offer or payment names an application its writer may write, takes that
application's buyer, and names no dealership but the application's. Dealer staff name as a
new record's buyer only a customer at their desk (no registered account): an account
holder's records are their own to write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from domain.catalog import REVIEW_DECISIONS
from domain.market_time import DAY_MS, market_day_number
from sync import contract_loan
from sync.wire import (
    APPLICATION_INITIAL,
    APPLICATION_TRANSITIONS,
    CATALOGUE_ENTITIES,
    INTERACTION_KINDS,
    Op,
)

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_PAYLOAD_BYTES = 64 * 1024
MAX_NOTE_CHARS = 20_000

WRITERS: dict[str, frozenset[str]] = {
    **{entity: frozenset({"admin"}) for entity in CATALOGUE_ENTITIES},
    "profile": frozenset({"buyer", "admin"}),
    "application": frozenset({"buyer", "dealer_staff", "admin"}),
    "payment": frozenset({"buyer", "dealer_staff", "admin"}),  # staff: paid at the desk
    "contract": frozenset({"buyer", "dealer_staff", "admin"}),
    "note": frozenset({"buyer", "dealer_staff", "admin"}),
    "interaction": frozenset({"buyer", "dealer_staff", "admin"}),
    "offer": frozenset({"buyer", "dealer_staff", "admin"}),
    "consent": frozenset({"buyer", "dealer_staff", "admin"}),
}
#: What dealer staff may see of their dealership's records (a payment or consent is their
#: dealership's when one of its staff recorded it at the desk).
DEALER_VISIBLE = frozenset({"application", "contract", "note", "offer", "payment", "consent"})
#: Records that belong to one application (``payload.application_id``): a new one must name an
#: application its writer may write, and it is that application's buyer's.
OF_AN_APPLICATION = frozenset({"contract", "offer", "payment"})


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str
    dealer_id: str | None = None


@dataclass
class State:
    """A record as the rules see it."""

    owner_id: str | None
    dealer_id: str | None
    data: dict[str, Any] | None
    meta: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False
    updated_ms: int = 0


@dataclass(frozen=True)
class Outcome:
    status: str  # applied | conflict | rejected
    state: State | None = None  # the new state; None when nothing changes
    reason: str | None = None
    message: str | None = None
    #: (key, new ``meta``) of other records the op affects (``meta`` is rule bookkeeping,
    #: never pulled, so no change is logged): a reversal marks the payment it reverses
    meta_of: tuple[tuple[tuple[str, str], dict[str, Any]], ...] = ()
    #: (key, new state) of other records the op changes, each logged as a change and pulled
    #: like any: a contract sets the date its application must be paid out by
    changed: tuple[tuple[tuple[str, str], State], ...] = ()


class Rejected(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def can_read(actor: Actor, entity: str, owner_id: str | None, dealer_id: str | None) -> bool:
    if entity in CATALOGUE_ENTITIES or actor.role == "admin":
        return True
    if actor.role == "buyer":
        return owner_id == actor.user_id
    if actor.role == "dealer_staff":
        return entity in DEALER_VISIBLE and dealer_id is not None and dealer_id == actor.dealer_id
    return False


def named_buyers(actor: Actor, ops: Iterable[Op]) -> set[str]:
    """The ``buyer_id`` s that ``actor`` 's ops name where the rules must know whether each is
    a registered account (staff may name only the customers at their desk, who have none)."""
    if actor.role != "dealer_staff":
        return set()
    named = (op.payload.get("buyer_id") for op in ops if op.entity not in OF_AN_APPLICATION)
    return {buyer for buyer in named if is_uuid(buyer)}


def linked_records(op: Op) -> list[tuple[str, str]]:
    """The keys of the records the rules read to decide ``op`` beside the application it
    names: a payment's contract and the payment a reversal reverses, and the catalogue's
    vehicle an application names (the caller reads them with the batch's other records and
    passes them as ``records`` to :func:`decide`). Only UUIDs: no other text names a record
    (and the rules refuse it without a lookup)."""
    payload = op.payload
    if op.entity == "application":
        car = car_key(payload.get("vehicle_id"))
        return [("vehicle", car)] if car is not None else []
    if op.entity != "payment":
        return []
    keys = []
    if is_uuid(contract_id := payload.get("contract_id")):
        keys.append(("contract", contract_id))
    if payload.get("event_kind") == "reversal" and is_uuid(reverses := payload.get("reverses")):
        keys.append(("payment", reverses))
    return keys


def is_uuid(value: Any) -> bool:
    """``value`` is a UUID's text: the only text that names a record (and the only text the
    store looks up; PostgreSQL refuses some other text, such as NUL characters, outright)."""
    return isinstance(value, str) and _UUID.match(value) is not None


def decide(
    actor: Actor,
    op: Op,
    device_id: str,
    current: State | None,
    payload_bytes: int | None = None,
    application: State | None = None,
    accounts: Collection[str] = (),
    records: Mapping[tuple[str, str], State | None] | None = None,
    now_ms: int | None = None,
) -> Outcome:
    """The outcome of ``op`` pushed by ``actor`` from ``device_id`` onto ``current``.
    ``payload_bytes``: the payload's JSON size, when the caller has already encoded it;
    ``application``: for an entity of ``OF_AN_APPLICATION``, the current state of the
    application its payload names (None when there is none; a new payment's must be funded);
    ``accounts``: which of the ``buyer_id`` s that staff's payloads name are registered
    accounts (see :func:`named_buyers`);
    ``records``: the current states of the records :func:`linked_records` names (a key
    absent or None: there is no such record). None: the caller read none, and the checks
    that compare the op with other records (a payment's contract and the payment a reversal
    reverses, an application's car and the cars other contracts hold) are skipped: a store
    always reads them;
    ``now_ms``: the server's time, the latest a device's op may claim to have been made when
    it frees a car (a device's clock set ahead cannot make another's contract lapse)."""
    try:
        return _decide(
            actor, op, device_id, current, payload_bytes, application, accounts, records, now_ms
        )
    except Rejected as exc:
        return Outcome("rejected", reason=exc.reason, message=exc.message)


def _decide(
    actor: Actor,
    op: Op,
    device_id: str,
    current: State | None,
    size: int | None,
    application: State | None,
    accounts: Collection[str],
    records: Mapping[tuple[str, str], State | None] | None,
    now_ms: int | None = None,
) -> Outcome:
    if actor.role not in WRITERS[op.entity]:
        if op.entity in CATALOGUE_ENTITIES:
            raise Rejected("server_owned", "the catalogue is maintained by the server")
        raise Rejected("forbidden", "your role may not write this kind of record")
    if (size if size is not None else len(json.dumps(op.payload))) > MAX_PAYLOAD_BYTES:
        raise Rejected("payload_too_large", "the payload is larger than 64 KiB")
    if current is not None and not can_write(actor, op.entity, current):
        # Same answer as for a missing record: never reveal someone else's ids.
        raise Rejected("not_found", "no such record")
    if op.op != "delete":
        _cents(op.payload)
    if current is None and op.entity in OF_AN_APPLICATION:
        op = _of_application(actor, op, application)
    elif current is None and _text(op.payload.get("buyer_id")) in accounts:
        # only staff ask (named_buyers): the customers at their desk have no account
        raise Rejected(
            "forbidden",
            "payload.buyer_id is an account holder's: staff write for the customers at their "
            "desk, an account's records are its own",
        )
    if op.entity == "payment":
        return _payment(actor, op, device_id, current, records, application)
    if op.entity == "contract":
        return _contract(actor, op, current, application, _CarCheck(records, now_ms))
    if op.entity == "application":
        return _application(actor, op, current, _CarCheck(records, now_ms))
    rule = _RULES[op.entity]
    return rule(actor, op, device_id, current)


def can_write(actor: Actor, entity: str, current: State) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "buyer":
        return current.owner_id == actor.user_id
    return entity in DEALER_VISIBLE | {"interaction"} and current.dealer_id == actor.dealer_id


def _of_application(actor: Actor, op: Op, application: State | None) -> Op:
    """A new contract, offer or payment names an application its writer may write — a buyer
    their own, staff their dealership's — and is that application's buyer's (the op returned
    says so): nobody attaches a record to someone else's loan, or to another buyer's account."""
    payload = op.payload
    _uuid(payload, "application_id", required=True)
    if (
        application is None
        or application.deleted
        or not can_write(actor, "application", application)
    ):
        # Same answer whether it does not exist or is someone else's: never reveal ids.
        raise Rejected("not_found", "payload.application_id names no application of yours")
    if payload.get("buyer_id") not in (None, application.owner_id):
        raise Rejected("forbidden", "payload.buyer_id must be the application's buyer")
    if payload.get("dealer_id") not in (None, application.dealer_id):
        raise Rejected("forbidden", "payload.dealer_id must be the application's dealership")
    if application.owner_id is None:
        return op
    return op.model_copy(update={"payload": {**payload, "buyer_id": application.owner_id}})


# --- field checks -------------------------------------------------------------------------


def _uuid(payload: dict, name: str, *, required: bool) -> str | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise Rejected("invalid_payload", f"payload.{name} is required")
        return None
    if not isinstance(value, str) or not _UUID.match(value):
        raise Rejected("invalid_payload", f"payload.{name} must be a UUID string")
    return value


def _int(payload: dict, name: str, *, required: bool, minimum: int = 0) -> int | None:
    value = payload.get(name)
    if value is None:
        if required:
            raise Rejected("invalid_payload", f"payload.{name} is required")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value < 2**62:
        raise Rejected("invalid_payload", f"payload.{name} must be an integer ≥ {minimum}")
    return value


def _text(value: Any) -> str | None:
    """``value`` when it is text (a list or an object is no id, nor hashable)."""
    return value if isinstance(value, str) else None


def _cents(payload: dict) -> None:
    """Money travels as integer cents: every ``*_cents`` field is a whole number ≥ 0 (or null)."""
    for name in payload:
        if name.endswith("_cents"):
            _int(payload, name, required=False)


def _owner_and_dealer(actor: Actor, payload: dict, *, dealer_required: bool) -> tuple:
    buyer_id = _uuid(payload, "buyer_id", required=False)
    dealer_id = _uuid(
        payload, "dealer_id", required=dealer_required and actor.role != "dealer_staff"
    )
    _lower_case_dealer(dealer_id)
    if actor.role == "buyer":
        if buyer_id not in (None, actor.user_id):
            raise Rejected("forbidden", "a buyer writes only their own records")
        return actor.user_id, dealer_id
    if actor.role == "dealer_staff":
        if dealer_id not in (None, actor.dealer_id):
            raise Rejected("forbidden", "dealer staff write only for their own dealership")
        return buyer_id, actor.dealer_id
    return buyer_id, dealer_id


def _lower_case_dealer(dealer_id: Any) -> None:
    """Staff find their dealership's records, and a car's dealership is matched, by its id
    exactly: one in capitals would hide the record from them."""
    if isinstance(dealer_id, str) and dealer_id != dealer_id.lower():
        raise Rejected("invalid_payload", "payload.dealer_id is a dealership's lower-case id")


def _no_delete(op: Op, message: str) -> None:
    if op.op == "delete":
        raise Rejected("not_deletable", message)


# --- rules -------------------------------------------------------------------------------


def _catalogue(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    if op.entity_id != op.entity_id.lower():  # applications name their car by it, case-blind
        raise Rejected("invalid_id", "a catalogue id is a lower-case UUID")
    _lower_case_dealer(op.payload.get("dealer_id"))  # a car's dealership
    if op.op == "delete":
        if current is None or current.deleted:
            return Outcome("applied")
        return Outcome("applied", _tombstone(current, op))
    payload = kept_mark(current, op.payload) if op.entity == "vehicle" else dict(op.payload)
    meta = dict(current.meta) if current is not None and not current.deleted else {}
    return Outcome("applied", State(None, None, payload, meta, False, op.created_ms))


def _clock(op: Op, device_id: str) -> list:
    return [op.created_ms, device_id]


#: A buyer's identity numbers stay on their device, encrypted there; a server never keeps them.
DEVICE_ONLY = ("id_number", "phone", "id_number_enc", "phone_enc")


def _profile(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    for name in DEVICE_ONLY:
        if name in op.payload:
            raise Rejected(
                "invalid_payload", f"payload.{name} stays on the buyer's device, encrypted"
            )
    clock = _clock(op, device_id)
    if current is None:
        owner, _ = _owner_and_dealer(actor, op.payload, dealer_required=False)
        current = State(owner, None, None, {"clock": {}, "deleted_clock": [0, ""]}, True, 0)
    meta = {
        "clock": dict(current.meta.get("clock", {})),
        "deleted_clock": current.meta.get("deleted_clock", [0, ""]),
    }
    data = dict(current.data or {})
    if op.op == "delete":
        if clock <= meta["deleted_clock"] and current.deleted:
            return Outcome("applied")
        meta["deleted_clock"] = max(clock, meta["deleted_clock"])
        live = {
            k: v for k, v in data.items() if meta["clock"].get(k, [0, ""]) > meta["deleted_clock"]
        }
        deleted = not live
        return Outcome(
            "applied",
            State(current.owner_id, None, None if deleted else live, meta, deleted, op.created_ms),
        )
    changed = False
    for name, value in op.payload.items():
        if name in ("buyer_id",):
            continue
        if clock > meta["clock"].get(name, [0, ""]) and clock > meta["deleted_clock"]:
            if data.get(name) != value or name not in data or meta["clock"].get(name) != clock:
                changed = True
            data[name] = value
            meta["clock"][name] = clock
    if not changed:
        return Outcome("applied")  # an older write: the newer field values stand
    return Outcome(
        "applied",
        State(current.owner_id, None, data, meta, False, max(current.updated_ms, op.created_ms)),
    )


def _application(
    actor: Actor, op: Op, current: State | None, held: _CarCheck | None = None
) -> Outcome:
    _no_delete(op, "applications are withdrawn, not deleted")
    payload = dict(op.payload)
    payload.pop("pay_out_by", None)  # the server's, from the contract (see _contract)
    status = payload.get("status")
    if "status" in payload and not isinstance(status, str):
        raise Rejected("invalid_payload", "payload.status must be an application status")
    for ref in ("vehicle_id", "product_id", "lender_id"):
        _uuid(payload, ref, required=False)
    review_flags(payload)
    decision = payload.get("review_decision")
    if decision not in (None, *REVIEW_DECISIONS):
        options = ", ".join(REVIEW_DECISIONS)
        raise Rejected("invalid_payload", f"payload.review_decision must be one of {options}")
    if current is None:
        if decision is not None and actor.role != "admin":
            raise Rejected("forbidden", "a review decision is the reviewer's")
        if status not in APPLICATION_INITIAL:
            raise Rejected(
                "illegal_transition",
                "a new application starts as " + ", ".join(sorted(APPLICATION_INITIAL)),
            )
        owner, dealer = _owner_and_dealer(actor, payload, dealer_required=True)
        _listed_car(payload.get("vehicle_id"), dealer, held)
        payload.pop("buyer_id", None)
        payload["dealer_id"] = dealer
        return Outcome("applied", State(owner, dealer, payload, {}, False, op.created_ms))
    data = dict(current.data or {})
    old = data.get("status")
    if "dealer_id" in payload and payload["dealer_id"] != current.dealer_id:
        raise Rejected("immutable_field", "an application's dealer cannot change")
    if "buyer_id" in payload and payload["buyer_id"] != current.owner_id:
        raise Rejected("immutable_field", "an application's buyer cannot change")
    if is_signed(data) and payload.get("vehicle_id", data.get("vehicle_id")) != data.get(
        "vehicle_id"
    ):
        raise Rejected("immutable_field", "a signed application's car cannot change")
    payload.pop("buyer_id", None)
    flags = review_flags(data)
    changes_flags = "review" in payload and review_flags(payload) != flags
    if changes_flags and old != "draft" and actor.role != "admin":  # the check sets them, once
        raise Rejected("immutable_field", "an application's review flags are its check's")
    if changes_flags:
        flags = review_flags(payload)
    if actor.role != "admin" and "review_decision" in payload:
        if decision is not None and decision != data.get("review_decision"):
            raise Rejected("forbidden", "a review decision is the reviewer's")
        payload.pop("review_decision")  # a device that has not heard of the decision yet
    if status is not None and status != old:
        allowed = APPLICATION_TRANSITIONS.get(old, frozenset())
        if status not in allowed:
            options = ", ".join(sorted(allowed)) or "none (it is closed)"
            raise Rejected(
                "illegal_transition",
                f"an application cannot go from {old} to {status}; allowed: {options}",
            )
        if status == "funded" and actor.role == "buyer":
            raise Rejected("forbidden", "only the dealership confirms the lender's payout")
        if old == "contracted" and actor.role == "buyer":  # to withdrawn: see the transitions
            raise Rejected("forbidden", "only the dealership cancels a signed contract")
        if status == "funded":
            _not_lapsed(op, data.get("pay_out_by"))
        if status in _SIGNED and held is not None:
            vehicle_id = payload.get("vehicle_id", data.get("vehicle_id"))
            held.refuse_if_held(op, op.entity_id, vehicle_id)
        if status == "approved" and flags and actor.role != "admin":
            raise Rejected(
                "forbidden", "an application referred to manual review is approved by a reviewer"
            )
    elif not APPLICATION_TRANSITIONS.get(old):
        if any(data.get(k) != v for k, v in payload.items()):
            raise Rejected("application_closed", f"a {old} application cannot change")
        return Outcome("applied")
    if payload.get("vehicle_id", data.get("vehicle_id")) != data.get("vehicle_id"):
        _listed_car(payload["vehicle_id"], current.dealer_id, held)
    merged = {**data, **payload}
    if merged == data:
        return Outcome("applied")
    return Outcome(
        "applied",
        State(current.owner_id, current.dealer_id, merged, current.meta, False, op.created_ms),
    )


def _listed_car(vehicle_id: Any, dealer_id: str | None, held: _CarCheck | None) -> None:
    """An application's car is a car the catalogue lists, at the application's dealership
    (None: no car named yet; the batch's records not read: nothing checked)."""
    if vehicle_id is None or held is None or held.records is None:
        return
    car = held.records.get(("vehicle", car_key(vehicle_id)))
    if car is None or car.deleted:
        raise Rejected("not_found", "payload.vehicle_id names no car the catalogue lists")
    if (car.data or {}).get("dealer_id") != dealer_id:
        raise Rejected("invalid_payload", "payload.vehicle_id is another dealership's car")


def _not_lapsed(op: Op, pay_out_by: str | None) -> None:
    """A payout confirmed (``op.created_ms``) before the first repayment date its contract
    set (None: no contract told the server one)."""
    if pay_out_by is None:
        return
    if market_day_number(op.created_ms) >= _day_number(pay_out_by):
        raise Rejected(
            "lapsed",
            f"the contract lapsed: its first repayment date, {pay_out_by}, came before the "
            "payout (payload.status funded); the dealership cancels it instead",
        )


def _day_number(iso_date: str) -> int:
    """Days since 1970-01-01 of an ISO date, as ``market_day_number`` counts them."""
    return (date.fromisoformat(iso_date) - date(1970, 1, 1)).days


#: An application's statuses once its contract is signed.
_SIGNED = frozenset({"contracted", "funded"})
_MARKS = _SIGNED | {"withdrawn", "declined"}  # the steps that take a car or free it


def is_signed(data: Mapping[str, Any]) -> bool:
    """Signed: contracted or paid out, or approved with its contract's date already stored
    (the step to contracted comes after the contract, maybe in a later push)."""
    status = data.get("status")
    return status in _SIGNED or (status == "approved" and data.get("pay_out_by") is not None)


def holds_car(application: State, day: int) -> bool:
    """Whether ``application`` holds its car on the market's day ``day`` (see the module
    docstring): paid out, or signed and not lapsed."""
    if application.deleted:
        return False
    data = application.data or {}
    pay_out_by = data.get("pay_out_by")
    if data.get("status") == "funded":
        return True
    return is_signed(data) and (not isinstance(pay_out_by, str) or day < _day_number(pay_out_by))


def car_key(vehicle_id: Any) -> str | None:
    """The car a ``vehicle_id`` names as the rule compares them (a UUID's text, in either
    case), or None for no car."""
    return vehicle_id.lower() if is_uuid(vehicle_id) else None


@dataclass(frozen=True)
class _CarCheck:
    """Whether a car is held, over the batch's ``records`` (which include every application
    on the cars it signs for, see :func:`cars_signed_for`; None: not read, nothing checked)
    as of the server's ``now_ms`` at the latest."""

    records: Mapping[tuple[str, str], State | None] | None
    now_ms: int | None

    def refuse_if_held(self, op: Op, application_id: str, vehicle_id: Any) -> None:
        """Refuse ``op`` signing for (or paying out) ``vehicle_id`` while an application
        other than ``application_id`` holds the car, as of when the op was made (by the
        device's clock, never later than the server's)."""
        car = car_key(vehicle_id)
        if self.records is None or car is None:
            return
        made = op.created_ms if self.now_ms is None else min(op.created_ms, self.now_ms)
        day = market_day_number(made)
        for (entity, entity_id), other in self.records.items():
            if (
                entity == "application"
                and entity_id != application_id
                and other is not None
                and car_key((other.data or {}).get("vehicle_id")) == car
                and holds_car(other, day)
            ):
                raise Rejected(
                    "under_contract",
                    "the application's car (vehicle_id) is under another contract, signed "
                    "first: a car is financed once",
                )


def cars_signed_for(ops: Iterable[Op], states: Mapping[tuple[str, str], State | None]) -> set[str]:
    """The cars whose applications the rules read to decide a batch that signs (a contract, or
    an application stepped to contracted or funded): the ``vehicle_id`` (:func:`car_key`) of
    every application the batch writes or stores a contract for (``states``: the records read
    so far). Empty for a batch that signs nothing."""
    ops = list(ops)
    if not any(_steps_to(op, _SIGNED) for op in ops):
        return set()
    return _cars_of([op for op in ops if op.entity in ("application", "contract")], states)


def cars_marked_by(ops: Iterable[Op], states: Mapping[tuple[str, str], State | None]) -> set[str]:
    """The cars whose catalogue record a batch may mark held or free (:func:`car_marked`):
    those of the applications its contracts sign for and of its applications' steps to
    signed, paid out, withdrawn or declined (``states``: the records read so far)."""
    return _cars_of([op for op in ops if _steps_to(op, _MARKS)], states)


def _cars_of(ops: Iterable[Op], states: Mapping[tuple[str, str], State | None]) -> set[str]:
    """The cars (:func:`car_key`) of the applications ``ops`` write or store a contract for:
    the one an op names, and the one its application names as read so far."""
    cars = set()
    for op in ops:
        if op.entity == "contract":
            application_id, named = op.payload.get("application_id"), None
        else:
            application_id, named = op.entity_id, op.payload.get("vehicle_id")
        stored = states.get(("application", application_id)) if is_uuid(application_id) else None
        for named_car in (named, stored and (stored.data or {}).get("vehicle_id")):
            if (car := car_key(named_car)) is not None:
                cars.add(car)
    return cars


#: the car's mark the devices pull (the holding application's id stays in ``meta``)
HELD_UNTIL = "held_until"
_HELD_BY = "held_by"


def car_marked(vehicle: State, application_id: str, application: State, made_ms: int):
    """The car's catalogue record as ``application`` (just changed, at ``made_ms``) leaves
    it, or None when unchanged. While the application holds the car (:func:`holds_car`, by
    the market's day of ``made_ms``) the record says until when: ``held_until`` is its
    contract's first repayment date, ``"signed"`` when no contract told the server one, or
    ``"sold"`` once paid out; its ``meta`` names the application. Once that application no
    longer holds it (withdrawn, declined, lapsed), the mark is cleared; another
    application's mark is never touched. Every device pulls the record, so a car another
    buyer has signed for leaves their catalogue too (a lapse frees it by the date alone)."""
    if vehicle.deleted:
        return None
    data, meta = dict(vehicle.data or {}), dict(vehicle.meta or {})
    if holds_car(application, market_day_number(made_ms)):
        applied = application.data or {}
        funded = applied.get("status") == "funded"
        until = "sold" if funded else applied.get("pay_out_by") or "signed"
        new_until, new_by = until, application_id
    elif meta.get(_HELD_BY) == application_id:
        new_until, new_by = None, None
    else:
        return None  # another application's mark, or none
    if (data.get(HELD_UNTIL), meta.get(_HELD_BY)) == (new_until, new_by):
        return None
    data[HELD_UNTIL], meta[_HELD_BY] = new_until, new_by
    return replace(vehicle, data=data, meta=meta, updated_ms=max(vehicle.updated_ms, made_ms))


def kept_mark(current: State | None, payload: dict) -> dict:
    """A vehicle's new catalogue payload with the server's mark kept (an admin's edit neither
    sets nor clears it)."""
    kept = {k: v for k, v in payload.items() if k != HELD_UNTIL}
    if current is not None and not current.deleted and (current.data or {}).get(HELD_UNTIL):
        kept[HELD_UNTIL] = current.data[HELD_UNTIL]
    return kept


def _steps_to(op: Op, statuses: frozenset[str]) -> bool:
    """A contract, or an application's step to one of ``statuses``."""
    status = op.payload.get("status")
    return op.entity == "contract" or (
        op.entity == "application" and isinstance(status, str) and status in statuses
    )


def review_flags(payload: dict) -> tuple[str, ...]:
    """An application's review flags (reason codes): a list, or the JSON text of one as the
    app's rows hold them."""
    value = payload.get("review")
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            value = None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise Rejected("invalid_payload", "payload.review must be a list of reason codes")
    return tuple(value)


def _append_only(actor: Actor, op: Op, current: State | None, checks) -> Outcome:
    _no_delete(op, f"{op.entity} records are append-only")
    payload = dict(op.payload)
    checks(payload)
    if current is not None:
        expected = {k: v for k, v in payload.items() if k != "buyer_id"}
        if {k: v for k, v in (current.data or {}).items() if k != "dealer_id"} == {
            k: v for k, v in expected.items() if k != "dealer_id"
        }:
            return Outcome("applied")  # the same event delivered under a new op id
        raise Rejected("append_only", f"{op.entity} records are append-only; create a new one")
    owner, dealer = _owner_and_dealer(actor, payload, dealer_required=False)
    payload.pop("buyer_id", None)
    if dealer is not None:
        payload["dealer_id"] = dealer
    return Outcome("applied", State(owner, dealer, payload, {}, False, op.created_ms))


def _payment(
    actor: Actor,
    op: Op,
    device_id: str,
    current: State | None,
    records: Mapping[tuple[str, str], State | None] | None = None,
    application: State | None = None,
) -> Outcome:
    def checks(p: dict) -> None:
        # A reversal is a new append-only event naming the payment it undoes (its own amount
        # may be 0); a payment moves at least one cent.
        reversal = p.get("event_kind") == "reversal"
        if p.get("event_kind", "payment") not in ("payment", "reversal"):
            raise Rejected("invalid_payload", "payload.event_kind must be payment or reversal")
        _int(p, "amount_cents", required=True, minimum=0 if reversal else 1)
        _int(p, "paid_ms", required=True)
        _uuid(p, "application_id", required=True)
        _uuid(p, "contract_id", required=False)
        if reversal and not isinstance(p.get("reverses"), str):
            raise Rejected("invalid_payload", "payload.reverses must name the reversed payment")
        if not reversal and p.get("reverses") is not None:
            raise Rejected("invalid_payload", "payload.reverses is for a reversal only")
        if current is None and not reversal:  # a stored event stands as it is
            _paid_out(application)
        if current is None and records is not None:
            _payment_links(p, records)

    outcome = _append_only(actor, op, current, checks)
    if current is None and records is not None and op.payload.get("event_kind") == "reversal":
        key = ("payment", op.payload["reverses"])
        meta = {**records[key].meta, "reversed_by": op.entity_id}  # checked: it exists
        return Outcome(outcome.status, outcome.state, meta_of=((key, meta),))
    return outcome


def _paid_out(application: State | None) -> None:
    """A new payment's loan is paid out: its application (as ``_of_application`` found it,
    earlier ops of the push applied) is ``funded``. None (never, for a new payment: it names
    an application or is refused) is no payout either."""
    status = None if application is None else (application.data or {}).get("status")
    if status != "funded":
        raise Rejected(
            "not_paid_out",
            "payload.application_id names a loan the lender has not paid out: a payment is "
            "recorded once its application is funded",
        )


def _payment_links(p: dict, records: Mapping[tuple[str, str], State | None]) -> None:
    """A new payment event against the records it names (see the module docstring). Days
    are UTC days of epoch ms: a device dates a payment ``paid_ms`` at its day's UTC midnight,
    and its loan's dates are UTC days too."""
    paid_day = p["paid_ms"] // DAY_MS
    contract_id = p.get("contract_id")
    if contract_id is not None:
        contract = records.get(("contract", contract_id))
        if (
            contract is None
            or contract.deleted
            or (contract.data or {}).get("application_id") != p["application_id"]
        ):
            # the same answer whether it does not exist or is another loan's
            raise Rejected("not_found", "payload.contract_id names no contract of this application")
        signed_ms = contract.data.get("signed_ms")
        if _is_int(signed_ms) and paid_day < signed_ms // DAY_MS:
            raise Rejected(
                "payment_before_loan",
                f"payload.paid_ms ({_day(p['paid_ms'])}) must not be before the loan starts: "
                f"the day its contract (payload.contract_id) was signed, {_day(signed_ms)}",
            )
    if p.get("event_kind") != "reversal":
        return
    reversed_ = records.get(("payment", p["reverses"]))
    data = {} if reversed_ is None or reversed_.deleted else (reversed_.data or {})
    if not data or any(data.get(name) != p.get(name) for name in ("application_id", "contract_id")):
        raise Rejected("not_found", "payload.reverses names no payment of this contract")
    if data.get("event_kind") == "reversal":
        raise Rejected(
            "reversal_of_reversal",
            "payload.reverses names a reversal: only a payment can be reversed",
        )
    if "reversed_by" in reversed_.meta:
        raise Rejected(
            "already_reversed",
            "payload.reverses names a payment that is already reversed: a payment is reversed once",
        )
    paid_ms = data.get("paid_ms")
    if _is_int(paid_ms) and paid_day < paid_ms // DAY_MS:
        raise Rejected(
            "reversal_before_payment",
            f"payload.paid_ms ({_day(p['paid_ms'])}) of a reversal must not be before the "
            f"date of the payment it reverses (payload.reverses), {_day(paid_ms)}",
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _day(ms: int) -> str:
    """The UTC day of epoch ``ms`` as ISO text (the ms themselves past the calendar's end)."""
    try:
        return (date(1970, 1, 1) + timedelta(days=ms // DAY_MS)).isoformat()
    except OverflowError:
        return f"{ms} ms"


def _interaction(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    def checks(p: dict) -> None:
        _uuid(p, "product_id", required=True)
        _int(p, "at_ms", required=True)
        if p.get("kind") not in INTERACTION_KINDS:
            raise Rejected(
                "invalid_payload", "payload.kind must be one of " + ", ".join(INTERACTION_KINDS)
            )

    return _append_only(actor, op, current, checks)


def _contract(
    actor: Actor,
    op: Op,
    current: State | None,
    application: State | None,
    held: _CarCheck | None = None,
) -> Outcome:
    """See the module docstring; a new contract with its ``loan`` sets the date its
    application must be paid out by (the latest version's)."""
    if op.op == "delete":
        raise Rejected("contract_immutable", "contracts are immutable; they are never deleted")
    if current is not None:
        try:
            return _append_only(actor, op, current, lambda p: None)
        except Rejected:
            raise Rejected(
                "contract_immutable", "a stored contract is immutable; a change is a new version"
            ) from None

    def checks(p: dict) -> None:
        _uuid(p, "application_id", required=True)
        _int(p, "version", required=True, minimum=1)
        _int(p, "signed_ms", required=False)  # when its loan starts (see _payment_links)
        _uuid(p, "supersedes", required=False)
        digest = p.get("content_sha256")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise Rejected("invalid_payload", "payload.content_sha256 must be 64 lowercase hex")
        if "loan" in p:  # the loan it signs (sync.contract_loan; older devices send none)
            try:
                signed.append(contract_loan.from_wire(p["loan"]))
            except ValueError as exc:
                raise Rejected("invalid_payload", f"payload.loan {exc}") from None

    signed: list[contract_loan.ContractLoan] = []
    outcome = _append_only(actor, op, current, checks)
    if application is not None and held is not None:
        vehicle_id = (application.data or {}).get("vehicle_id")
        held.refuse_if_held(op, op.payload["application_id"], vehicle_id)
    if not signed or application is None or outcome.state is None:
        return outcome
    version = op.payload["version"]
    if version < application.meta.get("pay_out_by_version", 0):
        return outcome  # an older version arriving late: the newer one's date stands
    dated = State(
        application.owner_id, application.dealer_id,
        {**(application.data or {}), "pay_out_by": signed[0].terms.first_due.isoformat()},
        {**application.meta, "pay_out_by_version": version}, False,
        max(application.updated_ms, op.created_ms),
    )  # fmt: skip
    key = ("application", op.payload["application_id"])
    return Outcome(outcome.status, outcome.state, changed=((key, dated),))


def _offer(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    def checks(p: dict) -> None:
        _uuid(p, "application_id", required=True)
        _uuid(p, "product_id", required=True)

    if op.op == "delete":
        raise Rejected("offer_immutable", "offers are immutable; they are never deleted")
    try:
        return _append_only(actor, op, current, checks)
    except Rejected as exc:
        if exc.reason != "append_only":
            raise
        raise Rejected("offer_immutable", "a stored offer is immutable") from None


def _consent(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    _no_delete(op, "consents are withdrawn, not deleted")
    payload = dict(op.payload)
    _int(payload, "withdrawn_ms", required=False)
    if current is None:
        for name in ("purpose", "text_version"):
            if not isinstance(payload.get(name), str) or not payload[name]:
                raise Rejected("invalid_payload", f"payload.{name} must be non-empty text")
        _int(payload, "given_ms", required=True)
        owner, dealer = _owner_and_dealer(actor, payload, dealer_required=False)
        payload.pop("buyer_id", None)
        return Outcome("applied", State(owner, dealer, payload, {}, False, op.created_ms))
    data = dict(current.data or {})
    changed = {k: v for k, v in payload.items() if k != "buyer_id" and data.get(k) != v}
    if set(changed) - {"withdrawn_ms", "updated_ms"}:
        raise Rejected("consent_immutable", "a consent's terms cannot change; record a new consent")
    if "withdrawn_ms" in changed and data.get("withdrawn_ms") is not None:
        raise Rejected("consent_withdrawn", "this consent was already withdrawn")
    if not changed:
        return Outcome("applied")
    return Outcome(
        "applied",
        State(current.owner_id, current.dealer_id, {**data, **changed}, {}, False, op.created_ms),
    )


def _note(actor: Actor, op: Op, device_id: str, current: State | None) -> Outcome:
    payload = op.payload
    if op.op == "delete":
        if current is None or current.deleted:
            return Outcome("applied")
        return Outcome("applied", _tombstone(current, op))
    text = payload.get("text")
    if not isinstance(text, str) or len(text) > MAX_NOTE_CHARS:
        raise Rejected("invalid_payload", f"payload.text must be text of at most {MAX_NOTE_CHARS}")
    base = _int(payload, "base_version", required=False) or 0
    subject = _uuid(payload, "subject_id", required=False)
    if current is None or current.deleted:
        if current is None:
            owner, dealer = _owner_and_dealer(actor, payload, dealer_required=False)
        else:
            owner, dealer = current.owner_id, current.dealer_id
        version = (current.meta.get("version", 0) if current else 0) + 1
        data = {"text": text, "version": version, "subject_id": subject, "conflicts": []}
        return Outcome(
            "applied", State(owner, dealer, data, {"version": version}, False, op.created_ms)
        )
    data = dict(current.data or {})
    version = int(data.get("version", 1))
    if data.get("text") == text and base >= version - 1 and not payload.get("resolve"):
        return Outcome("applied")  # the same text again changes nothing
    if base >= version:
        conflicts = [] if payload.get("resolve") is True else list(data.get("conflicts", []))
        new = {**data, "text": text, "version": version + 1, "conflicts": conflicts}
        return Outcome(
            "applied",
            State(
                current.owner_id,
                current.dealer_id,
                new,
                {"version": version + 1},
                False,
                op.created_ms,
            ),
        )
    entry = {
        "text": text,
        "device_id": device_id,
        "created_ms": op.created_ms,
        "base_version": base,
    }
    conflicts = list(data.get("conflicts", []))
    if entry in conflicts:
        return Outcome(
            "conflict",
            reason="concurrent_edit",
            message="edited on another device; both versions are kept",
        )
    conflicts.append(entry)
    conflicts.sort(key=lambda c: (c["created_ms"], c["device_id"], c["text"]))
    new = {**data, "version": version + 1, "conflicts": conflicts}
    return Outcome(
        "conflict",
        State(
            current.owner_id, current.dealer_id, new, {"version": version + 1}, False, op.created_ms
        ),
        "concurrent_edit",
        "edited on another device; both versions are kept",
    )


def _tombstone(current: State, op: Op) -> State:
    return State(
        current.owner_id,
        current.dealer_id,
        None,
        current.meta,
        True,
        max(current.updated_ms, op.created_ms),
    )


_RULES = {
    **{entity: _catalogue for entity in CATALOGUE_ENTITIES},
    "profile": _profile,
    "payment": _payment,
    "note": _note,
    "interaction": _interaction,
    "offer": _offer,
    "consent": _consent,
}

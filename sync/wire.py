"""Wire schemas shared by the sync client and the backend (pydantic models).

Conventions: money is integer cents (``*_cents``), times are epoch milliseconds (``*_ms``),
ids are UUID strings. ``backend/`` imports this module; ``sync/`` never imports ``backend/``.

An operation (:class:`Op`) is one entry of a device's outbox. The server answers each with an
:class:`OpResult`; a rejected operation is still *acknowledged* (the server's answer is final),
so the client removes it from the outbox and reports the reason.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from domain.catalog import REVIEW_DECISIONS

Uuid = str  # validated with UUID_PATTERN; kept a str so it round-trips byte for byte
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
#: a catalogue id (a dealership's, a car's): lower-case, as records are matched by it exactly
CATALOGUE_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

#: Published by the server (admins write them, everyone reads them, the server wins on sync).
CATALOGUE_ENTITIES = ("vehicle", "lender", "product", "dealer")
ENTITIES = (
    *CATALOGUE_ENTITIES,
    "profile",
    "application",
    "payment",
    "contract",
    "note",
    "interaction",
    "offer",
    "consent",
)
Entity = Literal[
    "vehicle",
    "lender",
    "product",
    "dealer",
    "profile",
    "application",
    "payment",
    "contract",
    "note",
    "interaction",
    "offer",
    "consent",
]
#: local_db.outbox also writes "append" (events) and "transition" (status moves); the server
#: applies both as an upsert under the entity's rule (which enforces append-only and the
#: state machine).
OpKind = Literal["upsert", "delete", "append", "transition"]
Role = Literal["buyer", "dealer_staff", "admin"]

#: Application statuses (``domain.catalog.ApplicationStatus``'s values) and the transitions the
#: server accepts (anything else is rejected). A device runs the soft check offline, so a new
#: application may arrive already prequalified or declined (``APPLICATION_INITIAL``).
APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"prequalified", "declined", "withdrawn"}),
    "prequalified": frozenset({"submitted", "declined", "withdrawn"}),
    "submitted": frozenset({"approved", "declined", "withdrawn"}),
    "approved": frozenset({"contracted", "declined", "withdrawn"}),
    # a signed contract the lender has not paid out may be cancelled by the dealership
    # (the customer changed their mind, or the first repayment date passed: it lapsed)
    "contracted": frozenset({"funded", "withdrawn"}),
    "funded": frozenset(),
    "declined": frozenset(),
    "withdrawn": frozenset(),
}
APPLICATION_INITIAL = frozenset({"draft", "prequalified", "declined"})

#: Interaction kinds, weakest signal first (standards §7).
INTERACTION_KINDS = (
    "view",
    "save",
    "offer_open",
    "apply",
    "accept",
    "fund",
)  # = recommender.events.EVENTS (tests/sync/test_wire.py keeps them equal)

MAX_OPS_PER_PUSH = 500
MAX_PULL_LIMIT = 1000
_EPOCH_MS_MAX = 2**53  # JSON-safe integer; far beyond any real date


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Op(_Strict):
    """One outbox operation. ``op_id`` is generated on the device and never reused."""

    op_id: Uuid = Field(pattern=UUID_PATTERN)
    entity: Entity
    entity_id: Uuid = Field(pattern=UUID_PATTERN)
    op: OpKind = "upsert"
    payload: dict[str, Any] = Field(default_factory=dict)
    created_ms: StrictInt = Field(ge=0, le=_EPOCH_MS_MAX)  # "5" is not a time


class PushRequest(_Strict):
    device_id: str = Field(min_length=1, max_length=64)
    ops: list[Op] = Field(max_length=MAX_OPS_PER_PUSH)


class OpResult(_Strict):
    """``applied``: the effect is stored (``seq`` is its change number, absent when the op
    changed nothing); ``conflict``: stored, but kept beside a concurrent edit for a person to
    resolve (notes); ``rejected``: no effect, ``reason`` is a stable code and ``message`` the
    English explanation. ``replayed`` is true when this is the stored answer to a retry."""

    op_id: Uuid
    status: Literal["applied", "conflict", "rejected"]
    seq: int | None = None
    reason: str | None = None
    message: str | None = None
    replayed: bool = False


class PushResponse(_Strict):
    results: list[OpResult]


class Change(_Strict):
    """A numbered change as pulled: the record's full state after the change, or a
    tombstone (``deleted`` true, ``data`` null)."""

    seq: int
    entity: Entity
    entity_id: Uuid
    deleted: bool = False
    data: dict[str, Any] | None = None
    updated_ms: int


class PullResponse(_Strict):
    changes: list[Change]
    cursor: int = Field(description="pass as `since` next time; advance only after applying")
    has_more: bool


class Token(_Strict):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_ms: int


class Registration(_Strict):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@+-]+$")
    password: str = Field(min_length=8, max_length=256)


class NewUser(Registration):
    role: Role
    dealer_id: Uuid | None = Field(default=None, pattern=CATALOGUE_ID_PATTERN)


class CloseAccount(_Strict):
    """``POST /account/close``: the password again, before what cannot be undone."""

    password: str = Field(min_length=1, max_length=256)


class AccountClosed(_Strict):
    """What closing erased, and how many repaid loans the law makes the platform keep."""

    erased: int
    kept_loans: int


class UserOut(_Strict):
    id: Uuid
    username: str
    role: Role
    dealer_id: Uuid | None = None


class Record(_Strict):
    entity: Entity
    entity_id: Uuid
    data: dict[str, Any] | None
    deleted: bool
    updated_ms: int


class ReviewDecision(_Strict):
    """A reviewer's decision on an application its check referred to manual review."""

    decision: Literal[REVIEW_DECISIONS]  # one vocabulary with the app (domain.catalog)


class ModelInfo(_Strict):
    """A published recommender factor file: clients GET ``url`` and score offline."""

    version: int
    created_ms: int
    sha256: str
    url: str


class ErrorBody(_Strict):
    """Every 4xx answer: a stable ``code``, an English ``message`` and the failing fields."""

    code: str
    message: str
    fields: list[dict[str, Any]] = Field(default_factory=list)

"""The tables (sqlmodel). Nothing above ``local_db`` sees them: repositories map them to the
dataclasses in ``domain.catalog``.

Money is integer cents (:class:`local_db.types.Cents`); times are epoch milliseconds (UTC);
primary keys are UUID strings; every row that syncs carries ``updated_ms`` and a ``deleted``
tombstone. A change here needs a migration in ``local_db.migrations``
(tests/local_db/test_migrations.py compares the migrated schema with these models).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, ForeignKey, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from local_db.types import Cents


def _cents(**kw):
    return Field(sa_type=Cents, **kw)


def _fk(target: str, *, nullable: bool = False, index: bool = True):
    return Field(
        default=None if nullable else ...,
        sa_column_args=[ForeignKey(target)],
        nullable=nullable,
        index=index,
    )


class Synced(SQLModel):
    updated_ms: int = Field(default=0)
    deleted: bool = Field(default=False)


class DealerRow(Synced, table=True):
    __tablename__ = "dealers"
    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    city: str
    city_zh: str
    brands: str = "[]"  # JSON list of makes
    sells_used: bool = True
    address_zh: str = ""
    address_en: str = ""
    phone: str = ""


class LenderRow(Synced, table=True):
    __tablename__ = "lenders"
    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    type: str
    captive_brands: str = "[]"  # JSON list of makes


class VehicleRow(Synced, table=True):
    __tablename__ = "vehicles"
    __table_args__ = (
        Index("ix_vehicles_catalogue_price", "deleted", "price_cents"),
        Index("ix_vehicles_condition_price", "condition", "price_cents"),
        Index("ix_vehicles_energy_price", "energy", "price_cents"),
        Index("ix_vehicles_make_price", "make", "price_cents"),
        Index("ix_vehicles_held", "id", sqlite_where=text("held_until IS NOT NULL")),
    )
    id: str = Field(primary_key=True)
    dealer_id: str = _fk("dealers.id")
    make: str
    make_zh: str
    model: str
    trim: str
    year: int
    body: str
    energy: str
    condition: str
    price_cents: int = _cents()
    colour: str
    vin: str = Field(unique=True)
    picture: str = ""
    mileage_km: int = 0
    first_registration: date | None = None
    seats: int = 5
    # the model's official figures (added in v4): CLTC range, fuel in mL and power in Wh
    # per 100 km (integers: exact, as money is in cents)
    electric_range_km: int | None = None
    fuel_ml_100km: int | None = None
    power_wh_100km: int | None = None
    # lower-cased "make make_zh model model_zh trim" for the catalogue's text search (added
    # in v2; model_zh in v9)
    search_text: str = ""
    model_zh: str = ""  # the model's Chinese name where it has its own (added in v9)
    # the server's mark of a car signed for (added in v14): until when a contract holds it
    # (its first repayment date, ISO), "signed" (no date known) or "sold" (paid out)
    held_until: str | None = None


class LoanProductRow(Synced, table=True):
    __tablename__ = "loan_products"
    id: str = Field(primary_key=True)
    lender_id: str = _fk("lenders.id")
    code: str = Field(unique=True)
    name_zh: str
    name_en: str
    kind: str
    valid_from: date | None = None
    valid_to: date | None = None
    rules: str  # JSON: every other rule of domain.catalog.LoanProduct (local_db.codec)


class UserRow(Synced, table=True):
    __tablename__ = "users"
    id: str = Field(primary_key=True)
    username: str = Field(unique=True)
    role: str
    display_name: str = ""
    dealer_id: str | None = _fk("dealers.id", nullable=True)
    password_hash: str | None = None


class BuyerProfileRow(Synced, table=True):
    __tablename__ = "buyer_profiles"
    id: str = Field(primary_key=True)
    user_id: str = Field(sa_column_args=[ForeignKey("users.id")], unique=True)
    full_name: str
    birth_year: int
    city: str
    employment: str
    years_employed: int = 0
    # AES-GCM ciphertexts (nonce || ciphertext+tag) of the sensitive fields, see local_db.crypto
    # and local_db.repositories.people (SEALED_FIGURES: the figures' columns, sealed from v8)
    id_number_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    phone_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    # monthly income and debt payments (cents) and credit score, each as its decimal text;
    # NULL only in a row an older version wrote, until sealed (see UnsealedProfileRow)
    monthly_income_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    monthly_debt_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    credit_score_enc: bytes | None = Field(default=None, sa_type=LargeBinary)
    use: str = "private"
    segment: str | None = Field(default=None, index=True)  # derived, plain: SQL reads it


class UnsealedProfileRow(SQLModel, table=True):
    """The figures an older version stored in clear (migration v8 moved them here: it has no
    key), until the first open with the key seals them into the profile and deletes the row
    (``local_db.sealing.seal_legacy``). Empty once the app has opened the database."""

    __tablename__ = "buyer_profiles_unsealed"
    id: str = Field(primary_key=True)  # the buyer_profiles row's
    monthly_income_cents: int | None = _cents(default=None)
    monthly_debt_cents: int | None = _cents(default=None)
    credit_score: int | None = None


class ApplicationRow(Synced, table=True):
    __tablename__ = "applications"
    id: str = Field(primary_key=True)
    user_id: str = _fk("users.id")
    vehicle_id: str = _fk("vehicles.id")
    product_id: str | None = _fk("loan_products.id", nullable=True, index=False)
    dealer_id: str | None = _fk("dealers.id", nullable=True, index=False)
    status: str
    cash_price_cents: int = _cents()
    down_payment_cents: int = _cents()
    trade_in_cents: int = _cents(default=0)
    term: int
    use: str = "private"
    created_ms: int = 0
    review: str = "[]"  # JSON list of the behavioural checks' reason codes
    review_decision: str | None = None  # the reviewer's: approved | declined (None: none yet)
    # added in v12: the first repayment date of the loan its contract signs; a payout must
    # come before it (the server's, from the contract; None before a contract)
    pay_out_by: date | None = None


class OfferRow(Synced, table=True):
    __tablename__ = "offers"
    id: str = Field(primary_key=True)
    application_id: str = _fk("applications.id")
    product_id: str = _fk("loan_products.id", index=False)
    eligible: bool
    tier: str | None = None
    term: int = 0
    principal_cents: int = _cents(default=0)
    payment_cents: int = _cents(default=0)
    finance_charge_cents: int = _cents(default=0)
    total_of_payments_cents: int = _cents(default=0)
    apr: str = "0"  # a Decimal fraction as exact text
    reasons: str = "[]"  # JSON list of reason codes, most important first
    created_ms: int = 0


class ContractRow(Synced, table=True):
    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("application_id", "version"),)
    id: str = Field(primary_key=True)
    application_id: str = _fk("applications.id", index=False)
    offer_id: str = _fk("offers.id", index=False)
    version: int
    pdf_sha256: str
    signed_ms: int
    pdf: bytes = Field(default=b"", sa_type=LargeBinary)
    # added in v11: the loan it signs, as it travels (sync.contract_loan; JSON, money in
    # cents), so a device without the PDF folds it; "" for contracts from before
    loan: str = ""


class PaymentRow(Synced, table=True):
    __tablename__ = "payments"
    id: str = Field(primary_key=True)
    contract_id: str = _fk("contracts.id")
    paid_on: date
    amount_cents: int = _cents()
    kind: str  # domain.catalog.PaymentKind: what the money was for
    created_ms: int = 0
    # added in v3: the repayment engine's event (domain.repayments.PaymentEvent)
    channel: str = "bank_transfer"
    event_kind: str = "payment"  # "payment" | "reversal"
    reverses: str | None = Field(default=None, index=True)  # a reversal's payment op_id


class InteractionRow(Synced, table=True):
    __tablename__ = "interactions"
    id: str = Field(primary_key=True)
    user_id: str = _fk("users.id")
    product_id: str = _fk("loan_products.id")
    vehicle_id: str | None = _fk("vehicles.id", nullable=True, index=False)
    event: str
    at_ms: int = Field(index=True)


class ConsentRow(Synced, table=True):
    __tablename__ = "consents"
    id: str = Field(primary_key=True)
    user_id: str = _fk("users.id")
    purpose: str
    text_version: str
    given_ms: int
    withdrawn_ms: int | None = None


class AuditLogRow(SQLModel, table=True):
    """Append-only (triggers refuse UPDATE and DELETE); each hash chains the previous one."""

    __tablename__ = "audit_log"
    seq: int | None = Field(default=None, primary_key=True)
    at_ms: int
    actor: str
    action: str
    entity: str
    entity_id: str
    details: str  # canonical JSON
    prev_hash: str
    hash: str


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    op_id: str = Field(primary_key=True)
    seq: int = Field(unique=True)  # send order; from the "outbox" counter, never reused
    entity: str
    entity_id: str
    op: str  # "upsert" | "delete" | "append" | "transition"
    payload: str  # JSON
    created_ms: int


class SyncCursorRow(SQLModel, table=True):
    __tablename__ = "sync_cursor"
    stream: str = Field(primary_key=True)
    cursor: int = 0


class SyncParkedRow(SQLModel, table=True):
    """A pulled change that names a record the device does not hold yet, kept until that
    record arrives (``sync.local_store``): the pull's cursor has moved past it, so the
    server will not send it again. ``change`` is the wire's Change as JSON."""

    __tablename__ = "sync_parked"
    stream: str = Field(primary_key=True)
    entity: str = Field(primary_key=True)
    entity_id: str = Field(primary_key=True)
    seq: int
    change: str


class SyncRefusalRow(SQLModel, table=True):
    """The server's refusal of one of this device's operations (``sync.local_store``), with
    its reason code and message: the server's final word, kept for the screens that show the
    record it was about (``entity`` is the wire's name)."""

    __tablename__ = "sync_refusals"
    __table_args__ = (Index("ix_sync_refusals_record", "entity", "entity_id"),)
    op_id: str = Field(primary_key=True)
    entity: str
    entity_id: str
    reason: str | None = None
    message: str | None = None


class CounterRow(SQLModel, table=True):
    __tablename__ = "counters"
    name: str = Field(primary_key=True)
    value: int = 0


class MetaRow(SQLModel, table=True):
    """Key/value facts about this database, e.g. the demo seed it was built from."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


__all__ = [name for name in dir() if name.endswith("Row")] + ["Column"]

"""The server's tables (sqlmodel). JSON columns are TEXT written with ``json.dumps`` so the same
bytes land in SQLite and PostgreSQL; money inside them is integer cents.

``changes`` is the append-only change log: ``seq`` is a BIGINT identity (INTEGER PRIMARY KEY on
SQLite, i.e. the rowid) and numbers every change for pulls. ``records`` holds each entity's
current state, which the conflict rules read. ``idempotency`` maps an operation id to the hash
of its body and its result, written in the same transaction as the effect.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Identity, Index, Integer, LargeBinary, Text, text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

_HAS_CAR = text("car IS NOT NULL")  # only applications name one: the index holds only them

# BIGINT on PostgreSQL; on SQLite only "INTEGER PRIMARY KEY" aliases the rowid and autoincrements.
_SEQ_TYPE = BigInteger().with_variant(Integer(), "sqlite")


class ServerModel(SQLModel, registry=registry()):
    """The server's own metadata: the app's local_db tables share names (users, ...) with these,
    and both are imported in one test process."""


class User(ServerModel, table=True):
    __tablename__ = "users"

    id: str = Field(primary_key=True, max_length=36)
    username: str = Field(unique=True, index=True, max_length=64)
    password_hash: str
    role: str = Field(max_length=16)  # buyer | dealer_staff | admin
    dealer_id: str | None = Field(default=None, max_length=36)
    created_ms: int = Field(sa_type=BigInteger)


class AuthToken(ServerModel, table=True):
    """Opaque bearer tokens, stored as their SHA-256 so a database leak yields no tokens."""

    __tablename__ = "tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(index=True, max_length=36)
    expires_ms: int = Field(sa_type=BigInteger)
    revoked: bool = False
    created_ms: int = Field(sa_type=BigInteger)


class LoginFailure(ServerModel, table=True):
    __tablename__ = "login_failures"

    username: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    locked_until_ms: int = Field(default=0, sa_type=BigInteger)


class Record(ServerModel, table=True):
    """Current state of one entity. ``meta`` holds rule bookkeeping (per-field clocks for
    profiles, the version and open conflicts for notes)."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_owner", "owner_id", "entity"),
        Index("ix_records_dealer", "dealer_id", "entity"),
        # pulls read the records by sequence, per reader (backend.store.pull)
        Index("ix_records_seq", "seq"),
        Index("ix_records_entity_seq", "entity", "seq"),
        Index("ix_records_owner_seq", "owner_id", "seq"),
        Index("ix_records_dealer_seq", "dealer_id", "seq"),
        # the applications on a car, for the rule that a car is financed once (backend.rules)
        Index("ix_records_car", "car", sqlite_where=_HAS_CAR, postgresql_where=_HAS_CAR),
    )

    entity: str = Field(primary_key=True, max_length=16)
    entity_id: str = Field(primary_key=True, max_length=36)
    owner_id: str | None = Field(default=None, max_length=36)
    dealer_id: str | None = Field(default=None, max_length=36)
    data: str | None = Field(default=None, sa_type=Text)
    meta: str = Field(default="{}", sa_type=Text)
    deleted: bool = False
    updated_ms: int = Field(sa_type=BigInteger)
    seq: int = Field(sa_type=BigInteger)
    #: an application's car (its ``vehicle_id``, lower case: ``backend.rules.car_key``)
    car: str | None = Field(default=None, max_length=36)


class ChangeRow(ServerModel, table=True):
    """The history: a row per applied change, in sequence (pulls read the records)."""

    __tablename__ = "changes"

    seq: int | None = Field(default=None, sa_column=Column(_SEQ_TYPE, Identity(), primary_key=True))
    entity: str = Field(max_length=16)
    entity_id: str = Field(max_length=36)
    owner_id: str | None = Field(default=None, max_length=36)
    dealer_id: str | None = Field(default=None, max_length=36)
    deleted: bool = False
    data: str | None = Field(default=None, sa_type=Text)
    updated_ms: int = Field(sa_type=BigInteger)


class Idempotency(ServerModel, table=True):
    __tablename__ = "idempotency"

    op_id: str = Field(primary_key=True, max_length=36)
    user_id: str = Field(max_length=36)
    request_hash: str = Field(max_length=64)
    result: str = Field(sa_type=Text)
    created_ms: int = Field(sa_type=BigInteger)


class ModelVersion(ServerModel, table=True):
    """A published recommender factor file (an ``.npz``), served to clients by version."""

    __tablename__ = "model_versions"

    version: int = Field(primary_key=True)
    created_ms: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)


class SchemaVersion(ServerModel, table=True):
    __tablename__ = "schema_version"

    version: int = Field(primary_key=True)
    applied_ms: int = Field(sa_type=BigInteger)


class ServerMeta(ServerModel, table=True):
    """Named facts about this database, e.g. a one-off data step that has run."""

    __tablename__ = "server_meta"

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_type=Text)

"""Users, buyer profiles (sensitive fields encrypted at rest: the ID number, the phone and
the figures of :data:`SEALED_FIGURES`) and consents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from domain.catalog import (
    BuyerProfile,
    Consent,
    ConsentPurpose,
    Employment,
    Role,
    User,
    VehicleUse,
)
from domain.ids import new_id
from domain.money import from_cents, to_cents
from local_db.codec import from_ms, to_ms
from local_db.crypto import FieldCipher
from local_db.outbox import seal_values
from local_db.repositories._sync import write
from local_db.tables import BuyerProfileRow, ConsentRow, UnsealedProfileRow, UserRow

ID_NUMBER_FIELD = "buyer_profiles.id_number"
PHONE_FIELD = "buyer_profiles.phone"

#: The profile's sensitive figures (GB/T 35273-2020 Annex B: property and credit information):
#: name on the wire and in an outbox payload -> (column of its ciphertext, the cipher's field).
#: They travel in clear (the server's per-field rules read them); on the device they are
#: stored only sealed: in their column, and in a pending outbox payload (local_db.outbox).
SEALED_FIGURES: dict[str, tuple[str, str]] = {
    "monthly_income_cents": ("monthly_income_enc", "buyer_profiles.monthly_income"),
    "monthly_debt_cents": ("monthly_debt_enc", "buyer_profiles.monthly_debt"),
    "credit_score": ("credit_score_enc", "buyer_profiles.credit_score"),
}
#: every sealed column of ``buyer_profiles`` -> the cipher's field it is bound to
SEALED_COLUMNS: dict[str, str] = {
    "id_number_enc": ID_NUMBER_FIELD,
    "phone_enc": PHONE_FIELD,
    **dict(SEALED_FIGURES.values()),
}
#: outbox entity -> the payload fields sealed at rest (opened when sent: sync.local_store)
SEALED_PAYLOAD_FIELDS: dict[str, tuple[str, ...]] = {"buyer_profile": tuple(SEALED_FIGURES)}


# --- users ----------------------------------------------------------------------------------


def user_to_row(u: User) -> dict:
    return {
        "id": u.id,
        "username": u.username,
        "role": u.role.value,
        "display_name": u.display_name,
        "dealer_id": u.dealer_id,
        "password_hash": u.password_hash,
        "updated_ms": u.updated_ms,
        "deleted": u.deleted,
    }


def _user(r: UserRow) -> User:
    return User(
        id=r.id,
        username=r.username,
        role=Role(r.role),
        display_name=r.display_name,
        dealer_id=r.dealer_id,
        password_hash=r.password_hash,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


def get_user(session: Session, *, user_id: str) -> User | None:
    row = session.get(UserRow, user_id)
    return None if row is None else _user(row)


def get_user_by_username(session: Session, *, username: str) -> User | None:
    row = session.execute(
        select(UserRow).where(UserRow.username == username, UserRow.deleted.is_(False))
    ).scalar_one_or_none()
    return None if row is None else _user(row)


def list_users(session: Session, *, role: Role | None = None, dealer_id: str | None = None):
    query = select(UserRow).where(UserRow.deleted.is_(False)).order_by(UserRow.username)
    if role is not None:
        query = query.where(UserRow.role == role.value)
    if dealer_id is not None:
        query = query.where(UserRow.dealer_id == dealer_id)
    return [_user(r) for r in session.execute(query).scalars()]


def save_user(session: Session, *, user: User, enqueue: bool = False) -> None:
    """Users are provisioned locally or by the server; they sync only when asked to."""
    row = user_to_row(user)
    write(session, UserRow.__table__, row, entity="user", enqueue=enqueue)


# --- buyer profiles -------------------------------------------------------------------------


def seal_figure(cipher: FieldCipher, name: str, value: Any) -> bytes:
    """The ciphertext of the figure ``name`` (a key of :data:`SEALED_FIGURES`), an integer."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, not {type(value).__name__}")
    return cipher.encrypt(str(value), field=SEALED_FIGURES[name][1])


def sealed_figures(values: Mapping[str, Any], cipher: FieldCipher) -> dict[str, bytes]:
    """Column -> ciphertext for each of :data:`SEALED_FIGURES` in ``values`` (by wire name)."""
    return {
        column: seal_figure(cipher, name, values[name])
        for name, (column, _) in SEALED_FIGURES.items()
        if name in values
    }


def _figures(p: BuyerProfile) -> dict[str, int]:
    return {
        "monthly_income_cents": to_cents(p.monthly_income),
        "monthly_debt_cents": to_cents(p.monthly_debt_payments),
        "credit_score": p.credit_score,
    }


def _plain(p: BuyerProfile) -> dict:
    """The profile's fields stored and sent as they are."""
    return {
        "id": p.id,
        "user_id": p.user_id,
        "full_name": p.full_name,
        "birth_year": p.birth_year,
        "city": p.city,
        "employment": p.employment.value,
        "years_employed": p.years_employed,
        "use": p.use.value,
        "segment": p.segment,
        "updated_ms": p.updated_ms,
        "deleted": p.deleted,
    }


def profile_to_row(p: BuyerProfile, cipher: FieldCipher) -> dict:
    """The ``buyer_profiles`` row: the ID number, phone and figures only as ciphertexts."""
    return {
        **_plain(p),
        "id_number_enc": cipher.encrypt(p.id_number, field=ID_NUMBER_FIELD)
        if p.id_number
        else None,
        "phone_enc": cipher.encrypt(p.phone, field=PHONE_FIELD) if p.phone else None,
        **sealed_figures(_figures(p), cipher),
    }


def _opened_figures(
    r: BuyerProfileRow, cipher: FieldCipher, legacy: UnsealedProfileRow | None
) -> dict[str, int]:
    """Each figure from its ciphertext, or (a row an older version wrote, not sealed yet)
    from ``buyer_profiles_unsealed``."""
    out: dict[str, int] = {}
    for name, (column, field) in SEALED_FIGURES.items():
        blob = getattr(r, column)
        if blob is not None:
            out[name] = int(cipher.decrypt(blob, field=field))
        elif legacy is not None and getattr(legacy, name) is not None:
            out[name] = int(getattr(legacy, name))
        else:
            raise ValueError(f"buyer profile {r.id} has no {name}")
    return out


def _profile(
    r: BuyerProfileRow, cipher: FieldCipher, legacy: UnsealedProfileRow | None = None
) -> BuyerProfile:
    figures = _opened_figures(r, cipher, legacy)
    return BuyerProfile(
        id=r.id,
        user_id=r.user_id,
        full_name=r.full_name,
        birth_year=r.birth_year,
        city=r.city,
        monthly_income=from_cents(figures["monthly_income_cents"]),
        monthly_debt_payments=from_cents(figures["monthly_debt_cents"]),
        credit_score=figures["credit_score"],
        employment=Employment(r.employment),
        years_employed=r.years_employed,
        id_number=cipher.decrypt(r.id_number_enc, field=ID_NUMBER_FIELD) if r.id_number_enc else "",
        phone=cipher.decrypt(r.phone_enc, field=PHONE_FIELD) if r.phone_enc else "",
        use=VehicleUse(r.use),
        segment=r.segment,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


#: payload fields that name the profile rather than describe the buyer: in every operation
IDENTIFYING = ("id", "user_id")


def save_buyer_profile(
    session: Session, *, profile: BuyerProfile, cipher: FieldCipher, enqueue: bool = True
) -> None:
    """Store ``profile``; with ``enqueue``, queue for sync the fields that differ from the
    stored profile (every field when there is none, nothing when none that travels changed).
    Only those count as local edits: the per-field rule on both sides then keeps what another
    device changed meanwhile in the fields this save did not touch."""
    payload = profile_payload(profile)
    if enqueue:
        stored = get_buyer_profile(session, user_id=profile.user_id, cipher=cipher)
        if stored is not None and stored.id == profile.id:
            before = profile_payload(stored)
            payload = {k: v for k, v in payload.items() if k in IDENTIFYING or before.get(k) != v}
            enqueue = len(payload) > len(IDENTIFYING)
    sealed = seal_values(
        payload, SEALED_PAYLOAD_FIELDS["buyer_profile"], cipher,
        entity="buyer_profile", entity_id=profile.id,
    )  # fmt: skip
    write(
        session,
        BuyerProfileRow.__table__,
        profile_to_row(profile, cipher),
        entity="buyer_profile",
        enqueue=enqueue,
        payload=sealed,
    )


def profile_payload(p: BuyerProfile) -> dict:
    """The flat profile fields that travel, the figures in clear: never the ID number and
    phone, clear or encrypted (their key is this device's, so they are useless elsewhere and
    sensitive everywhere). The outbox keeps the figures sealed until sent."""
    return {**_plain(p), **_figures(p)}


def get_buyer_profile(
    session: Session, *, user_id: str, cipher: FieldCipher
) -> BuyerProfile | None:
    row = session.execute(
        select(BuyerProfileRow).where(BuyerProfileRow.user_id == user_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    unsealed = any(getattr(row, column) is None for column, _ in SEALED_FIGURES.values())
    legacy = session.get(UnsealedProfileRow, row.id) if unsealed else None
    return _profile(row, cipher, legacy)


def buyer_segments(session: Session) -> dict[str, str]:
    """user id -> segment name for every buyer that has one (the demo world's buyers)."""
    rows = session.execute(
        select(BuyerProfileRow.user_id, BuyerProfileRow.segment).where(
            BuyerProfileRow.segment.is_not(None)
        )
    )
    return {user_id: segment for user_id, segment in rows}


# --- consents -------------------------------------------------------------------------------


def _consent(r: ConsentRow) -> Consent:
    return Consent(
        id=r.id,
        user_id=r.user_id,
        purpose=ConsentPurpose(r.purpose),
        text_version=r.text_version,
        given_at=from_ms(r.given_ms),
        withdrawn_at=None if r.withdrawn_ms is None else from_ms(r.withdrawn_ms),
    )


def record_consent(
    session: Session,
    *,
    user_id: str,
    purpose: ConsentPurpose,
    text_version: str,
    at: datetime | None = None,
    consent_id: str | None = None,
    enqueue: bool = True,
) -> Consent:
    """Record that the user consented to ``purpose`` under the text ``text_version``."""
    given_ms = to_ms(at or datetime.now(UTC))
    row = {
        "id": consent_id or new_id(),
        "user_id": user_id,
        "purpose": purpose.value,
        "text_version": text_version,
        "given_ms": given_ms,
        "withdrawn_ms": None,
        "updated_ms": given_ms,
        "deleted": False,
    }
    write(session, ConsentRow.__table__, row, entity="consent", op="append", enqueue=enqueue)
    return _consent(ConsentRow(**row))


def withdraw_consent(
    session: Session, *, consent_id: str, at: datetime | None = None, enqueue: bool = True
) -> Consent | None:
    """Mark a consent withdrawn (the record stays: consent history is evidence)."""
    row = session.get(ConsentRow, consent_id)
    if row is None:
        return None
    if row.withdrawn_ms is None:
        ms = to_ms(at or datetime.now(UTC))
        session.execute(
            update(ConsentRow)
            .where(ConsentRow.id == consent_id)
            .values(withdrawn_ms=ms, updated_ms=ms)
        )
        session.refresh(row)
        if enqueue:
            from local_db.outbox import enqueue as enqueue_op

            enqueue_op(
                session,
                entity="consent",
                entity_id=consent_id,
                op="transition",
                payload={"id": consent_id, "withdrawn_ms": ms, "updated_ms": ms},
            )
    return _consent(row)


def list_consents(session: Session, *, user_id: str) -> list[Consent]:
    rows = session.execute(
        select(ConsentRow).where(ConsentRow.user_id == user_id).order_by(ConsentRow.given_ms)
    ).scalars()
    return [_consent(r) for r in rows]


def active_consent(session: Session, *, user_id: str, purpose: ConsentPurpose) -> Consent | None:
    """The latest consent for ``purpose`` that has not been withdrawn, if any."""
    for consent in reversed(list_consents(session, user_id=user_id)):
        if consent.purpose is purpose and consent.active:
            return consent
    return None

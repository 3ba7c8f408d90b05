"""Users, buyer profiles (sensitive fields encrypted at rest) and consents."""

from __future__ import annotations

from datetime import UTC, datetime

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
from local_db.repositories._sync import write
from local_db.tables import BuyerProfileRow, ConsentRow, UserRow

ID_NUMBER_FIELD = "buyer_profiles.id_number"
PHONE_FIELD = "buyer_profiles.phone"


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


def profile_to_row(p: BuyerProfile, cipher: FieldCipher) -> dict:
    return {
        "id": p.id,
        "user_id": p.user_id,
        "full_name": p.full_name,
        "birth_year": p.birth_year,
        "city": p.city,
        "monthly_income_cents": to_cents(p.monthly_income),
        "monthly_debt_cents": to_cents(p.monthly_debt_payments),
        "credit_score": p.credit_score,
        "employment": p.employment.value,
        "years_employed": p.years_employed,
        "id_number_enc": cipher.encrypt(p.id_number, field=ID_NUMBER_FIELD)
        if p.id_number
        else None,
        "phone_enc": cipher.encrypt(p.phone, field=PHONE_FIELD) if p.phone else None,
        "use": p.use.value,
        "segment": p.segment,
        "updated_ms": p.updated_ms,
        "deleted": p.deleted,
    }


def _profile(r: BuyerProfileRow, cipher: FieldCipher) -> BuyerProfile:
    return BuyerProfile(
        id=r.id,
        user_id=r.user_id,
        full_name=r.full_name,
        birth_year=r.birth_year,
        city=r.city,
        monthly_income=from_cents(r.monthly_income_cents),
        monthly_debt_payments=from_cents(r.monthly_debt_cents),
        credit_score=r.credit_score,
        employment=Employment(r.employment),
        years_employed=r.years_employed,
        id_number=cipher.decrypt(r.id_number_enc, field=ID_NUMBER_FIELD) if r.id_number_enc else "",
        phone=cipher.decrypt(r.phone_enc, field=PHONE_FIELD) if r.phone_enc else "",
        use=VehicleUse(r.use),
        segment=r.segment,
        updated_ms=r.updated_ms,
        deleted=r.deleted,
    )


def save_buyer_profile(
    session: Session, *, profile: BuyerProfile, cipher: FieldCipher, enqueue: bool = True
) -> None:
    row = profile_to_row(profile, cipher)
    write(
        session,
        BuyerProfileRow.__table__,
        row,
        entity="buyer_profile",
        enqueue=enqueue,
        payload=profile_payload(row),
    )


def profile_payload(row: dict) -> dict:
    """The flat profile fields that travel: never the encrypted ID number and phone (their key
    is this device's, so they are useless elsewhere and sensitive everywhere)."""
    return {k: v for k, v in row.items() if not k.endswith("_enc")}


def get_buyer_profile(
    session: Session, *, user_id: str, cipher: FieldCipher
) -> BuyerProfile | None:
    row = session.execute(
        select(BuyerProfileRow).where(BuyerProfileRow.user_id == user_id)
    ).scalar_one_or_none()
    return None if row is None else _profile(row, cipher)


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

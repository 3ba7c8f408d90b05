from __future__ import annotations

import os
import stat

import pytest
from cryptography.exceptions import InvalidTag
from sqlmodel import Session

from domain.privacy import mask_id_number, mask_phone
from local_db import audit
from local_db.crypto import FieldCipher, load_or_create_keys
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import people
from tests.factories import make_applicant, make_user

ID_NUMBER = "110101199003071234"
PHONE = "13912345678"


def test_sensitive_fields_are_not_readable_in_the_database_file(tmp_path):
    path = tmp_path / "chedai.db"
    engine = make_engine(path)
    migrate(engine)
    cipher = FieldCipher(*load_or_create_keys(tmp_path / "field.key"))
    with Session(engine) as session:
        user = make_user()
        people.save_user(session, user=user)
        profile = make_applicant(user_id=user.id, id_number=ID_NUMBER, phone=PHONE)
        people.save_buyer_profile(session, profile=profile, cipher=cipher, enqueue=False)
        session.commit()
        assert people.get_buyer_profile(session, user_id=user.id, cipher=cipher) == profile
    engine.dispose()  # checkpoints the WAL into the main file
    raw = (
        path.read_bytes() + (tmp_path / "chedai.db-wal").read_bytes()
        if (tmp_path / "chedai.db-wal").exists()
        else path.read_bytes()
    )
    assert profile.full_name.encode() in raw  # the file is readable: the check is meaningful
    for secret in (ID_NUMBER, PHONE, ID_NUMBER[-8:]):
        assert secret.encode() not in raw


def test_the_key_file_is_created_once_with_owner_only_permissions(tmp_path):
    path = tmp_path / "keys" / "field.key"
    [key] = load_or_create_keys(path)
    assert len(key) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_keys(path) == (key,)


def test_a_ciphertext_moved_to_another_field_does_not_decrypt():
    cipher = FieldCipher(os.urandom(32))
    blob = cipher.encrypt(ID_NUMBER, field="buyer_profiles.id_number")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, field="buyer_profiles.phone")


@pytest.mark.parametrize(
    ("masker", "value", "expected"),
    [
        pytest.param(mask_id_number, "110101199003071234", "1101**********1234", id="id-number"),
        pytest.param(mask_phone, "13812345678", "138****5678", id="phone"),
        pytest.param(mask_id_number, "1234", "****", id="short-id-masked-whole"),
    ],
)
def test_masking(masker, value, expected):
    assert masker(value) == expected


def _log_three(session):
    for n in range(3):
        audit.append(
            session,
            actor="user-1",
            action="application.submit",
            entity="application",
            entity_id=f"app-{n}",
            details={"amount_cents": 1000 * n, "note": "提交"},
        )
    session.commit()


def test_an_intact_audit_chain_verifies(session):
    _log_three(session)
    assert audit.verify_chain(session) == audit.ChainCheck(ok=True, checked=3)


@pytest.mark.parametrize(
    ("statement", "bad_seq"),
    [
        pytest.param(
            "UPDATE audit_log SET details = '{\"amount_cents\":999999}' WHERE seq = 2",
            2,
            id="edited-details",
        ),
        pytest.param("DELETE FROM audit_log WHERE seq = 2", 3, id="removed-entry"),
        pytest.param("UPDATE audit_log SET actor = 'admin' WHERE seq = 1", 1, id="edited-actor"),
    ],
)
def test_the_audit_chain_detects_tampering(session, statement, bad_seq):
    _log_three(session)
    connection = session.connection()
    # An attacker with the file can drop the triggers; the chain must still tell.
    connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
    connection.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
    connection.exec_driver_sql(statement)
    check = audit.verify_chain(session)
    assert not check.ok
    assert check.first_bad_seq == bad_seq


def test_the_audit_log_refuses_updates(session):
    _log_three(session)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="append-only"):
        session.connection().exec_driver_sql("UPDATE audit_log SET actor = 'x'")

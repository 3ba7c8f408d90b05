"""A buyer's monthly income, monthly debt payments and credit score (personal property and
credit information, GB/T 35273-2020 Annex B) are stored only encrypted on the device: in the
profile's row, in a pending outbox payload, and once an older version's clear rows have been
sealed. What travels is unchanged: the figures in clear.

The file checks look for the forms a clear figure takes in SQLite's bytes: a row's adjacent
integer columns (income, debts, score: how every version before 8 laid them out), an integer
too wide to turn up by chance, and the JSON text of an outbox payload."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import inspect
from sqlmodel import Session

from domain.catalog import Role
from local_db import outbox
from local_db.codec import dumps
from local_db.crypto import FieldCipher, load_or_create_keys
from local_db.demo import seed_database
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import people
from local_db.sealing import seal_legacy
from sync.local_store import LocalStore
from tests.factories import make_applicant, make_user

# wider than 4 bytes: SQLite stores them as 6-byte integers, which random bytes (ciphertexts)
# do not reproduce by chance
INCOME_CENTS = 8_765_432_109
DEBT_CENTS = 2_345_678_901
SCORE = 733


def sqlite_int(value: int) -> bytes:
    """An integer's bytes in a SQLite record (schema format 4: 0 and 1 take none)."""
    if value in (0, 1):
        return b""
    for size in (1, 2, 3, 4, 6, 8):
        if -(1 << (8 * size - 1)) <= value < 1 << (8 * size - 1):
            return value.to_bytes(size, "big", signed=True)
    raise ValueError(value)


def clear_forms(income: int, debt: int, score: int) -> list[bytes]:
    return [
        sqlite_int(income) + sqlite_int(debt) + sqlite_int(score),
        f'"monthly_income_cents":{income}'.encode(),
        f'"monthly_debt_cents":{debt}'.encode(),
        f'"credit_score":{score}'.encode(),
    ]


def wide_forms() -> list[bytes]:
    return [sqlite_int(INCOME_CENTS), sqlite_int(DEBT_CENTS), *clear_forms(
        INCOME_CENTS, DEBT_CENTS, SCORE)]  # fmt: skip


def raw(folder) -> bytes:
    """The database file and, while it exists, its WAL."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("chedai.db*")))


def figures(p) -> tuple[int, int, int]:
    return int(p.monthly_income * 100), int(p.monthly_debt_payments * 100), p.credit_score


def wide_profile(user_id: str):
    return make_applicant(
        user_id=user_id,
        monthly_income=Decimal(INCOME_CENTS) / 100,
        monthly_debt_payments=Decimal(DEBT_CENTS) / 100,
        credit_score=SCORE,
    )


@pytest.fixture
def key(tmp_path) -> FieldCipher:
    return FieldCipher(*load_or_create_keys(tmp_path / "field.key"))


def test_the_seeded_buyers_figures_are_not_in_the_database_file_or_its_wal(tmp_path, key):
    engine = make_engine(tmp_path / "chedai.db")
    seed_database(engine, seed=20261128, data_dir=tmp_path, cipher=key, n_buyers=60)
    with Session(engine) as session:
        buyers = people.list_users(session, role=Role.BUYER)
        profiles = [people.get_buyer_profile(session, user_id=u.id, cipher=key) for u in buyers]
    profiles = [p for p in profiles if p is not None]
    assert len(profiles) == 63  # the world's 60 and the three demo accounts
    live = raw(tmp_path)  # the WAL holds the seed's pages until the checkpoint
    engine.dispose()
    for data in (live, raw(tmp_path)):
        assert profiles[0].full_name.encode() in data  # readable: the check means something
        leaks = [p.full_name for p in profiles for f in clear_forms(*figures(p)) if f in data]
        assert leaks == []


def test_a_profile_round_trips_and_its_row_holds_only_ciphertexts(session, cipher):
    user = make_user()
    people.save_user(session, user=user)
    profile = wide_profile(user.id)
    people.save_buyer_profile(session, profile=profile, cipher=cipher)
    session.commit()
    assert people.get_buyer_profile(session, user_id=user.id, cipher=cipher) == profile
    columns = {c["name"] for c in inspect(session.connection()).get_columns("buyer_profiles")}
    assert not columns & {"monthly_income_cents", "monthly_debt_cents", "credit_score"}
    row = (
        session.connection()
        .exec_driver_sql(
            "SELECT monthly_income_enc, monthly_debt_enc, credit_score_enc, segment "
            "FROM buyer_profiles"
        )
        .one()
    )
    assert all(isinstance(blob, bytes) for blob in row[:3])
    assert cipher.decrypt(row[0], field="buyer_profiles.monthly_income") == str(INCOME_CENTS)
    with pytest.raises(InvalidTag):  # bound to its column: not readable as another figure
        cipher.decrypt(row[0], field="buyer_profiles.credit_score")


def test_an_edited_profile_leaves_no_clear_figure_in_the_file_or_the_outbox(tmp_path, key):
    engine = make_engine(tmp_path / "chedai.db")
    migrate(engine)
    user = make_user()
    profile = wide_profile(user.id)
    with Session(engine) as session:
        people.save_user(session, user=user)
        before = replace(profile, credit_score=640, monthly_income=Decimal("9000.00"),
                         monthly_debt_payments=Decimal("100.00"))  # fmt: skip
        people.save_buyer_profile(session, profile=before, cipher=key)
        people.save_buyer_profile(session, profile=profile, cipher=key)  # edited: two ops
        session.commit()
        payloads = [op.payload for op in outbox.peek(session) if op.entity == "buyer_profile"]
    assert len(payloads) == 2
    for payload in payloads:
        for name in ("monthly_income_cents", "monthly_debt_cents", "credit_score"):
            assert set(payload[name]) == {"$sealed"}  # the field's name stays readable
    live = raw(tmp_path)
    engine.dispose()
    for data in (live, raw(tmp_path)):
        assert profile.full_name.encode() in data
        assert [f for f in wide_forms() if f in data] == []


def test_what_travels_is_the_profile_in_clear_as_before(engine, cipher):
    user = make_user()
    profile = wide_profile(user.id)
    with Session(engine) as session:
        people.save_user(session, user=user)
        people.save_buyer_profile(session, profile=profile, cipher=cipher)
        session.commit()
    [op] = [op for op in LocalStore(engine, cipher=cipher).pending(10) if op.entity == "profile"]
    assert op.payload == {
        "id": profile.id,
        "user_id": user.id,
        "full_name": "李明",
        "birth_year": 1992,
        "city": "Shanghai",
        "monthly_income_cents": INCOME_CENTS,
        "monthly_debt_cents": DEBT_CENTS,
        "credit_score": SCORE,
        "employment": "employed",
        "years_employed": 5,
        "use": "private",
        "segment": None,
        "updated_ms": 0,
        "deleted": False,
    }


def test_a_store_without_the_cipher_holds_a_sealed_operation_rather_than_send_it(engine, cipher):
    user = make_user()
    with Session(engine) as session:
        people.save_user(session, user=user)
        people.save_buyer_profile(session, profile=wide_profile(user.id), cipher=cipher)
        session.commit()
    for store in (LocalStore(engine), LocalStore(engine, cipher=FieldCipher(bytes(32)))):
        assert store.pending(10) == []
        assert store.held() == 1  # kept, not lost: sent once the app's cipher opens it
        assert store.count_pending() == 0


# --- what an older version left in clear -----------------------------------------------------

V7_PROFILE = {
    "id": "00000000-0000-4000-8000-00000000a001",
    "user_id": "00000000-0000-4000-8000-00000000b001",
    "full_name": "王芳",
    "birth_year": 1990,
    "city": "Shanghai",
    "monthly_income_cents": INCOME_CENTS,
    "monthly_debt_cents": DEBT_CENTS,
    "credit_score": SCORE,
    "employment": "employed",
    "years_employed": 4,
    "use": "private",
    "segment": "young_family",
    "updated_ms": 1_700_000_000_000,
    "deleted": False,
}


def write_as_version_7(engine, cipher) -> None:
    """A buyer, their profile with the figures in clear and its unsent outbox operation, as
    version 7 wrote them (the ID number was encrypted already)."""
    p = V7_PROFILE
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO users (updated_ms, deleted, id, username, role, display_name) "
            "VALUES (0, 0, ?, 'wang.fang', 'buyer', ?)",
            (p["user_id"], p["full_name"]),
        )
        connection.exec_driver_sql(
            "INSERT INTO buyer_profiles (updated_ms, deleted, id, user_id, full_name, "
            "birth_year, city, monthly_income_cents, monthly_debt_cents, credit_score, "
            "employment, years_employed, id_number_enc, phone_enc, use, segment) "
            "VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
            (p["updated_ms"], p["id"], p["user_id"], p["full_name"], p["birth_year"], p["city"],
             p["monthly_income_cents"], p["monthly_debt_cents"], p["credit_score"],
             p["employment"], p["years_employed"],
             cipher.encrypt("310115199003071234", field=people.ID_NUMBER_FIELD),
             p["use"], p["segment"]),
        )  # fmt: skip
        connection.exec_driver_sql(
            "INSERT INTO outbox (op_id, seq, entity, entity_id, op, payload, created_ms) "
            "VALUES (?, 1, 'buyer_profile', ?, 'upsert', ?, 1)",
            ("00000000-0000-4000-8000-00000000c001", p["id"], dumps(p)),
        )
        connection.exec_driver_sql("INSERT INTO counters (name, value) VALUES ('outbox', 1)")


def test_a_profile_written_by_version_7_is_sealed_once_the_key_is_at_hand(tmp_path, key):
    engine = make_engine(tmp_path / "chedai.db")
    assert migrate(engine, target=7) == 7
    write_as_version_7(engine, key)
    migrate(engine)
    expected = (INCOME_CENTS, DEBT_CENTS, SCORE)
    with Session(engine) as session:  # migrated, not sealed yet: still reads back
        before = people.get_buyer_profile(session, user_id=V7_PROFILE["user_id"], cipher=key)
    assert figures(before) == expected and before.id_number == "310115199003071234"

    assert seal_legacy(engine, key) == 2  # the profile and its outbox operation
    assert seal_legacy(engine, key) == 0  # once

    with Session(engine) as session:
        after = people.get_buyer_profile(session, user_id=V7_PROFILE["user_id"], cipher=key)
        left = (
            session.connection()
            .exec_driver_sql("SELECT count(*) FROM buyer_profiles_unsealed")
            .scalar()
        )
        [stored] = session.connection().exec_driver_sql("SELECT payload FROM outbox").one()
    assert after == before and left == 0
    assert set(json.loads(stored)["monthly_income_cents"]) == {"$sealed"}
    [op] = LocalStore(engine, cipher=key).pending(10)
    assert op.payload == V7_PROFILE  # what an older version queued travels as it was
    live = raw(tmp_path)
    engine.dispose()
    for data in (live, raw(tmp_path)):
        assert "王芳".encode() in data
        assert [f for f in wide_forms() if f in data] == []


def test_sealing_keeps_a_figure_written_since_the_upgrade(tmp_path, key):
    engine = make_engine(tmp_path / "chedai.db")
    migrate(engine, target=7)
    write_as_version_7(engine, key)
    migrate(engine)
    with Session(engine) as session:
        old = people.get_buyer_profile(session, user_id=V7_PROFILE["user_id"], cipher=key)
        edited = replace(old, monthly_income=Decimal("23000.00"))
        people.save_buyer_profile(session, profile=edited, cipher=key)
        session.commit()
    seal_legacy(engine, key)
    with Session(engine) as session:
        now = people.get_buyer_profile(session, user_id=V7_PROFILE["user_id"], cipher=key)
    assert now == edited
    engine.dispose()


def test_no_clear_figure_lingers_in_freed_space_where_sqlite_keeps_deleted_bytes(tmp_path, key):
    """Debian's SQLite zeroes deleted bytes by default; most builds (Android's, macOS's,
    python.org's) do not. The upgrade and the sealing must zero them on those too."""
    from sqlalchemy import event

    engine = make_engine(tmp_path / "chedai.db")
    event.listen(engine, "connect", lambda dbapi, _r: dbapi.execute("PRAGMA secure_delete = OFF"))
    migrate(engine, target=7)
    write_as_version_7(engine, key)
    migrate(engine)
    assert seal_legacy(engine, key) == 2
    with engine.connect() as connection:  # the connection's own setting is left as it was
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 0
    engine.dispose()
    assert [f for f in wide_forms() if f in raw(tmp_path)] == []

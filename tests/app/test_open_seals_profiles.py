"""Opening the app on a database an older version wrote encrypts the buyers' figures it kept
in clear (income, debts, credit score), before any screen reads them or sync sends them."""

from __future__ import annotations

from app.services import Services
from app.settings import Settings
from local_db.crypto import cipher_for_dir
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import people
from tests.local_db.test_profile_encryption import (
    DEBT_CENTS,
    INCOME_CENTS,
    SCORE,
    V7_PROFILE,
    figures,
    raw,
    wide_forms,
    write_as_version_7,
)


def test_opening_a_version_7_database_seals_its_profiles(tmp_path):
    old = make_engine(tmp_path / "chedai.db")
    migrate(old, target=7)
    write_as_version_7(old, cipher_for_dir(tmp_path))
    old.dispose()

    services = Services.open(Settings(data_dir=tmp_path, server_url="http://127.0.0.1:9"))
    try:
        with services.session() as s:
            left = (
                s.connection()
                .exec_driver_sql("SELECT count(*) FROM buyer_profiles_unsealed")
                .scalar()
            )
            profile = people.get_buyer_profile(
                s, user_id=V7_PROFILE["user_id"], cipher=cipher_for_dir(tmp_path)
            )
        assert left == 0
        assert figures(profile) == (INCOME_CENTS, DEBT_CENTS, SCORE)
        assert [f for f in wide_forms() if f in raw(tmp_path)] == []
    finally:
        services.engine.dispose()
    assert [f for f in wide_forms() if f in raw(tmp_path)] == []

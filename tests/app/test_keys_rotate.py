"""``chedai keys rotate``: the device's field key is replaced by a fresh one and everything it
sealed — the profiles' ID number, phone and figures, the pending changes holding figures, the
signed-in session's token — is sealed again with the new key; the old key opens nothing.
Stopped half way, every value stays readable and a second run finishes the job."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from cryptography.exceptions import InvalidTag
from sqlmodel import Session, select

from local_db import meta, outbox
from local_db.crypto import FieldCipher, cipher_for_dir, read_keys
from local_db.engine import make_engine
from local_db.migrations import migrate
from local_db.repositories import people
from local_db.repositories.people import SEALED_COLUMNS
from local_db.tables import BuyerProfileRow
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: a fixture)
from tests.factories import make_user
from tests.local_db.test_profile_encryption import wide_profile

SESSION = json.dumps({"user_id": "u-1", "access_token": "tok-123"})


@pytest.fixture
def device(tmp_path):
    """A data dir holding a buyer's profile, an unsent edit of it and a signed-in session."""
    folder = tmp_path / "data"
    engine = make_engine(folder / "chedai.db")
    migrate(engine)
    cipher = cipher_for_dir(folder)
    user = make_user()
    profile = replace(wide_profile(user.id), id_number="110101199003071234", phone="13800138000")
    with Session(engine) as session:
        people.save_user(session, user=user)
        people.save_buyer_profile(session, profile=profile, cipher=cipher, enqueue=False)
        edited = replace(profile, credit_score=701)
        people.save_buyer_profile(session, profile=edited, cipher=cipher)  # pending: sealed
        meta.put_sealed(session, "account.session", SESSION, cipher)
        session.commit()
    engine.dispose()
    return folder, edited, cipher


def _stored(folder, cipher):
    """The profile, the pending payload and the session token, opened with ``cipher``."""
    engine = make_engine(folder / "chedai.db")
    try:
        with Session(engine) as session:
            row = session.exec(select(BuyerProfileRow)).one()
            profile = people.get_buyer_profile(session, user_id=row.user_id, cipher=cipher)
            [op] = [op for op in outbox.peek(session) if op.entity == "buyer_profile"]
            payload = outbox.open_values(
                op.payload, cipher, entity=op.entity, entity_id=op.entity_id
            )
            token = meta.get_sealed(session, "account.session", cipher)
            blobs = {column: getattr(row, column) for column in SEALED_COLUMNS}
    finally:
        engine.dispose()
    return profile, payload, token, blobs


def test_rotating_reseals_everything_with_a_fresh_key(device, capsys, monkeypatch):
    folder, profile, old = device
    before = _stored(folder, old)

    code, out, err = cli(capsys, monkeypatch, ["keys", "rotate"])
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["resealed"] == len(SEALED_COLUMNS) + 2  # the profile's, the op, the token
    [fresh] = read_keys(folder / "field.key")
    assert fresh not in old.keys
    new = FieldCipher(fresh)
    after = _stored(folder, new)
    assert after[:3] == before[:3] and after[0] == profile and after[2] == SESSION
    for column, field in SEALED_COLUMNS.items():
        with pytest.raises(InvalidTag):  # the old key opens nothing any more
            old.decrypt(after[3][column], field=field)
    with pytest.raises(InvalidTag):
        _stored(folder, old)


def test_a_rotation_stopped_half_way_leaves_everything_readable(device, capsys, monkeypatch):
    folder, profile, old = device
    from local_db import sealing

    def fails(engine, cipher):
        raise RuntimeError("power cut")

    monkeypatch.setattr(sealing, "reseal", fails)
    with pytest.raises(RuntimeError):
        cli(capsys, monkeypatch, ["keys", "rotate"])
    keys = read_keys(folder / "field.key")
    assert len(keys) == 2 and keys[1] == old.keys[0]  # the fresh key first, the old one kept
    assert _stored(folder, FieldCipher(*keys))[0] == profile

    monkeypatch.undo()
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(folder))
    code, _, _ = cli(capsys, monkeypatch, ["keys", "rotate"])
    assert code == 0
    [fresh] = read_keys(folder / "field.key")
    assert _stored(folder, FieldCipher(fresh))[0] == profile


def test_without_a_key_there_is_nothing_to_rotate(capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, ["keys", "rotate"])
    assert code == 2 and out == "" and "field.key" in err and cjk(err)
    assert "Traceback" not in err


def test_a_database_url_is_for_the_server_only(capsys, monkeypatch):
    code, _, err = cli(
        capsys, monkeypatch, ["keys", "rotate", "--database-url", "sqlite:///x.db"], locale="en_US"
    )
    assert code == 2 and "--database-url is for --server" in err

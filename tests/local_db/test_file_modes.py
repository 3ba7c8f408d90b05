"""The data dir is owner-only: the folder 0700, every file the app writes there 0600 (the
database and its -wal/-shm, pictures, models), and what an older version left group- or
world-readable is tightened when the app opens it."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from local_db.engine import make_engine
from local_db.files import secure_data_dir, write_private
from local_db.migrations import migrate
from local_db.pictures import write_pictures

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """A desktop's usual umask, whatever the test runner's: the app must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_its_wal_and_shm_and_its_folder_are_owner_only(tmp_path):
    data_dir = tmp_path / "chedai"
    engine = make_engine(data_dir / "chedai.db")
    migrate(engine)
    with engine.connect() as connection:  # WAL and SHM exist while a connection is open
        connection.execute(text("SELECT count(*) FROM meta")).all()
        assert mode(data_dir) == 0o700
        for name in ("chedai.db", "chedai.db-wal", "chedai.db-shm"):
            assert (data_dir / name).exists(), name
            assert mode(data_dir / name) == 0o600, name
    engine.dispose()


def test_pictures_and_private_writes_are_owner_only(tmp_path):
    assert write_pictures(tmp_path, {("sedan", "white")}) == 1
    assert mode(tmp_path / "pictures") == 0o700
    assert mode(tmp_path / "pictures" / "sedan-white.svg") == 0o600
    path = write_private(tmp_path / "contracts" / "a.pdf", b"%PDF")
    assert (mode(path.parent), mode(path), path.read_bytes()) == (0o700, 0o600, b"%PDF")
    path.chmod(0o644)  # rewritten over a loose file: replaced, so 0600 again
    write_private(path, b"%PDF 2")
    assert mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.pdf"]  # no temporary left


def test_what_an_older_version_left_readable_is_tightened_on_open(tmp_path):
    data_dir = tmp_path / "chedai"
    loose = {
        "chedai.db": 0o644, "chedai.db-wal": 0o644, "chedai.db-shm": 0o644,
        "contracts/a-signed.pdf": 0o644, "contracts/b-draft.pdf": 0o664,
        "pictures/suv-red.svg": 0o644, "model/als.npz": 0o644, "pki/root-ca.pem": 0o644,
    }  # fmt: skip
    for name, bits in loose.items():
        path = data_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        path.chmod(bits)
    for folder in (data_dir, *(data_dir / d for d in ("contracts", "pictures", "model", "pki"))):
        folder.chmod(0o755)
    deeper = data_dir / "model" / "old" / "kept.txt"  # not the app's layout: left alone
    deeper.parent.mkdir()
    deeper.write_bytes(b"x")
    deeper.chmod(0o644)
    theirs = data_dir / "notes.txt"  # a data dir set to a folder of the user's own
    theirs.write_bytes(b"x")
    theirs.chmod(0o644)
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(b"x")
    outside.chmod(0o644)
    (data_dir / "contracts" / "link.pdf").symlink_to(outside)  # never followed

    secure_data_dir(data_dir)

    assert mode(data_dir) == 0o700
    for d in ("contracts", "pictures", "model", "pki", "model/old"):
        assert mode(data_dir / d) == 0o700, d
    for name in loose:
        assert mode(data_dir / name) == 0o600, name
    assert mode(deeper) == 0o644
    assert mode(theirs) == 0o644
    assert mode(outside) == 0o644


def test_tightening_never_loosens_and_a_database_the_user_named_keeps_its_mode(tmp_path):
    data_dir = tmp_path / "chedai"
    data_dir.mkdir(mode=0o700)
    key = data_dir / "field.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o400)
    secure_data_dir(data_dir)
    assert mode(key) == 0o400
    mine = tmp_path / "mine.db"  # e.g. `chedai seed --db mine.db` on an existing file
    mine.write_bytes(b"")
    mine.chmod(0o640)
    make_engine(mine).dispose()
    assert mode(mine) == 0o640


def test_the_servers_default_database_and_its_folder_are_owner_only(tmp_path):
    from app.settings import Settings
    from backend.app import default_database_url
    from backend.db import make_engine as server_engine

    data_dir = tmp_path / "server"
    engine = server_engine(default_database_url(Settings(data_dir=data_dir)))
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.commit()
        assert mode(data_dir) == 0o700
        assert {p.name: mode(p) for p in data_dir.iterdir()} == {
            name: 0o600 for name in ("server.db", "server.db-wal", "server.db-shm")
        }

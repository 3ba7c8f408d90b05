"""Telling a database a newer Chedai wrote before opening it: its schema version is read
without writing to it or creating anything beside it, and such a database is refused."""

from __future__ import annotations

import sqlite3

import pytest

from local_db.engine import make_engine
from local_db.migrations import LATEST, SchemaTooNewError, migrate, refuse_newer, stored_version
from tests.newer_database import NEWER, newer_database


def current_database(path):
    engine = make_engine(path)
    migrate(engine)
    engine.dispose()
    return path


def test_the_version_is_read_without_creating_or_changing_any_file(tmp_path):
    db = newer_database(tmp_path / "chedai.db")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert stored_version(db) == NEWER
    with pytest.raises(SchemaTooNewError) as refused:
        refuse_newer(db)
    assert (refused.value.version, refused.value.latest) == (NEWER, LATEST)
    assert refused.value.path == str(db)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_version_still_in_the_write_ahead_log_is_read(tmp_path):
    db = current_database(tmp_path / "chedai.db")
    writer = sqlite3.connect(db)  # the newer app, still running: its step not checkpointed
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO schema_version VALUES (?, 0)", (NEWER,))
    writer.commit()
    try:
        assert (tmp_path / "chedai.db-wal").stat().st_size > 0
        assert stored_version(db) == NEWER
    finally:
        writer.close()


def test_this_versions_database_and_no_database_are_let_through(tmp_path):
    current = current_database(tmp_path / "current.db")
    refuse_newer(current)
    assert stored_version(current) == LATEST
    refuse_newer(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "empty.db").write_bytes(b"")
    (tmp_path / "text.db").write_text("not a database at all, just some words " * 20)
    for name in ("missing.db", "empty.db", "text.db"):
        assert stored_version(tmp_path / name) is None  # whoever opens it reports that


def test_migrate_refuses_a_newer_database_before_writing_to_it(tmp_path):
    db = newer_database(tmp_path / "chedai.db")
    before = db.read_bytes()
    engine = make_engine(db)
    with pytest.raises(SchemaTooNewError) as refused:
        migrate(engine)
    engine.dispose()
    assert refused.value.version == NEWER and refused.value.path == str(db)
    assert db.read_bytes() == before

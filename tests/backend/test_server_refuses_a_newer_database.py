"""A server database written by a newer Chedai (a downgrade, a server started from an older
install on a shared database): `migrate` refuses it, naming both versions, before writing
anything, and `chedai serve` exits 2 with one line in the user's language — on SQLite and on
PostgreSQL — instead of serving a schema it does not know. The device's refusal is the same
(tests/app/test_cli_schema_too_new.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend.db import MIGRATIONS, make_engine, migrate
from local_db.migrations import SchemaTooNewError
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: each test its own)
from tests.newer_database import refused_in_one_line

LATEST = len(MIGRATIONS)
NEWER = LATEST + 1  # the server's schema, one step further


def make_newer(engine: Engine) -> None:
    """The database as a newer Chedai leaves it: this version's tables, one step further."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schema_version VALUES (:v, 0)"), {"v": NEWER})


def contents(engine: Engine) -> dict[str, object]:
    """What a start would write: version rows, tables, accounts, records and changes."""
    with engine.connect() as conn:
        return {
            "versions": conn.execute(text("SELECT version FROM schema_version")).all(),
            "tables": sorted(engine.dialect.get_table_names(conn)),
            **{
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("users", "records", "changes")
            },
        }


def with_password(engine: Engine) -> str:
    """The engine's URL with a password in it (the test clusters trust any, SQLite has none)."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        url = url.set(password="s3cret-pw")
    return url.render_as_string(hide_password=False)


def shown(engine: Engine) -> str:
    """How the refusal names the database: a SQLite file's path, else host, port and name."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return url.database
    return f"{url.host}:{url.port}/{url.database}"


@pytest.fixture
def no_server(monkeypatch):
    """uvicorn.run recorded instead of run: a start that got that far returns at once."""
    served: list = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(app))
    return served


def test_migrate_refuses_a_newer_database_naming_both_versions(engine):
    make_newer(engine)
    before = contents(engine)
    with pytest.raises(SchemaTooNewError) as refused:
        migrate(engine)
    assert (refused.value.version, refused.value.latest) == (NEWER, LATEST)
    assert f"{NEWER}" in str(refused.value) and f"{LATEST}" in str(refused.value)
    assert contents(engine) == before


def test_the_refusal_names_the_database_without_its_password(engine):
    make_newer(engine)
    other = make_engine(with_password(engine))
    try:
        with pytest.raises(SchemaTooNewError) as refused:
            migrate(other)
    finally:
        other.dispose()
    assert shown(engine) in refused.value.path and "s3cret-pw" not in refused.value.path


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en_US", "was saved by a newer version of Chedai"), ("zh_CN", "由更新版本的「车贷」保存")],
)
def test_serve_refuses_a_newer_database_in_one_line(
    engine, capsys, monkeypatch, no_server, locale, words
):
    make_newer(engine)
    before = contents(engine)
    argv = ["serve", "--database-url", with_password(engine)]
    code, out, err = cli(capsys, monkeypatch, argv, locale=locale)
    line = refused_in_one_line(code, err)
    assert line.startswith("chedai serve: ") and words in line
    assert f"{NEWER}" in line and f"{LATEST}" in line
    assert shown(engine) in line and "s3cret-pw" not in line
    assert cjk(line) == (locale == "zh_CN")
    assert not no_server and out == ""
    assert contents(engine) == before


def test_serve_demo_on_a_newer_sqlite_file_leaves_every_file_as_it_was(
    tmp_path, capsys, monkeypatch, no_server
):
    """Not migrated, no demo catalogue or accounts, no figures sealed, no key made."""
    folder = tmp_path / "data"  # CHEDAI_DATA_DIR (tests.app.cli_run): the default database's
    folder.mkdir(mode=0o700)
    engine = make_engine(f"sqlite:///{folder / 'server.db'}")
    migrate(engine)
    make_newer(engine)
    engine.dispose()
    before = snapshot(folder)
    code, out, err = cli(capsys, monkeypatch, ["serve", "--demo"], locale="en_US")
    assert "newer version of Chedai" in refused_in_one_line(code, err)
    assert str(folder / "server.db") in err
    assert not no_server and out == ""
    assert snapshot(folder) == before


def test_fit_alone_is_refused_too(tmp_path, capsys, monkeypatch):
    """`chedai serve --fit` trains on the database: refused before it reads a row."""
    db = tmp_path / "elsewhere.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    make_newer(engine)
    engine.dispose()
    argv = ["serve", "--fit", "--database-url", f"sqlite:///{db}"]
    code, out, err = cli(capsys, monkeypatch, argv, locale="en_US")
    assert str(db) in refused_in_one_line(code, err)
    assert out == ""


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its contents' digest (a new -wal, a key…)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }

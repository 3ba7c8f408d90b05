"""`chedai seed`, `prequal --db`, `contract`, `serve` and `app` on bad input.

Bad input must exit 2 with one line naming the argument and the rule, never a traceback.
"""

import json
import subprocess
import sys

import pytest

from tests.app.cli_run import run_main as run
from tests.contracts.factories import minimal_deal_json


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(folder))  # never the user's own
    monkeypatch.delenv("CHEDAI_SERVER_URL", raising=False)
    monkeypatch.setenv("CHEDAI_LOCALE", "en_US")
    return folder


@pytest.fixture
def not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    return path


def test_seed_with_a_negative_seed_exits_2_naming_it(data_dir, capsys, tmp_path):
    code, _, err = run(capsys, ["seed", "--seed", "-1", "--db", str(tmp_path / "x.db")])
    assert code == 2 and "--seed" in err and err.count("\n") == 1


@pytest.mark.parametrize("kind", ["directory", "not-a-database"])
def test_seed_into_something_that_is_not_a_database_exits_2(
    data_dir, capsys, tmp_path, not_a_database, kind
):
    target = tmp_path if kind == "directory" else not_a_database
    before = None if kind == "directory" else not_a_database.read_bytes()
    code, _, err = run(capsys, ["seed", "--db", str(target)])
    assert code == 2 and "--db" in err and err.count("\n") == 1
    if before is not None:
        assert not_a_database.read_bytes() == before  # the user's file is left alone


@pytest.mark.parametrize("kind", ["not-a-database", "empty-sqlite"])
def test_prequal_against_a_file_that_is_not_the_demo_database_exits_2(
    data_dir, capsys, monkeypatch, tmp_path, not_a_database, kind
):
    import io
    import sqlite3

    from tests.app.test_cli_prequal import REQUEST

    if kind == "empty-sqlite":
        target = tmp_path / "other.db"
        sqlite3.connect(target).execute("CREATE TABLE t (a)").connection.close()
    else:
        target = not_a_database
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(REQUEST)))
    code, out, err = run(capsys, ["prequal", "--db", str(target), "-"])
    assert code == 2 and out == "" and "--db" in err and err.count("\n") == 1


def test_render_sign_to_an_unwritable_path_records_no_signature(data_dir, capsys, tmp_path):
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(minimal_deal_json(), ensure_ascii=False), encoding="utf-8")
    out = deal / "c.pdf"  # under a file: cannot be written
    code, _, err = run(capsys, ["contract", "render", "--json", str(deal), "--out", str(out),
                                "--sign"])  # fmt: skip
    assert code == 2 and "cannot write" in err
    db = data_dir / "chedai.db"
    if db.exists():
        from sqlalchemy import text

        from local_db.engine import make_engine

        engine = make_engine(db)
        try:
            with engine.connect() as c:
                tables = {r[0] for r in c.execute(text("SELECT name FROM sqlite_master"))}
                rows = (
                    c.execute(text("SELECT action FROM audit_log")).all()
                    if "audit_log" in tables
                    else []
                )
        finally:
            engine.dispose()
        assert rows == []


def test_render_of_a_non_utf8_deal_on_stdin_exits_2(tmp_path):
    deal = minimal_deal_json()
    deal["buyer"]["name"] = "Müller"
    data = json.dumps(deal, ensure_ascii=False).encode("latin-1", errors="replace")
    env = {"CHEDAI_DATA_DIR": str(tmp_path / "data"), "CHEDAI_LOCALE": "en_US",
           "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # fmt: skip
    res = subprocess.run(
        [sys.executable, "-m", "app", "contract", "render", "--json", "-",
         "--out", str(tmp_path / "c.pdf")],
        input=data, capture_output=True, env=env, timeout=120,
    )  # fmt: skip
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 2 and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("kind", ["mysql-driver-missing", "sqlite-not-a-database"])
def test_serve_with_an_unusable_database_url_exits_2(data_dir, capsys, not_a_database, kind):
    url = (
        "mysql://user:pw@127.0.0.1:1/chedai"
        if kind == "mysql-driver-missing"
        else f"sqlite:///{not_a_database}"
    )
    code, _, err = run(capsys, ["serve", "--database-url", url, "--fit"])
    assert code == 2 and "cannot open the database" in err and err.count("\n") == 1


def test_serve_with_a_malformed_database_url_exits_2(data_dir, capsys):
    code, _, err = run(capsys, ["serve", "--database-url", "garbage", "--fit"])
    assert code == 2 and "cannot open the database" in err and "Traceback" not in err


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_app_with_a_port_out_of_range_exits_2_before_serving(data_dir, capsys, monkeypatch, port):
    import app.commands.app as app_command

    served = []
    monkeypatch.setattr(app_command, "first_run", lambda settings: False)
    monkeypatch.setattr(app_command, "serve", lambda settings, **kw: served.append(kw))
    code, _, err = run(capsys, ["app", "--port", port])
    assert served == [] and code == 2 and "--port" in err


def test_serve_with_a_shared_key_file_that_does_not_exist_exits_2(data_dir, capsys, monkeypatch):
    missing = data_dir / "elsewhere" / "server-field.key"
    monkeypatch.setenv("CHEDAI_SERVER_FIELD_KEY_FILE", str(missing))
    code, _, err = run(capsys, ["serve", "--fit"])
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "CHEDAI_SERVER_FIELD_KEY_FILE" in err and str(missing) in err
    assert not missing.parent.exists()  # nothing made in its name


def test_serve_with_a_key_file_whose_lock_cannot_be_made_exits_2(data_dir, capsys, monkeypatch):
    key = data_dir.parent / "server-field.key"
    key.write_bytes(bytes(32))
    (data_dir.parent / "server-field.key.lock").mkdir()  # where the lock file goes
    monkeypatch.setenv("CHEDAI_SERVER_FIELD_KEY_FILE", str(key))
    code, _, err = run(capsys, ["serve", "--fit"])
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot use the key file" in err and "server-field.key.lock" in err


def test_render_in_a_language_the_app_does_not_speak_exits_2_naming_the_option(
    data_dir, capsys, tmp_path
):
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(minimal_deal_json()), encoding="utf-8")
    out = tmp_path / "c.pdf"
    code, _, err = run(capsys, ["contract", "render", "--json", str(deal), "--out", str(out),
                                "--locale", "fr_FR"])  # fmt: skip
    assert code == 2 and "--locale" in err and "zh_CN or en_US" in err
    assert "Traceback" not in err and not out.exists()

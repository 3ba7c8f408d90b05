"""A device database written by a newer Chedai (a downgrade, a data folder copied from a newer
install): every command that would open it exits 2 with one line saying so, in the user's
language, and leaves the file exactly as the newer version left it — no migration, no demo
seeding, no signature made without its audit entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.commands import app as app_command
from local_db.migrations import LATEST
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: each test its own)
from tests.app.test_cli_prequal import REQUEST
from tests.contracts.factories import minimal_deal_json
from tests.newer_database import NEWER, newer_database, refused_in_one_line, snapshot


@pytest.fixture
def device(tmp_path) -> Path:
    """The data dir (CHEDAI_DATA_DIR, set by cli_run's fixture) holding a newer database."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    newer_database(folder / "chedai.db")
    return folder


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en_US", "was saved by a newer version of Chedai"), ("zh_CN", "由更新版本的「车贷」保存")],
)
def test_seed_refuses_a_newer_database_in_one_line_and_leaves_it_alone(
    device, capsys, monkeypatch, locale, words
):
    before = snapshot(device)
    code, out, err = cli(capsys, monkeypatch, ["seed"], locale=locale)
    line = refused_in_one_line(code, err)
    assert line.startswith("chedai seed: ") and words in line
    assert str(device / "chedai.db") in line
    assert f"{NEWER}" in line and f"{LATEST}" in line
    assert cjk(line) == (locale == "zh_CN")
    assert out == ""
    assert snapshot(device) == before


def test_seed_into_a_named_newer_database_is_refused_too(tmp_path, capsys, monkeypatch):
    db = newer_database(tmp_path / "elsewhere.db")
    before = db.read_bytes()
    code, _, err = cli(capsys, monkeypatch, ["seed", "--db", str(db)], locale="en_US")
    assert str(db) in refused_in_one_line(code, err)
    assert db.read_bytes() == before


def test_prequal_on_the_newer_demo_database_is_refused(device, capsys, monkeypatch):
    before = snapshot(device)
    code, out, err = cli(capsys, monkeypatch, ["prequal", "-"], REQUEST, locale="en_US")
    assert "newer version of Chedai" in refused_in_one_line(code, err)
    assert out == "" and snapshot(device) == before


def test_prequal_on_a_named_newer_database_is_refused(tmp_path, capsys, monkeypatch):
    db = newer_database(tmp_path / "newer.db")
    argv = ["prequal", "--db", str(db), "-"]
    code, _, err = cli(capsys, monkeypatch, argv, REQUEST, locale="en_US")
    assert "newer version of Chedai" in refused_in_one_line(code, err)


def test_contract_signing_is_refused_before_any_signature_or_file(
    device, tmp_path, capsys, monkeypatch
):
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(minimal_deal_json(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "signed.pdf"
    before = snapshot(device)
    argv = ["contract", "render", "--json", str(deal), "--out", str(out), "--sign"]
    code, stdout, err = cli(capsys, monkeypatch, argv, locale="en_US")
    assert "newer version of Chedai" in refused_in_one_line(code, err)
    assert not out.exists() and stdout == ""
    assert snapshot(device) == before  # no demo PKI made in it either


def test_contract_sign_of_a_rendered_pdf_is_refused_before_signing(
    device, tmp_path, capsys, monkeypatch
):
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(minimal_deal_json(), ensure_ascii=False), encoding="utf-8")
    unsigned = tmp_path / "contract.pdf"
    argv = ["contract", "render", "--json", str(deal), "--out", str(unsigned)]
    code, _, err = cli(capsys, monkeypatch, argv, locale="en_US")
    assert code == 0, err  # rendering alone does not need the database
    before = snapshot(device)
    signed = tmp_path / "signed.pdf"
    argv = ["contract", "sign", str(unsigned), "--role", "buyer", "--out", str(signed)]
    code, _, err = cli(capsys, monkeypatch, argv, locale="en_US")
    assert "newer version of Chedai" in refused_in_one_line(code, err)
    assert not signed.exists()
    assert snapshot(device) == before


def test_the_app_serves_without_preparing_the_demo_in_a_newer_database(device, capsys, monkeypatch):
    """`chedai app` does not seed or train in it: it serves, and the browser shows the screen
    saying why (tests/ui/test_schema_too_new.py)."""
    served = []
    monkeypatch.setattr(app_command, "serve", lambda settings, **kw: served.append(settings))
    before = snapshot(device)
    code, _, err = cli(capsys, monkeypatch, ["app", "--port", "8599"], locale="en_US")
    assert code == 0, err
    assert served and "Traceback" not in err
    assert snapshot(device) == before  # no model trained, nothing seeded

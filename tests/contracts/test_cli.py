from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.contracts.factories import deal_json


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path / "data"))
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(deal_json(), ensure_ascii=False), encoding="utf-8")
    return tmp_path, deal


def test_render_sign_verify_round_trip_and_audit_entries(env, capsys):
    tmp, deal = env
    out = tmp / "c.pdf"
    assert main(["contract", "render", "--json", str(deal), "--out", str(out), "--sign"]) == 0
    rendered = json.loads(capsys.readouterr().out)
    assert [s["role"] for s in rendered["signed"]] == ["buyer", "lender"]
    assert main(["contract", "verify", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["valid"] and result["document_id"] == rendered["document_id"]
    assert set(result["disclosure"]) == {
        "apr",
        "amount_financed",
        "finance_charge",
        "total_of_payments",
    }
    from sqlalchemy import text

    from local_db.engine import make_engine

    engine = make_engine(tmp / "data" / "chedai.db")
    with engine.connect() as c:
        rows = c.execute(text("SELECT action, entity_id, details FROM audit_log")).all()
    engine.dispose()
    assert [r[0] for r in rows] == ["contract.signed", "contract.signed"]
    assert rendered["signed"][-1]["sha256"] in rows[-1][2]


def test_sign_step_by_step_then_tamper_exits_1(env, capsys):
    tmp, deal = env
    plain, one, two = tmp / "a.pdf", tmp / "b.pdf", tmp / "c.pdf"
    assert (
        main(["contract", "render", "--json", str(deal), "--out", str(plain), "--locale", "en_US"])
        == 0
    )
    assert main(["contract", "sign", str(plain), "--role", "buyer", "--out", str(one)]) == 0
    assert main(["contract", "sign", str(one), "--role", "lender", "--out", str(two)]) == 0
    capsys.readouterr()
    data = bytearray(two.read_bytes())
    data[len(data) // 2] ^= 0x01
    two.write_bytes(bytes(data))
    assert main(["contract", "verify", str(two)]) == 1
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_verify_with_an_untrusted_root_exits_1(env, capsys, tmp_path):
    tmp, deal = env
    out = tmp / "c.pdf"
    main(["contract", "render", "--json", str(deal), "--out", str(out), "--sign"])
    from contracts.pki import demo_pki

    demo_pki(tmp / "other")
    capsys.readouterr()
    assert (
        main(
            ["contract", "verify", str(out), "--trust", str(tmp / "other" / "pki" / "root-ca.pem")]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param(
            ["render", "--json", "/nonexistent.json", "--out", "x.pdf"],
            "cannot read",
            id="missing-input",
        ),
        pytest.param(
            ["sign", "/nonexistent.pdf", "--role", "buyer", "--out", "x.pdf"],
            "cannot read",
            id="missing-pdf",
        ),
        pytest.param(
            ["verify", "x.pdf", "--trust", "/nonexistent.pem"],
            "cannot read",
            id="missing-trust-root",
        ),
    ],
)
def test_bad_paths_exit_2_with_one_line(env, capsys, args, needle):
    tmp, _ = env
    (tmp / "x.pdf").write_bytes(b"%PDF")
    assert main(["contract", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1


def test_bad_deal_exits_2_naming_the_field(env, capsys):
    tmp, deal = env
    bad = deal_json(vehicle={**deal_json()["vehicle"], "price": 150000.0})
    deal.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["contract", "render", "--json", str(deal), "--out", str(tmp / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "vehicle.price" in err and err.count("\n") == 1


def test_signing_a_contract_without_consent_exits_2(env, capsys):
    tmp, deal = env
    deal.write_text(json.dumps(deal_json(consent=None), ensure_ascii=False), encoding="utf-8")
    assert (
        main(["contract", "render", "--json", str(deal), "--out", str(tmp / "x.pdf"), "--sign"])
        == 2
    )
    assert "consent" in capsys.readouterr().err

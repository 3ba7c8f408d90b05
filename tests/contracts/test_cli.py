from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from app.cli import main
from contracts import record
from contracts.pki import demo_pki
from contracts.verification import verify_contract
from tests.contracts.factories import deal_json, make_key_dir, minimal_deal_json
from tests.contracts.tsa import local_tsa


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
            "无法读取",  # in the default language
            id="missing-input",
        ),
        pytest.param(
            ["sign", "/nonexistent.pdf", "--role", "buyer", "--out", "x.pdf"],
            "无法读取",  # in the default language
            id="missing-pdf",
        ),
        pytest.param(
            ["verify", "x.pdf", "--trust", "/nonexistent.pem"],
            "无法读取",  # in the default language
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


def test_the_issues_minimal_deal_json_renders_signs_and_verifies(env, capsys):
    """Exactly the issue's deal.json: no consent record, no optional fields."""
    tmp, deal = env
    deal.write_text(json.dumps(minimal_deal_json(), ensure_ascii=False), encoding="utf-8")
    out = tmp / "F.pdf"
    assert main(["contract", "render", "--json", str(deal), "--out", str(out), "--sign"]) == 0
    assert [s["role"] for s in json.loads(capsys.readouterr().out)["signed"]] == [
        "buyer",
        "lender",
    ]
    assert main(["contract", "verify", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages).split()
    )
    assert "由操作员通过命令行签署" in text


def test_signing_key_dir_setting_signs_with_the_deployments_keys(env, capsys, monkeypatch):
    tmp, deal = env
    keys = make_key_dir(tmp / "keys", rsa=False)
    monkeypatch.setenv("CHEDAI_SIGNING_KEY_DIR", str(keys))
    out = tmp / "c.pdf"
    assert main(["contract", "render", "--json", str(deal), "--out", str(out), "--sign"]) == 0
    assert not (tmp / "data" / "pki").exists()  # the demo PKI was not used
    capsys.readouterr()
    assert main(["contract", "verify", str(out)]) == 0  # default trust: the key dir's root
    assert json.loads(capsys.readouterr().out)["valid"] is True
    demo_pki(tmp / "demo")
    demo_root = str(tmp / "demo" / "pki" / "root-ca.pem")
    assert main(["contract", "verify", str(out), "--trust", demo_root]) == 1


def test_signing_key_dir_with_a_missing_key_exits_2_naming_the_setting(env, capsys, monkeypatch):
    tmp, deal = env
    keys = make_key_dir(tmp / "keys", rsa=False)
    (keys / "buyer.key.pem").unlink()
    monkeypatch.setenv("CHEDAI_SIGNING_KEY_DIR", str(keys))
    args = ["contract", "render", "--json", str(deal), "--out", str(tmp / "x.pdf"), "--sign"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "signing_key_dir" in err and "buyer.key.pem" in err and err.count("\n") == 1


def test_tsa_url_setting_timestamps_every_signature(env, capsys, monkeypatch):
    tmp, deal = env
    pki = demo_pki(tmp / "data")
    with local_tsa(tmp / "data" / "pki") as (url, requests):
        monkeypatch.setenv("CHEDAI_TSA_URL", url)
        out = tmp / "c.pdf"
        assert main(["contract", "render", "--json", str(deal), "--out", str(out), "--sign"]) == 0
    assert len(requests) == 2  # one RFC 3161 request per signature
    for sig in record.open_pdf(out.read_bytes()).embedded_signatures:
        attrs = sig.signer_info["unsigned_attrs"].native or []
        assert "signature_time_stamp_token" in [a["type"] for a in attrs]
    capsys.readouterr()
    assert main(["contract", "verify", str(out)]) == 0
    assert verify_contract(out.read_bytes(), trust_roots=pki.trust_roots).valid


def test_an_unreachable_tsa_exits_2_naming_it(env, capsys, monkeypatch):
    tmp, deal = env
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CHEDAI_TSA_URL", f"http://127.0.0.1:{port}/")
    args = ["contract", "render", "--json", str(deal), "--out", str(tmp / "x.pdf"), "--sign"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "tsa_url" in err and err.count("\n") == 1


@pytest.mark.parametrize(("spelling", "title"), [("en", "Truth-in-lending disclosure"),
                                                 ("zh-CN", "贷款信息披露")])  # fmt: skip
def test_render_takes_any_spelling_of_a_language_the_app_speaks(env, spelling, title):
    tmp, deal = env
    out = tmp / "c.pdf"
    assert main(["contract", "render", "--json", str(deal), "--out", str(out),
                 "--locale", spelling]) == 0  # fmt: skip
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert title in text

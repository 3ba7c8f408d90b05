"""`chedai quote` and `chedai apr`: JSON in, JSON out, exit 2 with one line on bad input."""

import json
import subprocess
import sys

import pytest

from app.cli import main

QUOTE = {
    "cash_price": "24600.00",
    "down_payment": "0.00",
    "fees": [
        {"name": "手续费", "amount": "400.00", "financed": True, "prepaid_finance_charge": True}
    ],
    "annual_rate": "6.90",
    "term_months": 60,
    "loan_date": "2026-01-15",
}


def run_cli(capsys, monkeypatch, command, payload):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(json.dumps(payload)))
    code = main([command, "-"])
    out, err = capsys.readouterr()
    return code, out, err


def test_quote_prints_disclosure_figures_and_schedule(capsys, monkeypatch):
    code, out, _ = run_cli(capsys, monkeypatch, "quote", QUOTE)
    data = json.loads(out)
    assert code == 0
    assert data["apr"] == "7.58"
    assert data["amount_financed"] == "24600.00"
    assert data["payment"] == "493.85"
    assert len(data["schedule"]) == 60
    assert data["schedule"][-1]["balance"] == "0.00"
    assert data["totals"]["payment"] == data["total_of_payments"]
    assert [y["year"] for y in data["yearly"]] == [1, 2, 3, 4, 5]


def test_flat_rate_quote_reports_true_apr(capsys, monkeypatch):
    payload = {
        "cash_price": "100000",
        "down_payment": "0",
        "flat_rate": {"rate": "4", "per": "year"},
        "term_months": 36,
        "loan_date": "2026-01-15",
    }
    code, out, _ = run_cli(capsys, monkeypatch, "quote", payload)
    assert code == 0 and json.loads(out)["apr"] == "7.51"


def test_apr_command_reproduces_appendix_j(capsys, monkeypatch):
    payload = {
        "periods_per_year": 12,
        "advances": [{"amount": "6000.00", "t": 0, "f": "0"}],
        "payments": [{"amount": "200.00", "count": 36, "t": 1, "f": "19/30"}],
    }
    code, out, _ = run_cli(capsys, monkeypatch, "apr", payload)
    data = json.loads(out)
    assert code == 0 and data["apr"] == "11.82" and data["apr_exact"].startswith("11.8165")


def test_apr_command_takes_fractional_periods_per_year(capsys, monkeypatch):
    payload = {
        "periods_per_year": "365/255",
        "advances": [{"amount": "1000", "t": 0}],
        "payments": [{"amount": "1080", "t": 1}],
    }
    code, out, _ = run_cli(capsys, monkeypatch, "apr", payload)
    assert code == 0 and json.loads(out)["apr"] == "11.45"


BAD_QUOTES = [
    pytest.param(
        {k: v for k, v in QUOTE.items() if k != "cash_price"}, "cash_price", id="missing-field"
    ),
    pytest.param({**QUOTE, "down_payment": "-5"}, "down_payment", id="negative-amount"),
    pytest.param({**QUOTE, "cash_price": "lots"}, "cash_price", id="not-a-number"),
    pytest.param({**QUOTE, "term_months": 0}, "term_months", id="zero-term"),
    pytest.param(
        {**QUOTE, "first_payment_date": "2026-01-01"},
        "first_payment_date",
        id="first-payment-before-loan",
    ),
    pytest.param({**QUOTE, "loan_date": "15/01/2026"}, "loan_date", id="bad-date"),
    pytest.param({**QUOTE, "loan_date": "9999-11-30"}, "loan_date", id="date-past-the-calendar"),
    pytest.param({**QUOTE, "cash_price": "1e400"}, "cash_price", id="amount-past-any-car"),
    pytest.param(
        {**QUOTE, "fees": [{"name": "x", "amount": 1.5}]}, "fees[0].amount", id="float-amount"
    ),
    pytest.param([1, 2], "input", id="not-an-object"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_QUOTES)
def test_bad_quote_input_exits_2_naming_the_field(capsys, monkeypatch, payload, field):
    code, out, err = run_cli(capsys, monkeypatch, "quote", payload)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and field in err and "Traceback" not in err


def test_apr_without_solution_exits_2(capsys, monkeypatch):
    payload = {
        "periods_per_year": 12,
        "advances": [{"amount": "5000", "t": 0}],
        "payments": [{"amount": "0", "count": 3, "t": 1}],
    }
    code, _, err = run_cli(capsys, monkeypatch, "apr", payload)
    assert code == 2 and err.count("\n") == 1


def test_console_script_reads_a_file_and_rejects_broken_json(tmp_path):
    good = tmp_path / "q.json"
    good.write_text(json.dumps(QUOTE), encoding="utf-8")
    ok = subprocess.run(
        [sys.executable, "-m", "app", "quote", str(good)], capture_output=True, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["apr"] == "7.58"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "app", "quote", str(bad)], capture_output=True, text=True
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1

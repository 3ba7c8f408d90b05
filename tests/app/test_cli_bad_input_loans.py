"""`chedai quote`, `apr`, `repay` and the JSON reader every JSON command shares.

The project's rule for bad input: a message naming the field and the rule, in the user's
language (zh_CN by default), exit 2, no traceback.
"""

import io
import json

import pytest

from app.cli import main
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: autouse)

QUOTE = {
    "cash_price": "150000.00",
    "down_payment": "0.00",
    "annual_rate": "4.80",
    "term_months": 12,
    "loan_date": "2026-12-01",
}
LOAN = {
    "principal": "100000.00",
    "annual_rate": "6.90",
    "term_months": 12,
    "loan_date": "2026-01-15",
}


def test_valid_quote_apr_and_repay_still_exit_0(capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, ["quote", "-"], QUOTE)
    assert code == 0 and json.loads(out)["payment"] and err == ""
    apr = {
        "periods_per_year": 12,
        "advances": [{"amount": "5000.00", "t": 0, "f": "0"}],
        "payments": [{"amount": "230.00", "count": 24, "t": 1, "f": "0"}],
    }
    code, out, _ = cli(capsys, monkeypatch, ["apr", "-"], apr)
    assert code == 0 and json.loads(out)["apr"] == "9.69"
    code, out, _ = cli(capsys, monkeypatch, ["repay", "-"], {"loan": LOAN, "as_of": "2026-03-01"})
    assert code == 0 and json.loads(out)["status"] == "past_due"


@pytest.mark.parametrize("raw", ["12,5", "1,2,3"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(capsys, monkeypatch, raw):
    code, out, err = cli(capsys, monkeypatch, ["quote", "-"], {**QUOTE, "cash_price": raw})
    assert code == 2 and out == ""
    assert "cash_price:" in err and "Traceback" not in err


@pytest.mark.parametrize("raw", [20261201, "20261201", "2026-W49-2"], ids=["int", "basic", "week"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(capsys, monkeypatch, raw):
    code, out, err = cli(capsys, monkeypatch, ["quote", "-"], {**QUOTE, "loan_date": raw})
    assert code == 2 and out == ""
    assert "loan_date:" in err and "YYYY-MM-DD" in err


@pytest.mark.parametrize("command", ["quote", "apr", "repay", "prequal"])
def test_a_json_file_that_is_not_utf8_exits_2(capsys, monkeypatch, tmp_path, command):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"cash_price": "150000", "note": "Müller"}'.encode("latin-1"))
    code, out, err = cli(capsys, monkeypatch, [command, str(path)])
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.count("\n") == 1 and "UTF-8" in err


def test_apr_with_a_payment_period_past_any_loan_exits_2(capsys, monkeypatch):
    payload = {
        "periods_per_year": 12,
        "advances": [{"amount": "5000.00"}],
        "payments": [{"amount": "230.00", "count": 24, "t": 100_000_000}],
    }
    code, out, err = cli(capsys, monkeypatch, ["apr", "-"], payload)
    assert code == 2 and out == "" and "payments[0].t:" in err


# Messages that bypass the translated InputError path: UsageError (app/cli.py:87-88), argparse's
# own errors (app/cli.py:27-30) and NoSolutionError are English whatever the locale.
ENGLISH_ONLY = [
    pytest.param(["quote", "/nonexistent/quote.json"], None, id="quote-missing-file"),
    pytest.param(["quote", "-"], "{not json", id="quote-broken-json"),
    pytest.param(
        ["apr", "-"],
        {
            "periods_per_year": 12,
            "advances": [{"amount": "5000"}],
            "payments": [{"amount": "0", "count": 3, "t": 1}],
        },
        id="apr-no-solution",
    ),
    pytest.param(["repay", "a.json", "b.json"], None, id="argparse-extra-argument"),
]


@pytest.mark.parametrize(("argv", "payload"), ENGLISH_ONLY)
def test_usage_error_messages_are_in_chinese_by_default(capsys, monkeypatch, argv, payload):
    monkeypatch.delenv("CHEDAI_LOCALE", raising=False)
    if payload is not None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's errors leave through SystemExit(2)
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert cjk(err), err


def test_the_same_usage_error_is_english_under_en_us(capsys, monkeypatch):
    code, _, err = cli(capsys, monkeypatch, ["quote", "/nonexistent/q.json"], locale="en_US")
    assert code == 2 and "cannot read" in err and err.count("\n") == 1


@pytest.mark.parametrize("value", ["fr_FR", ""])
def test_an_unknown_locale_falls_back_to_chinese(capsys, monkeypatch, value):
    code, _, err = cli(capsys, monkeypatch, ["quote", "-"], {}, locale=value)
    assert code == 2 and "cash_price:" in err
    assert cjk(err), err

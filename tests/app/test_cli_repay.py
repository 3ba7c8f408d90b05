"""`chedai repay`: JSON in, JSON out; bad input exits 2 with one line on stderr."""

import io
import json

import pytest

from app.cli import main

LOAN = {
    "principal": "100000.00",
    "annual_rate": "6.90",
    "term_months": 12,
    "loan_date": "2026-01-15",
    "late_fee": {"amount": "50.00", "grace_days": 3},
    "prepayment": {"fee_rate": "2", "mode": "shorten_term"},
}


def run_cli(capsys, monkeypatch, payload):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(payload)))
    code = main(["repay", "-"])
    out, err = capsys.readouterr()
    return code, out, err


def test_repay_reports_late_status_allocations_and_payoff(capsys, monkeypatch):
    payload = {
        "loan": LOAN,
        "payments": [
            {"op_id": "a", "date": "2026-02-15", "amount": "8648.07"},
            {"op_id": "a", "date": "2026-02-15", "amount": "8648.07"},
            {"op_id": "b", "date": "2026-03-25", "amount": "4000.00", "channel": "alipay"},
        ],
        "as_of": "2026-04-01",
    }
    code, out, _ = run_cli(capsys, monkeypatch, payload)
    data = json.loads(out)
    assert code == 0
    assert (data["status"], data["days_past_due"], data["bucket"]) == ("past_due", 17, "1-30")
    assert [a["op_id"] for a in data["allocations"]] == ["a", "b"]
    b = data["allocations"][1]
    assert b["fees"] == "50.00"
    total = sum(float(b[k]) for k in ("fees", "interest", "principal", "overpayment"))
    assert round(total, 2) == 4000.00
    assert data["late_fees"] == [{"instalment": 2, "date": "2026-03-19", "amount": "50.00"}]
    assert data["next_due"]["date"] == "2026-04-15"
    assert data["payoff"]["valid_until"] == "2026-04-07"
    assert data["risk"]["flag"] == "watch"


def test_repay_of_a_closed_loan_has_no_payoff(capsys, monkeypatch):
    payload = {
        "loan": {**LOAN, "term_months": 1},
        "payments": [{"op_id": "x", "date": "2026-02-15", "amount": "100575.00"}],
        "as_of": "2026-02-15",
    }
    code, out, _ = run_cli(capsys, monkeypatch, payload)
    data = json.loads(out)
    assert code == 0 and data["status"] == "closed" and data["payoff"] is None
    assert data["outstanding_principal"] == "0.00"


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        pytest.param({"loan": LOAN}, "as_of", id="missing-as-of"),
        pytest.param(
            {"loan": {**LOAN, "annual_rate": 6.9}, "as_of": "2026-03-01"},
            "loan.annual_rate",
            id="rate-as-float",
        ),
        pytest.param(
            {
                "loan": LOAN,
                "as_of": "2026-03-01",
                "payments": [{"op_id": "a", "date": "2026-02-15", "amount": "-1"}],
            },
            "payments[0].amount",
            id="negative-payment",
        ),
        pytest.param(
            {"loan": {**LOAN, "prepayment": {"mode": "skip"}}, "as_of": "2026-03-01"},
            "loan.prepayment.mode",
            id="unknown-mode",
        ),
        pytest.param(
            {
                "loan": LOAN,
                "as_of": "2026-03-01",
                "payments": [
                    {"op_id": "a", "date": "2026-02-15", "amount": "1.00"},
                    {"op_id": "a", "date": "2026-02-16", "amount": "1.00"},
                ],
            },
            "payments[1].op_id",
            id="op-id-reused-with-other-details",
        ),
        pytest.param(
            {
                "loan": LOAN,
                "as_of": "2026-03-01",
                "payments": [
                    {"op_id": "a", "date": "2026-02-15", "amount": "1.00"},
                    {"op_id": "b", "date": "2026-01-14", "amount": "1.00"},
                ],
            },
            "payments[1].date",
            id="payment-before-the-loan",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(capsys, monkeypatch, payload, needle):
    code, out, err = run_cli(capsys, monkeypatch, payload)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err


BALLOON = {**LOAN, "method": "balloon", "balloon_amount": "40000.00", "term_months": 24}


def test_a_balloon_loan_paid_on_schedule_closes_with_its_balloon(capsys, monkeypatch):
    from datetime import date
    from decimal import Decimal

    from domain.loans import LoanTerms, Method, quote

    q = quote(
        LoanTerms(
            cash_price=Decimal("100000.00"), down_payment=Decimal(0), loan_date=date(2026, 1, 15),
            count=24, annual_rate=Decimal("0.069"), method=Method.BALLOON,
            balloon_amount=Decimal("40000.00"),
        )
    )  # fmt: skip
    paid = [{"op_id": f"{r.n}", "date": r.date.isoformat(), "amount": str(r.payment)}
            for r in q.schedule]  # fmt: skip
    code, out, _ = run_cli(capsys, monkeypatch, {"loan": BALLOON, "payments": paid[:-1],
                                                 "as_of": paid[-2]["date"]})  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["status"] == "current"
    assert Decimal(data["next_due"]["amount"]) == q.schedule[-1].payment > Decimal("40000")
    code, out, _ = run_cli(capsys, monkeypatch, {"loan": BALLOON, "payments": paid,
                                                 "as_of": paid[-1]["date"]})  # fmt: skip
    data = json.loads(out)
    assert data["status"] == "closed" and data["outstanding_principal"] == "0.00"


@pytest.mark.parametrize(
    ("loan", "needle"),
    [
        pytest.param({**LOAN, "method": "balloon"}, "loan.balloon_amount", id="missing"),
        pytest.param({**BALLOON, "balloon_amount": "100000.00"}, "loan.balloon_amount",
                     id="whole-loan"),
        pytest.param({**BALLOON, "balloon_amount": "0"}, "loan.balloon_amount", id="zero"),
        pytest.param({**LOAN, "balloon_amount": "100.00"}, "loan.balloon_amount",
                     id="level-loan-with-a-balloon"),
    ],
)  # fmt: skip
def test_a_balloon_without_a_valid_amount_exits_2_naming_it(capsys, monkeypatch, loan, needle):
    code, out, err = run_cli(capsys, monkeypatch, {"loan": loan, "as_of": "2026-03-01"})
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err

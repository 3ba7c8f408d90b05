"""`chedai prequal`: JSON in, JSON out; offers equal `chedai quote`; bad input exits 2."""

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli import main
from domain.catalog import RiskTier
from local_db.crypto import cipher_for_dir
from local_db.demo import seed_database
from local_db.engine import make_engine

REQUEST = {
    "applicant": {
        "age": 34,
        "monthly_income": "25000.00",
        "income_type": "salary",
        "employment_months": 60,
        "housing": "own",
        "monthly_debt_payments": "2000.00",
        "credit_score": 740,
        "city": "Shanghai",
    },
    "vehicle": {"price": "179800.00", "energy": "BEV", "make": "BYD", "condition": "new"},
    "deal": {"down_payment": "60000.00", "term_months": 36},
    "consent": {"text_version": "soft-check-2026-12", "given_at": "2026-11-28T09:00:00+00:00"},
    "today": "2026-11-28",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("prequal")
    engine = make_engine(folder / "demo.db")
    seed_database(
        engine, seed=20261128, data_dir=folder, cipher=cipher_for_dir(folder), n_buyers=20
    )
    engine.dispose()
    return folder / "demo.db"


def cli(capsys, monkeypatch, argv, payload):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(payload)))
    monkeypatch.setenv("CHEDAI_LOCALE", "en_US")
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_prequal_prints_offers_cheapest_first_and_explained_declines(db, capsys, monkeypatch):
    code, out, err = cli(capsys, monkeypatch, ["prequal", "--db", str(db), "-"], REQUEST)
    assert code == 0, err
    data = json.loads(out)
    assert data["tier"] in "ABCDE" and data["score_reasons"] is not None
    assert data["offers"], "a strong applicant gets offers"
    totals = [Decimal(o["total_sale_price"]) for o in data["offers"]]
    assert totals == sorted(totals)
    for d in data["declines"]:
        assert 1 <= len(d["reasons"]) <= 4
        assert all(r["code"] and r["text"] for r in d["reasons"])
        assert d["hint"]["kind"] and d["hint"]["text"]


def test_each_offer_equals_chedai_quote_for_the_same_terms(db, capsys, monkeypatch):
    from sqlmodel import Session

    from domain.prequal.pricing import terms_for
    from local_db.repositories import catalog

    _, out, _ = cli(capsys, monkeypatch, ["prequal", "--db", str(db), "-"], REQUEST)
    data = json.loads(out)
    offers, tier = data["offers"], data["tier"]
    engine = make_engine(db)
    with Session(engine) as session:
        products = {p.id: p for p in catalog.list_products(session)}
    engine.dispose()
    for offer in offers:
        product = products[offer["product_id"]]
        line = product.rate_for(RiskTier(tier), 36)
        terms = terms_for(
            product,
            line,
            price=Decimal("179800.00"),
            down_payment=Decimal("60000.00"),
            trade_in=Decimal("0.00"),
            term=36,
            today=date(2026, 11, 28),
        )
        payload = {
            "cash_price": str(terms.cash_price),
            "down_payment": str(terms.down_payment),
            "loan_date": "2026-11-28",
            "term_months": 36,
            "method": terms.method.value,
            "balloon_amount": str(terms.balloon_amount),
            "fees": [
                {
                    "name": f.name,
                    "amount": str(f.amount),
                    "financed": f.financed,
                    "prepaid_finance_charge": f.prepaid_finance_charge,
                }
                for f in terms.fees
            ],
        }
        if terms.annual_rate is not None:
            payload["annual_rate"] = str(terms.annual_rate * 100)
        else:
            payload["flat_rate"] = {
                "rate": str(terms.flat_rate.rate * 100),
                "per": terms.flat_rate.per,
            }
        code, qout, err = cli(capsys, monkeypatch, ["quote", "-"], payload)
        assert code == 0, err
        q = json.loads(qout)
        for key, qkey in (
            ("apr", "apr"),
            ("monthly_payment", "payment"),
            ("amount_financed", "amount_financed"),
            ("finance_charge", "finance_charge"),
            ("total_of_payments", "total_of_payments"),
        ):
            assert offer[key] == q[qkey], (offer["product_code"], key)


@pytest.mark.parametrize(
    "change, field",
    [
        pytest.param(
            {"applicant": {**REQUEST["applicant"], "age": "old"}},
            "applicant.age",
            id="age-not-a-number",
        ),
        pytest.param(
            {"applicant": {**REQUEST["applicant"], "credit_score": 900}},
            "applicant.credit_score",
            id="score-off-scale",
        ),
        pytest.param(
            {"applicant": {**REQUEST["applicant"], "housing": "castle"}},
            "applicant.housing",
            id="unknown-housing",
        ),
        pytest.param(
            {"applicant": {**REQUEST["applicant"], "monthly_income": "1e400"}},
            "applicant.monthly_income",
            id="income-past-any-amount",
        ),
        pytest.param({"deal": {"term_months": 36}}, "deal.down_payment", id="no-down-payment"),
        pytest.param({"consent": False}, "consent", id="consent-refused"),
        pytest.param({"vehicle": None, "vehicle_id": "nope"}, "vehicle_id", id="unknown-vehicle"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(db, capsys, monkeypatch, change, field):
    payload = {**REQUEST, **change}
    code, out, err = cli(capsys, monkeypatch, ["prequal", "--db", str(db), "-"], payload)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f" {field}:" in err and "Traceback" not in err


def test_catalogue_vehicle_by_id(db, capsys, monkeypatch):
    from sqlmodel import Session

    from local_db.repositories import catalog

    engine = make_engine(db)
    with Session(engine) as session:
        used = catalog.list_vehicles(session, condition="used", limit=1).items[0]
    engine.dispose()
    payload = {k: v for k, v in REQUEST.items() if k != "vehicle"}
    payload["vehicle_id"] = used.id
    payload["deal"] = {"down_payment": str((used.price * 4 / 10).quantize(1)), "term_months": 24}
    code, out, err = cli(capsys, monkeypatch, ["prequal", "--db", str(db), "-"], payload)
    assert code == 0, err
    data = json.loads(out)
    assert Decimal(data["vehicle_value"]) <= used.price


def test_the_issue_input_without_consent_runs_with_the_operator_attesting_consent_now(
    db, capsys, monkeypatch
):
    payload = {k: v for k, v in REQUEST.items() if k != "consent"}
    code, out, err = cli(capsys, monkeypatch, ["prequal", "--db", str(db), "-"], payload)
    assert code == 0, err
    consent = json.loads(out)["consent"]
    assert consent["purpose"] == "soft_check"
    assert consent["text_version"] == "soft-check-2026-12"

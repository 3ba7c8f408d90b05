"""`chedai apr`, `repay` and `contract verify` on the bad input that used to slip through.

The project's rule for bad input: exit 2 with one line naming the field (or file) and the
rule, in the user's language (zh_CN by default), never a traceback and never a number.
"""

import io
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from app.cli import main
from domain.apr import FlowGroup, solve_apr
from domain.errors import InputError
from domain.repayments import EventKind, PaymentEvent, dedupe
from tests.app.cli_run import cjk, cli, data_dir  # noqa: F401 (data_dir: autouse)
from tests.contracts.factories import minimal_deal_json


def refused(code, out, err, *needles):
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


# --- 1. chedai apr: payments must come after the advance ---------------------------------


def apr(advances, payments):
    return {"periods_per_year": 12, "advances": advances, "payments": payments}


ADVANCE = [{"amount": "1000.00", "t": 0}]


def test_apr_of_a_payment_at_the_time_of_the_advance_is_refused(capsys, monkeypatch):
    payload = apr(ADVANCE, [{"amount": "1000.00", "t": 0}])  # used to answer 12.00%
    code, out, err = cli(capsys, monkeypatch, ["apr", "-"], payload, locale="en_US")
    refused(code, out, err, "payments[0].t:", "after the first advance")
    code, out, err = cli(capsys, monkeypatch, ["apr", "-"], payload)
    refused(code, out, err, "payments[0].t:")
    assert cjk(err) and "放款" in err


DEGENERATE = [
    pytest.param(
        apr(ADVANCE, [{"amount": "100.00", "t": 1, "count": 9}, {"amount": "100.00", "t": 0}]),
        "payments[1].t:",
        id="one-payment-at-0-among-later-ones",
    ),
    pytest.param(
        apr(ADVANCE, [{"amount": "500.00", "t": 0, "count": 1}, {"amount": "600.00"}]),
        "payments[0].t:",
        id="all-payments-at-0",
    ),
    pytest.param(
        apr([{"amount": "1000.00", "t": 3}], [{"amount": "100.00", "t": 1, "count": 12}]),
        "payments[0].t:",
        id="payments-before-the-first-advance",
    ),
    pytest.param(
        apr([{"amount": "1000.00", "t": 0, "f": "1/2"}], [{"amount": "1000.00", "f": "1/4"}]),
        "payments[0].t:",
        id="fraction-of-a-period-before-the-advance",
    ),
    pytest.param(
        apr([{"amount": "0.00"}], [{"amount": "0.00", "t": 1}]),  # used to answer 12.00%
        "advances:",
        id="nothing-advanced-nothing-paid",
    ),
    pytest.param(
        apr([{"amount": "0.00"}], [{"amount": "100.00", "t": 1}]), "advances:", id="no-advance"
    ),
    pytest.param(apr(ADVANCE, []), "payments:", id="no-payments"),
    pytest.param(
        apr(ADVANCE, [{"amount": "-100.00", "t": 1, "count": 12}]),
        "payments[0].amount:",
        id="negative-payment",
    ),
    pytest.param(
        apr([{"amount": "-1000.00"}], [{"amount": "100.00", "t": 1, "count": 12}]),
        "advances[0].amount:",
        id="negative-advance",
    ),
    pytest.param(
        apr(ADVANCE, [{"amount": "5.00", "t": 1}]),  # would need a rate below -99% a month
        "payments:",
        id="too-little-repaid-for-any-rate",
    ),
    pytest.param(apr(ADVANCE, [{"amount": "0.00", "t": 1}]), "payments:", id="nothing-repaid"),
    pytest.param(
        apr(ADVANCE, [{"amount": "83.00", "t": 1, "count": 12}]),  # 996.00: answered -0.74%
        "payments:",
        id="a-little-less-repaid-than-advanced",
    ),
]


@pytest.mark.parametrize(("payload", "field"), DEGENERATE)
@pytest.mark.parametrize("locale", ["en_US", None])
def test_apr_of_a_degenerate_schedule_exits_2(capsys, monkeypatch, payload, field, locale):
    code, out, err = cli(capsys, monkeypatch, ["apr", "-"], payload, locale=locale)
    refused(code, out, err, field)
    assert cjk(err) == (locale is None)


def test_apr_of_a_payment_within_the_first_period_still_solves(capsys, monkeypatch):
    payload = apr(ADVANCE, [{"amount": "1010.00", "t": 0, "f": "1/2"}])  # half a period out
    code, out, _ = cli(capsys, monkeypatch, ["apr", "-"], payload)
    assert code == 0 and json.loads(out)["apr"] == "24.00"


def test_the_domain_refuses_a_payment_at_the_advance_whoever_asks():
    with pytest.raises(InputError) as caught:
        solve_apr([FlowGroup(Decimal(1000), 0)], [FlowGroup(Decimal(1000), 0, Fraction(0))], 12)
    assert (caught.value.field, caught.value.rule) == ("payments[0].t", "after_first_advance")


# --- 2. chedai repay: a reversal must not come before its payment ------------------------

LOAN = {
    "principal": "100000.00",
    "annual_rate": "6.90",
    "term_months": 12,
    "loan_date": "2026-01-15",
}
PAYMENT = {"op_id": "p1", "date": "2026-02-15", "amount": "8648.07"}


def repay(*events):
    return {"loan": LOAN, "as_of": "2026-04-01", "payments": list(events)}


def reversal(day: str) -> dict:
    return {"op_id": "r1", "kind": "reversal", "date": day, "reverses": "p1"}


@pytest.mark.parametrize(
    ("events", "field"),
    [
        pytest.param((PAYMENT, reversal("2026-02-10")), "payments[1].date:", id="after"),
        pytest.param((reversal("2026-02-14"), PAYMENT), "payments[0].date:", id="listed-first"),
    ],
)
def test_repay_refuses_a_reversal_dated_before_its_payment(capsys, monkeypatch, events, field):
    code, out, err = cli(capsys, monkeypatch, ["repay", "-"], repay(*events), locale="en_US")
    refused(code, out, err, field, "before the date of the payment it reverses", "p1")
    code, out, err = cli(capsys, monkeypatch, ["repay", "-"], repay(*events))
    refused(code, out, err, field, "p1")
    assert cjk(err) and "冲正" in err


def test_repay_takes_a_reversal_on_the_day_of_its_payment(capsys, monkeypatch):
    payload = repay(PAYMENT, reversal("2026-02-15"))
    code, out, _ = cli(capsys, monkeypatch, ["repay", "-"], payload)
    assert code == 0 and json.loads(out)["reversed"] == ["p1"]


def test_the_domain_refuses_a_back_dated_reversal_but_lets_one_wait_for_its_payment():
    pay = PaymentEvent("p1", date(2026, 2, 15), Decimal("100.00"))
    early = PaymentEvent("r1", date(2026, 2, 1), kind=EventKind.REVERSAL, reverses="p1")
    with pytest.raises(InputError) as caught:
        dedupe([pay, early, early])
    assert (caught.value.field, caught.value.rule) == ("payments[1].date", "not_before_reversed")
    assert dedupe([early]) == [early]  # its payment not synced yet: nothing to compare with


# --- 3. chedai contract verify: a file that is not a PDF is bad input --------------------


@pytest.fixture(scope="module")
def contracts(tmp_path_factory):
    """An unsigned and a signed contract, and the data dir whose demo PKI signed it."""
    folder = tmp_path_factory.mktemp("contracts")
    deal = folder / "deal.json"
    deal.write_text(json.dumps(minimal_deal_json(), ensure_ascii=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHEDAI_DATA_DIR", str(folder / "data"))
        mp.setattr("sys.stdout", io.StringIO())
        for name, sign in (("unsigned.pdf", []), ("signed.pdf", ["--sign"])):
            argv = ["contract", "render", "--json", str(deal), "--out", str(folder / name)]
            assert main(argv + sign) == 0
    return folder


@pytest.fixture
def signing_data_dir(contracts, monkeypatch):
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(contracts / "data"))  # its root is trusted
    return contracts


NOT_PDFS = {
    "text": lambda signed: b"these are my notes, not a contract\n" * 20,
    "empty": lambda signed: b"",
    "truncated": lambda signed: signed[: len(signed) // 2],
    "truncated-at-the-end": lambda signed: signed[:-50],
    "header-only": lambda signed: b"%PDF-1.7\n",
}


@pytest.mark.parametrize("kind", sorted(NOT_PDFS))
def test_verify_of_a_file_that_is_not_a_pdf_exits_2_naming_it(
    capsys, monkeypatch, signing_data_dir, tmp_path, kind
):
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(NOT_PDFS[kind]((signing_data_dir / "signed.pdf").read_bytes()))
    argv = ["contract", "verify", str(path)]
    code, out, err = cli(capsys, monkeypatch, argv, locale="en_US")
    refused(code, out, err, str(path), "is not a readable PDF")
    code, out, err = cli(capsys, monkeypatch, argv)
    refused(code, out, err, str(path), "PDF")
    assert cjk(err)


def test_verify_of_a_directory_exits_2_naming_it(capsys, monkeypatch, signing_data_dir, tmp_path):
    code, out, err = cli(capsys, monkeypatch, ["contract", "verify", str(tmp_path)], locale="en_US")
    refused(code, out, err, str(tmp_path))


def test_verify_keeps_exit_1_for_a_pdf_that_does_not_verify(
    capsys, monkeypatch, signing_data_dir, tmp_path
):
    code, out, _ = cli(capsys, monkeypatch, ["contract", "verify",
                                             str(signing_data_dir / "unsigned.pdf")])  # fmt: skip
    assert code == 1 and "the document is not signed" in json.loads(out)["problems"]
    signed = bytearray((signing_data_dir / "signed.pdf").read_bytes())
    at = signed.index(b"/Contents <") + 40  # inside the signature container
    signed[at : at + 1] = b"0" if signed[at : at + 1] != b"0" else b"1"
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(signed))
    code, out, _ = cli(capsys, monkeypatch, ["contract", "verify", str(tampered)])
    assert code == 1 and not json.loads(out)["valid"]
    code, out, _ = cli(capsys, monkeypatch, ["contract", "verify",
                                             str(signing_data_dir / "signed.pdf")])  # fmt: skip
    assert code == 0 and json.loads(out)["valid"]


def test_the_library_still_reports_an_unreadable_file_invalid_without_raising():
    from contracts.verification import verify_contract

    result = verify_contract(b"not a pdf", trust_roots=())
    assert not result.valid and result.problems == ["file: is not a readable PDF"]

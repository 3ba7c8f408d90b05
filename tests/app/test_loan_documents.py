"""A signed loan's documents from its screen: the signed PDF and repayment statements, each
through a live link issued to someone who may see the loan."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from app.commands.app import asgi_app
from app.state import Deal, SessionUser
from domain.errors import InputError
from domain.statement_periods import WHOLE_LOAN, statement_months, statement_period
from tests.ui.world import make_world


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def user(world, user_id: str) -> SessionUser:
    return next(u for u in world.services.demo_users() if u.id == user_id)


def signed_loan(world, *, pay_out: bool = True) -> str:
    """The buyer's loan on the Seal, signed (and paid out); its contract id."""
    s = world.services
    values = {**s.prequal_defaults(world.buyer_id), "housing": "rent"}
    result = s.run_prequal(
        world.buyer_id, world.vehicles["seal"].id, Deal(), values, consented_at=datetime.now(UTC)
    )
    signed = s.sign_contract(
        result, result.cheapest_id, world.buyer_id, consented_at=datetime.now(UTC),
        strokes=[[(0.1, 0.1), (0.2, 0.3)]], locale="zh_CN",
    )  # fmt: skip
    if pay_out:
        s.pay_out_demo(world.buyer_id, result.application_id)
    return signed.record.id


def pdf_text(body: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_a_loan_has_a_statement_for_each_of_its_months_up_to_this_one():
    assert statement_months(date(2026, 11, 20), date(2027, 2, 3)) == [
        "2027-02", "2027-01", "2026-12", "2026-11",
    ]  # fmt: skip
    loan_date, today = date(2026, 11, 20), date(2027, 2, 3)
    assert statement_period("2026-11", loan_date, today) == (loan_date, date(2026, 11, 30))
    assert statement_period("2026-12", loan_date, today) == (date(2026, 12, 1), date(2026, 12, 31))
    assert statement_period("2027-02", loan_date, today) == (date(2027, 2, 1), today)
    assert statement_period(WHOLE_LOAN, loan_date, today) == (loan_date, today)
    for outside in ("2026-10", "2027-03", "2027-13", "soon"):
        with pytest.raises(InputError) as refused:
            statement_period(outside, loan_date, today)
        assert refused.value.field == "statement.period"


def test_the_statement_shows_the_payments_of_its_month(world):
    s = world.services
    cid = signed_loan(world)
    loan = s.loan(world.buyer_id, cid)
    first = loan.quote.schedule[0]
    s._today = first.date
    s.record_payment(cid, f"{first.payment:.2f}")
    url = s.statement_url(user(world, world.buyer_id), cid, f"{first.date:%Y-%m}", "zh_CN")
    client = TestClient(asgi_app(s.settings, s))
    answer = client.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert "no-store" in answer.headers["cache-control"]
    text = pdf_text(answer.content)
    assert "车贷还款对账单" in text and f"{first.payment:,.2f}" in text
    english = client.get(s.statement_url(user(world, world.buyer_id), cid, WHOLE_LOAN, "en_US"))
    assert "repayment statement" in pdf_text(english.content)


def test_only_the_loans_buyer_gets_a_link_to_its_statement(world):
    s = world.services
    cid = signed_loan(world)
    month = f"{s.today():%Y-%m}"
    assert s.statement_url(user(world, world.buyer_id), cid, month, "zh_CN")
    stranger = SessionUser(id="someone-else", name="x", role="buyer")
    other_staff = SessionUser(id="staff-2", name="y", role="staff", dealer_id="elsewhere")
    for viewer in (stranger, other_staff):
        with pytest.raises(InputError) as refused:
            s.statement_url(viewer, cid, month, "zh_CN")
        assert refused.value.rule == "forbidden"
    with pytest.raises(InputError) as refused:
        s.statement_url(user(world, world.buyer_id), cid, "1999-01", "zh_CN")
    assert refused.value.field == "statement.period"


def test_a_loan_not_paid_out_has_no_statement(world):
    s = world.services
    cid = signed_loan(world, pay_out=False)
    with pytest.raises(InputError) as refused:
        s.statement_url(user(world, world.buyer_id), cid, WHOLE_LOAN, "zh_CN")
    assert refused.value.rule == "paid_out"


def test_the_statement_route_answers_only_a_live_link_for_its_own_name(world):
    s = world.services
    cid = signed_loan(world)
    client = TestClient(asgi_app(s.settings, s))
    url = s.statement_url(user(world, world.buyer_id), cid, WHOLE_LOAN, "zh_CN")
    path, q = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
    assert client.get(path).status_code == 403  # no link
    assert client.get(path, params={**q, "u": world.staff_id}).status_code == 403
    other = path.replace(WHOLE_LOAN, f"{s.today():%Y-%m}")  # another period, same signature
    assert client.get(other, params=q).status_code == 403
    assert client.get("/files/statement/notes.txt", params=q).status_code == 404
    s._today = s.today() + timedelta(days=1)
    assert client.get(url).status_code == 200  # rendered as the loan stands when opened


def test_the_signed_contract_opens_from_its_loan_for_its_buyer(world, tmp_path):
    s = world.services
    cid = signed_loan(world)
    buyer = user(world, world.buyer_id)
    url = s.signed_contract_url(buyer, cid)
    client = TestClient(asgi_app(s.settings, s))
    answer = client.get(url)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    (file,) = (tmp_path / "contracts").glob("*-signed.pdf")  # the one written at signing
    assert answer.content == file.read_bytes()
    file.unlink()  # the file gone, the bytes kept in the database: written again from them
    assert client.get(s.signed_contract_url(buyer, cid)).content == answer.content
    with pytest.raises(InputError):
        s.signed_contract_url(SessionUser(id="someone-else", name="x", role="buyer"), cid)


def test_a_contract_signed_on_another_device_has_no_pdf_to_open_here(world, tmp_path):
    from sqlalchemy import update

    from local_db.tables import ContractRow

    s = world.services
    cid = signed_loan(world)
    for file in (tmp_path / "contracts").glob("*-signed.pdf"):
        file.unlink()
    with s.session() as session:  # as a contract arrives by sync: its terms, not its bytes
        session.execute(update(ContractRow).where(ContractRow.id == cid).values(pdf=b""))
        session.commit()
    assert s.signed_contract_url(user(world, world.buyer_id), cid) is None
    assert s.statement_url(user(world, world.buyer_id), cid, WHOLE_LOAN, "zh_CN")  # folded here


def test_a_finance_leases_statement_names_the_lessee_and_its_rent(world):
    from sqlalchemy import update

    from domain.catalog import ProductKind
    from local_db.tables import LoanProductRow

    s = world.services
    with s.session() as session:  # every product of the small market a finance lease
        kind = ProductKind.FINANCE_LEASE.value
        session.execute(update(LoanProductRow).values(kind=kind))
        session.commit()
    cid = signed_loan(world)
    client = TestClient(asgi_app(s.settings, s))
    buyer = user(world, world.buyer_id)
    text = pdf_text(client.get(s.statement_url(buyer, cid, WHOLE_LOAN, "zh_CN")).content)
    assert "融资租赁租金对账单" in text and "承租人" in text and "借款人" not in text
    english = pdf_text(client.get(s.statement_url(buyer, cid, WHOLE_LOAN, "en_US")).content)
    assert "Finance-lease rent statement" in english and "Lessee" in english

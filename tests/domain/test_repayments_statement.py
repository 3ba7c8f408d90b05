"""The repayment statement: the period's figures, and its PDF (contracts.statement)."""

import io
from datetime import date
from decimal import Decimal as D

from pypdf import PdfReader

from contracts.statement import render_statement
from domain.loans import LoanTerms, quote
from domain.repayment_plan import plan_from_quote
from domain.repayment_statement import statement
from domain.repayments import EventKind, LateFeePolicy, PaymentEvent, Terms


def make_case():
    q = quote(
        LoanTerms(
            cash_price=D("100000.00"),
            down_payment=D("0.00"),
            loan_date=date(2026, 1, 15),
            count=12,
            annual_rate=D("0.069"),
        )
    )
    events = [
        PaymentEvent("op1", date(2026, 2, 15), q.payment),
        PaymentEvent("op2", date(2026, 3, 25), D("4000.00")),
        PaymentEvent("op3", date(2026, 3, 28), D("2000.00")),
        PaymentEvent("r3", date(2026, 3, 30), kind=EventKind.REVERSAL, reverses="op3"),
    ]
    return plan_from_quote(q), events, Terms(LateFeePolicy(D("50.00"), 3))


def test_statement_lists_the_periods_payments_fees_dues_and_reversals():
    plan, events, terms = make_case()
    st = statement(plan, events, date(2026, 3, 1), date(2026, 3, 31), terms)
    assert [a.op_id for a in st.payments] == ["op2"]
    assert [(c.instalment, c.date) for c in st.fees_charged] == [(2, date(2026, 3, 19))]
    assert [(i.n, i.settled) for i in st.fell_due] == [(2, None)]
    assert st.reversed_ops == ("op3",)
    paid_principal = sum(a.principal for a in st.payments)
    assert st.closing.outstanding_principal == st.opening_principal - paid_principal


def test_statement_pdf_is_deterministic_and_carries_chinese_text():
    plan, events, terms = make_case()
    st = statement(plan, events, date(2026, 3, 1), date(2026, 3, 31), terms)
    pdf = render_statement(st, loan_id="LN-1", borrower="张伟", locale="zh_CN")
    assert pdf == render_statement(st, loan_id="LN-1", borrower="张伟", locale="zh_CN")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "车贷还款对账单" in text and "张伟" in text and "4,000.00" in text
    english = render_statement(st, loan_id="LN-1", borrower="Zhang Wei", locale="en_US")
    assert "repayment statement" in PdfReader(io.BytesIO(english)).pages[0].extract_text()


def test_a_statement_names_the_balance_and_the_lease_as_the_contract_does():
    plan, events, terms = make_case()
    st = statement(plan, events, date(2026, 3, 1), date(2026, 3, 31), terms)

    def text(**kw) -> str:
        pdf = render_statement(st, loan_id="LN-1", borrower="张伟", locale="zh_CN", **kw)
        return "".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())

    loan, financed = text(), text(financed=True)
    assert "期初未还本金" in loan and "期初剩余融资金额" not in loan
    assert "逾期利息→当期利息→本金。" in loan
    assert "期初剩余融资金额" in financed and "期末剩余融资金额" in financed
    assert "未还本金" not in financed
    # what a payment goes to last is the amount financed, its interest carrying the fees
    assert "费用→逾期利息及费用→当期利息及费用→融资金额。" in financed
    lease = text(lease=True, financed=True)
    assert "融资租赁租金对账单" in lease and "下期应付租金" in lease
    assert "期初剩余融资金额" in lease and "下期应还" not in lease
    assert "租金分配顺序：费用→逾期利息及费用→当期利息及费用→融资金额。提前结清" in lease

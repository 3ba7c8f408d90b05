"""The monthly (or on-demand) repayment statement as a PDF, on the contract's page layout
(contracts.layout: embedded DejaVu + Droid Sans Fallback, bilingual headings, byte-identical
output for the same input)."""

# ruff: noqa: E501  (the wording table reads best one entry per line)
from __future__ import annotations

from decimal import Decimal

from contracts import formatting as fmt
from contracts.layout import CONTENT_W, Column, Document
from domain.repayment_statement import Statement

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("车贷还款对账单", "Car-loan repayment statement"),
    "demo": ("演示数据 — 非真实贷款机构账单", "Demo data — not a real lender's statement"),
    "page": ("第 {x} 页，共 {y} 页", "Page {x} of {y}"),
    "period": ("账单期间", "Statement period"),
    "loan": ("贷款编号", "Loan"),
    "borrower": ("借款人", "Borrower"),
    "summary": ("账户摘要", "Summary"),
    "opening_principal": ("期初未还本金", "Opening principal"),
    "closing_principal": ("期末未还本金", "Closing principal"),
    "accrued_interest": ("应计未付利息", "Interest accrued, unpaid"),
    "fees_due": ("未付费用", "Fees due"),
    "status": ("还款状态", "Status"),
    "next_due": ("下期应还", "Next payment due"),
    "past_due": ("逾期金额", "Past-due amount"),
    "payments": ("本期还款及分配", "Payments and how they were applied"),
    "date": ("日期", "Date"),
    "op": ("交易编号", "Operation"),
    "amount": ("金额", "Amount"),
    "fees": ("费用", "Fees"),
    "interest": ("利息", "Interest"),
    "principal": ("本金", "Principal"),
    "over": ("多付", "Overpaid"),
    "none": ("本期无还款。", "No payments in this period."),
    "due_title": ("本期到期分期", "Instalments due in this period"),
    "n": ("期数", "No."),
    "settled": ("结清日期", "Paid in full on"),
    "unpaid": ("未结清", "unpaid"),
    "fees_title": ("本期收取的逾期费用", "Late fees charged in this period"),
    "reversed": ("本期冲正的还款", "Payments reversed in this period"),
    "order": (
        "还款分配顺序：费用 → 逾期{interest} → 当期{interest} → {principal}。提前还款按产品约定收取提前还款手续费。",
        "Payments are applied to fees, then overdue {interest}, then current {interest}, then {principal}. Early repayment is charged the product's prepayment fee.",
    ),
    "order_interest": ("利息", "interest"),
    "order_principal": ("本金", "principal"),
    "current": ("正常", "Current"),
    "in_grace": ("宽限期内", "In grace period"),
    "past_due_status": ("逾期 {days} 天", "{days} days past due"),
    "closed": ("已结清", "Paid off"),
}

#: a finance lease's own words where they differ from a loan's (its contract's parties)
_LEASE_TEXT: dict[str, tuple[str, str]] = {
    "title": ("融资租赁租金对账单", "Finance-lease rent statement"),
    "demo": ("演示数据 — 非真实出租人账单", "Demo data — not a real lessor's statement"),
    "loan": ("租赁合同编号", "Lease"),
    "borrower": ("承租人", "Lessee"),
    "next_due": ("下期应付租金", "Next rent due"),
    "payments": ("本期租金支付及分配", "Rent paid and how it was applied"),
    "order": (
        "租金分配顺序：费用 → 逾期{interest} → 当期{interest} → {principal}。提前结清按产品约定收取提前结清手续费。",
        "Rent paid is applied to fees, then overdue {interest}, then current {interest}, then {principal}. Paying the lease off early is charged the product's fee.",
    ),
}

#: where the schedule counts down the amount financed (Quote.balance_on_amount_financed):
#: the balance and what payments repay of it are the amount financed, and its interest
#: carries the withheld fees, as the contract says
_FINANCED_TEXT: dict[str, tuple[str, str]] = {
    "opening_principal": ("期初剩余融资金额", "Opening financed balance"),
    "closing_principal": ("期末剩余融资金额", "Closing financed balance"),
    "principal": ("融资金额", "Amount financed"),
    "interest": ("利息及费用", "Interest incl. fees"),
    "accrued_interest": ("应计未付利息及费用", "Interest and fees accrued, unpaid"),
    "order_interest": ("利息及费用", "interest incl. fees"),
    "order_principal": ("融资金额", "the amount financed"),
}


def render_statement(
    st: Statement,
    *,
    loan_id: str,
    borrower: str,
    locale: str = "zh_CN",
    demo: bool = True,
    lease: bool = False,
    financed: bool = False,
) -> bytes:
    """The statement as PDF bytes (the same input gives the same bytes); ``lease`` words it for
    a finance lease (承租人, rent) as its contract is; ``financed`` names the balance the
    amount financed where the schedule counts that down."""
    fmt.check_locale(locale)
    words = {**_TEXT, **(_LEASE_TEXT if lease else {}), **(_FINANCED_TEXT if financed else {})}

    def _t(key: str, locale: str, **params: object) -> str:
        zh, en = words[key]
        return (zh if locale == "zh_CN" else en).format(**params)

    def _other(key: str, locale: str) -> str:
        return _t(key, "en_US" if locale == "zh_CN" else "zh_CN")

    def m(cents: int) -> str:
        return fmt.money(Decimal(cents).scaleb(-2), locale)

    def n(cents: int) -> str:
        return fmt.number(Decimal(cents).scaleb(-2), locale)

    doc = Document(
        header=f"{_t('title', locale)} · {loan_id}",
        footer_left=_t("demo", locale) if demo else "Chedai",
        page_label=lambda x, y: _t("page", locale, x=x, y=y),
        title=_t("title", locale),
        subject=loan_id,
    )
    doc.heading(_t("title", locale), _other("title", locale), size=15)
    if demo:
        doc.paragraph(_t("demo", locale), 8)
    c = st.closing
    status = (
        _t("past_due_status", locale, days=c.days_past_due)
        if c.status == "past_due"
        else _t(c.status, locale)
    )
    doc.key_values(
        [
            (_t("loan", locale), loan_id),
            (_t("borrower", locale), borrower),
            (_t("period", locale), f"{fmt.day(st.start, locale)} – {fmt.day(st.end, locale)}"),
        ]
    )
    doc.heading(_t("summary", locale), _other("summary", locale))
    pairs = [
        (_t("opening_principal", locale), m(st.opening_principal)),
        (_t("closing_principal", locale), m(c.outstanding_principal)),
        (_t("accrued_interest", locale), m(c.accrued_interest)),
        (_t("fees_due", locale), m(c.fees_due)),
        (_t("past_due", locale), m(c.past_due_amount)),
        (_t("status", locale), status),
    ]
    if c.next_due is not None:
        pairs.append(
            (_t("next_due", locale), f"{m(c.next_due.amount)} · {fmt.day(c.next_due.date, locale)}")
        )
    doc.key_values(pairs)
    doc.heading(_t("payments", locale), _other("payments", locale))
    if st.payments:
        w = CONTENT_W / 20
        cols = [
            Column(_t("date", locale), 3.2 * w),
            Column(_t("op", locale), 2.3 * w),
            Column(_t("amount", locale), 2.7 * w, "right"),
            Column(_t("fees", locale), 2.2 * w, "right"),
            Column(_t("interest", locale), 3.4 * w, "right"),
            Column(_t("principal", locale), 3.0 * w, "right"),
            Column(_t("over", locale), 3.2 * w, "right"),
        ]
        rows = [
            [
                fmt.day(a.date, locale),
                a.op_id[:8],  # a reference to quote, not the whole id
                n(a.amount),
                n(a.fees),
                n(a.interest),
                n(a.principal),
                n(a.overpayment),
            ]
            for a in st.payments
        ]
        doc.table(cols, rows)
    else:
        doc.paragraph(_t("none", locale), 9)
    if st.fell_due:
        doc.heading(_t("due_title", locale), _other("due_title", locale))
        w = CONTENT_W / 4
        cols = [
            Column(_t("n", locale), w * 0.6),
            Column(_t("date", locale), w * 1.2),
            Column(_t("amount", locale), w * 1.0, "right"),
            Column(_t("settled", locale), w * 1.2, "right"),
        ]
        rows = [
            [
                str(i.n),
                fmt.day(i.due, locale),
                n(i.amount),
                fmt.day(i.settled, locale) if i.settled else _t("unpaid", locale),
            ]
            for i in st.fell_due
        ]
        doc.table(cols, rows, emphasis=lambda k: st.fell_due[k].settled is None)
    if st.fees_charged:
        doc.heading(_t("fees_title", locale), _other("fees_title", locale))
        for f in st.fees_charged:
            doc.paragraph(f"{fmt.day(f.date, locale)} · #{f.instalment} · {m(f.amount)}", 9)
    if st.reversed_ops:
        doc.heading(_t("reversed", locale), _other("reversed", locale))
        doc.paragraph(", ".join(st.reversed_ops), 9)
    doc.space(8)
    doc.paragraph(
        _t(
            "order",
            locale,
            interest=_t("order_interest", locale),
            principal=_t("order_principal", locale),
        ),
        8,
    )
    return doc.finish()

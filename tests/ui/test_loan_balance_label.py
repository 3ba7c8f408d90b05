"""What a loan's balance is called on its screens (``views.labels.balance_label``): the figure
must not read as the contract's 贷款本金 when the schedule runs on something smaller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from domain.loans import Fee, FlatRate, LoanTerms, quote
from domain.money import to_cents
from domain.repayment_plan import plan_from_quote
from views.labels import balance_label

WITHHELD = Fee("手续费", D("2122.00"), financed=True, prepaid_finance_charge=True)


def a_quote(*, flat: bool, fees=(WITHHELD,)):
    rate = {"flat_rate": FlatRate(D("0.0575"), "year")} if flat else {"annual_rate": D("0.0575")}
    return quote(LoanTerms(cash_price=D("106100.00"), down_payment=D("31830.00"),
                           loan_date=date(2026, 12, 1), count=36, fees=fees, **rate))  # fmt: skip


def test_a_flat_rate_loan_with_withheld_fees_counts_its_balance_as_the_amount_financed():
    q = a_quote(flat=True)
    assert plan_from_quote(q).principal == to_cents(q.amount_financed) < to_cents(q.principal)
    assert balance_label(q, "principal", "amount financed") == "amount financed"


@pytest.mark.parametrize(
    ("flat", "fees"), [(False, (WITHHELD,)), (True, ()), (False, ())],
    ids=["nominal-rate-with-fees", "flat-rate-without-fees", "nominal-rate"],
)  # fmt: skip
def test_a_balance_that_runs_on_the_principal_is_called_principal(flat, fees):
    q = a_quote(flat=flat, fees=fees)
    assert plan_from_quote(q).principal == to_cents(q.principal)
    assert balance_label(q, "principal", "amount financed") == "principal"


def _texts(control) -> list[str]:
    """Every Text value under ``control`` (DataTable columns and rows included)."""
    found = []
    stack = [control]
    while stack:
        c = stack.pop()
        if getattr(c, "value", None) and type(c).__name__ == "Text":
            found.append(c.value)
        for name in ("content", "controls", "columns", "rows", "cells", "label"):
            child = getattr(c, name, None)
            if isinstance(child, list):
                stack.extend(child)
            elif child is not None and not isinstance(child, str):
                stack.append(child)
    return found


@pytest.mark.parametrize("width", [1024, 390], ids=["table", "phone-list"])
def test_the_schedule_and_chart_name_a_balance_on_the_amount_financed(width):
    from types import SimpleNamespace

    from app import i18n
    from views.charts import loan_chart, loan_legend
    from views.context import ViewContext
    from views.offer_detail import schedule_table

    page = SimpleNamespace(width=width)
    ctx = ViewContext(page=page, state=SimpleNamespace(locale="zh_CN"), services=None, i18n=i18n)
    flat, nominal = a_quote(flat=True), a_quote(flat=False)
    # the flat quote's parts repay the amount financed and its interest carries the fees
    assert sum(r.interest for r in flat.schedule) == flat.finance_charge
    for q, words, others in (
        (flat, ("剩余融资金额", "偿还融资金额", "利息及费用"), ("本金",)),
        (nominal, ("剩余本金", "本金"), ("融资金额", "利息及费用")),
    ):
        shown = " ".join(_texts(schedule_table(ctx, q)) + _texts(loan_legend(ctx, q)))
        shown += " " + loan_chart(ctx, q, q.schedule, key="c").label
        assert all(w in shown for w in words) and not any(o in shown for o in others)

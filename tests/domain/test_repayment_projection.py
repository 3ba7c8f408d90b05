"""The payments still to come after an early repayment, as the fold applies them."""

import itertools
from datetime import date
from decimal import Decimal as D

import pytest

from domain.loans import LoanTerms, quote
from domain.repayment_plan import plan_from_quote
from domain.repayment_projection import remaining_schedule
from domain.repayments import PaymentEvent, PrepaymentMode, PrepaymentPolicy, Terms, fold


def loan(count: int = 12):
    terms = LoanTerms(cash_price=D("100000.00"), down_payment=D("0.00"),
                      loan_date=date(2026, 1, 15), count=count, annual_rate=D("0.069"))  # fmt: skip
    q = quote(terms)
    return q, plan_from_quote(q)


def terms(mode: PrepaymentMode) -> Terms:
    return Terms(prepayment=PrepaymentPolicy(mode=mode))


def paid_early(q, extra: str) -> list[PaymentEvent]:
    """The first two instalments on their dates, the second with ``extra`` on top."""
    first, second = q.schedule[0], q.schedule[1]
    return [
        PaymentEvent("p1", first.date, first.payment),
        PaymentEvent("p2", second.date, second.payment + D(extra)),
    ]


def test_the_signed_schedule_holds_until_principal_is_repaid_early():
    q, plan = loan()
    on_time = [PaymentEvent("p1", q.schedule[0].date, q.schedule[0].payment)]
    assert remaining_schedule(plan, on_time, q.schedule[0].date) is None
    assert remaining_schedule(plan, [], date(2026, 1, 20)) is None


def test_shortening_the_term_keeps_the_instalment_and_ends_sooner():
    q, plan = loan()
    events = paid_early(q, "30000.00")
    rows = remaining_schedule(plan, events, q.schedule[1].date, terms(PrepaymentMode.SHORTEN_TERM))
    # the extra money pays the third instalment ahead, and the rest repays principal early
    assert rows[0].n == 4 and rows[-1].n < 12
    assert all(r.payment == q.payment for r in rows[:-1])
    assert rows[-1].balance == 0 and rows[-1].payment <= q.payment


def test_lowering_the_payment_keeps_the_end_date():
    q, plan = loan()
    events = paid_early(q, "30000.00")
    rows = remaining_schedule(plan, events, q.schedule[1].date, terms(PrepaymentMode.LOWER_PAYMENT))
    assert [r.n for r in rows] == list(range(4, 13)) and rows[-1].date == q.schedule[-1].date
    assert rows[0].payment < q.payment and rows[-1].balance == 0


@pytest.mark.parametrize("mode", list(PrepaymentMode))
def test_paying_every_row_on_its_date_closes_the_loan_and_each_row_adds_up(mode):
    q, plan = loan(24)
    events = paid_early(q, "12345.67")
    t = terms(mode)
    rows = remaining_schedule(plan, events, q.schedule[1].date, t)
    assert all(r.principal + r.interest == r.payment for r in rows)
    assert all(a.balance - b.principal == b.balance for a, b in itertools.pairwise(rows))
    assert len({r.n for r in rows}) == len(rows)  # one row a date, the closing one whole
    paid = events + [PaymentEvent(f"r{r.n}", r.date, r.payment) for r in rows]
    assert fold(plan, paid, rows[-1].date, t).closed


def test_an_overdue_loan_has_no_projection_its_overdue_notice_comes_first():
    q, plan = loan()
    events = paid_early(q, "30000.00")
    late = q.schedule[4].date  # instalments 3 and 4 unpaid
    assert remaining_schedule(plan, events, late, terms(PrepaymentMode.SHORTEN_TERM)) is None


def test_the_instalment_that_ends_a_shortened_loan_is_owed_with_its_interest():
    """A shortened loan's last instalment comes before the last contractual date; what is
    said to be owed then closes the loan (it once left that period's interest owing)."""
    from domain.repayment_status import next_due

    q, plan = loan()
    t = terms(PrepaymentMode.SHORTEN_TERM)
    events = paid_early(q, "30000.00")
    rows = remaining_schedule(plan, events, q.schedule[1].date, t)
    for r in rows[:-1]:
        events.append(PaymentEvent(f"r{r.n}", r.date, r.payment))
    before_last = fold(plan, events, rows[-2].date, t)
    due = next_due(before_last)
    assert due.date == rows[-1].date < q.schedule[-1].date
    events.append(PaymentEvent("last", due.date, D(due.amount).scaleb(-2)))
    assert fold(plan, events, due.date, t).closed


@pytest.mark.parametrize("mode", list(PrepaymentMode))
def test_the_course_runs_from_the_whole_loan_to_nothing_through_the_early_repayment(mode):
    from domain.repayment_projection import course

    q, plan = loan()
    t = terms(mode)
    events = paid_early(q, "30000.00")
    rows = course(plan, events, remaining_schedule(plan, events, q.schedule[1].date, t), t)
    assert [r.n for r in rows] == list(range(1, len(rows) + 1))
    assert sum(r.principal for r in rows) == q.principal and rows[-1].balance == 0
    assert rows[1].principal > q.schedule[1].principal + D("20000")  # the early repayment
    assert all(a.balance - b.principal == b.balance for a, b in itertools.pairwise(rows))

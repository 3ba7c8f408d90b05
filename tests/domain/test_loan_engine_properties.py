"""The loan engine's disclosure invariants on month-end and leap-day loans (a seeded property
check), and a long high-rate level loan whose rounded payment must not overpay."""

import random
from datetime import date
from decimal import Decimal as D

from domain.dates import days_in_month
from domain.loans import Fee, FlatRate, LoanTerms, Method, quote
from domain.quote_fast import quote_fast

C = D("0.01")


def _terms(**overrides) -> LoanTerms:
    base = dict(
        cash_price=D("100000.00"),
        down_payment=D("0.00"),
        loan_date=date(2024, 1, 31),
        count=36,
        annual_rate=D("0.12"),
    )
    base.update(overrides)
    return LoanTerms(**base)


def test_a_long_high_rate_level_payment_is_rounded_down_rather_than_overpay_the_loan():
    # rounded half up (3,000.09 for 3,000.0867) it compounded into a balance of −1,341.67 and
    # a last payment of −1,381.92: the lender paying the buyer
    terms = _terms(cash_price=D("100000.50"), loan_date=date(2026, 1, 15), count=360,
                   annual_rate=D("0.36"))  # fmt: skip
    q = quote(terms)
    assert q.payment == D("3000.08")
    assert all(r.balance >= 0 for r in q.schedule)
    assert all(r.payment > 0 for r in q.schedule)
    assert q.schedule[-1].payment > q.payment  # the last payment takes the rest
    assert quote_fast(terms) == q


# -- a seeded property check: invariants, types, NPV at the APR, quote_fast ------------------
MONTH_ENDS = [date(2024, 1, 31), date(2024, 2, 29), date(2028, 2, 29), date(2026, 1, 31),
              date(2026, 2, 28), date(2026, 4, 30), date(2026, 8, 31)]  # fmt: skip


def _add_months(day: date, k: int, on: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 + k, 12)
    return date(y, m + 1, min(on, days_in_month(y, m + 1)))


def _appendix_j_npv(q) -> D:
    """Σ payment / ((1+i)^t (1 + f·i)) − amount financed at the quote's APR, with t and f
    counted independently (whole months back from each due date on the series day, the rest
    as actual days / 30)."""
    i, on, start = q.apr / 12, q.terms.series_day, q.terms.loan_date
    total = D(0)
    for row in q.schedule:
        t = 0
        while _add_months(row.date, -(t + 1), on) >= start:
            t += 1
        days = ((_add_months(row.date, -t, on) if t else row.date) - start).days
        total += row.payment / (1 + i) ** t / (1 + D(days) / 30 * i)
    return total - q.amount_financed


def _random_terms(rng: random.Random) -> LoanTerms:
    price = D(rng.randint(1_000_00, 2_000_000_00)) / 100
    down = (price * rng.randint(0, 60) / 100).quantize(C)
    loan_date = rng.choice(MONTH_ENDS)
    first = rng.choice([None, None, _add_months(loan_date, 1, 31),
                        date.fromordinal(loan_date.toordinal() + rng.randint(20, 70))])  # fmt: skip
    fees = tuple(
        Fee("f", D(rng.randint(0, 1_000_000)) / 100, rng.random() < 0.6, rng.random() < 0.5)
        for _ in range(rng.randint(0, 2))
    )
    rate = D(rng.randint(0, 3600)) / 10000
    kind = rng.choice(["level", "balloon", "equal_principal", "flat", "flat_month"])
    extra: dict = {"annual_rate": rate}
    if kind == "balloon":
        extra.update(
            method=Method.BALLOON, balloon_amount=(price * rng.randint(1, 40) / 100).quantize(C)
        )
    elif kind == "equal_principal":
        extra.update(method=Method.EQUAL_PRINCIPAL)
    elif kind == "flat":
        extra = {"flat_rate": FlatRate(rate / 2, "year")}
    elif kind == "flat_month":
        extra = {"flat_rate": FlatRate((rate / 24).quantize(D("0.0001")), "month")}
    return LoanTerms(cash_price=price, down_payment=down, loan_date=loan_date,
                     count=rng.choice([12, 24, 36, 48, 60]), fees=fees,
                     first_payment_date=first, **extra)  # fmt: skip


def test_month_end_quotes_keep_the_disclosure_invariants_and_their_apr():
    rng = random.Random(20260601)
    checked = 0
    for _ in range(150):
        t = _random_terms(rng)
        if t.method is Method.BALLOON and t.balloon_amount >= t.cash_price - t.down_payment:
            continue
        q = quote(t)
        money = [q.principal, q.payment, q.amount_financed, q.finance_charge,
                 q.total_of_payments, q.total_sale_price]  # fmt: skip
        money += [v for r in q.schedule for v in (r.payment, r.interest, r.principal, r.balance)]
        assert all(type(v) is D and v.as_tuple().exponent == -2 for v in money)
        assert sum(r.payment for r in q.schedule) == q.total_of_payments
        assert q.total_of_payments - q.amount_financed == q.finance_charge
        parts = sum(r.principal for r in q.schedule)
        assert parts == (q.amount_financed if t.flat_rate else q.principal)
        assert q.schedule[-1].balance == 0
        assert abs(_appendix_j_npv(q)) < D("0.005")
        fast = quote_fast(t)
        assert (fast.payment, fast.last_payment, fast.finance_charge, fast.apr) == (
            q.payment,
            q.last_payment,
            q.finance_charge,
            q.apr,
        )
        checked += 1
    assert checked > 100

"""A loan's status from its plan and payments, fast enough for a portfolio (100,000 loans).

:func:`loan_status` returns exactly ``status(fold(plan, events, as_of, terms))`` — the same
:class:`~domain.repayment_status.LoanStatus`, to the cent — but replays the payments in one
tight loop over integers: dates as ordinals, amounts in cents, payments as plain
``(op_id, date, cents)`` tuples, no per-event objects, no allocation records.

Why the interest is exact without Decimal
    Within period ``k`` the fold accrues, per segment of constant balance ``b`` over ``d``
    days, ``b × c_k × d / days_k`` cents, where ``c_k`` is the period's rate (the plan's
    ``period_rate``, plus the odd-days term in the first period) and rounds the sum half up
    to the cent. The sum is ``S × c_k / days_k`` with the integer ``S = Σ b × d``
    (balance-days), so this module keeps ``S`` and rounds the exact rational ``S × N / (D ×
    days_k)`` (``c_k = N / D`` exactly: a Decimal is a finite fraction). The fold computes the
    same sum with 40-digit Decimals, whose error is below 1e-25 cent for any realistic loan
    (principal under 1e13 cents, a few dozen operations each off by at most 5e-40 relative),
    so both round to the same cent unless the exact value is within 1e-20 cent of a half
    cent. In that rare case (exact ties happen with round rates) this module redoes that one
    period's accrual with the fold's own Decimal operations, segment by segment.

Why the daily penalty (罚息) is exact without Decimal
    The fold adds ``remaining × rate × days`` for each unpaid instalment past its grace end and
    rounds the running sum half up whenever it is charged. ``remaining`` and ``days`` are
    integers, so the sum is ``P × rate`` with the integer ``P = Σ remaining × days``; every
    Decimal step is exact while the sum's coefficient has at most 40 digits, which this module
    checks (``P × coefficient(rate) < 10^39``, else the exact fold answers). Rounding
    ``P × a / b`` (``rate = a / b``) half up then gives the fold's cents.

What falls back to the exact fold (correct, just not fast)
    Reversals, flat-rate plans (their last period carries a fixed residue), a prepayment fee
    rate or a daily penalty rate with more than 20 digits, a negative penalty rate, principals
    of 1e13 cents or more, a penalty sum too large to be exact in 40 digits (above), and a
    first period whose odd-days interest would be negative.
    tests/domain/test_repayments_fast.py checks equality with the fold on random portfolios.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from domain.errors import InputError
from domain.money import from_cents
from domain.repayment_plan import CTX, RepaymentPlan, cents_round, reproject
from domain.repayment_status import WINDOW, Due, LoanStatus, bucket, risk_from_counts, status
from domain.repayments import (
    EventKind,
    PaymentEvent,
    PrepaymentMode,
    Terms,
    fold,
)

__all__ = ["Payment", "Reversal", "loan_status"]

#: ``(op_id, date, amount in cents)``
Payment = tuple[str, date, int]
#: ``(op_id, date, op_id of the payment reversed)``
Reversal = tuple[str, date, str]

_TIE = 10**20  # a value within 1/_TIE cent of a half cent is rounded the Decimal way
_MAX_PRINCIPAL = 10**13
_DEFAULT_TERMS = Terms()


def loan_status(
    plan: RepaymentPlan,
    payments: Iterable[Payment],
    as_of: date,
    terms: Terms = _DEFAULT_TERMS,
    *,
    reversals: Iterable[Reversal] = (),
) -> LoanStatus:
    """``status(fold(...))`` of the loan as of the end of ``as_of``, computed fast.

    Raises the same InputError as the fold for the same bad input (an empty op_id, an amount
    not above zero, the same op_id with different details, a date before the loan date)."""
    payments = list(payments)
    reversals = list(reversals)
    fee_rate = terms.prepayment.fee_rate
    penalty = terms.late_fee.daily_penalty_rate
    if (
        reversals
        or plan.last_period_extra
        or plan.principal >= _MAX_PRINCIPAL
        or _parts(fee_rate)[2] > 20
        or _parts(penalty)[2] > 20
        or penalty < 0
        or (plan.odd_days and _rate(plan, 0)[0] < 0)  # cents_round is half away from zero
    ):
        return exact_status(plan, payments, as_of, terms, reversals=reversals)
    result = _replay(plan, payments, as_of, terms)
    if result is None:  # the penalty sum outgrew the fold's exact Decimal range
        return exact_status(plan, payments, as_of, terms)
    return result


def exact_status(
    plan: RepaymentPlan,
    payments: Iterable[Payment],
    as_of: date,
    terms: Terms = _DEFAULT_TERMS,
    *,
    reversals: Iterable[Reversal] = (),
) -> LoanStatus:
    """The reference: the same tuples as events through :func:`domain.repayments.fold`."""
    events = [PaymentEvent(o, d, from_cents(c)) for o, d, c in payments]
    events += [PaymentEvent(o, d, kind=EventKind.REVERSAL, reverses=r) for o, d, r in reversals]
    return status(fold(plan, events, as_of, terms))


def _validated(payments: list[Payment]) -> list[tuple[int, str, int]]:
    if payments:
        # The usual case in C-level passes: distinct, non-empty op_ids and positive amounts.
        ops, _, amounts = zip(*payments, strict=True)
        if all(ops) and min(amounts) > 0 and len(set(ops)) == len(ops):
            out = [(d.toordinal(), o, c) for o, d, c in payments]
            out.sort()
            return out
    seen: dict[str, Payment] = {}
    for k, e in enumerate(payments):
        op, _, amount = e
        if not op:
            raise InputError(f"payments[{k}].op_id", "required", "is required")
        if amount <= 0:
            raise InputError(f"payments[{k}].amount", "positive", "must be greater than zero")
        prior = seen.get(op)
        if prior is None:
            seen[op] = e
        elif prior != e:
            raise InputError(
                f"payments[{k}].op_id",
                "conflict",
                "operation {op_id} was already posted with different details",
                {"op_id": op},
            )
    out = [(d.toordinal(), o, c) for o, d, c in seen.values()]
    out.sort()
    return out


@lru_cache(maxsize=1024)
def _parts(value: Decimal) -> tuple[int, int, int, int]:
    """``(numerator, denominator, digits, coefficient)`` of a rate (a portfolio repeats a few)."""
    num, den = value.as_integer_ratio()
    digits = value.as_tuple().digits
    return num, den, len(digits), int("".join(map(str, digits)))


def _rate(plan: RepaymentPlan, k: int) -> tuple[int, int]:
    """The period's interest factor ``c_k`` as (numerator, denominator)."""
    num, den = _parts(plan.period_rate)[:2]
    if k == 0 and plan.odd_days:
        c = Fraction(num, den) + Fraction(plan.annual_rate) * plan.odd_days
        return c.numerator, c.denominator
    return num, den


def _decimal_cents(plan: RepaymentPlan, segs, k: int, start: int, end: int) -> int:
    """The fold's own arithmetic for period ``k``'s segments (the near-tie case): like the
    fold, one segment for each run of days at one balance."""
    runs: list[list] = []
    for bal, s, t in segs:
        if runs and runs[-1][0] == bal and runs[-1][2] == s:
            runs[-1][2] = t
        else:
            runs.append([bal, s, t])
    acc = Decimal(0)
    days = Decimal(end - start)
    for bal, s, t in runs:
        full = plan.full_interest(bal, k)
        if s == start and t == end:
            acc = CTX.add(acc, full)
        else:
            acc = CTX.add(acc, CTX.divide(CTX.multiply(full, Decimal(t - s)), days))
    return cents_round(acc)


def _cents(s: int, num: int, den: int, lim: int, plan, segs, k, start, end) -> int:
    """cents_round of the period's accrued interest ``s × num / den`` (den includes the
    period's days)."""
    if not s:
        return 0
    q, r = divmod(2 * s * num + den, 2 * den)
    if r <= lim or 2 * den - r <= lim:
        return _decimal_cents(plan, segs, k, start, end)
    return q


def _replay(plan: RepaymentPlan, payments: list[Payment], as_of: date, terms: Terms):
    loan_date = plan.loan_date
    if as_of < loan_date:
        raise InputError("as_of", "after_loan_date", "must not be before the loan date")
    evs = _validated(payments)
    loan_ord, as_of_ord = loan_date.toordinal(), as_of.toordinal()
    dues = plan.due_dates
    n = len(dues)
    due_ord = [d.toordinal() for d in dues[: min(n, bisect_right(dues, as_of) + 1)]]
    inst = plan.instalments
    principal = plan.principal
    lf = terms.late_fee
    fee_amount = int(lf.amount.scaleb(2))
    fee_cap = None if lf.cap is None else int(lf.cap.scaleb(2))
    grace = lf.grace_days
    prepayment = terms.prepayment
    lower_payment = terms.prepayment.mode is PrepaymentMode.LOWER_PAYMENT
    rate_n, rate_d = _parts(plan.period_rate)[:2]
    pen_n, pen_d, _, pen_coeff = _parts(lf.daily_penalty_rate)
    # Σ remaining × days past grace end, the penalty charged so far, the day it was reckoned to
    pen_sum = pen_charged = 0
    pen_day = loan_date.toordinal()

    overdue = fees = fee_total = fee_checked = advance = overpaid = cur_paid = 0
    billed_on, billed_today = -1, 0
    arrears: list[list[int]] = []  # [k, due ordinal, remaining]
    fallen: list[list] = []  # [n, due ordinal, amount, settled ordinal | None]
    settled: dict[int, list] = {}
    partials: list[int] = []
    k, start, end, seg = 0, loan_ord, due_ord[0], loan_ord
    s_acc, segs = 0, []
    cn, cd = _rate(plan, 0)
    den = cd * (end - start)
    lim = 2 * den // _TIE

    evs = [e for e in evs if e[0] <= as_of_ord]
    # On-schedule prefix: while the j-th payment is the j-th instalment paid on its due date,
    # the fold's steps reduce to the schedule's (bill the period's interest, the instalment
    # falls due, the payment settles it the same day), so take them in a few operations.
    j, last = 0, min(len(evs), len(due_ord), n - 1)
    while j < last:
        day, _, amount = evs[j]
        if day != end or amount != inst[j] or day < loan_ord:
            break
        s = principal * (end - start)
        q, r = divmod(2 * s * cn + den, 2 * den)
        if r <= lim or 2 * den - r <= lim or q > amount or amount > principal + q:
            break
        principal -= amount - q
        fallen.append([j + 1, end, amount, end])
        billed_on, billed_today = end, q
        j = k = j + 1
        start = seg = end
        end = due_ord[k] if k < len(due_ord) else plan.period_bounds(k)[1].toordinal()
        if k == 1:
            cn, cd = _rate(plan, 1)
        den = cd * (end - start)
        lim = 2 * den // _TIE
    evs = evs[j:]
    evs.append((as_of_ord, "", 0))  # the sentinel: advance to as_of
    for day, op, amount in evs:
        if op and day < loan_ord:
            raise InputError("payments.date", "after_loan_date", "must not be before the loan date")
        # Back on schedule (nothing owed, nothing ahead, nothing accrued in this period yet, and
        # this payment is the instalment on its due date): the prefix's shortcut again, the
        # usual month of a loan that was late once and caught up.
        if (
            day == end
            and k < n - 1
            and amount == inst[k]
            and op
            and seg == start
            and not (arrears or advance or overdue or fees or cur_paid or s_acc)
        ):
            s = principal * (end - start)
            q, r = divmod(2 * s * cn + den, 2 * den)
            if not (r <= lim or 2 * den - r <= lim or q > amount or amount > principal + q):
                principal -= amount - q
                fallen.append([k + 1, end, amount, end])
                billed_on, billed_today = end, q
                k += 1
                start = seg = end
                end = due_ord[k] if k < len(due_ord) else plan.period_bounds(k)[1].toordinal()
                if k == 1:
                    cn, cd = _rate(plan, 1)
                den = cd * (end - start)
                lim = 2 * den // _TIE
                continue
        # -- advance_to(day): cross every due date on or before day -------------------------
        while end <= day:
            if pen_n and end > pen_day:
                for a in arrears:
                    first = a[1] + grace
                    if first < pen_day:
                        first = pen_day
                    if a[2] > 0 and end > first:
                        pen_sum += a[2] * (end - first)
                charged = (2 * pen_sum * pen_n + pen_d) // (2 * pen_d)
                fees += charged - pen_charged
                pen_charged, pen_day = charged, end
            if end > seg and principal:
                s_acc += principal * (end - seg)
                segs.append((principal, seg, end))
            if end > seg:
                seg = end
            billed = _cents(s_acc, cn, den, lim, plan, segs, k, start, end) - cur_paid
            overdue += billed
            billed_on, billed_today = end, billed
            s_acc, segs, cur_paid = 0, [], 0
            if k < n:
                owed = principal + overdue
                if arrears:
                    owed -= sum(a[2] for a in arrears)
                if k == n - 1:
                    amount_due, take, advance = owed, 0, 0
                else:
                    scheduled = inst[k]
                    take = advance if advance < scheduled else scheduled
                    advance -= take
                    amount_due = max(0, min(scheduled - take, owed))
                if owed > 0 or principal > 0:
                    row = [k + 1, end, amount_due + take, None]
                    fallen.append(row)
                    if amount_due > 0:
                        arrears.append([k, end, amount_due])
                        settled[k] = row
                    else:
                        row[3] = end
            elif billed:
                if arrears and arrears[-1][0] == n - 1:
                    arrears[-1][2] += billed
                else:
                    arrears.append([n - 1, dues[-1].toordinal(), billed])
                    row = fallen[-1]
                    row[3] = None
                    settled[n - 1] = row
            k += 1
            if k < n:
                start, end = due_ord[k - 1], due_ord[k]
            else:
                a, b = plan.period_bounds(k)
                start, end = a.toordinal(), b.toordinal()
            if seg < start:
                seg = start
            if k == 1 or k == n:
                cn, cd = _rate(plan, k) if k < n else (rate_n, rate_d)
            den = cd * (end - start)
            lim = 2 * den // _TIE
        # -- daily penalty to day, then late fees due by day, before that day's payments ----
        if pen_n and day > pen_day:
            for a in arrears:
                first = a[1] + grace
                if first < pen_day:
                    first = pen_day
                if a[2] > 0 and day > first:
                    pen_sum += a[2] * (day - first)
            charged = (2 * pen_sum * pen_n + pen_d) // (2 * pen_d)
            fees += charged - pen_charged
            pen_charged, pen_day = charged, day
        if fee_amount and arrears:
            for a in arrears:
                if a[0] < fee_checked or a[1] + grace >= day:
                    continue
                fee_checked = a[0] + 1
                if a[2] <= 0:
                    continue
                fee = fee_amount
                if fee_cap is not None:
                    fee = max(0, min(fee, fee_cap - fee_total))
                if fee:
                    fees += fee
                    fee_total += fee
        # -- accrue to day -------------------------------------------------------------------
        if day > seg:
            if principal:
                s_acc += principal * (day - seg)
                segs.append((principal, seg, day))
            seg = day
        if not op:
            break
        # -- pay: fees -> overdue interest -> current interest -> principal ------------------
        x = amount
        if k >= n - 1:
            threshold = None
        else:
            threshold = (sum(a[2] for a in arrears) if arrears else 0) + max(0, inst[k] - advance)
        f = fees if fees < x else x
        fees -= f
        x -= f
        today = billed_today if billed_on == day else 0
        od = min(x, max(0, overdue - today))
        x -= od
        due_today = min(x, overdue - od)
        overdue -= od + due_today
        x -= due_today
        ci = min(x, _cents(s_acc, cn, den, lim, plan, segs, k, start, end) - cur_paid)
        cur_paid += ci
        x -= ci
        interest = od + ci + due_today
        regular = min(x, principal)
        if threshold is not None:
            regular = min(regular, max(0, threshold - interest))
        x -= regular
        principal -= regular
        early = 0
        if x and principal:
            rate = prepayment.fee_rate_at(k)
            if rate is not None:
                early, pfee = _split_early(x, principal, *_parts(rate)[:2])
                x -= early + pfee
                principal -= early
        credit = interest + regular
        while credit and arrears:
            entry = arrears[0]
            take = min(credit, entry[2])
            entry[2] -= take
            credit -= take
            if entry[2] == 0:
                arrears.pop(0)
                row = settled.pop(entry[0], None)
                if row is not None:
                    row[3] = day
        if arrears and arrears[0][1] <= day:
            partials.append(day)
        advance += credit
        if early and lower_payment and k + 1 < n:
            inst = inst[: k + 1] + reproject(plan, principal, k + 1)
        overpaid += x

    if pen_sum * pen_coeff >= 10**39:
        return None
    current = _cents(s_acc, cn, den, lim, plan, segs, k, start, end) - cur_paid
    closed = principal == 0 and overdue == 0 and current == 0 and fees == 0
    dpd = 0
    for a in arrears:
        if a[2] > 0 and a[1] < as_of_ord:
            dpd = as_of_ord - a[1]
            break
    if closed:
        label = "closed"
    elif dpd == 0:
        label = "current"
    elif dpd <= grace:
        label = "in_grace"
    else:
        label = "past_due"

    # -- next due (repayment_status.next_due) ------------------------------------------------
    nxt = None
    if not closed:
        for a in arrears:
            if a[1] == as_of_ord and a[2] > 0:
                nxt = Due(dues[a[0]], a[2])
                break
        if nxt is None and k < n:
            owed = principal + overdue - sum(a[2] for a in arrears)

            def to_period_end() -> int:
                """The interest to the period's end, owed with an instalment that closes the
                loan (worked out only for one that may)."""
                s_end, segs_end = s_acc, segs
                if principal and seg < end:
                    s_end = s_acc + principal * (end - seg)
                    segs_end = [*segs, (principal, seg, end)]
                return _cents(s_end, cn, den, lim, plan, segs_end, k, start, end) - cur_paid

            ahead = advance
            for j in range(k, n - 1):
                take = min(ahead, inst[j])
                ahead -= take
                instalment = inst[j] - take
                closing = j == k and owed < instalment  # then its interest is owed too
                amt = max(0, min(instalment, owed + (to_period_end() if closing else 0)))
                if amt:
                    nxt = Due(dues[j], amt)
                    break
            else:
                nxt = Due(dues[-1], max(0, owed + (to_period_end() if k == n - 1 else 0)))

    # -- risk (repayment_status.risk) --------------------------------------------------------
    recent = fallen[-WINDOW:]
    late = near = run = 0
    for row in recent:
        days = (row[3] if row[3] is not None else as_of_ord) - row[1]
        if days > grace:
            late += 1
            run = 0
        elif days > 0:
            near += 1
            run += 1
        else:
            run = 0
    since = recent[0][1] if recent else loan_ord
    partial = sum(1 for d in partials if d >= since)
    loan_risk = risk_from_counts(
        days_past_due=dpd, late=late, near_miss_run=run, partial=partial, grace=grace
    )

    return LoanStatus(
        as_of=as_of,
        status=label,
        days_past_due=dpd,
        bucket=bucket(dpd),
        outstanding_principal=principal,
        accrued_interest=overdue + current,
        fees_due=fees,
        past_due_amount=sum(a[2] for a in arrears if a[1] < as_of_ord),
        next_due=nxt,
        overpaid=overpaid,
        risk=loan_risk,
    )


def _split_early(x: int, principal: int, a: int, b: int) -> tuple[int, int]:
    """repayments._Fold._split_early with the fee rate ``a / b`` as integers: the fee of
    ``p`` cents is ``p × a / b`` rounded half up (exact, as the Decimal product is)."""
    if not a:
        return min(x, principal), 0
    p = x * b // (a + b)
    while p > 0 and p + (2 * p * a + b) // (2 * b) > x:
        p -= 1
    while p + 1 + (2 * (p + 1) * a + b) // (2 * b) <= x:
        p += 1
    p = min(p, principal)
    f = (2 * p * a + b) // (2 * b)
    return min(principal, x - f), f

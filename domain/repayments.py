"""Repayment tracking: a loan's state is a fold over its plan and its payment events.

Events
    A :class:`PaymentEvent` is ``(op_id, date, amount, channel, kind)``; ``kind`` is
    ``payment`` or ``reversal`` (a reversal names the op_id it reverses in ``reverses``).
    Events are append-only: a reversal is a new event, and a reversed payment counts as never
    made from the reversal's date on (later payments are re-allocated, as a servicer
    reprocesses after a returned payment). :func:`dedupe` keeps one event per op_id; the same
    op_id with a different body is refused. The fold sorts events by ``(date, op_id)``, so the
    same set of operations, in any order and with any duplicates, gives the same state.

Interest (simple interest on the outstanding principal, by period)
    Period ``k`` runs from the previous due date (the loan date for the first) to due date
    ``k``. Over a whole period the outstanding principal is charged the contractual period
    rate (plus, in the first period, the odd-days interest the loan's day count gave the
    schedule), exactly as the engine's schedule does; over part of a period it is charged that
    amount pro rata by actual days (days in the part ÷ days in the period). Interest is kept
    unrounded within a period and rounded (half up, to the cent) when a payment takes it and
    when the period ends, so a loan paid exactly on schedule pays exactly the schedule's
    interest and ends at 0.00 on its last due date. After maturity, interest keeps accruing on
    the unpaid principal in periods of the regular length.

Instalments and delinquency
    On each due date the instalment falls due: the plan's instalment less what was paid ahead
    of it, never more than the loan's balance; the last one is everything still owed. Money
    paid towards instalments (interest and regular principal) settles the oldest unpaid
    instalment first. Days past due count from the oldest instalment still unpaid. An
    instalment still unpaid ``grace_days`` after its due date is charged the late fee once
    (total late fees capped by the policy's ``cap``).

Allocation of a payment, in this order
    1. fees (late fees due), 2. overdue interest (interest of periods already ended),
    3. current interest (accrued in the current period up to the payment date),
    4. principal: first the regular part (what brings the loan current through the next
    instalment), then any early repayment, charged the product's prepayment fee
    (``fee_rate × principal repaid early``; the fee is part of ``fees``). An early repayment
    shortens the term (the instalments stay, the loan ends sooner) or lowers the payment (the
    remaining instalments are re-amortised over the same due dates), as the policy says.
    5. whatever is left once the loan is closed is an overpayment, owed back to the buyer.
    After maturity every amount owed is due, so nothing counts as early repayment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from domain.errors import InputError
from domain.money import CENT, ZERO, from_cents, to_cents
from domain.repayment_plan import CTX, RepaymentPlan, cents_round, reproject

__all__ = [
    "Allocation",
    "EventKind",
    "FeeCharge",
    "Instalment",
    "LateFeePolicy",
    "LoanState",
    "PaymentEvent",
    "Payoff",
    "PrepaymentMode",
    "PrepaymentPolicy",
    "Terms",
    "dedupe",
    "fold",
    "payoff_quote",
]


class EventKind(StrEnum):
    PAYMENT = "payment"
    REVERSAL = "reversal"


class PrepaymentMode(StrEnum):
    SHORTEN_TERM = "shorten_term"  # keep the instalment, end sooner
    LOWER_PAYMENT = "lower_payment"  # keep the end date, lower the instalments


@dataclass(frozen=True)
class PaymentEvent:
    """One operation on a loan. ``amount`` is Decimal (0.01); a reversal's amount is unused
    (0.00) and ``reverses`` names the payment's op_id."""

    op_id: str
    date: date
    amount: Decimal = ZERO
    channel: str = "bank_transfer"
    kind: EventKind = EventKind.PAYMENT
    reverses: str | None = None


#: A daily penalty is charged on every calendar day: a year of them costs 365 days' worth.
DAYS_A_YEAR = 365


@dataclass(frozen=True)
class LateFeePolicy:
    """A fixed ``amount`` per instalment still unpaid ``grace_days`` after its due date; the
    loan's fixed late fees together never exceed ``cap`` (None: no cap).

    ``daily_penalty_rate`` (罚息, a fraction per day) is charged on each instalment's unpaid
    amount for every day it stays unpaid after its grace days end (an instalment paid within
    its grace days is charged none). Penalty is kept unrounded and joins ``fees`` rounded
    half up to the cent; the cap does not apply to it."""

    amount: Decimal = ZERO
    grace_days: int = 3
    cap: Decimal | None = None
    daily_penalty_rate: Decimal = ZERO

    @property
    def yearly_penalty_rate(self) -> Decimal:
        """The daily penalty over a year (a daily rate alone hides its size)."""
        return self.daily_penalty_rate * DAYS_A_YEAR


@dataclass(frozen=True)
class PrepaymentPolicy:
    """``fee_rate`` (a fraction) of the principal repaid early; ``mode`` as the buyer chose
    among those the product allows.

    Early repayment is possible only when ``allowed`` and once ``lockout_instalments``
    instalments have fallen due; before that, money beyond what is due is not applied to
    principal (it is an overpayment, owed back) and no payoff can be quoted. From
    ``fee_free_after`` instalments fallen due on (None: never) early repayment is free."""

    fee_rate: Decimal = ZERO
    mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM
    allowed: bool = True
    lockout_instalments: int = 0
    fee_free_after: int | None = None

    def fee_rate_at(self, fallen_due: int) -> Decimal | None:
        """The fee rate once ``fallen_due`` instalments have fallen due; None while early
        repayment is not allowed."""
        if not self.allowed or fallen_due < self.lockout_instalments:
            return None
        if self.fee_free_after is not None and fallen_due >= self.fee_free_after:
            return ZERO
        return self.fee_rate


@dataclass(frozen=True)
class Terms:
    """The rules a fold applies beside the plan."""

    late_fee: LateFeePolicy = field(default_factory=LateFeePolicy)
    prepayment: PrepaymentPolicy = field(default_factory=PrepaymentPolicy)


class Allocation(NamedTuple):
    """How one payment was applied, in cents: fees + interest + principal + overpayment ==
    amount. ``fees`` includes ``prepayment_fee``; ``interest`` = overdue + current;
    ``principal`` includes ``early_principal``."""

    op_id: str
    date: date
    amount: int
    fees: int
    prepayment_fee: int
    overdue_interest: int
    current_interest: int
    principal: int
    early_principal: int
    overpayment: int

    @property
    def interest(self) -> int:
        return self.overdue_interest + self.current_interest


class FeeCharge(NamedTuple):
    instalment: int  # 1-based
    date: date
    amount: int


class Instalment(NamedTuple):
    """Instalment ``n`` (1-based) fell due on ``due`` for ``amount`` cents; ``settled`` is the
    date the last of it was paid (None while unpaid)."""

    n: int
    due: date
    amount: int
    settled: date | None


@dataclass
class LoanState:
    """The fold's result as of ``as_of``; amounts in integer cents."""

    plan: RepaymentPlan
    terms: Terms
    as_of: date
    principal: int
    overdue_interest: int
    current_interest: int
    fees_due: int
    arrears: list[list]  # [index, due date, remaining cents], oldest first
    advance: int  # paid towards the next instalment ahead of its due date
    next_index: int  # the period in progress (== plan.count after maturity)
    instalments: list[int]  # current instalment amounts (re-amortised ones included)
    allocations: list[Allocation]
    fee_charges: list[FeeCharge]
    fallen_due: list[Instalment]
    partial_payments: list[date]
    reversed_ops: list[str]
    unmatched_reversals: list[str]
    overpaid: int
    # for payoff projections: the unrounded accrual of the period in progress before its
    # balance last changed, and the day it changed (the period's start when it has not)
    _acc: Decimal = Decimal(0)
    _seg_start: date | None = None
    _cur_paid: int = 0
    _fee_total: int = 0
    _fee_checked: int = 0

    @property
    def closed(self) -> bool:
        return (
            self.principal == 0
            and self.overdue_interest == 0
            and self.current_interest == 0
            and self.fees_due == 0
        )

    @property
    def accrued_interest(self) -> int:
        return self.overdue_interest + self.current_interest

    @property
    def days_past_due(self) -> int:
        for _, due, remaining in self.arrears:
            if remaining > 0 and due < self.as_of:
                return (self.as_of - due).days
        return 0


def dedupe(events: Iterable[PaymentEvent]) -> list[PaymentEvent]:
    """One event per op_id, sorted by (date, op_id). The same op_id posted twice changes
    nothing; the same op_id with a different body raises InputError, and so does a reversal
    dated before the payment it reverses (a reversal whose payment is not among ``events``
    is not checked: it waits for its payment)."""
    seen: dict[str, PaymentEvent] = {}
    position: dict[str, int] = {}
    for k, e in enumerate(events):
        _validate(e, k)
        prior = seen.get(e.op_id)
        if prior is None:
            seen[e.op_id] = e
            position[e.op_id] = k
        elif prior != e:
            raise InputError(
                f"payments[{k}].op_id",
                "conflict",
                "operation {op_id} was already posted with different details",
                {"op_id": e.op_id},
            )
    for e in seen.values():
        if e.kind is EventKind.REVERSAL:
            paid = seen.get(e.reverses or "")
            if paid is not None and paid.kind is EventKind.PAYMENT and e.date < paid.date:
                raise InputError(
                    f"payments[{position[e.op_id]}].date",
                    "not_before_reversed",
                    "must not be before the date of the payment it reverses ({op_id}, {date})",
                    {"op_id": paid.op_id, "date": paid.date.isoformat()},
                )
    return sorted(seen.values(), key=lambda e: (e.date, e.op_id))


def as_recorded(events: Iterable[PaymentEvent], loan_date: date) -> list[PaymentEvent]:
    """The events a lender recorded (arriving by sync: the device cannot refuse them), taken
    as the engine can fold them: a payment dated before the loan date is taken on the loan
    date (money that came early), a reversal dated before the payment it reverses on the
    payment's date (as if the payment had never arrived, which is what a reversal says).
    Everything else as recorded; the input rules (:func:`dedupe`) are for what is typed in."""
    events = list(events)
    paid_on = {e.op_id: max(e.date, loan_date) for e in events if e.kind is EventKind.PAYMENT}
    taken = []
    for e in events:
        if e.kind is EventKind.PAYMENT and e.date < loan_date:
            e = replace(e, date=loan_date)
        elif e.kind is EventKind.REVERSAL and e.reverses in paid_on:
            e = replace(e, date=max(e.date, paid_on[e.reverses]))
        taken.append(e)
    return taken


def _validate(e: PaymentEvent, k: int) -> None:
    if not e.op_id:
        raise InputError(f"payments[{k}].op_id", "required", "is required")
    if e.kind is EventKind.PAYMENT:
        if e.amount <= 0:
            raise InputError(f"payments[{k}].amount", "positive", "must be greater than zero")
        if e.amount.as_tuple().exponent < -2 and e.amount != e.amount.quantize(CENT):
            raise InputError(
                f"payments[{k}].amount", "max_two_decimals", "must have at most two decimals"
            )
        if e.reverses is not None:
            raise InputError(
                f"payments[{k}].reverses", "only_reversal", "is only allowed on a reversal"
            )
    elif not e.reverses or e.reverses == e.op_id:
        raise InputError(
            f"payments[{k}].reverses", "required", "must name the op_id of the payment reversed"
        )


def fold(
    plan: RepaymentPlan,
    events: Iterable[PaymentEvent],
    as_of: date,
    terms: Terms = Terms(),
) -> LoanState:
    """The loan's state as of the end of ``as_of``: every event dated on or before it applied
    in (date, op_id) order, interest accrued to ``as_of``."""
    s, reversed_ops, unmatched = _run(plan, events, as_of, terms)
    return s.state(as_of, reversed_ops, unmatched)


class Payoff(NamedTuple):
    """``amount`` cents close the loan if received on any day from the quote's date through
    ``valid_until`` (interest and fees are counted to ``valid_until``; paying earlier leaves
    the difference as an overpayment owed back). ``valid_until`` stops before the next due
    date, when the instalment owed changes. ``early_principal`` is the principal repaid ahead
    of its schedule, which ``prepayment_fee`` is charged on (the principal the instalment in
    progress repays is not)."""

    amount: int
    valid_until: date
    principal: int
    interest: int
    fees: int
    prepayment_fee: int
    early_principal: int = 0


def payoff_quote(
    plan: RepaymentPlan,
    events: Iterable[PaymentEvent],
    as_of: date,
    terms: Terms = Terms(),
    *,
    valid_days: int = 7,
) -> Payoff:
    """What closes the loan, quoted on ``as_of`` for ``valid_days`` days at most."""
    if valid_days < 1:
        raise InputError("payoff.valid_days", "at_least", "must be at least {limit}", {"limit": 1})
    s, _, _ = _run(plan, events, as_of, terms)
    until = as_of + timedelta(days=valid_days - 1)
    if s.k < s.n:
        until = max(as_of, min(until, s.period_end - timedelta(days=1)))
    s.advance_to(until)
    return s.payoff(until)


def _run(plan, events, as_of, terms):
    if as_of < plan.loan_date:
        raise InputError("as_of", "after_loan_date", "must not be before the loan date")
    evs = dedupe(events)
    payments_by_id = {e.op_id: e for e in evs if e.kind is EventKind.PAYMENT}
    reversed_ops, unmatched = [], []
    for e in evs:
        if e.kind is EventKind.REVERSAL and e.date <= as_of:
            if e.reverses in payments_by_id:
                reversed_ops.append(e.reverses)
            else:
                # Offline devices may sync a reversal before its payment: it takes effect
                # when the payment arrives, so keep it, do not refuse it.
                unmatched.append(e.reverses)
    dropped = set(reversed_ops)
    s = _Fold(plan, terms)
    for e in evs:
        if e.date > as_of:
            break
        if e.kind is EventKind.PAYMENT and e.op_id not in dropped:
            if e.date < plan.loan_date:
                raise InputError(
                    "payments.date", "after_loan_date", "must not be before the loan date"
                )
            s.pay(e)
    s.advance_to(as_of)
    return s, sorted(reversed_ops), sorted(set(unmatched))


class _Fold:
    """The mutable fold; all amounts in integer cents."""

    __slots__ = (
        "acc",
        "acc_closed",
        "advance",
        "allocations",
        "arrears",
        "billed_on",
        "billed_today",
        "cur_paid",
        "fallen_due",
        "fee_amount",
        "fee_cap",
        "fee_charges",
        "fee_checked",
        "fee_total",
        "fees",
        "grace",
        "inst",
        "k",
        "lower_payment",
        "n",
        "open_from",
        "overdue",
        "overpaid",
        "partials",
        "pen_acc",
        "pen_charged",
        "pen_day",
        "pen_rate",
        "period_end",
        "period_start",
        "plan",
        "principal",
        "seg_start",
        "settled",
        "terms",
    )

    def __init__(self, plan: RepaymentPlan, terms: Terms):
        self.plan = plan
        self.terms = terms
        self.n = plan.count
        self.inst = plan.instalments
        self.principal = plan.principal
        self.overdue = 0
        self.billed_on, self.billed_today = None, 0
        self.acc = Decimal(0)
        # the period's interest before its balance last changed, and the day it changed: the
        # accrual since is one segment however many days it was advanced by, so a payoff
        # quoted on one day and paid on a later one meet to the cent
        self.acc_closed, self.open_from = Decimal(0), plan.loan_date
        self.cur_paid = 0
        self.fees = 0
        self.fee_total = 0
        lf = terms.late_fee
        self.fee_amount = to_cents(lf.amount)
        self.fee_cap = None if lf.cap is None else to_cents(lf.cap)
        self.grace = lf.grace_days
        self.pen_rate = lf.daily_penalty_rate
        self.pen_acc, self.pen_charged, self.pen_day = Decimal(0), 0, plan.loan_date
        self.lower_payment = terms.prepayment.mode is PrepaymentMode.LOWER_PAYMENT
        self.fee_checked = 0  # instalments (by index) whose grace end was checked
        self.arrears: list[list] = []
        self.advance = 0
        self.k = 0
        self.period_start, self.period_end = plan.loan_date, plan.due_dates[0]
        self.seg_start = plan.loan_date
        self.allocations: list[Allocation] = []
        self.fee_charges: list[FeeCharge] = []
        self.fallen_due: list[list] = []  # [n, due, amount, settled]
        self.settled: dict[int, list] = {}
        self.partials: list[date] = []
        self.overpaid = 0

    # -- time ------------------------------------------------------------------------------
    def _accrue(self, to: date) -> None:
        if to <= self.seg_start or self.principal == 0:
            self.seg_start = max(to, self.seg_start)
            return
        k, start, end = self.k, self.period_start, self.period_end
        full = self.plan.full_interest(self.principal, k)
        if self.open_from == start and to == end:
            part = full
        else:
            part = CTX.divide(
                CTX.multiply(full, Decimal((to - self.open_from).days)), Decimal((end - start).days)
            )
        self.acc = CTX.add(self.acc_closed, part)
        self.seg_start = to

    def advance_to(self, day: date) -> None:
        """Cross every due date on or before ``day``, charge late fees due by ``day`` (before
        that day's payments), and accrue interest to ``day``."""
        while self.period_end <= day:
            self._penalise(self.period_end)
            self._cross()
        self._penalise(day)
        self._charge_late_fees(day)
        self._accrue(day)

    def _penalise(self, to: date) -> None:
        """Daily penalty on each instalment's unpaid amount from its grace end to ``to``."""
        if not self.pen_rate or to <= self.pen_day:
            return
        grace = timedelta(days=self.grace)
        for _, due, remaining in self.arrears:
            start = max(self.pen_day, due + grace)
            if remaining > 0 and to > start:
                part = CTX.multiply(Decimal(remaining), self.pen_rate)
                part = CTX.multiply(part, Decimal((to - start).days))
                self.pen_acc = CTX.add(self.pen_acc, part)
        charged = cents_round(self.pen_acc)
        self.fees += charged - self.pen_charged
        self.pen_charged = charged
        self.pen_day = to

    def _cross(self) -> None:
        end = self.period_end
        self._accrue(end)
        billed = cents_round(self.acc) - self.cur_paid
        self.overdue += billed
        self.billed_on, self.billed_today = end, billed
        self.acc, self.cur_paid = Decimal(0), 0
        self.acc_closed, self.open_from = Decimal(0), end
        k, n = self.k, self.n
        if k < n:
            owed = self.principal + self.overdue
            if self.arrears:
                owed -= sum(a[2] for a in self.arrears)
            if k == n - 1:
                amount, take, self.advance = owed, 0, 0
            else:
                scheduled = self.inst[k]
                take = min(self.advance, scheduled)
                self.advance -= take
                amount = max(0, min(scheduled - take, owed))
            if owed > 0 or self.principal > 0:  # no instalments fall due on a closed loan
                row = [k + 1, end, amount + take, None]
                self.fallen_due.append(row)
                if amount > 0:
                    self.arrears.append([k, end, amount])
                    self.settled[k] = row
                else:
                    row[3] = end
        elif billed:
            # After maturity everything owed is due: new interest joins the last instalment.
            if self.arrears and self.arrears[-1][0] == n - 1:
                self.arrears[-1][2] += billed
            else:
                self.arrears.append([n - 1, self.plan.due_dates[-1], billed])
                row = self.fallen_due[-1]
                row[3] = None
                self.settled[n - 1] = row
        self.k = k + 1
        self.period_start, self.period_end = self.plan.period_bounds(k + 1)
        self.seg_start = max(self.seg_start, self.period_start)

    def _charge_late_fees(self, day: date) -> None:
        if not self.fee_amount or not self.arrears:
            return
        grace = timedelta(days=self.grace)
        for k, due, remaining in self.arrears:
            if k < self.fee_checked or due + grace >= day:
                continue
            self.fee_checked = k + 1
            if remaining <= 0:
                continue
            fee = self.fee_amount
            if self.fee_cap is not None:
                fee = max(0, min(fee, self.fee_cap - self.fee_total))
            if fee:
                self.fees += fee
                self.fee_total += fee
                self.fee_charges.append(FeeCharge(k + 1, due + grace + timedelta(days=1), fee))

    # -- money -----------------------------------------------------------------------------
    def due_through_next(self) -> int | None:
        """What brings the loan current through the next instalment (interest + principal);
        None after maturity (everything is due)."""
        if self.k >= self.n - 1:
            # After maturity everything is due; the final instalment is whatever closes the
            # loan, so paying it is never early either.
            return None
        arrears = sum(a[2] for a in self.arrears) if self.arrears else 0
        return arrears + max(0, self.inst[self.k] - self.advance)

    def current_interest(self) -> int:
        return cents_round(self.acc) - self.cur_paid

    def pay(self, e: PaymentEvent) -> None:
        self.advance_to(e.date)
        balance = self.principal
        amount = int(e.amount.scaleb(2))  # dedupe() checked it is whole cents
        x = amount
        threshold = self.due_through_next()
        fees = min(x, self.fees)
        self.fees -= fees
        x -= fees
        # Interest of a period that ended today is due today, not overdue.
        today = self.billed_today if self.billed_on == e.date else 0
        od = min(x, max(0, self.overdue - today))
        x -= od
        due_today = min(x, self.overdue - od)
        self.overdue -= od + due_today
        x -= due_today
        ci = min(x, self.current_interest())
        self.cur_paid += ci
        x -= ci
        ci += due_today
        interest = od + ci
        regular = min(x, self.principal)
        if threshold is not None:
            regular = min(regular, max(0, threshold - interest))
        x -= regular
        self.principal -= regular
        early = pfee = 0
        rate = self.terms.prepayment.fee_rate_at(self.k) if x and self.principal else None
        if rate is not None:
            early, pfee = self._split_early(x, rate)
            x -= early + pfee
            self.principal -= early
            fees += pfee
        if self.principal != balance:  # the accrual's segment ends here
            self.acc_closed, self.open_from = self.acc, e.date
        self._credit(interest + regular, e.date)
        if early and self.lower_payment and self.k + 1 < self.n:
            new = reproject(self.plan, self.principal, self.k + 1)
            self.inst = self.inst[: self.k + 1] + new
        self.overpaid += x
        self.allocations.append(
            Allocation(e.op_id, e.date, amount, fees, pfee, od, ci, regular + early, early, x)
        )

    def payoff(self, day: date) -> Payoff:
        interest = self.overdue + self.current_interest()
        threshold = self.due_through_next()
        early = 0
        if threshold is not None:
            early = max(0, self.principal - max(0, threshold - interest))
        pfee = 0
        if early:
            rate = self.terms.prepayment.fee_rate_at(self.k)
            if rate is None:
                raise InputError(
                    "as_of",
                    "prepayment_not_allowed",
                    "prepayment is not allowed before {months} payments",
                    {"months": self.terms.prepayment.lockout_instalments},
                )
            pfee = cents_round(CTX.multiply(Decimal(early), rate))
        amount = self.fees + interest + self.principal + pfee
        return Payoff(amount, day, self.principal, interest, self.fees + pfee, pfee, early)

    def _split_early(self, x: int, r: Decimal) -> tuple[int, int]:
        """(principal repaid early, prepayment fee at rate ``r``) out of ``x`` cents: the most
        principal whose fee still fits; a cent the fee rounding leaves goes to principal."""
        if not r:
            return min(x, self.principal), 0

        def fee(p: int) -> int:
            return cents_round(CTX.multiply(Decimal(p), r))

        p = int(CTX.divide(Decimal(x), CTX.add(Decimal(1), r)))
        while p > 0 and p + fee(p) > x:
            p -= 1
        while p + 1 + fee(p + 1) <= x:
            p += 1
        p = min(p, self.principal)
        f = fee(p)
        return min(self.principal, x - f), f

    def _credit(self, credit: int, day: date) -> None:
        """Settle the oldest instalments first; the rest is paid ahead of the next one."""
        arrears = self.arrears
        while credit and arrears:
            entry = arrears[0]
            take = min(credit, entry[2])
            entry[2] -= take
            credit -= take
            if entry[2] == 0:
                arrears.pop(0)
                row = self.settled.pop(entry[0], None)
                if row is not None:
                    row[3] = day
        if arrears and arrears[0][1] <= day:
            self.partials.append(day)
        self.advance += credit

    def state(self, as_of: date, reversed_ops: list[str], unmatched: list[str]) -> LoanState:
        return LoanState(
            plan=self.plan,
            terms=self.terms,
            as_of=as_of,
            principal=self.principal,
            overdue_interest=self.overdue,
            current_interest=self.current_interest(),
            fees_due=self.fees,
            arrears=[list(a) for a in self.arrears],
            advance=self.advance,
            next_index=self.k,
            instalments=list(self.inst),
            allocations=self.allocations,
            fee_charges=self.fee_charges,
            fallen_due=[Instalment(*row) for row in self.fallen_due],
            partial_payments=self.partials,
            reversed_ops=reversed_ops,
            unmatched_reversals=unmatched,
            overpaid=self.overpaid,
            _acc=self.acc_closed,
            _seg_start=self.open_from,
            _cur_paid=self.cur_paid,
            _fee_total=self.fee_total,
            _fee_checked=self.fee_checked,
        )


def cents(amount: int) -> Decimal:
    """Cents as the Decimal amount (for output)."""
    return from_cents(amount)

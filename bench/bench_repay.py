"""Portfolio status: 100,000 loans with a year of payments each, beside a naive float fold.

    .venv/bin/python bench/bench_repay.py [--loans 100000] [--repeat 3]

Each loan is a 36-month level loan (principal, rate and loan date drawn from a seeded RNG)
with 12 payment events: mostly on time, some days late, some partial, some missed, some with
an extra early repayment. "ours" builds each loan's plan (domain.repayment_plan.level_plan),
folds its events and derives its status (days past due, bucket, next due, risk flag):
exact to the cent, Decimal interest, integer cents. The peer is the same simple-interest fold
written the usual quick way: floats, interest pro rata by days, interest then principal,
days past due from cumulative due vs paid — comparable work, none of the exactness, no late
fees, no prepayment fee, no reversal handling. Both run in the same process, one core;
medians of ``--repeat`` runs of
process CPU time (the machine is shared, so wall time would measure the neighbours).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.repayment_plan import level_plan
from domain.repayment_status import status
from domain.repayments import LateFeePolicy, PaymentEvent, PrepaymentPolicy, Terms, fold

AS_OF = date(2025, 12, 31)
TERMS = Terms(LateFeePolicy(Decimal("50.00"), 3), PrepaymentPolicy(Decimal("0.02")))


def portfolio(n: int, seed: int = 20261201):
    """(principal cents, annual rate, loan date, [(op_id, date, cents)]) per loan."""
    rnd = random.Random(seed)
    loans = []
    for j in range(n):
        principal = rnd.randrange(3_000_000, 30_000_000, 100)
        rate = Decimal(rnd.randrange(0, 1200, 5)) / 10000
        loan_date = date(2024, 12, 1) + timedelta(days=rnd.randrange(0, 28))
        plan = level_plan(principal, rate, 36, loan_date)
        pay = plan.instalments[1]
        events, short = [], 0  # a shortfall is caught up with the next payment
        for k, due in enumerate(plan.due_dates[:12]):
            r = rnd.random()
            op = f"{j}-{k}"
            if r < 0.85:
                events.append((op, due, pay + short))
                short = 0
            elif r < 0.92:
                events.append((op, due + timedelta(days=rnd.randrange(1, 20)), pay + short))
                short = 0
            elif r < 0.96:
                events.append((op, due, pay // 2))
                short += pay - pay // 2
            elif r < 0.98:
                short += pay  # missed
            else:
                events.append((op, due - timedelta(days=2), pay + short + 500_000))
                short = 0
        loans.append((principal, rate, loan_date, events))
    return loans


def ours(loans) -> tuple[int, int]:
    past_due = total = 0
    for principal, rate, loan_date, events in loans:
        plan = level_plan(principal, rate, 36, loan_date)
        evs = [PaymentEvent(o, d, Decimal(c).scaleb(-2)) for o, d, c in events]
        st = status(fold(plan, evs, AS_OF, TERMS))
        past_due += st.days_past_due > 0
        total += st.outstanding_principal
    return past_due, total


def peer(loans) -> tuple[int, float]:
    """The naive fold: floats and days, no plan object, no rounding discipline."""
    past_due, total = 0, 0.0
    for principal, rate, loan_date, events in loans:
        p = principal / 100
        i = float(rate) / 12
        n = 36
        pay = p * i / (1 - (1 + i) ** -n) if i else p / n
        dues = []
        y, m = loan_date.year, loan_date.month
        for _ in range(n):
            m += 1
            if m > 12:
                y, m = y + 1, 1
            dues.append(date(y, m, min(loan_date.day, 28)))
        balance, last, paid = p, loan_date, 0.0
        interest_due = 0.0
        for _, d, c in sorted(events, key=lambda e: e[1]):
            interest_due += balance * float(rate) * (d - last).days / 365
            last = d
            amount = c / 100
            take = min(amount, interest_due)
            interest_due -= take
            balance -= amount - take
            paid += amount
        due_count = sum(1 for d in dues if d <= AS_OF)
        owed = due_count * pay
        dpd = 0
        if paid + 0.005 < owed:
            k = int(paid // pay)
            dpd = (AS_OF - dues[k]).days
        past_due += dpd > 0
        total += max(balance, 0.0)
    return past_due, total


def timed(fn, loans, repeat):
    samples, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = fn(loans)
        samples.append(time.process_time() - start)
    return statistics.median(samples), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    loans = portfolio(args.loans)
    events = sum(len(e) for *_, e in loans)
    t_ours, (pd_ours, total) = timed(ours, loans, args.repeat)
    t_peer, (pd_peer, ftotal) = timed(peer, loans, args.repeat)
    n = args.loans
    print(f"portfolio: {n:,} loans, {events:,} payment events, status as of {AS_OF}")
    print(f"{'':34} {'seconds':>9} {'loans/s':>10}")
    print(f"{'ours (exact, Decimal + cents)':34} {t_ours:9.2f} {n / t_ours:10,.0f}")
    print(f"{'peer (naive float fold)':34} {t_peer:9.2f} {n / t_peer:10,.0f}")
    print(f"ratio ours/peer: {t_ours / t_peer:.2f}   target: < 5 s for 100,000 loans")
    print(
        f"loans past due: ours {pd_ours:,}, peer {pd_peer:,}; outstanding principal: ours "
        f"{Decimal(total).scaleb(-2):,.2f}, peer {ftotal:,.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

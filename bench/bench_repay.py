"""Portfolio status: 100,000 loans with a year of payments each, beside a naive float fold.

    .venv/bin/python bench/bench_repay.py [--loans 100000] [--repeat 3] [--check 5000]
                                          [--profile-plans]

Each loan is a 36-month level loan (principal, rate and loan date drawn from a seeded RNG)
with a year of payments. Each buyer follows one behaviour, in roughly a servicer's
proportions: 84% auto-debit (every instalment taken on its due date), 5% pay a few days
early, 4% are sometimes late (a quarter of
months, 1-20 days, adding the late fee), 2.5% sometimes pay half and catch up later, 2% make
one extra early repayment (2% prepayment fee), 2.5% stop paying at some month. The share of
loans past due as of the status date is printed beside the figures.

Every loan's product charges the catalogue's default late-fee rule, a 0.05%/day penalty
(罚息) from the end of 3 grace days, plus a fixed 50.00 per missed instalment, and a 2%
prepayment fee.

"ours" takes each loan's terms (domain.repayment_plan.LevelLoan) and computes the portfolio's
status (domain.repayment_portfolio.portfolio_status: days past due, bucket, next due, risk
flag, balances, as columns), exact to the cent and equal to ``status(fold(...))`` loan by loan:
loans paid on schedule (or a few days early) are computed together with numpy from the plan's
parts, the others (counted as "fell back") one by one through domain.repayment_fast.loan_status
on a plan built for them. Building every loan's plan object is timed on its own line. The
first ``--check`` loans are also run through that per-loan path and through the exact fold
(timed, scaled, and compared field by field). The peer is the same
simple-interest fold written the usual quick way: floats, interest pro rata by days, interest
then principal, days past due from cumulative due vs paid — comparable work, none of the
exactness, no late fees, no prepayment fee, no reversal handling. All run in the same
process, one core; medians of ``--repeat`` runs of process CPU time and of wall-clock time (on
a shared machine the wall clock also measures the neighbours). ``--profile-plans`` prints
cProfile's view of building the plans.

The generated portfolio (1.2 million payment tuples) is moved out of the garbage collector's
reach (``gc.freeze()``) before timing, as a service would load it once: otherwise each
full collection set off by whichever contender allocates most walks all of it again, which
measures the harness, not the contender. ``--no-freeze`` times without that.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.repayment_fast import exact_status, loan_status
from domain.repayment_plan import LevelLoan, level_plan
from domain.repayment_portfolio import PortfolioLoan, portfolio_status
from domain.repayments import LateFeePolicy, PrepaymentPolicy, Terms

AS_OF = date(2025, 12, 31)
TERMS = Terms(
    LateFeePolicy(Decimal("50.00"), 3, daily_penalty_rate=Decimal("0.0005")),
    PrepaymentPolicy(Decimal("0.02")),
)
# (behaviour, cumulative share)
BEHAVIOURS = (
    ("auto_debit", 0.84),
    ("early", 0.89),
    ("sometimes_late", 0.93),
    ("partial", 0.955),
    ("prepay", 0.975),
    ("stops", 1.0),
)


def _behaviour(r: float) -> str:
    for name, share in BEHAVIOURS:
        if r < share:
            return name
    return BEHAVIOURS[-1][0]


def portfolio(n: int, seed: int = 20261201):
    """(principal cents, annual rate, loan date, [(op_id, date, cents)], behaviour) per loan."""
    rnd = random.Random(seed)
    loans = []
    for j in range(n):
        principal = rnd.randrange(3_000_000, 30_000_000, 100)
        rate = Decimal(rnd.randrange(0, 1200, 5)) / 10000
        loan_date = date(2024, 12, 1) + timedelta(days=rnd.randrange(0, 28))
        plan = level_plan(principal, rate, 36, loan_date)
        pay = plan.instalments[1]
        kind = _behaviour(rnd.random())
        stop = rnd.randrange(3, 12) if kind == "stops" else 12
        extra_at = rnd.randrange(1, 12) if kind == "prepay" else -1
        events, short = [], 0  # a shortfall is caught up with the next full payment
        for k, due in enumerate(plan.due_dates[:stop]):
            op = f"{j}-{k}"
            amount, day = plan.instalments[k] + short, due
            short = 0
            if kind == "early":
                day = due - timedelta(days=rnd.randrange(1, 4))
            elif kind == "sometimes_late" and rnd.random() < 0.25:
                day = due + timedelta(days=rnd.randrange(1, 21))
                amount += 5000 if (day - due).days > 3 else 0  # they pay the late fee too
            elif kind == "partial" and rnd.random() < 0.3:
                short, amount = amount - pay // 2, pay // 2
            events.append((op, day, amount))
            if k == extra_at:
                lump = rnd.randrange(10, 40) * 100_000
                events.append((f"{op}x", due + timedelta(days=rnd.randrange(1, 20)), lump))
        loans.append((principal, rate, loan_date, events, kind))
    return loans


def specs(loans) -> list[PortfolioLoan]:
    """The loans as the portfolio path takes them: level-loan terms, plans built on demand."""
    return [PortfolioLoan(LevelLoan(p, r, 36, d), events, TERMS) for p, r, d, events, _ in loans]


def plans(loans) -> list[PortfolioLoan]:
    """The loans with their plans built (what the per-loan path and the fold need)."""
    return [PortfolioLoan(level_plan(p, r, 36, d), events, TERMS) for p, r, d, events, _ in loans]


def ours(portfolio_loans) -> tuple[int, int, int]:
    """(loans past due, outstanding principal in cents, loans that fell back)."""
    st = portfolio_status(portfolio_loans, AS_OF)
    return int((st.days_past_due > 0).sum()), int(st.outstanding_principal.sum()), st.fallback


def per_loan(portfolio_loans) -> None:
    """The per-loan fast path alone (domain.repayment_fast.loan_status on every loan)."""
    for plan, events, terms, _ in portfolio_loans:
        loan_status(plan, events, AS_OF, terms)


def exact(portfolio_loans) -> None:
    """The reference: every loan through domain.repayments.fold (PaymentEvent objects)."""
    for plan, events, terms, _ in portfolio_loans:
        exact_status(plan, events, AS_OF, terms)


def disagreements(spec_loans, plan_loans) -> int:
    """Loans whose portfolio status, from their terms or from their plans, is not the fold's."""
    exact_rows = [exact_status(plan, ev, AS_OF, terms) for plan, ev, terms, _ in plan_loans]
    from_specs = portfolio_status(spec_loans, AS_OF).rows()
    from_plans = portfolio_status(plan_loans, AS_OF).rows()
    return sum(
        a != row or b != row for a, b, row in zip(from_specs, from_plans, exact_rows, strict=True)
    )


def peer(loans) -> tuple[int, float]:
    """The naive fold: floats and days, no plan object, no rounding discipline."""
    past_due, total = 0, 0.0
    for principal, rate, loan_date, events, _ in loans:
        p = principal / 100
        i = float(rate) / 12
        n = 36
        pay = round(p * i / (1 - (1 + i) ** -n) if i else p / n, 2)  # the instalment billed
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


def timed(fn, arg, repeat):
    """(median CPU seconds, median wall seconds, the last result)."""
    cpu, wall, result = [], [], None
    for _ in range(repeat):
        result = None  # the previous run's objects are not kept alive through this one
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        result = fn(arg)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall), result


def profile_plans(loans, top: int = 12) -> str:
    prof = cProfile.Profile()
    prof.runcall(plans, loans)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", type=int, default=5_000, help="loans also run exactly")
    parser.add_argument("--profile-plans", action="store_true")
    parser.add_argument("--no-freeze", action="store_true", help="leave the input to the GC")
    args = parser.parse_args()
    loans = portfolio(args.loans)
    if not args.no_freeze:
        gc.collect()
        gc.freeze()
    n = args.loans
    events = sum(len(x[3]) for x in loans)
    c_spec, w_spec, given = timed(specs, loans, args.repeat)
    c_stat, w_stat, (pd_ours, total, fell_back) = timed(ours, given, args.repeat)
    c_peer, w_peer, (pd_peer, ftotal) = timed(peer, loans, args.repeat)
    c_ours, w_ours = c_spec + c_stat, w_spec + w_stat
    c_plan, w_plan, built = timed(plans, loans, args.repeat)
    kinds: dict[str, int] = {}
    for *_, kind in loans:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(
        f"portfolio: {n:,} loans, {events:,} payment events, status as of {AS_OF}"
        f"{'' if args.no_freeze else ' (input frozen out of the GC)'}"
    )
    print("behaviours: " + ", ".join(f"{k} {v / n:.1%}" for k, v in kinds.items()))
    print(f"{'':44} {'CPU s':>8} {'wall s':>8} {'loans/s':>10}")

    def line(label, cpu, wall, count=n):
        print(f"{label:44} {cpu:8.2f} {wall:8.2f} {count / cpu:10,.0f}")

    line("ours: loan terms + portfolio_status", c_ours, w_ours)
    line("  of which the loans' terms (LevelLoan)", c_spec, w_spec)
    line("  of which portfolio_status", c_stat, w_stat)
    line("peer (naive float fold)", c_peer, w_peer)
    line("(building every loan's plan, level_plan)", c_plan, w_plan)
    sample = built[: args.check]
    if sample:
        scale = n / len(sample)
        c_loan, w_loan, _ = timed(per_loan, sample, 1)
        c_exact, w_exact, _ = timed(exact, sample, 1)
        label = f"scaled from {len(sample):,}"
        line(
            f"per-loan fast path + plans, {label}", c_loan * scale + c_plan, w_loan * scale + w_plan
        )
        line(f"exact fold + plans, {label}", c_exact * scale + c_plan, w_exact * scale + w_plan)
        bad = disagreements(given[: args.check], sample)
        print(f"portfolio_status == status(fold(...)) on {len(sample):,} loans: {bad} differ")
    print(
        f"ratio ours/peer: CPU {c_ours / c_peer:.2f}, wall {w_ours / w_peer:.2f}   "
        f"target: < 5 s for 100,000 loans"
    )
    print(f"fell back to the per-loan path: {fell_back:,} loans ({fell_back / n:.1%})")
    print(
        f"past due: ours {pd_ours:,} ({pd_ours / n:.1%}), peer {pd_peer:,} ({pd_peer / n:.1%}); "
        f"outstanding principal: ours {Decimal(total).scaleb(-2):,.2f}, peer {ftotal:,.2f}"
    )
    if args.profile_plans:
        print(profile_plans(loans[: min(n, 20_000)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

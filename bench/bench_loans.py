"""Loan engine speed beside numpy-financial, measured in the same run.

    .venv/bin/python bench/bench_loans.py [--repeat 200]

Prints medians (µs) and ratios ours / numpy-financial. numpy-financial computes in float and
gives no schedule; ours is exact to the cent, so "payment + schedule" is compared with npf.pmt
plus a float amortisation loop (the usual way people build a schedule with it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy_financial as npf

from domain.apr import FlowGroup, solve_apr
from domain.loans import LoanTerms, quote


def median_us(fn, repeat: int) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


def npf_schedule(principal: float, annual: float, months: int) -> list[tuple[float, float]]:
    i = annual / 12
    pmt = -float(npf.pmt(i, months, principal))
    balance, rows = principal, []
    for _ in range(months):
        interest = balance * i
        balance -= pmt - interest
        rows.append((interest, balance))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows = []
    for months in (60, 360):
        terms = LoanTerms(
            cash_price=Decimal("200000.00"),
            down_payment=Decimal("0.00"),
            loan_date=date(2026, 1, 15),
            count=months,
            annual_rate=Decimal("0.048"),
        )
        ours = median_us(lambda t=terms: quote(t), args.repeat)
        peer = median_us(lambda m=months: npf_schedule(200000.0, 0.048, m), args.repeat)
        rows.append(
            (f"payment + schedule + APR, {months} months", ours, "npf.pmt + float loop", peer)
        )
    ours = median_us(
        lambda: solve_apr(
            [FlowGroup(Decimal("5000"), 0)], [FlowGroup(Decimal("230"), 1, count=24)], 12
        ),
        args.repeat,
    )
    peer = median_us(lambda: npf.rate(24, -230, 5000, 0), args.repeat)
    rows.append(("APR solve, 24 regular payments", ours, "npf.rate", peer))

    q = quote(
        LoanTerms(
            cash_price=Decimal("200000.00"),
            down_payment=Decimal("0.00"),
            loan_date=date(2026, 1, 15),
            count=60,
            annual_rate=Decimal("0.048"),
        )
    )
    float_total = 60 * round(-float(npf.pmt(0.048 / 12, 60, 200000)), 2)
    print(f"{'case':42} {'ours µs':>10} {'peer':>22} {'peer µs':>10} {'ours/peer':>10}")
    for name, o, peer_name, p in rows:
        print(f"{name:42} {o:10.1f} {peer_name:>22} {p:10.1f} {o / p:10.2f}")
    print(
        f"exactness: ours total of payments {q.total_of_payments} (final balance "
        f"{q.schedule[-1].balance}); 60 × rounded npf.pmt = {float_total:.2f} leaves the "
        f"rounding residue unpaid"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

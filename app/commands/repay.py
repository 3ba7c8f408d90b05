"""``chedai repay``: a loan's repayment status, allocations, payoff quote, risk flag and
reminders as of a date, from its terms and payment events (JSON in/out)."""

from __future__ import annotations

from app.cli import print_json, read_json
from domain.repayment_io import run_repay


def add_parser(sub) -> None:
    p = sub.add_parser(
        "repay", help="repayment status, allocations and payoff of a loan (JSON in/out)"
    )
    p.add_argument("file", nargs="?", default="-", help="JSON input file, or - for stdin")
    p.set_defaults(func=run)


def run(args) -> int:
    print_json(run_repay(read_json(args.file)))
    return 0

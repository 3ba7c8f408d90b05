"""``chedai quote``: payment, schedule and disclosure figures (APR) for loan terms."""

from __future__ import annotations

from app.cli import print_json, read_json
from domain.loan_io import parse_terms, quote_to_wire
from domain.loans import quote


def add_parser(sub) -> None:
    p = sub.add_parser("quote", help="payment, schedule and true APR for loan terms (JSON in/out)")
    p.add_argument("file", nargs="?", default="-", help="JSON input file, or - for stdin")
    p.set_defaults(func=run)


def run(args) -> int:
    print_json(quote_to_wire(quote(parse_terms(read_json(args.file)))))
    return 0

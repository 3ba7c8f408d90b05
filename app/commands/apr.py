"""``chedai apr``: the Appendix J APR of explicit cash flows."""

from __future__ import annotations

from app.cli import print_json, read_json
from domain.apr import FlowGroup, solve_apr
from domain.errors import InputError
from domain.money import parse_money
from domain.parse import parse_fraction, parse_int, require


def add_parser(sub) -> None:
    p = sub.add_parser("apr", help="APR (Regulation Z Appendix J) of advances and payments")
    p.add_argument("file", nargs="?", default="-", help="JSON input file, or - for stdin")
    p.set_defaults(func=run)


def _groups(data, key: str) -> list[FlowGroup]:
    raw = require(data, key)
    if not isinstance(raw, list) or not raw:
        raise InputError(key, "non_empty_list", "must be a non-empty list")
    groups = []
    for k, item in enumerate(raw):
        p = f"{key}[{k}]."
        groups.append(
            FlowGroup(
                amount=parse_money(require(item, "amount", p), f"{p}amount"),
                t=parse_int(item.get("t", 0), f"{p}t", minimum=0, maximum=100_000),
                f=_unit_fraction(item.get("f", "0"), f"{p}f"),
                count=parse_int(item.get("count", 1), f"{p}count", minimum=1, maximum=100_000),
            )
        )
    return groups


def _unit_fraction(raw, field: str):
    value = parse_fraction(raw, field)
    if not 0 <= value < 1:
        raise InputError(field, "unit_fraction", "must be at least 0 and less than 1")
    return value


def run(args) -> int:
    data = read_json(args.file)
    ppy = parse_fraction(require(data, "periods_per_year"), "periods_per_year")
    if ppy <= 0:
        raise InputError("periods_per_year", "positive", "must be greater than zero")
    apr = solve_apr(_groups(data, "advances"), _groups(data, "payments"), ppy)
    print_json({"apr": f"{apr * 100:.2f}", "apr_exact": f"{apr * 100:.10f}"})
    return 0

"""APR by the actuarial method of Regulation Z, Appendix J (the general equation).

Each cash flow sits ``t`` whole unit periods plus a fraction ``f`` of one after the first
advance. The fractional part is discounted with the simple-interest factor ``1 + f·i``, never
``(1 + i)^f`` (the classic bug). The APR is the unit-period rate ``i`` times the number of unit
periods in a year. All arithmetic is Decimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from domain.errors import NoSolutionError

_PREC = 40
_TOLERANCE = Decimal("1e-14")  # on the unit-period rate: the APR is good to far below 1e-8
_LOW, _HIGH = Decimal("-0.99"), Decimal("10")


@dataclass(frozen=True)
class FlowGroup:
    """``count`` equal flows of ``amount``, the first ``t`` + ``f`` unit periods after the first
    advance, the later ones one unit period apart (same ``f``)."""

    amount: Decimal
    t: int
    f: Fraction = Fraction(0)
    count: int = 1


def _dec(fraction: Fraction) -> Decimal:
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def _present_value(groups: Sequence[FlowGroup], i: Decimal) -> Decimal:
    one = Decimal(1)
    total = Decimal(0)
    if i == 0:
        return sum((g.amount * g.count for g in groups), Decimal(0))
    v = one / (one + i)
    for g in groups:
        annuity = (one - v**g.count) / i * (one + i) if g.count > 1 else one
        total += g.amount * annuity * v**g.t / (one + _dec(g.f) * i)
    return total


def solve_unit_rate(advances: Sequence[FlowGroup], payments: Sequence[FlowGroup]) -> Decimal:
    """The unit-period rate ``i`` that balances advances and payments (|error| < 1e-14).

    Raises NoSolutionError when no rate in (-99%, 1000%) per period balances them.
    """
    if not advances or not payments:
        raise NoSolutionError("there must be at least one advance and one payment")
    with localcontext() as ctx:
        ctx.prec = _PREC

        def gap(i: Decimal) -> Decimal:
            return _present_value(payments, i) - _present_value(advances, i)

        lo, hi = _LOW, _HIGH
        g_lo, g_hi = gap(lo), gap(hi)
        if g_lo == 0:
            return lo
        if (g_lo > 0) == (g_hi > 0):
            raise NoSolutionError("no interest rate makes these payments repay these advances")
        # Secant steps safeguarded by the bracket (Illinois-style): fast and never lost.
        a, b = Decimal("0.005"), Decimal("0.01")
        ga, gb = gap(a), gap(b)
        for _ in range(100):
            if gb == 0:
                return b
            if (gb > 0) == (g_lo > 0):
                lo, g_lo = b, gb
            else:
                hi, g_hi = b, gb
            step = gb * (b - a) / (gb - ga) if gb != ga else None
            nxt = b - step if step is not None else (lo + hi) / 2
            if not lo < nxt < hi:
                nxt = (lo + hi) / 2
            if abs(nxt - b) < _TOLERANCE:
                return +nxt
            a, ga, b, gb = b, gb, nxt, gap(nxt)
    raise NoSolutionError("the APR did not converge")


def solve_apr(
    advances: Sequence[FlowGroup],
    payments: Sequence[FlowGroup],
    periods_per_year: Fraction | int,
) -> Decimal:
    """The APR as a fraction (0.0969 for 9.69%), unrounded."""
    i = solve_unit_rate(advances, payments)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return i * _dec(Fraction(periods_per_year))


def group_flows(flows: Sequence[tuple[Decimal, int, Fraction]]) -> list[FlowGroup]:
    """Collapse (amount, t, f) flows into runs of equal amounts one unit period apart."""
    groups: list[FlowGroup] = []
    for amount, t, f in sorted(flows, key=lambda x: (x[1], x[2])):
        last = groups[-1] if groups else None
        if last and last.amount == amount and last.f == f and last.t + last.count == t:
            groups[-1] = FlowGroup(amount, last.t, f, last.count + 1)
        else:
            groups.append(FlowGroup(amount, t, f, 1))
    return groups

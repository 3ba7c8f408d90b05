"""APR by the actuarial method of Regulation Z, Appendix J (the general equation).

Each cash flow sits ``t`` whole unit periods plus a fraction ``f`` of one after the first
advance. The fractional part is discounted with the simple-interest factor ``1 + f·i``, never
``(1 + i)^f`` (the classic bug). The APR is the unit-period rate ``i`` times the number of unit
periods in a year. All arithmetic is Decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise

from domain.errors import InputError, NoSolutionError

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

    @property
    def f_decimal(self) -> Decimal:
        return _dec(self.f)


def _dec(fraction: Fraction) -> Decimal:
    key = (fraction.numerator, fraction.denominator)  # Fraction's own hash is slow
    value = _DEC_CACHE.get(key)
    if value is None:
        value = _DEC_CACHE[key] = Decimal(key[0]) / Decimal(key[1])
    return value


_DEC_CACHE: dict[tuple[int, int], Decimal] = {}


def _present_value(groups: Sequence[FlowGroup], i: Decimal) -> Decimal:
    return _pv(_prepare(groups), i)


def _prepare(groups: Sequence[FlowGroup]) -> list[tuple[Decimal, int, Decimal | None, int]]:
    """(amount, t, f as a Decimal or None when 0, count) of each group, read once per solve."""
    return [(g.amount, g.t, _dec(g.f) if g.f else None, g.count) for g in groups]


def _pv(groups: list[tuple[Decimal, int, Decimal | None, int]], i: Decimal) -> Decimal:
    """Σ amount·annuity·v^t / (1 + f·i), group by group in order. Each operation is the one the
    plain formula performs, so the result is the same to the last digit; what is saved is only
    work that cannot change it: an annuity or a (1 + f·i) already computed for an equal count or
    f in this sum, and the exact products and quotients by one."""
    one = _ONE
    if i == 0:
        return sum((amount * count for amount, _t, _f, count in groups), Decimal(0))
    one_i = one + i
    v = one / one_i
    total = Decimal(0)
    annuities: dict[int, Decimal] = {}
    dens: dict[Decimal, Decimal] = {}
    for amount, t, f, count in groups:
        if count > 1:
            annuity = annuities.get(count)
            if annuity is None:
                annuity = annuities[count] = (one - v**count) / i * one_i
            value = amount * annuity * v**t
        else:
            value = amount * v**t
        if f is not None:
            den = dens.get(f)
            if den is None:
                den = dens[f] = one + f * i
            value = value / den
        total += value
    return total


_ONE = Decimal(1)


def solve_unit_rate(
    advances: Sequence[FlowGroup], payments: Sequence[FlowGroup], guess: Decimal | None = None
) -> Decimal:
    """The unit-period rate ``i`` that balances advances and payments (|error| < 1e-14).

    ``guess`` (e.g. the note rate per period) only speeds the search up.
    Raises InputError when the flows are no loan (see :func:`check_flows`), NoSolutionError
    when no rate in (-99%, 1000%) per period balances them.
    """
    if not advances or not payments:
        raise NoSolutionError("there must be at least one advance and one payment")
    check_flows(advances, payments)
    with localcontext() as ctx:
        ctx.prec = _PREC

        paid, advanced = _prepare(payments), _prepare(advances)
        fast = _level_root(advanced, paid, guess)
        return fast if fast is not None else _secant_root(advanced, paid, guess)


def check_flows(advances: Sequence[FlowGroup], payments: Sequence[FlowGroup]) -> None:
    """InputError unless the flows describe a loan: the advances add up to more than zero,
    the payments to at least as much, and every payment comes after the first advance. A
    payment at the same time as the advance only nets against it, flows that are all zero
    balance at any rate, and payments short of the advance leave no finance charge (the
    solver's rate would be negative), so the "APR" would be meaningless. Fields are named
    ``advances``, ``payments`` and ``payments[k].t``, ``k`` the group's position."""
    if len(advances) == 1:  # the common case, kept cheap: every quote solves its APR
        first = advances[0]
        advanced = first.amount * first.count
        t0, f0 = first.t, first.f
    else:
        advanced = sum((g.amount * g.count for g in advances), Decimal(0))
        t0, f0 = min((g.t, g.f) for g in advances)
    if advanced <= 0:
        raise InputError("advances", "positive_total", "must add up to more than zero")
    paid = sum((g.amount * g.count for g in payments), Decimal(0))
    if paid < advanced:
        raise InputError(
            "payments",
            "at_least_advanced",
            "add up to {paid}, less than the {advanced} advanced: there is no finance charge, "
            "so no APR",
            {"paid": str(paid), "advanced": str(advanced)},
        )
    for k, g in enumerate(payments):
        if g.t < t0 or (g.t == t0 and g.f <= f0):
            raise InputError(
                f"payments[{k}].t",
                "after_first_advance",
                "must come after the first advance (t = {t}, f = {f})",
                {"t": t0, "f": str(f0)},
            )


def _secant_root(
    advanced: list[tuple[Decimal, int, Decimal | None, int]],
    paid: list[tuple[Decimal, int, Decimal | None, int]],
    guess: Decimal | None,
) -> Decimal:
    """Any flows: secant steps from the guess, then a bracketed search (40-digit context)."""

    def gap(i: Decimal) -> Decimal:
        return _pv(paid, i) - _pv(advanced, i)

    if guess is not None and _LOW < guess < _HIGH:
        a, b = guess, guess * Decimal("1.0001") + Decimal("1e-9")
    else:
        a, b = Decimal("0.005"), Decimal("0.01")
    ga, gb = gap(a), gap(b)
    # Plain secant steps from the guess; the present value is smooth and, for the loans we
    # price, monotone, so this converges in a handful of steps.
    x0, g0, x1, g1 = a, ga, b, gb
    for _ in range(12):
        if g1 == 0:
            return x1
        if g1 == g0:
            break
        x2 = x1 - g1 * (x1 - x0) / (g1 - g0)
        if not _LOW < x2 < _HIGH:
            break
        if abs(x2 - x1) < _TOLERANCE:
            return +x2
        x0, g0, x1, g1 = x1, g1, x2, gap(x2)
    return _bracketed(gap, a, ga, b, gb)


def _fpow(x: float, n: int) -> float:
    """x**n (n >= 0) by squaring: IEEE products round the same on every platform, unlike the
    C library's pow(), so the seed below, and with it the last digits of the rate, do too."""
    result = 1.0
    while n:
        if n & 1:
            result *= x
        x *= x
        n >>= 1
    return result


def _level_root(
    advanced: list[tuple[Decimal, int, Decimal | None, int]],
    paid: list[tuple[Decimal, int, Decimal | None, int]],
    guess: Decimal | None,
) -> Decimal | None:
    """The rate of the commonest loan — one advance at 0, then ``m`` equal payments one period
    apart from period 1 and a last one (equal or not) at ``m + 1``, no fractional periods — by
    Newton steps on floats to a seed, then Newton steps at 40 digits from it until one moves
    the rate by less than the tolerance (at most three, else None: the general solve takes
    over). From a seed good to a float's precision the first step lands within about 1e-28
    of the root: one or two 40-digit present values, where the general solve takes six or
    seven.

    The gap is ``P·(1 - w)/i + L·w·v - A`` with ``v = 1/(1+i)`` and ``w = v^m``."""
    if len(advanced) != 1 or not 1 <= len(paid) <= 2:
        return None
    advance, t0, f0, c0 = advanced[0]
    regular, t1, f1, c1 = paid[0]
    if t0 != 0 or f0 is not None or c0 != 1 or t1 != 1 or f1 is not None:
        return None
    if len(paid) == 1:
        m, last = c1 - 1, regular
    else:
        last, t2, f2, c2 = paid[1]
        if f2 is not None or c2 != 1 or t2 != c1 + 1:
            return None
        m = c1
    if m < 1 or advance <= 0 or regular <= 0 or last <= 0:
        return None
    a, p, q = float(advance), float(regular), float(last)
    i = float(guess) if guess is not None and 1e-6 < guess < 1 else 0.01
    for _ in range(40):
        gap, slope = _level_gap(i, p, q, a, m, 1.0, _fpow)
        if slope == 0 or not math.isfinite(gap) or not math.isfinite(slope):
            return None
        step = gap / slope
        i -= step
        if not 1e-9 < i < 10:
            return None  # near or below zero the general solve is the safer
        if abs(step) < 1e-10:  # quadratic: this step left an error at a float's precision
            break
    else:
        return None
    x = Decimal(repr(i))
    for _ in range(3):  # a float's seed is good to 1e-15 or so; at low rates 1 - w loses digits
        gap, slope = _level_gap(x, regular, last, advance, m, _ONE, pow)
        if slope == 0:
            return None
        step = gap / slope
        x -= step
        if abs(step) < _TOLERANCE:
            return x
    return None


def _level_gap(i, regular, last, advance, m: int, one, power):
    """(gap, d gap / d i) of the level loan at ``i``, in floats or Decimals alike."""
    v = one / (one + i)
    w = power(v, m)
    gap = regular * (one - w) / i + last * w * v - advance
    slope = regular * (m * w * v * i - (one - w)) / (i * i) - last * (m + 1) * w * v * v
    return gap, slope


def _bracketed(gap, a: Decimal, ga: Decimal, b: Decimal, gb: Decimal) -> Decimal:
    """Secant steps safeguarded by the (-99%, 1000%) bracket: slower, never lost."""
    lo, hi = _LOW, _HIGH
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo == 0:
        return lo
    if (g_lo > 0) == (g_hi > 0):
        raise NoSolutionError("no interest rate makes these payments repay these advances")
    for _ in range(200):
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
    guess: Decimal | None = None,
) -> Decimal:
    """The APR as a fraction (0.0969 for 9.69%), unrounded. ``guess`` is an APR estimate."""
    ppy = (
        Decimal(periods_per_year)  # the same value as the fraction's, without building one
        if isinstance(periods_per_year, int)
        else _dec(Fraction(periods_per_year))
    )
    i = solve_unit_rate(advances, payments, None if guess is None else guess / ppy)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return i * ppy


def group_flows(flows: Sequence[tuple[Decimal, int, Fraction]]) -> list[FlowGroup]:
    """Collapse (amount, t, f) flows into runs of equal amounts one unit period apart."""
    ordered = all(a[1] < b[1] for a, b in pairwise(flows))
    groups: list[FlowGroup] = []
    run: list = []  # [amount, t, f, f-key, count] of the run being collected
    for amount, t, f in flows if ordered else sorted(flows, key=lambda x: (x[1], x[2])):
        key = (f.numerator, f.denominator)
        if run and run[1] + run[4] == t and run[0] == amount and run[3] == key:
            run[4] += 1
            continue
        if run:
            groups.append(FlowGroup(run[0], run[1], run[2], run[4]))
        run = [amount, t, f, key, 1]
    if run:
        groups.append(FlowGroup(run[0], run[1], run[2], run[4]))
    return groups

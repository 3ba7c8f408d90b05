"""The loan a contract signs, as it travels with the contract and is stored beside it.

A signed PDF stays on the device that signed it, but every device that shows the loan — the
buyer's other devices (a new phone), the dealership's other tablets — folds it from its
terms. So a contract's record carries them: the loan terms, the late and prepayment terms it
is serviced by, and the lender's name, in the PDF record's JSON form (``contracts.record``)
with every amount of money as integer cents under ``<field>_cents``, as money travels.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.record import decode, encode
from domain.loans import LoanTerms
from domain.money import from_cents, to_cents
from domain.repayments import Terms

#: The money fields of ``LoanTerms`` (and its ``Fee``) and of ``Terms`` (its ``LateFeePolicy``);
#: every other Decimal in them is a rate.
MONEY_FIELDS = frozenset({"cash_price", "down_payment", "balloon_amount", "trade_in", "amount",
                          "cap"})  # fmt: skip


@dataclass(frozen=True)
class ContractLoan:
    """What a device needs to fold a signed loan without its PDF."""

    terms: LoanTerms
    servicing: Terms
    lender: str


def to_wire(loan: ContractLoan) -> dict[str, Any]:
    """``loan`` as JSON-ready data, money in cents."""
    return _cents_out(
        {"terms": encode(loan.terms), "servicing": encode(loan.servicing), "lender": loan.lender}
    )


def from_wire(data: Any) -> ContractLoan:
    """The inverse of :func:`to_wire`; ValueError naming what is wrong when ``data`` is not a
    loan's terms (a whole number of cents for each amount, the terms the engine can quote)."""
    from domain.loans import quote

    if not isinstance(data, dict) or not isinstance(data.get("lender"), str):
        raise ValueError("must be an object with the loan's terms, servicing and lender")
    try:
        loan = stored(data)
        quote(loan.terms)  # terms the engine cannot schedule are no loan's
    except Exception as exc:  # untrusted input: any failure means "not a loan's terms"
        raise ValueError(f"are not a loan's terms ({type(exc).__name__}: {exc})") from None
    if to_wire(loan) != data:  # a field of the wrong type, or one no loan has
        raise ValueError("are not a loan's terms as the app writes them")
    return loan


def stored(data: dict[str, Any]) -> ContractLoan:
    """A loan as a device stored it, checked (:func:`from_wire`) where it came in — by the
    server, or written by this app — so read without quoting it again: every fold quotes it."""
    plain = _cents_in(data)
    return ContractLoan(
        terms=decode(LoanTerms, plain["terms"]),
        servicing=decode(Terms, plain["servicing"]),
        lender=data["lender"],
    )


def _cents_out(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            (f"{k}_cents" if k in MONEY_FIELDS else k): (
                _cents(v) if k in MONEY_FIELDS else _cents_out(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_cents_out(v) for v in value]
    return value


def _cents(amount: str | None) -> int | None:
    return None if amount is None else to_cents(Decimal(amount))


def _cents_in(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            stem = k.removesuffix("_cents")
            if stem != k and stem in MONEY_FIELDS:
                out[stem] = None if v is None else str(from_cents(v))
            else:
                out[k] = _cents_in(v)
        return out
    if isinstance(value, list):
        return [_cents_in(v) for v in value]
    return value

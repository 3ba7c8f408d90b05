"""The repayment engine's settings from a loan product's rules.

:func:`terms_from_product` is the one place a :class:`domain.catalog.LoanProduct`'s late-fee
and prepayment rules become the :class:`domain.repayments.Terms` the fold applies:

=====================================  ================================================
product rule                           engine setting
=====================================  ================================================
late_fee.grace_days                    LateFeePolicy.grace_days
late_fee.fixed_fee                     LateFeePolicy.amount (once per missed instalment)
late_fee.daily_penalty_rate (罚息)      LateFeePolicy.daily_penalty_rate
prepayment.allowed                     PrepaymentPolicy.allowed
prepayment.lockout_months              PrepaymentPolicy.lockout_instalments
prepayment.fee_rate                    PrepaymentPolicy.fee_rate (0 when waived for a
                                       trade-in deal and the product waives it)
prepayment.fee_free_after_months       PrepaymentPolicy.fee_free_after
=====================================  ================================================

Months count instalments fallen due (car loans are monthly). The product's fee is stated on
the outstanding principal; the engine charges it on the principal repaid early, which for a
payoff is the outstanding principal beyond what is already due. ``late_fee
.credit_report_after_days`` is a reporting rule, not a charge, and has no engine setting.
"""

from __future__ import annotations

from domain.catalog import LoanProduct
from domain.money import ZERO
from domain.repayments import LateFeePolicy, PrepaymentMode, PrepaymentPolicy, Terms

__all__ = ["terms_from_product"]


def terms_from_product(
    product: LoanProduct,
    *,
    mode: PrepaymentMode = PrepaymentMode.SHORTEN_TERM,
    trade_in: bool = False,
) -> Terms:
    """The engine's terms for a loan on ``product``; ``mode`` is the buyer's choice of what an
    early repayment does, ``trade_in`` whether the deal included a trade-in."""
    late, pre = product.late_fee, product.prepayment
    waived = trade_in and pre.waived_for_trade_in
    return Terms(
        late_fee=LateFeePolicy(
            amount=late.fixed_fee,
            grace_days=late.grace_days,
            daily_penalty_rate=late.daily_penalty_rate,
        ),
        prepayment=PrepaymentPolicy(
            fee_rate=ZERO if waived else pre.fee_rate,
            mode=mode,
            allowed=pre.allowed,
            lockout_instalments=pre.lockout_months,
            fee_free_after=pre.fee_free_after_months,
        ),
    )

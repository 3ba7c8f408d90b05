"""Factories for domain objects: sensible defaults, override what the test is about.

make_vehicle(price=Decimal("99800.00"), energy=Energy.BEV)
make_product(max_pti=Decimal("0.15"), rate_card=(rate(RiskTier.A, "0.0390"),))
make_applicant(monthly_income=Decimal("8000.00"))
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from domain.catalog import (
    Application,
    BodyType,
    BuyerProfile,
    Condition,
    Dealer,
    Employment,
    Energy,
    EventType,
    FeeBasis,
    FeeRule,
    Interaction,
    Lender,
    LenderType,
    LoanProduct,
    LtvCap,
    LtvCategory,
    ProductKind,
    RateQuote,
    RiskTier,
    Role,
    User,
    Vehicle,
)
from domain.loans import Fee, LoanTerms, Method
from domain.repayments import LateFeePolicy, PrepaymentPolicy, Terms
from sync.contract_loan import ContractLoan

_counter = itertools.count(1)


def _uuid(kind: int) -> str:
    n = next(_counter)
    return f"00000000-0000-4000-8{kind:03x}-{n:012x}"


def rate(tier: RiskTier | str, annual: str | None = None, *, flat: str | None = None, **kw):
    """A rate-card line: ``rate("A", "0.0390")`` or ``rate("B", flat="0.04")``."""
    return RateQuote(
        tier=RiskTier(tier),
        annual_rate=None if annual is None else Decimal(annual),
        flat_rate=None if flat is None else Decimal(flat),
        **kw,
    )


def make_dealer(**overrides) -> Dealer:
    base = Dealer(
        id=_uuid(1),
        name_zh="演示汽车城",
        name_en="Demo Auto Mall",
        city="Shanghai",
        city_zh="上海",
        brands=("BYD",),
    )
    return replace(base, **overrides)


def make_lender(**overrides) -> Lender:
    base = Lender(id=_uuid(2), name_zh="华信银行", name_en="Huaxin Bank", type=LenderType.BANK)
    return replace(base, **overrides)


def make_vehicle(**overrides) -> Vehicle:
    n = next(_counter)
    base = Vehicle(
        id=_uuid(3),
        dealer_id=overrides.pop("dealer_id", None) or make_dealer().id,
        make="BYD",
        make_zh="比亚迪",
        model="Seal",
        trim="650 Premium",
        year=2026,
        body=BodyType.SEDAN,
        energy=Energy.BEV,
        condition=Condition.NEW,
        price=Decimal("179800.00"),
        colour="white",
        vin=f"LGXCE4CB{n:09d}",
        picture="pictures/sedan-white.svg",
    )
    return replace(base, **overrides)


def make_product(**overrides) -> LoanProduct:
    base = LoanProduct(
        id=_uuid(4),
        lender_id=overrides.pop("lender_id", None) or make_lender().id,
        code=f"TEST-{next(_counter)}",
        name_zh="标准车贷",
        name_en="Standard car loan",
        kind=ProductKind.LOAN,
        rate_card=(
            rate("A", "0.0390"),
            rate("B", "0.0490"),
            rate("C", "0.0690"),
        ),
        terms=(12, 24, 36, 48, 60),
        ltv_caps=(
            LtvCap(LtvCategory.PRIVATE_NEW, Decimal("0.80")),
            LtvCap(LtvCategory.USED, Decimal("0.70")),
        ),
        fees=(
            FeeRule(
                name_zh="手续费",
                name_en="Handling fee",
                basis=FeeBasis.FIXED,
                amount=Decimal("400.00"),
            ),
        ),
        min_down_payment_pct=Decimal("0.20"),
        max_dti=Decimal("0.50"),
        max_pti=Decimal("0.20"),
        min_monthly_income=Decimal("5000.00"),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    return replace(base, **overrides)


def make_user(**overrides) -> User:
    n = next(_counter)
    base = User(id=_uuid(5), username=f"buyer{n}", role=Role.BUYER, display_name=f"Buyer {n}")
    return replace(base, **overrides)


def make_applicant(**overrides) -> BuyerProfile:
    """A buyer profile (the person applying for credit)."""
    base = BuyerProfile(
        id=_uuid(6),
        user_id=overrides.pop("user_id", None) or make_user().id,
        full_name="李明",
        birth_year=1992,
        city="Shanghai",
        monthly_income=Decimal("15000.00"),
        monthly_debt_payments=Decimal("2000.00"),
        credit_score=720,
        employment=Employment.EMPLOYED,
        years_employed=5,
        id_number="110101199203071234",
        phone="13812345678",
    )
    return replace(base, **overrides)


def make_application(**overrides) -> Application:
    base = Application(
        id=_uuid(7),
        user_id=overrides.pop("user_id", None) or make_user().id,
        vehicle_id=overrides.pop("vehicle_id", None) or make_vehicle().id,
        cash_price=Decimal("179800.00"),
        down_payment=Decimal("53940.00"),
        term=36,
        created_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    )
    return replace(base, **overrides)


def make_interaction(**overrides) -> Interaction:
    base = Interaction(
        id=_uuid(8),
        user_id=overrides.pop("user_id", None) or make_user().id,
        product_id=overrides.pop("product_id", None) or make_product().id,
        event=EventType.VIEW,
        at=datetime(2026, 10, 1, 12, 0, tzinfo=UTC),
    )
    return replace(base, **overrides)


#: A signed loan with a fee, a balloon, a trade-in and servicing terms (sync.contract_loan).
SIGNED_LOAN = ContractLoan(
    terms=LoanTerms(
        cash_price=Decimal("179800.00"), down_payment=Decimal("53940.00"),
        loan_date=date(2026, 11, 30), count=36, annual_rate=Decimal("0.0599"),
        method=Method.BALLOON, balloon_amount=Decimal("20000.50"), trade_in=Decimal("8000"),
        fees=(Fee("手续费", Decimal("300.00"), prepaid_finance_charge=True),),
    ),
    servicing=Terms(
        late_fee=LateFeePolicy(amount=Decimal("50"), cap=None,
                               daily_penalty_rate=Decimal("0.0005")),
        prepayment=PrepaymentPolicy(fee_rate=Decimal("0.02"), fee_free_after=12),
    ),
    lender="上汽通用汽车金融",
)  # fmt: skip

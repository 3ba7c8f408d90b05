"""The market's nouns as pure frozen dataclasses: vehicles, dealers, lenders, loan products
with their complete rule sets, buyers, interactions, and the records a deal leaves behind.

Everything here is plain data plus small predicates. Eligibility rules, scoring and quoting are
built on top of these (``domain.eligibility``, ``domain.loans``); nothing here does I/O.
Money is ``Decimal`` (quantised to 0.01); rates and ratios are ``Decimal`` *fractions*
(``Decimal("0.0690")`` is 6.90%); times are aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from domain.errors import InputError

T = TypeVar("T")
ZERO = Decimal("0.00")
ONE = Decimal("1")


# --- vehicles -----------------------------------------------------------------------------


class Energy(StrEnum):
    BEV = "BEV"  # battery electric
    PHEV = "PHEV"  # plug-in hybrid, extended-range included (China counts it as NEV)
    HEV = "HEV"  # self-charging hybrid: *not* a new-energy vehicle in China
    ICE = "ICE"  # petrol / diesel

    @property
    def is_nev(self) -> bool:
        return self in (Energy.BEV, Energy.PHEV)


class BodyType(StrEnum):
    SEDAN = "sedan"
    HATCHBACK = "hatchback"
    SUV = "suv"
    MPV = "mpv"
    COUPE = "coupe"
    WAGON = "wagon"
    PICKUP = "pickup"
    VAN = "van"


class Condition(StrEnum):
    NEW = "new"
    USED = "used"


class VehicleUse(StrEnum):
    PRIVATE = "private"
    COMMERCIAL = "commercial"  # ride-hailing, small-business fleets


class LtvCategory(StrEnum):
    """The categories China's LTV caps are set by (PBoC/NFRA notice, April 2024)."""

    PRIVATE_NEW = "private_new"
    USED = "used"
    COMMERCIAL_FUEL = "commercial_fuel"
    COMMERCIAL_NEV = "commercial_nev"


#: The regulatory ceiling of loan-to-value per category; a lender sets its own at or below.
REGULATORY_LTV_CAPS: dict[LtvCategory, Decimal] = {
    LtvCategory.PRIVATE_NEW: Decimal("1.00"),
    LtvCategory.USED: Decimal("0.70"),
    LtvCategory.COMMERCIAL_FUEL: Decimal("0.70"),
    LtvCategory.COMMERCIAL_NEV: Decimal("0.75"),
}


def ltv_category(condition: Condition, energy: Energy, use: VehicleUse) -> LtvCategory:
    """The LTV category of a deal. A used car takes the used cap (70%) whatever its use,
    because it is the lowest that applies."""
    if condition is Condition.USED:
        return LtvCategory.USED
    if use is VehicleUse.COMMERCIAL:
        return LtvCategory.COMMERCIAL_NEV if energy.is_nev else LtvCategory.COMMERCIAL_FUEL
    return LtvCategory.PRIVATE_NEW


@dataclass(frozen=True)
class Vehicle:
    id: str
    dealer_id: str
    make: str  # brand in English, e.g. "BYD"
    make_zh: str  # e.g. "比亚迪"
    model: str
    trim: str
    year: int  # model year
    body: BodyType
    energy: Energy
    condition: Condition
    price: Decimal  # the dealer's cash price, CNY
    colour: str  # a colour key, e.g. "white" (app.i18n names it)
    vin: str
    picture: str = ""  # a path relative to the data dir, e.g. "pictures/suv-white.svg"
    mileage_km: int = 0
    first_registration: date | None = None  # used cars only
    seats: int = 5
    #: the model's official figures (None where they do not apply): pure-electric range by
    #: CLTC (BEV, PHEV); fuel per 100 km by WLTC (ICE, HEV; a PHEV's with its battery
    #: depleted); electricity per 100 km (BEV)
    electric_range_km: int | None = None
    fuel_l_100km: Decimal | None = None
    power_kwh_100km: Decimal | None = None
    #: the model's name in Chinese where it has its own, e.g. "海豹" for BYD's "Seal" (what a
    #: buyer in China calls it and searches for); empty where the model is named the same
    model_zh: str = ""
    updated_ms: int = 0
    deleted: bool = False

    @property
    def is_nev(self) -> bool:
        return self.energy.is_nev

    def make_and_model(self, locale: str) -> tuple[str, str]:
        """The make and model as a reader of ``locale`` names them: in Chinese, the make's
        Chinese name and the model's where it has one of its own."""
        if locale.startswith("zh"):
            return self.make_zh, self.model_zh or self.model
        return self.make, self.model

    def age_years(self, on: date) -> Decimal:
        """Years since first registration (or since 1 January of the model year when new),
        to two decimals."""
        start = self.first_registration or date(self.year, 1, 1)
        return (Decimal((on - start).days) / Decimal("365.25")).quantize(Decimal("0.01"))

    def ltv_category(self, use: VehicleUse = VehicleUse.PRIVATE) -> LtvCategory:
        return ltv_category(self.condition, self.energy, use)


@dataclass(frozen=True)
class Dealer:
    id: str
    name_zh: str
    name_en: str
    city: str  # a city key in English, e.g. "Shanghai"
    city_zh: str
    brands: tuple[str, ...] = ()  # franchised makes; empty for a multi-brand used-car dealer
    sells_used: bool = True
    address_zh: str = ""  # the showroom's street address ("" until the catalogue has it)
    address_en: str = ""
    phone: str = ""  # the showroom's public number, as dialled in China
    updated_ms: int = 0
    deleted: bool = False


# --- lenders and their products -------------------------------------------------------------


class LenderType(StrEnum):
    BANK = "bank"
    AUTO_FINANCE = "auto_finance"  # 汽车金融公司, often a maker's captive
    CONSUMER_FINANCE = "consumer_finance"  # 消费金融公司
    FINANCE_LEASING = "finance_leasing"  # 融资租赁公司


@dataclass(frozen=True)
class Lender:
    id: str
    name_zh: str
    name_en: str
    type: LenderType
    captive_brands: tuple[str, ...] = ()  # the makes an auto-finance captive serves
    updated_ms: int = 0
    deleted: bool = False


class ProductKind(StrEnum):
    LOAN = "loan"  # an amortising instalment loan at a nominal rate
    FINANCE_LEASE = "finance_lease"  # 融资租赁: the lessor owns the car until the last rent
    BALLOON = "balloon"  # lower instalments and a large final payment
    FLAT_PROMO = "flat_promo"  # "0 利息 + 手续费" or a flat rate on the original principal


class RiskTier(StrEnum):
    """Credit tiers, best first. The scorecard maps a buyer to one."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class FlatPer(StrEnum):
    YEAR = "year"  # 年费率
    MONTH = "month"  # 月费率


@dataclass(frozen=True)
class RateQuote:
    """One line of a rate card: the rate a tier gets, for some terms (all when ``terms`` is
    empty). Exactly one of ``annual_rate`` (nominal, amortising) and ``flat_rate`` (on the
    original principal, per ``flat_per``) is set."""

    tier: RiskTier
    annual_rate: Decimal | None = None
    flat_rate: Decimal | None = None
    flat_per: FlatPer = FlatPer.YEAR
    terms: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if (self.annual_rate is None) == (self.flat_rate is None):
            raise InputError(
                "rate_card.rate", "one_rate", "must give either an annual rate or a flat rate"
            )
        rate = self.annual_rate if self.annual_rate is not None else self.flat_rate
        if not ZERO <= rate < ONE:
            raise InputError(
                "rate_card.rate", "rate_fraction", "must be a fraction between 0 and 1"
            )

    @property
    def is_flat(self) -> bool:
        return self.flat_rate is not None

    def applies_to(self, term: int) -> bool:
        return not self.terms or term in self.terms


class FeeBasis(StrEnum):
    FIXED = "fixed"  # ``amount`` CNY
    PERCENT_OF_PRINCIPAL = "percent_of_principal"  # ``rate`` × the amount borrowed
    PERCENT_OF_PRICE = "percent_of_price"  # ``rate`` × the cash price


@dataclass(frozen=True)
class FeeRule:
    """A fee the product charges at origination. ``financed`` fees are added to the principal
    (and so spread over the instalments: the "0 利息 + 手续费" pattern); prepaid finance charges
    count in the APR (standards.md §3)."""

    name_zh: str
    name_en: str
    basis: FeeBasis
    amount: Decimal = ZERO
    rate: Decimal = ZERO
    financed: bool = False
    prepaid_finance_charge: bool = True

    def amount_for(self, *, principal: Decimal, price: Decimal) -> Decimal:
        from domain.money import money

        if self.basis is FeeBasis.FIXED:
            return money(self.amount)
        base = principal if self.basis is FeeBasis.PERCENT_OF_PRINCIPAL else price
        return money(base * self.rate)


@dataclass(frozen=True)
class LtvCap:
    category: LtvCategory
    max_ltv: Decimal  # a fraction of the vehicle's value


@dataclass(frozen=True)
class VehicleLimits:
    """Limits on the car itself. ``None`` means no limit."""

    max_age_years: int | None = None  # at application
    max_age_at_maturity_years: int | None = None  # age when the last payment falls due
    max_mileage_km: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None


@dataclass(frozen=True)
class BalloonRule:
    """The final payment of a balloon product, as a fraction of the cash price."""

    min_pct: Decimal
    max_pct: Decimal


@dataclass(frozen=True)
class PrepaymentRule:
    allowed: bool = True
    lockout_months: int = 0  # no prepayment before this many payments
    fee_rate: Decimal = ZERO  # × the outstanding principal
    fee_free_after_months: int | None = None  # the fee falls away after this many payments
    waived_for_trade_in: bool = False  # regulators encourage waiving it in trade-in deals

    def fee_rate_after(self, paid_count: int, *, trade_in: bool = False) -> Decimal:
        """The prepayment fee rate after ``paid_count`` payments; raises when not allowed."""
        if not self.allowed or paid_count < self.lockout_months:
            raise InputError(
                "prepayment.paid_count",
                "prepayment_not_allowed",
                "prepayment is not allowed before {months} payments",
                {"months": self.lockout_months},
            )
        if trade_in and self.waived_for_trade_in:
            return ZERO
        if self.fee_free_after_months is not None and paid_count >= self.fee_free_after_months:
            return ZERO
        return self.fee_rate


@dataclass(frozen=True)
class LateFeeRule:
    grace_days: int = 3
    daily_penalty_rate: Decimal = Decimal("0.0005")  # 罚息 per day on the overdue amount
    fixed_fee: Decimal = ZERO  # per missed instalment
    credit_report_after_days: int = 30


@dataclass(frozen=True)
class LoanProduct:
    """A loan product and every rule that decides who may get it and on what terms.

    A buyer's tier must appear in ``rate_card``; a category missing from ``ltv_caps`` is not
    financed. Empty ``energies`` / ``brands`` / ``cities`` mean no restriction.
    """

    id: str
    lender_id: str
    code: str
    name_zh: str
    name_en: str
    kind: ProductKind
    rate_card: tuple[RateQuote, ...]
    terms: tuple[int, ...]  # months offered
    ltv_caps: tuple[LtvCap, ...]
    fees: tuple[FeeRule, ...] = ()
    min_down_payment_pct: Decimal = Decimal("0.20")  # of the cash price, trade-in counts
    max_dti: Decimal = Decimal("0.50")
    max_pti: Decimal = Decimal("0.20")
    min_monthly_income: Decimal = ZERO
    min_age: int = 18
    max_age_at_maturity: int = 65
    min_amount: Decimal = Decimal("10000.00")
    max_amount: Decimal = Decimal("2000000.00")
    conditions: frozenset[Condition] = frozenset({Condition.NEW, Condition.USED})
    uses: frozenset[VehicleUse] = frozenset({VehicleUse.PRIVATE})
    energies: frozenset[Energy] = frozenset()
    brands: frozenset[str] = frozenset()  # brand-captive: only these makes
    cities: frozenset[str] = frozenset()
    vehicle_limits: VehicleLimits = field(default_factory=VehicleLimits)
    balloon: BalloonRule | None = None
    prepayment: PrepaymentRule = field(default_factory=PrepaymentRule)
    late_fee: LateFeeRule = field(default_factory=LateFeeRule)
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive
    updated_ms: int = 0
    deleted: bool = False

    def __post_init__(self) -> None:
        if not self.rate_card:
            raise InputError("product.rate_card", "required", "is required")
        if not self.terms or any(t <= 0 for t in self.terms):
            raise InputError("product.terms", "positive_terms", "must list positive terms")
        for cap in self.ltv_caps:
            ceiling = REGULATORY_LTV_CAPS[cap.category]
            if not ZERO < cap.max_ltv <= ceiling:
                raise InputError(
                    f"product.ltv_caps.{cap.category.value}",
                    "ltv_over_regulatory_cap",
                    "must not exceed the regulatory cap of {cap}",
                    {"cap": str(ceiling)},
                )
        if (self.kind is ProductKind.BALLOON) != (self.balloon is not None):
            raise InputError(
                "product.balloon", "balloon_rule", "balloon products, and only they, need a rule"
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise InputError("product.valid_to", "after_valid_from", "must not precede valid_from")

    @property
    def nev_only(self) -> bool:
        return bool(self.energies) and all(e.is_nev for e in self.energies)

    @property
    def brand_captive(self) -> bool:
        return bool(self.brands)

    @property
    def is_lease(self) -> bool:
        """A finance lease: the lessor owns the car until the last rent; its words are rent."""
        return self.kind is ProductKind.FINANCE_LEASE

    @property
    def tiers(self) -> frozenset[RiskTier]:
        return frozenset(q.tier for q in self.rate_card)

    def is_active_on(self, day: date) -> bool:
        if self.deleted:
            return False
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_to and day > self.valid_to)

    def rate_for(self, tier: RiskTier, term: int) -> RateQuote | None:
        """The rate-card line for a tier and term, or None when the product does not lend so."""
        if term not in self.terms:
            return None
        for line in self.rate_card:
            if line.tier is tier and line.applies_to(term):
                return line
        return None

    def ltv_cap_for(self, category: LtvCategory) -> Decimal | None:
        for cap in self.ltv_caps:
            if cap.category is category:
                return cap.max_ltv
        return None

    def accepts_vehicle(self, vehicle: Vehicle) -> bool:
        """Make, energy and condition restrictions only (not price, age or mileage limits)."""
        return (
            vehicle.condition in self.conditions
            and (not self.energies or vehicle.energy in self.energies)
            and (not self.brands or vehicle.make in self.brands)
        )


# --- people and what they do --------------------------------------------------------------


class Role(StrEnum):
    BUYER = "buyer"
    DEALER_STAFF = "dealer_staff"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    role: Role
    display_name: str = ""
    dealer_id: str | None = None  # dealer staff only
    password_hash: str | None = None  # argon2; None: cannot sign in (synthetic buyers)
    updated_ms: int = 0
    deleted: bool = False


class Employment(StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    GIG = "gig"  # ride-hailing and platform work
    RETIRED = "retired"


@dataclass(frozen=True)
class BuyerProfile:
    """What prequalification needs about a buyer, and no more (PIPL data minimisation).
    ``id_number`` and ``phone`` are stored encrypted and shown masked (domain.privacy)."""

    id: str
    user_id: str
    full_name: str
    birth_year: int
    city: str
    monthly_income: Decimal  # gross, CNY
    monthly_debt_payments: Decimal  # existing obligations, CNY
    credit_score: int  # 300..900 on the bureau-style scale the scorecard reads
    employment: Employment
    years_employed: int = 0
    id_number: str = ""
    phone: str = ""
    use: VehicleUse = VehicleUse.PRIVATE
    segment: str | None = None  # demo buyers only: the generator's segment
    updated_ms: int = 0
    deleted: bool = False

    def age_on(self, day: date) -> int:
        return day.year - self.birth_year


class EventType(StrEnum):
    """Interaction events, weakest signal first (standards.md §7)."""

    VIEW = "view"
    SAVE = "save"
    OFFER_OPEN = "offer_open"
    APPLY = "apply"
    ACCEPT = "accept"
    FUND = "fund"

    @property
    def strength(self) -> int:
        return list(EventType).index(self) + 1


@dataclass(frozen=True)
class Interaction:
    id: str
    user_id: str
    product_id: str
    event: EventType
    at: datetime  # aware UTC
    vehicle_id: str | None = None


class ConsentPurpose(StrEnum):
    SOFT_CHECK = "soft_check"  # a credit soft check for prequalification
    SENSITIVE_DATA = "sensitive_data"  # separate consent for the ID number (PIPL Art. 29)
    ELECTRONIC_RECORDS = "electronic_records"  # ESIGN-style consent to e-disclosures
    DATA_SHARING = "data_sharing"  # sharing the application with a lender
    MARKETING = "marketing"


@dataclass(frozen=True)
class Consent:
    id: str
    user_id: str
    purpose: ConsentPurpose
    text_version: str
    given_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


# --- the records a deal leaves behind -------------------------------------------------------


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    PREQUALIFIED = "prequalified"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"
    CONTRACTED = "contracted"
    FUNDED = "funded"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Application:
    id: str
    user_id: str
    vehicle_id: str
    cash_price: Decimal
    down_payment: Decimal
    term: int
    status: ApplicationStatus = ApplicationStatus.DRAFT
    trade_in: Decimal = ZERO
    use: VehicleUse = VehicleUse.PRIVATE
    product_id: str | None = None  # the chosen product, once chosen
    dealer_id: str | None = None  # the originating dealer, when staff assisted
    created_at: datetime | None = None
    #: the behavioural checks' flags (reason codes, domain.prequal.fraud): any means the
    #: offers are provisional until a person at the lender has looked
    review: tuple[str, ...] = ()
    #: what the person reviewing a flagged application decided: approved | declined
    review_decision: str | None = None
    updated_ms: int = 0
    deleted: bool = False
    #: signed: its contract's first repayment date, which the lender's payout must come before
    pay_out_by: date | None = None

    @property
    def review_state(self) -> str | None:
        """See :func:`review_state`."""
        return review_state(self.status, self.review, self.review_decision)


REVIEW_DECISIONS = ("approved", "declined")


def review_state(status: str, review: tuple[str, ...], decision: str | None) -> str | None:
    """Where an application with these behavioural flags stands in its manual review: the
    reviewer's ``decision`` once made; ``pending`` while the application is open and no one
    has decided; None when no flag was raised, or nothing is left to review (withdrawn, or
    no lender offered)."""
    if not review:
        return None
    if decision is not None:
        return decision
    return None if status in ("withdrawn", "declined") else "pending"


@dataclass(frozen=True)
class OfferRecord:
    """A lender's answer in a prequalification: an offer with its disclosed figures, or a
    decline with the codes of every rule it failed (``reasons``: the ones its decline named,
    most important first, then the rest in code order; one an earlier Chedai saved holds
    the named ones only)."""

    id: str
    application_id: str
    product_id: str
    eligible: bool
    tier: RiskTier | None = None
    term: int = 0
    principal: Decimal = ZERO
    payment: Decimal = ZERO
    finance_charge: Decimal = ZERO
    total_of_payments: Decimal = ZERO
    apr: Decimal = ZERO  # a fraction
    reasons: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_ms: int = 0
    deleted: bool = False


@dataclass(frozen=True)
class ContractRecord:
    """A signed contract. Immutable: a change is a new ``version``."""

    id: str
    application_id: str
    offer_id: str
    version: int
    pdf_sha256: str
    signed_at: datetime
    pdf: bytes = b""
    updated_ms: int = 0
    deleted: bool = False
    #: the loan it signs as it travels (``sync.contract_loan.to_wire``); None when unknown
    loan: dict | None = None


class PaymentKind(StrEnum):
    INSTALMENT = "instalment"
    PREPAYMENT = "prepayment"
    LATE_FEE = "late_fee"


@dataclass(frozen=True)
class PaymentRecord:
    """A payment event (append-only, deduplicated by its id). ``reversed_on``: the date of
    the reversal that undid it (a bounced transfer), None while it stands."""

    id: str
    contract_id: str
    paid_on: date
    amount: Decimal
    kind: PaymentKind = PaymentKind.INSTALMENT
    created_at: datetime | None = None
    reversed_on: date | None = None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    details: dict
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer list: ``total`` counts every match, not just these items."""

    items: tuple[T, ...]
    total: int
    limit: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total

    @classmethod
    def of(cls, items: Sequence[T], *, total: int, limit: int, offset: int) -> Page[T]:
        return cls(tuple(items), total, limit, offset)

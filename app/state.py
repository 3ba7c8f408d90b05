"""Observable per-session UI state: the only thing views read, changed only by its methods.

One :class:`AppState` per browser session. Views are functions of it; a change calls
:meth:`AppState.notify`, which lets the shell rebuild the visible controls (Flet's keyed diff
sends only what changed). Nothing here does I/O: services compute, state remembers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Literal

from app.i18n import DEFAULT_LOCALE, LOCALES
from domain.errors import InputError
from domain.money import ZERO, money, parse_money

Role = Literal["buyer", "staff"]
TERMS = (12, 24, 36, 48, 60)
DOWN_RATIOS = tuple(Decimal(n) / 100 for n in range(0, 75, 5))  # 0%..70% in 5% steps
SORTS = ("price_asc", "price_desc", "year_desc", "mileage_asc")
#: Cards built per catalogue page: two desktop rows, more than a phone's first screen.
CATALOGUE_PAGE = 8
CATALOGUE_MAX = 96
#: Cars set side by side on the Compare screen, at most.
COMPARE_MAX = 3
#: The query fields counted as filters (search text and sorting are not).
FILTERS = ("brand", "price_band", "monthly_max", "energy", "body", "condition")


@dataclass(frozen=True)
class SessionUser:
    id: str
    name: str
    role: Role
    dealer_id: str | None = None
    dealer_name: str | None = None  # in Chinese
    dealer_name_en: str | None = None

    def dealer_label(self, locale: str) -> str | None:
        return self.dealer_name if locale.startswith("zh") else self.dealer_name_en


#: The form's field for the deal itself, beside the deal bar: the buyer's car traded in (置换).
TRADE_IN_FIELD = "trade_in"


def typed_trade_in(values: dict[str, str]) -> Decimal:
    """The trade-in credit typed in ``values`` (the prequalification form's, which the deal
    bar's field shares): 0 when left empty; an InputError naming ``trade_in`` when it is not
    an amount."""
    raw = values.get(TRADE_IN_FIELD, "").strip()
    return parse_money(raw, TRADE_IN_FIELD) if raw else ZERO


@dataclass(frozen=True)
class Deal:
    """The deal bar: what every monthly figure in the catalogue and offers is computed for.
    ``trade_in``: the credit for the buyer's car traded in, counted in the figures; the
    buyer types it in the deal bar's field or the form's (one value, :func:`typed_trade_in`),
    and :attr:`AppState.priced_deal` brings it here (the deal bar's own ``deal`` keeps 0)."""

    down_ratio: Decimal = Decimal("0.30")
    term: int = 36
    trade_in: Decimal = ZERO

    def down_payment(self, price: Decimal) -> Decimal:
        """The down payment on a car of ``price``: the share, rounded to the whole yuan."""
        return money((price * self.down_ratio).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    brand: str | None = None
    price_band: str | None = None  # e.g. "0-100000", "100000-200000", "400000-"
    #: a monthly budget in whole yuan, e.g. "3000": the cars whose indicative monthly payment
    #: at the deal bar's down payment and term is at most that (Services.price_ceiling)
    monthly_max: str | None = None
    energy: str | None = None
    body: str | None = None
    condition: str | None = None  # "new" | "used"
    sort: str = "price_asc"

    @property
    def active_filters(self) -> int:
        return sum(getattr(self, name) is not None for name in FILTERS)


@dataclass
class PrequalDraft:
    """What the buyer typed in the prequalification form: kept verbatim, even when invalid."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    step: int = 0
    #: when the buyer ticked the consent to this check (None: not given); each check asks anew
    consented_at: datetime | None = None
    applied: Any = None  # the what-if hint (its Reason) this check tries, shown at the consent
    prefilled: bool = False  # the buyer's profile filled the fields not given yet


@dataclass(frozen=True)
class Notice:
    """A line for the screen (``route``) it was given on: a confirmation, or an error
    (``error``). It goes when the user leaves that screen."""

    text: str
    route: str
    error: bool = False


def new_contract_draft(path: str | None = None) -> dict[str, Any]:
    """The signing in progress on the contract screen at ``path``: nothing done yet.
    ``identity``: who signs (a LegalIdentity; read from the profile on first draw, or declared
    on the screen), and ``who`` what is typed to declare it."""
    return {"path": path, "pdf_opened": False, "consented_at": None, "strokes": [],
            "identity": None, "who": {"errors": {}}}  # fmt: skip


@dataclass
class AppState:
    TERMS: ClassVar[tuple[int, ...]] = TERMS
    SORTS: ClassVar[tuple[str, ...]] = SORTS
    CATALOGUE_MAX: ClassVar[int] = CATALOGUE_MAX
    COMPARE_MAX: ClassVar[int] = COMPARE_MAX

    locale: str = DEFAULT_LOCALE
    user: SessionUser | None = None
    deal: Deal = field(default_factory=Deal)
    query: CatalogueQuery = field(default_factory=CatalogueQuery)
    compare: list[str] = field(default_factory=list)
    catalogue_limit: int = CATALOGUE_PAGE  # cards shown; "Show more" raises it
    filters_open: bool = False  # the phone catalogue's filter panel
    car_id: str | None = None
    prequal: PrequalDraft = field(default_factory=PrequalDraft)
    prequal_result: Any = None
    offers_order: Literal["recommended", "cheapest"] = "recommended"
    chosen_offer: Any = None
    payment_draft: dict[str, str] = field(default_factory=dict)  # contract id -> amount typed
    statement_month: dict[str, str] = field(default_factory=dict)  # contract id -> "YYYY-MM"
    customer_group: str = "all"  # the dealer's Customers list: views.dealer.CUSTOMER_GROUPS
    payment_error: dict[str, str] = field(default_factory=dict)  # contract id -> why refused
    expanded: set[str] = field(default_factory=set)  # offer cards showing "why"
    opened: set[str] = field(default_factory=set)  # offers whose opening was recorded
    contract: Any = None
    #: the contract being signed: PDF opened?, e-sign consent time, signature strokes
    contract_draft: dict[str, Any] = field(default_factory=lambda: new_contract_draft())
    #: dealer mode: the tablet is in the customer's hands until the staff PIN is entered
    handed_to_customer: bool = False
    customer: dict[str, str] = field(default_factory=dict)
    customer_user_id: str | None = None  # the walk-in buyer a staff member is serving
    staff_pin_hash: str | None = None  # set when the tablet is handed over; memory only
    staff_locale: str | None = None  # the staff's language while the customer holds the tablet
    pin_failures: int = 0  # wrong staff PINs since the hand-over
    pin_locked_until: float = 0.0  # time.monotonic() before which no PIN is tried
    application_id: str | None = None
    busy: dict[str, str] = field(default_factory=dict)  # task -> message key
    wanted_route: str | None = None  # a deep link opened before signing in
    #: the sign-in form with a server: what was typed (kept when refused), the refusals by
    #: field, and whether it creates an account
    account_form: dict[str, Any] = field(
        default_factory=lambda: {"values": {}, "errors": {}, "create": False}
    )
    #: the account's closing: the password typed (kept when refused) and the refusal
    close_form: dict[str, Any] = field(default_factory=lambda: {"password": "", "error": None})
    notice: Notice | None = None
    sync: Any = None
    _listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)

    # --- observation -------------------------------------------------------------------
    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # --- mutators ----------------------------------------------------------------------
    def set_locale(self, locale: str) -> None:
        if locale not in LOCALES:
            raise ValueError(f"unsupported locale {locale!r}")
        self.locale = locale
        self.notify()

    def sign_in(self, user: SessionUser) -> None:
        self.user = user
        self.notify()

    def sign_out(self) -> None:
        self.clear_customer()
        self.user = None
        self.wanted_route = None
        self.compare.clear()
        self.prequal = PrequalDraft()
        self.prequal_result = None
        self.chosen_offer = None
        self.contract = None
        self.contract_draft = new_contract_draft()
        self.notify()

    @property
    def trade_in(self) -> Decimal:
        """The trade-in credit the buyer typed (0 when none, or not yet an amount: the field
        says what is wrong with it)."""
        try:
            return typed_trade_in(self.prequal.values)
        except InputError:
            return ZERO

    @property
    def priced_deal(self) -> Deal:
        """The deal bar's deal with the buyer's trade-in: what the cars' figures are for."""
        trade_in = self.trade_in
        return self.deal if not trade_in else replace(self.deal, trade_in=trade_in)

    def set_deal(self, *, down_ratio: Decimal | None = None, term: int | None = None) -> None:
        if term is not None and term not in TERMS:
            raise ValueError(f"unsupported term {term}")
        if down_ratio is not None and not Decimal(0) <= down_ratio < 1:
            raise ValueError("down payment ratio must be in [0, 1)")
        self.deal = Deal(
            down_ratio=self.deal.down_ratio if down_ratio is None else down_ratio,
            term=self.deal.term if term is None else term,
        )
        self.notify()

    def set_query(self, **changes: Any) -> None:
        self.query = replace(self.query, **changes)
        self.catalogue_limit = CATALOGUE_PAGE
        self.notify()

    def clear_filters(self) -> None:
        """No search text and no filter (the sort stays)."""
        self.set_query(text="", **dict.fromkeys(FILTERS))

    def show_more(self, step: int = CATALOGUE_PAGE) -> None:
        self.catalogue_limit = min(self.catalogue_limit + step, CATALOGUE_MAX)
        self.notify()

    def toggle_filters(self) -> None:
        self.filters_open = not self.filters_open
        self.notify()

    def toggle_compare(self, car_id: str) -> bool:
        """Add or remove a car from the comparison (at most three); False if it is full."""
        if car_id in self.compare:
            self.compare.remove(car_id)
        elif len(self.compare) >= COMPARE_MAX:
            return False
        else:
            self.compare.append(car_id)
        self.notify()
        return True

    def set_compare(self, car_ids: list[str]) -> None:
        """The comparison is ``car_ids`` (the cars its address names, checked by the view).
        No redraw: the shell is drawing the Compare screen, or about to."""
        self.compare = list(car_ids[:COMPARE_MAX])

    def set_busy(self, task: str, message: str | None) -> None:
        if message is None:
            self.busy.pop(task, None)
        else:
            self.busy[task] = message
        self.notify()

    def arrive(self, path: str) -> None:
        """The user is now on ``path``: what belonged to the screen they left goes — its
        notice, and a contract's signing in progress (the e-sign consent covers that contract
        only, and leaving its screen withdraws it)."""
        if self.notice is not None and self.notice.route != path:
            self.notice = None
        if self.contract_draft["path"] != path:
            self.contract_draft = new_contract_draft(path)

    def set_notice(
        self, text: str | None, route: str = "/", *, error: bool = False, redraw: bool = True
    ) -> None:
        """Tell the screen at ``route`` ``text`` (None: nothing), and redraw (not with
        ``redraw=False``: the shell, drawing, is about to show that screen)."""
        self.notice = None if text is None else Notice(text, route, error)
        if redraw:
            self.notify()

    def reopen(self, result: Any) -> None:
        """A saved check reopened from the device for a screen the session never had it for
        (a reload, a bookmark): its offers are on screen again. No redraw: the shell is
        drawing that screen."""
        self.prequal_result = result

    def hand_to_customer(self) -> None:
        self.handed_to_customer = True
        self.staff_locale = self.locale  # the customer may switch it; the staff get theirs back
        self.notify()

    def clear_customer(self) -> None:
        """Back in staff hands: nothing of the customer stays on screen or in memory."""
        self.handed_to_customer = False
        self.locale = self.staff_locale or self.locale
        self.staff_locale = None
        self.staff_pin_hash = None
        self.pin_failures, self.pin_locked_until = 0, 0.0
        self.customer = {}
        self.customer_user_id = None
        self.application_id = None
        self.prequal = PrequalDraft()
        self.prequal_result = None
        self.chosen_offer = None
        self.contract = None
        self.contract_draft = new_contract_draft()
        self.notify()

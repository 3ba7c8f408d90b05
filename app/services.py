"""The application layer the views call. It composes the local database's repositories, the
domain engine (quotes, APR), prequalification, the recommender, contracts, repayments and sync.

Every method is a plain synchronous function of its arguments: the views run the long ones
off the event loop (``page.run_thread``) with a progress indicator. One :class:`Services` per
process, shared by the browser sessions; per-session state lives in :class:`app.state.AppState`.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app.account_service import AccountServices
from app.consent_service import OPEN_APPLICATIONS, ConsentServices
from app.file_links import FileLinks
from app.identity_service import IdentityServices
from app.loan_documents import LoanDocumentServices
from app.settings import Settings
from app.state import TRADE_IN_FIELD, CatalogueQuery, Deal, SessionUser, typed_trade_in
from domain.catalog import (
    REGULATORY_LTV_CAPS,
    Application,
    ApplicationStatus,
    ContractRecord,
    Dealer,
    LoanProduct,
    ProductKind,
    RiskTier,
    Role,
    Vehicle,
    review_state,
)
from domain.errors import InputError
from domain.loans import LoanTerms, Quote, quote
from domain.market_time import market_day
from domain.money import ZERO, parse_money
from domain.prequal.applicant import SOFT_CHECK_TEXT_VERSION, leaves_a_loan
from domain.prequal.search import largest_int
from domain.quote_fast import quote_fast
from local_db.repositories import catalog as catalog_repo
from local_db.repositories import people as people_repo
from local_db.repositories import refusals as refusals_repo
from sync.contract_loan import ContractLoan
from sync.contract_loan import to_wire as loan_wire

#: Price bands of the catalogue filter: (key, min, max) in yuan, max inclusive, None open.
PRICE_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("0-100000", None, Decimal("100000")),
    ("100000-200000", Decimal("100000"), Decimal("200000")),
    ("200000-300000", Decimal("200000"), Decimal("300000")),
    ("300000-", Decimal("300000"), None),
)
#: When no product lends at a term, the catalogue still shows a figure at this rate.
FALLBACK_REFERENCE_RATE = Decimal("0.0490")
#: The tier an indicative figure is computed for before the buyer has been checked.
REFERENCE_TIER = RiskTier.B
#: LTV meter thresholds: green up to 80% of the typical cap, amber up to the cap, red above.
LTV_AMBER_FROM = Decimal("0.80")
#: The file name a buyer's copy of their data downloads as.
DATA_COPY_NAME = "chedai-my-data.json"


@dataclass(frozen=True)
class CarCard:
    vehicle: Vehicle
    #: the level payment for the deal bar at the reference rate; None when the down payment
    #: and the trade-in cover the price (no loan needed)
    monthly: Decimal | None
    #: the loan behind it is less than any lender of the market lends
    below_smallest_loan: bool = False


@dataclass(frozen=True)
class CarPage:
    cards: tuple[CarCard, ...]
    total: int
    reference_rate: Decimal


@dataclass(frozen=True)
class Calculation:
    """The car-detail calculator: one engine quote for the deal bar at the reference rate."""

    vehicle: Vehicle
    down_payment: Decimal
    quote: Quote | None  # None: the down payment and the trade-in cover the price
    reference_rate: Decimal
    ltv: Decimal  # amount financed / the car's collateral value (the check's)
    ltv_cap: Decimal  # the typical cap for this car's category
    ltv_level: str  # "ok" | "warn" | "over"


@dataclass(frozen=True)
class DisclosureWords:
    """See :meth:`Services.disclosure_words`."""

    labels: dict[str, str]
    terms: tuple[tuple[str, str], ...]
    late_yearly_rate: Decimal  # the late penalty over a year, to flag beside the APR's flag


class SyncFailed(Exception):
    """A sync round asked for did not complete; nothing was lost (see ``sync_status``)."""


@dataclass(frozen=True)
class SyncInfo:
    pending: int
    last_sync: datetime | None
    server_url: str | None
    error: str | None = None  # English detail of the last round's failure
    error_kind: str | None = None  # failed | unavailable | auth (sync.client.SyncError.kind)
    refused: int = 0  # this device's changes the server did not accept (its final word)
    last_refusal: str | None = None  # the server's English reason for the latest of them
    last_refusal_code: str | None = None  # ... and its stable code (backend.rules)


def per_catalogue(method):
    """Cache a method's result (it takes no arguments) until the catalogue or the day changes:
    a demo reset, or a sync round that pulled dealers, cars, lenders or products."""
    name = method.__name__

    @wraps(method)
    def cached(self):
        key = (self.catalogue_version(), self.today())
        hit = self._per_catalogue.get(name)
        if hit is None or hit[0] != key:
            hit = self._per_catalogue[name] = (key, method(self))
        return hit[1]

    return cached


class _CoreServices:
    def __init__(self, settings: Settings, engine: Engine, *, today: date | None = None):
        self.settings = settings
        self.engine = engine
        self._today = today
        #: a used car's collateral value by (id, its version, day): the car page redraws at
        #: every move of the deal bar, and the value needs a catalogue query
        self._values: dict[tuple[str, int, date], Decimal] = {}
        self._per_catalogue: dict[str, tuple[tuple[int, date], Any]] = {}  # see per_catalogue
        self._resets = 0  # demo resets: each one is a new catalogue
        self._recommender = None
        self._model_from: Path | None = None  # the server's model file loaded (with a server)
        self._model_checked_at: float | None = None  # time.monotonic() of the last ask
        self._server_demo: bool | None = None  # the server said its market is a demo's
        self._sync = None
        self._model_lock = threading.Lock()
        self.links = FileLinks()  # contract PDF links; the key lives as long as the process

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Services on the configured local database; in demo mode it is created and seeded
        on first run. A database a newer Chedai wrote raises SchemaTooNewError, untouched."""
        from local_db import in_use
        from local_db.crypto import KEY_FILE_NAME, cipher_for_dir
        from local_db.demo import ensure_demo_database
        from local_db.engine import make_engine
        from local_db.files import secure_data_dir
        from local_db.migrations import migrate, refuse_newer
        from local_db.sealing import seal_legacy

        data_dir = secure_data_dir(settings.data_dir)  # owner-only, also what an older version left
        if settings.demo_mode:
            ensure_demo_database(settings)  # refuses a newer Chedai's database first
        else:
            refuse_newer(settings.local_db_path)  # left as it is, not even opened
        # held while the app lives, before it reads the key: `chedai keys rotate` is refused
        # meanwhile (and one under way is waited for)
        key_in_use = in_use.share(data_dir / KEY_FILE_NAME)
        engine = make_engine(settings.local_db_path)
        migrate(engine)
        # what an older version stored in clear (a buyer's income, debts, credit score) is
        # encrypted now that the key is at hand: before any screen reads it or sync sends it
        seal_legacy(engine, cipher_for_dir(settings.data_dir))
        services = cls(settings, engine)
        services._key_in_use = key_in_use
        services.prune_drafts()  # left over from an earlier run: no live link reaches them
        return services

    def close(self) -> None:
        """Stop syncing, close the database and let go of the key (``chedai keys rotate`` may
        run then): what quitting the app does, for a process that goes on."""
        if self._sync is not None:
            self._sync.stop()
            self._sync = None
        self.engine.dispose()
        key_in_use = getattr(self, "_key_in_use", None)  # None: not made by open()
        if key_in_use is not None:
            key_in_use.release()

    @property
    def demo_mode(self) -> bool:
        return self.settings.demo_mode

    def today(self) -> date:
        """The market's day (China's, not the device's zone's nor UTC's)."""
        return self._today or market_day()

    def catalogue_version(self) -> int:
        """Changes whenever the local catalogue may have: a demo reset or a pull that changed it."""
        return self._resets + (self._sync.catalogue_version() if self._sync is not None else 0)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    # --- people ---------------------------------------------------------------------------
    def demo_users(self) -> list[SessionUser]:
        """Who can be chosen on the demo sign-in screen: buyers with a sign-in and staff."""
        return list(self._demo_users())

    @per_catalogue
    def _demo_users(self) -> tuple[SessionUser, ...]:
        with self.session() as s:
            dealers = {d.id: d for d in catalog_repo.list_dealers(s)}
            buyers = [u for u in people_repo.list_users(s, role=Role.BUYER) if u.password_hash]
            staff = people_repo.list_users(s, role=Role.DEALER_STAFF)
        out = [SessionUser(u.id, u.display_name or u.username, "buyer") for u in buyers]
        for u in staff:
            dealer = dealers.get(u.dealer_id or "")
            out.append(
                SessionUser(
                    u.id,
                    u.display_name or u.username,
                    "staff",
                    dealer_id=u.dealer_id,
                    dealer_name=dealer.name_zh if dealer else None,
                    dealer_name_en=dealer.name_en if dealer else None,
                )
            )
        return tuple(out)

    # --- catalogue ------------------------------------------------------------------------
    def brands(self) -> list[tuple[str, str]]:
        return list(self._brands())

    @per_catalogue
    def _brands(self) -> tuple[tuple[str, str], ...]:
        with self.session() as s:
            return tuple(catalog_repo.list_brands(s))

    def products(self) -> list[LoanProduct]:
        with self.session() as s:
            return catalog_repo.list_products(s)

    def reference_rate(self, term: int) -> Decimal:
        """The indicative annual rate shown before a check: the median of what amortising
        loans offering this term charge the reference tier. Demo-mode screens say so."""
        return self._reference_rates().get(term, FALLBACK_REFERENCE_RATE)

    @per_catalogue
    def smallest_loan(self) -> Decimal | None:
        """The least any active product lends (None without products): an indicative loan
        below it is one no lender of the market would make."""
        today = self.today()
        amounts = [p.min_amount for p in self.products() if p.is_active_on(today)]
        return min(amounts, default=None)

    def below_smallest_loan(self, q: Quote | None) -> bool:
        """Whether the indicative quote ``q`` finances less than any lender lends."""
        smallest = self.smallest_loan()
        return q is not None and smallest is not None and q.amount_financed < smallest

    @per_catalogue
    def _reference_rates(self) -> dict[int, Decimal]:
        by_term: dict[int, list[Decimal]] = {}
        for p in self.products():
            if p.kind is not ProductKind.LOAN or not p.is_active_on(self.today()):
                continue
            for term in p.terms:
                line = p.rate_for(REFERENCE_TIER, term)
                if line is not None and line.annual_rate is not None:
                    by_term.setdefault(term, []).append(line.annual_rate)
        return {t: Decimal(statistics.median(rates)) for t, rates in by_term.items()}

    def search_cars(
        self,
        query: CatalogueQuery,
        deal: Deal,
        *,
        limit: int = 24,
        offset: int = 0,
        dealer_id: str | None = None,
    ) -> CarPage:
        """A page of the cars on sale that ``query`` matches (``dealer_id``: only that
        dealership's), each with its monthly payment on ``deal``."""
        band = next((b for b in PRICE_BANDS if b[0] == query.price_band), None)
        price_max = band[2] if band else None
        if query.monthly_max is not None:
            ceiling = self.price_ceiling(Decimal(query.monthly_max), deal)
            price_max = ceiling if price_max is None else min(price_max, ceiling)
        with self.session() as s:
            page = catalog_repo.list_vehicles(
                s,
                query=query.text or None,
                brands=[query.brand] if query.brand else (),
                energy=[query.energy] if query.energy else (),
                body=[query.body] if query.body else (),
                condition=query.condition,
                price_min=band[1] if band else None,
                price_max=price_max,
                available_on=self.today(),
                sort=query.sort,
                limit=limit,
                offset=offset,
                dealer_id=dealer_id,
            )
        rate = self.reference_rate(deal.term)
        quotes = [(v, self._quote(v.price, deal, rate)) for v in page.items]
        cards = tuple(CarCard(v, _payment(q), self.below_smallest_loan(q)) for v, q in quotes)
        return CarPage(cards=cards, total=page.total, reference_rate=rate)

    def price_ceiling(self, monthly: Decimal, deal: Deal) -> Decimal:
        """The highest whole-yuan price whose indicative monthly payment — the cars' cards'
        figure for ``deal`` — is at most ``monthly`` (0 when even a 1,000-yuan car's is not).

        Exact for prices in whole yuan, as cars are listed: from one yuan to the next the
        down payment (the deal's share, rounded to the yuan) grows by 0 or 1, so the amount
        financed, and with it the payment, never falls as the price rises, and a bisection
        finds the boundary (a car that the down payment and trade-in cover needs no loan: it
        fits any budget). Found by the loan engine's own figures, never estimated."""
        return _price_ceiling(monthly, deal.down_ratio, deal.term, self.reference_rate(deal.term),
                              self.today(), deal.trade_in)  # fmt: skip

    def under_contract(self, vehicle_id: str) -> bool:
        """Whether a live loan contract holds the car: it is off the catalogue, and no one
        may apply to finance it again."""
        with self.session() as s:
            return catalog_repo.under_contract(s, vehicle_id=vehicle_id, today=self.today())

    def car(self, vehicle_id: str) -> Vehicle | None:
        """The car, listed or not (a loan's screens name the car bought, off sale since)."""
        with self.session() as s:
            return catalog_repo.get_vehicle(s, vehicle_id=vehicle_id)

    def listed_car(self, vehicle_id: str) -> Vehicle | None:
        """The car while it is on sale (listed, and no live contract holds it): what its
        page, its rate check and a comparison show."""
        vehicle = self.car(vehicle_id)
        return vehicle if vehicle is not None and self.on_sale(vehicle) else None

    def on_sale(self, vehicle: Vehicle) -> bool:
        """Listed, and no live contract holds it."""
        return not vehicle.deleted and not self.under_contract(vehicle.id)

    def picture(self, vehicle: Vehicle) -> str:
        """The car's picture as SVG text: the file the seed drew into the data dir, else the
        same drawing made now from its body and colour (a device that pulled its catalogue
        from a server has no picture files)."""
        return _read_picture(str(self.settings.data_dir), vehicle.picture) or _drawn_picture(
            vehicle.body.value, vehicle.colour
        )

    def dealer(self, dealer_id: str) -> Dealer | None:
        with self.session() as s:
            return catalog_repo.get_dealer(s, dealer_id=dealer_id)

    @per_catalogue
    def dealers(self) -> dict[str, Dealer]:
        """Every dealership by id: the cars' cards name where each car is sold."""
        with self.session() as s:
            return {d.id: d for d in catalog_repo.list_dealers(s)}

    def cities(self, locale: str) -> list[tuple[str, str]]:
        """(city key, name in ``locale``) of every city with a dealership in the catalogue, by
        key (pinyin order): the cities a buyer picks from, so a product's city list and the
        buyer's city are spelled alike."""
        from app.prequal_service import city_names

        with self.session() as s:
            names = city_names(s)
        zh = locale.startswith("zh")
        return [(key, names[key] if zh else key) for key in sorted(names)]

    def calculate(self, vehicle: Vehicle, deal: Deal) -> Calculation:
        rate = self.reference_rate(deal.term)
        q = self._quote(vehicle.price, deal, rate)
        cap = REGULATORY_LTV_CAPS[vehicle.ltv_category()]
        cap = min(cap, self._typical_cap(vehicle))
        financed = q.amount_financed if q is not None else ZERO
        ltv = (financed / self._collateral_value(vehicle)).quantize(Decimal("0.0001"))
        level = "over" if ltv > cap else "warn" if ltv > cap * LTV_AMBER_FROM else "ok"
        return Calculation(
            vehicle=vehicle,
            down_payment=deal.down_payment(vehicle.price),
            quote=q,
            reference_rate=rate,
            ltv=ltv,
            ltv_cap=cap,
            ltv_level=level,
        )

    def _collateral_value(self, vehicle: Vehicle) -> Decimal:
        """What the check divides LTV by: the price of a new car; for a used one the lower
        of its price and its appraisal (domain.prequal.valuation), never the asking price
        alone."""
        from app.prequal_service import vehicle_facts
        from domain.catalog import Condition
        from domain.prequal.valuation import value_vehicle

        if vehicle.condition is not Condition.USED:
            return vehicle.price
        key = (vehicle.id, vehicle.updated_ms, self.today())
        if key not in self._values:
            with self.session() as s:
                facts = vehicle_facts(s, vehicle.id, today=self.today())
            self._values[key] = value_vehicle(facts).value
        return self._values[key]

    def _typical_cap(self, vehicle: Vehicle) -> Decimal:
        """The median cap the catalogue's products set for this car's LTV category."""
        caps = [
            c
            for p in self.products()
            if p.accepts_vehicle(vehicle)
            and (c := p.ltv_cap_for(vehicle.ltv_category())) is not None
        ]
        return (
            Decimal(statistics.median(caps))
            if caps
            else REGULATORY_LTV_CAPS[vehicle.ltv_category()]
        )

    def _quote(self, price: Decimal, deal: Deal, rate: Decimal) -> Quote | None:
        """The indicative quote of a car at ``price`` for ``deal``; None: no loan needed."""
        return _cached_quote(price, deal.down_ratio, deal.term, rate, self.today(), deal.trade_in)

    # --- sync -----------------------------------------------------------------------------
    def start_sync(self) -> None:
        """Start background sync (a no-op in demo mode: no server configured)."""
        from app.sync_service import start_background_sync

        if self._sync is None:
            self._sync = start_background_sync(self.settings, self.engine)

    def sync_status(self) -> SyncInfo:
        from local_db.outbox import pending_count

        with self.session() as s:
            refused, last_refusal = refusals_repo.unread(s)
            pending = None if self._sync is not None else pending_count(s)
        why = last_refusal and (last_refusal.message or last_refusal.reason)
        code = last_refusal and last_refusal.reason
        if self._sync is not None:
            info = self._sync.status()
            last = (
                datetime.fromtimestamp(info.last_success_ms / 1000, UTC)
                if info.last_success_ms else None
            )  # fmt: skip
            return SyncInfo(info.pending, last, self.settings.server_url, info.last_error,
                            info.last_error_kind, refused, why, code)  # fmt: skip
        return SyncInfo(pending=pending, last_sync=None, server_url=self.settings.server_url,
                        refused=refused, last_refusal=why, last_refusal_code=code)  # fmt: skip

    def dismiss_refusals(self) -> None:
        """The server's refusals so far are read: Settings counts only later ones (a loan whose
        signing was refused still says so)."""
        with self.session() as s:
            refusals_repo.mark_read(s)
            s.commit()

    def sync_now(self) -> bool:
        """One sync round on the caller's thread (the views run it in the background)."""
        if self._sync is None:
            raise InputError("server_url", "required", "is required")
        ok = self._sync.sync_now()
        if not ok:  # the settings screen says why, from sync_status()
            raise SyncFailed(self._sync.status().last_error or "sync failed")
        return ok

    def reset_demo(self) -> None:
        """Put the demo database back as first seeded (everything done in it is dropped)."""
        from local_db.crypto import cipher_for_dir
        from local_db.demo import seed_database

        if not self.demo_mode:
            raise InputError("server_url", "demo_only", "is set: demo data cannot be reset")
        seed_database(
            self.engine, seed=self.settings.demo_seed, data_dir=self.settings.data_dir,
            cipher=cipher_for_dir(self.settings.data_dir),
        )  # fmt: skip
        self._resets += 1
        self._values.clear()
        self.prune_drafts()  # their applications are gone


#: How often a device asks the server for a newer recommender model (seconds).
MODEL_CHECK_S = 600.0


@lru_cache(maxsize=64)
def _drawn_picture(body: str, colour: str) -> str:
    from local_db.pictures import picture_svg

    return picture_svg(body, colour)


@lru_cache(maxsize=256)
def _read_picture(data_dir: str, relative: str) -> str | None:
    if not relative or ".." in relative:
        return None
    try:
        return (Path(data_dir) / relative).read_text(encoding="utf-8")
    except OSError:
        return None


#: Who decides a flagged application in demo mode (the audit log's actor).
DEMO_REVIEWER = "demo-reviewer"
#: Who pays a loan out in demo mode (the audit log's actor).
DEMO_LENDER = "demo-lender"

#: An application's way from its check to its payout, one legal step at a time
#: (sync.wire.APPLICATION_TRANSITIONS): every step is saved, so the server sees each.
_PATH = ("prequalified", "submitted", "approved", "contracted", "funded")


def _advance(session: Session, application: Application, target) -> Application:
    """Save ``application`` at each status from its own to ``target`` along :data:`_PATH`
    (nothing when it is there already); the last one saved."""
    from local_db.repositories import deals as deals_repo

    here, there = _PATH.index(str(application.status)), _PATH.index(str(target))
    for status in _PATH[here + 1 : there + 1]:
        application = replace(application, status=type(application.status)(status))
        deals_repo.save_application(session, application=application)
    return application


def _check_signable(application: Application | None) -> None:
    """A contract is signed only for an application still open to it whose check raised no
    flag a person must look at first; an InputError naming the application otherwise."""
    if application is None:
        raise InputError("application", "not_found", "no such application")
    if str(application.status) not in _PATH[:3]:  # withdrawn, declined, already signed
        raise InputError(
            "application", "not_open", "is no longer open (withdrawn, declined or signed)"
        )
    if application.review_state == "pending":
        raise InputError(
            "application", "in_review",
            "waits for a person at the lender to review it before it can be signed",
        )  # fmt: skip


def _check_free(services: Services, vehicle_id: str) -> None:
    """InputError when a live contract already holds the car: one car is financed once."""
    if services.under_contract(vehicle_id):
        raise InputError(
            "vehicle_id", "under_contract", "this car is already under a signed loan contract"
        )


def _servicing(offer):
    """The late-fee and prepayment terms a loan on ``offer`` is serviced by (its product's,
    the prepayment fee waived for a trade-in deal where the product says so)."""
    from domain.repayment_terms import terms_from_product

    return terms_from_product(offer.product, trade_in=offer.quote.terms.trade_in > 0)


def _lapsed(application: Application, today: date) -> bool:
    """Signed, not paid out, and its first repayment date has come: the contract has lapsed
    (its schedule cannot be kept), so it is never paid out, only cancelled."""
    by = application.pay_out_by
    return application.status is ApplicationStatus.CONTRACTED and by is not None and today >= by


def cheapest_second(order: list[str], cheapest_id: str) -> list[str]:
    """The recommended order with the cheapest offer right after the top pick when it is not
    the top pick itself: a buyer sees it beside what we recommend, not wherever the ranking
    put it (the guardrail names what the top pick costs more)."""
    rest = [i for i in order if i != cheapest_id]
    return [*rest[:1], cheapest_id, *rest[1:]] if order and order[0] != cheapest_id else order


def may_open(viewer: SessionUser, application) -> bool:
    """Whether ``viewer`` may open the application's documents: the buyer whose it is, or
    staff of the dealership it was made at."""
    if application is None:
        return False
    if viewer.role == "buyer":
        return application.user_id == viewer.id
    return viewer.dealer_id is not None and application.dealer_id == viewer.dealer_id


def contract_loan_of(contract: ContractRecord) -> ContractLoan | None:
    """The loan ``contract`` signs: as it travelled with the contract, else from its PDF (a
    contract from before), else None (neither is on this device)."""
    from contracts import record
    from domain.repayments import Terms
    from sync.contract_loan import stored

    if contract.loan is not None:
        return stored(contract.loan)
    if not contract.pdf:
        return None
    data = record.read(contract.pdf)
    # serviced by the late and prepayment terms the contract states (contracts made before
    # they were recorded in it: none)
    servicing = record.decode(Terms, data.get("servicing")) or Terms()
    lender = data.get("parties", {}).get("lender", "")
    return ContractLoan(record.decode(LoanTerms, data["terms"]), servicing, lender)


def _products_of(session: Session, records: list) -> dict[str, LoanProduct]:
    """The products the saved answers name, by id (read only when there are answers)."""
    ids = {r.product_id for r in records}
    return {p.id: p for p in catalog_repo.list_products(session, ids=ids)} if ids else {}


def _standing_checks(session: Session, user_id: str, limit: int) -> tuple[list, dict]:
    """The buyer's latest ``limit`` applications that still stand (not withdrawn, not made
    before they withdrew their soft-check consent), newest first, and their saved answers by
    application id."""
    from app.consent_service import latest_withdrawal
    from domain.catalog import ApplicationStatus, ConsentPurpose
    from local_db.repositories import deals as deals_repo

    withdrawn_at = latest_withdrawal(
        people_repo.list_consents(session, user_id=user_id), ConsentPurpose.SOFT_CHECK
    )
    apps = [
        a
        for a in deals_repo.list_applications(session, user_id=user_id, limit=limit)
        if a.status is not ApplicationStatus.WITHDRAWN
        and (withdrawn_at is None or a.created_at > withdrawn_at)
    ]
    return apps, deals_repo.list_offers_of(session, application_ids=[a.id for a in apps])


def _indicative_terms(
    price: Decimal,
    down_ratio: Decimal,
    term: int,
    rate: Decimal,
    loan_date: date,
    trade_in: Decimal = ZERO,
) -> LoanTerms | None:
    """The loan behind a car's indicative figures: the deal bar's share down and the buyer's
    trade-in, at ``rate``; None when they cover the price (nothing to finance)."""
    down = Deal(down_ratio, term).down_payment(price)
    if not leaves_a_loan(price, down, trade_in):
        return None
    return LoanTerms(
        cash_price=price,
        down_payment=down,
        trade_in=trade_in,
        loan_date=loan_date,
        count=term,
        annual_rate=rate,
    )


@lru_cache(maxsize=4096)
def _cached_quote(*key) -> Quote | None:
    """The quote of ``_indicative_terms(*key)``, remembered; None: no loan."""
    terms = _indicative_terms(*key)
    return None if terms is None else quote(terms)


def _payment(q: Quote | None) -> Decimal | None:
    return None if q is None else q.payment


@lru_cache(maxsize=256)
def _price_ceiling(
    monthly: Decimal,
    down_ratio: Decimal,
    term: int,
    rate: Decimal,
    loan_date: date,
    trade_in: Decimal = ZERO,
) -> Decimal:
    def fits(price: int) -> bool:
        terms = _indicative_terms(Decimal(price), down_ratio, term, rate, loan_date, trade_in)
        return terms is None or quote_fast(terms).payment <= monthly  # None: no loan at all

    # above this the amount financed alone, over the term, exceeds the budget
    top = math.ceil((monthly * term + 1 + trade_in) / (1 - down_ratio)) + 1
    found = largest_int(fits, 1000, top)
    return Decimal(0) if found is None else Decimal(found)


# --- prequalification, offers and ranking ------------------------------------------------------

#: The soft-check consent (``SOFT_CHECK_TEXT_VERSION``) as worded for a walk-in at the
#: dealership's tablet (no Settings of their own: they withdraw it by asking the staff).
SOFT_CHECK_DESK_CONSENT_VERSION = "soft-check-desk-2026-12"
#: The e-sign consent text's version (views.contract.ESIGN_TEXT).
ESIGN_CONSENT_VERSION = "esign-2026-11"
#: The prequalification form's fields (all strings, as typed) with their defaults.
PREQUAL_FIELDS = (
    "age",
    "city",
    "housing",
    "monthly_income",
    "income_type",
    "employment_months",
    "monthly_debt_payments",
    "existing_car_loans",
)
#: How many of a buyer's latest applications the velocity check reads: more than any of its
#: thresholds (domain.prequal.fraud.FRAUD_RULES), so the count in its window is exact.
VELOCITY_LOOKBACK = 50


def trade_in_of(
    values: dict[str, str], price: Decimal | None = None, down_payment: Decimal = ZERO
) -> Decimal:
    """The trade-in credit the buyer typed (0 when left empty): an amount, and with the down
    payment less than the car's ``price`` (a loan must be left); an InputError naming
    ``trade_in`` otherwise."""
    amount = typed_trade_in(values)
    if price is not None and amount > 0 and not leaves_a_loan(price, down_payment, amount):
        raise InputError(
            TRADE_IN_FIELD, "below_price",
            "the trade-in together with the down payment must be less than the car's price",
        )  # fmt: skip
    return amount


@dataclass(frozen=True)
class OffersResult:
    """A prequalification's answer, ranked: every figure comes from the engine's quotes."""

    application_id: str
    vehicle: Vehicle
    answer: Any  # app.prequal_service.PrequalAnswer
    recommended: tuple[Any, ...]  # domain.prequal.Offer, ALS order inside the eligible set
    cheapest: tuple[Any, ...]  # domain.prequal.Offer, by finance charge
    why: dict[str, Any]  # product id -> recommender.Why (or None)
    top_costs_more_by: Decimal | None
    cheapest_id: str | None
    offer_record_ids: dict[str, str] = field(default_factory=dict)  # product id -> OfferRecord
    deal: Any = None  # domain.prequal.Deal: the down payment, trade-in and term checked

    def offer(self, product_id: str):
        return next((o for o in self.recommended if o.product.id == product_id), None)

    @property
    def reopened(self) -> bool:
        """A saved check reopened from the device (:meth:`PrequalServices.reopen_offer`): its
        offers, priced again, without the check's answer (score, declines, hints, ranking),
        which only the session that ran it had."""
        return self.answer is None


#: Pipeline columns, in the order of the journey, and the statuses each shows.
PIPELINE_COLUMNS = ("draft", "prequalified", "offer_chosen", "signed", "funded")
PIPELINE_STATUS = {
    "draft": "draft",
    "prequalified": "prequalified",
    "declined": "prequalified",
    "submitted": "offer_chosen",
    "approved": "offer_chosen",
    "contracted": "signed",
    "funded": "funded",
}


def failed_codes(decline) -> tuple[str, ...]:
    """Every rule a decline failed: the ones it names, most important first, then the rest
    (a product that never finances the car says so however far down its list that falls)."""
    named = tuple(x.code for x in decline.reasons)
    return named + tuple(sorted(decline.failed - set(named)))


def initials(name: str) -> str:
    """ "王小明" -> "王**"; "Li Na" -> "L. N.": enough to recognise, not a full name."""
    name = name.strip()
    if not name:
        return "?"
    if name.isascii():
        return " ".join(part[0].upper() + "." for part in name.split())
    return name[0] + "*" * (len(name) - 1)


_OPEN_STATUSES = frozenset(map(str, OPEN_APPLICATIONS))
#: An application with a loan: its contract signed (paid out or not yet).
_SIGNED_STATUSES = (ApplicationStatus.CONTRACTED, ApplicationStatus.FUNDED)
#: ...and one whose signed contract the dealership cancelled before the payout (withdrawn
#: with a contract): still the buyer's to see, owing nothing.
_LOAN_STATUSES = (*_SIGNED_STATUSES, ApplicationStatus.WITHDRAWN)


@dataclass(frozen=True)
class PipelineCard:
    application_id: str
    initials: str
    vehicle: Vehicle | None
    amount: Decimal  # price less down payment
    status: str
    user_id: str
    review: tuple[str, ...] = ()  # the check's behavioural flags: its offers are provisional
    review_decision: str | None = None  # the reviewer's, once made
    pay_out_by: date | None = None  # signed: the payout must come before it
    lapsed: bool = False  # signed, and that date has come: it is cancelled, never paid out
    started_at: datetime | None = None  # when the staff started it at the desk
    car_taken: bool = False  # the server refused its signing: the car's under another contract

    @property
    def review_state(self) -> str | None:
        """domain.catalog.review_state: None, pending, approved or declined."""
        return review_state(self.status, self.review, self.review_decision)

    @property
    def column(self) -> str | None:
        """The board column of its status (None: it has left the board, e.g. withdrawn)."""
        return PIPELINE_STATUS.get(self.status)

    @property
    def is_open(self) -> bool:
        """Not yet signed nor withdrawn: withdrawing the customer's consent still stops it."""
        return self.status in _OPEN_STATUSES


@dataclass(frozen=True)
class LoanView:
    contract: Any
    application: Any
    vehicle: Vehicle | None
    lender: str
    quote: Quote
    status: Any  # domain.repayment_status.LoanStatus (cents)
    reminders: tuple[Any, ...]
    payoff: Any  # domain.repayments.Payoff | None (cents)
    paid_count: int
    payments: tuple[Any, ...]
    as_of: date
    servicing: Any = None  # domain.repayments.Terms: the late and prepayment terms it runs by
    lender_id: str | None = None  # the product's lender (its name in the reader's language)
    payoff_refused: str | None = None  # why there is no payoff quote: the engine's rule
    #: the instalments left once an early repayment changed the schedule signed (None: it
    #: holds), see domain.repayment_projection
    remaining: tuple | None = None
    #: with ``remaining``: every instalment, those before it as the loan went
    course: tuple | None = None
    #: the server refused its signing: another contract on the car reached it first
    car_taken: bool = False
    #: a finance lease (融资租赁): the lessor pays for the car and the buyer pays rent
    lease: bool = False

    @property
    def paid_out(self) -> bool:
        """The lender has paid the loan out: repayments are owed (a signed loan waits; one
        whose signing the server refused is never paid out, even if confirmed offline)."""
        return self.application.status == "funded" and not self.car_taken

    @property
    def cancelled(self) -> bool:
        """The dealership cancelled the signed contract before its payout: nothing is owed."""
        return self.application.status == "withdrawn"

    @property
    def pay_out_by(self) -> date:
        """The contract's first repayment date: a payout must come before it."""
        return self.quote.schedule[0].date

    @property
    def lapsed(self) -> bool:
        """See :func:`_lapsed` (as of the day the loan is folded to)."""
        return _lapsed(self.application, self.as_of)

    @property
    def never_paid_out(self) -> bool:
        """Cancelled, lapsed, or refused for its car: nothing is owed on it, nor ever will
        be."""
        return self.cancelled or self.lapsed or self.car_taken


@dataclass(frozen=True)
class SavedCheck:
    """A past prequalification as saved: the application and every lender's answer, with the
    figures the engine quoted then (what "My offers" shows after the app is reopened)."""

    application: Any  # domain.catalog.Application
    vehicle: Vehicle | None
    offers: tuple[Any, ...]  # domain.catalog.OfferRecord, eligible, cheapest first
    declines: tuple[Any, ...]  # domain.catalog.OfferRecord, not eligible (reason codes)
    products: dict[str, LoanProduct]  # the products answered, by id


@dataclass(frozen=True)
class ReopenedOffer:
    """The buyer's latest saved check that offered a product, reopened (a reload, a bookmark):
    ``result`` with its offers priced again; None when it cannot stand as it was saved —
    ``contract_id`` (signed on it: its loan) or ``changed`` (the engine no longer quotes the
    saved figures: rates, the car's price or the product changed since)."""

    application_id: str
    result: OffersResult | None = None
    contract_id: str | None = None
    changed: bool = False


@dataclass(frozen=True)
class SignedContract:
    record: Any  # domain.catalog.ContractRecord
    verification: Any  # contracts.verification.Verification
    file_name: str
    buyer: str
    lender: str


class PrequalServices:
    """Mixed into :class:`Services`: the soft check, ranking, and saving what happened."""

    def prequal_defaults(self: Services, user_id: str) -> dict[str, str]:
        """The form pre-filled from the buyer's stored profile (demo buyers have one). Housing
        is never pre-set, nor the kind of income without a profile: both move the score (a
        home owner left at "rent" would be priced worse), so the buyer chooses them."""
        from local_db.crypto import cipher_for_dir

        with self.session() as s:
            profile = people_repo.get_buyer_profile(
                s, user_id=user_id, cipher=cipher_for_dir(self.settings.data_dir)
            )
        if profile is None:
            return {"existing_car_loans": "0"}
        income_type = {
            "employed": "salary", "self_employed": "self_employed", "gig": "gig",
        }.get(str(profile.employment), "other")  # fmt: skip
        return {
            "age": str(profile.age_on(self.today())),
            "city": profile.city,
            "monthly_income": f"{profile.monthly_income:.2f}",
            "income_type": income_type,
            "employment_months": str(profile.years_employed * 12),
            "monthly_debt_payments": f"{profile.monthly_debt_payments:.2f}",
            "existing_car_loans": "0",
        }

    def _credit_score(self: Services, user_id: str) -> int | None:
        """The bureau score the soft check reads (the demo bureau is the stored profile)."""
        from local_db.crypto import cipher_for_dir

        with self.session() as s:
            profile = people_repo.get_buyer_profile(
                s, user_id=user_id, cipher=cipher_for_dir(self.settings.data_dir)
            )
        if profile is None:
            return None
        return min(850, max(300, profile.credit_score))

    def validate_applicant(
        self: Services,
        values: dict[str, str],
        *,
        price: Decimal | None = None,
        down_payment: Decimal = ZERO,
    ) -> dict[str, Any]:
        """Every field's error at once (field name -> InputError); empty when all is well.
        ``price`` and ``down_payment``: the car's and the deal bar's, which the trade-in must
        leave a loan under."""
        from domain.prequal import parse_applicant

        data = {k: v for k, v in values.items() if k in PREQUAL_FIELDS and v != ""}
        safe = {
            "age": "30", "monthly_income": "10000", "employment_months": "12",
            "monthly_debt_payments": "0", "existing_car_loans": "0", "city": "",
            "housing": "rent", "income_type": "salary",
        }  # fmt: skip
        errors: dict[str, Any] = {}
        for k in PREQUAL_FIELDS:
            if k not in data and k not in ("city", "monthly_debt_payments", "existing_car_loans"):
                errors[k] = InputError(f"applicant.{k}", "required", "is required")
                data[k] = safe[k]
        for _ in range(len(PREQUAL_FIELDS)):
            try:
                parse_applicant(data)
                break
            except InputError as exc:
                name = exc.field.removeprefix("applicant.")
                errors[name] = exc
                data[name] = safe.get(name, "")
        try:
            trade_in_of(values, price, down_payment)
        except InputError as exc:
            errors[TRADE_IN_FIELD] = exc
        return errors

    def run_prequal(
        self: Services,
        user_id: str,
        vehicle_id: str,
        deal: Deal,
        values: dict[str, str],
        *,
        consented_at: datetime,
        dealer_id: str | None = None,
        history: tuple[str, ...] = (),
        application_id: str | None = None,
    ) -> OffersResult:
        """The soft check for this buyer, car and deal, to which the buyer consented at
        ``consented_at`` (recorded with the check: one consent per check); the application and
        every lender's answer are saved (with their outbox rows) in one local transaction.
        ``application_id``: a draft to complete (a walk-in started by staff), else a new one."""
        from app.prequal_service import prequalify
        from domain.catalog import ApplicationStatus, ConsentPurpose, OfferRecord
        from domain.ids import new_id
        from domain.prequal import ConsentGiven, PriorApplication, parse_applicant
        from domain.prequal import Deal as PrequalDeal
        from local_db.repositories import deals as deals_repo

        vehicle = self.car(vehicle_id)
        if vehicle is None:
            raise InputError("vehicle_id", "not_found", "no such vehicle in the catalogue")
        _check_free(self, vehicle_id)
        data = {k: v for k, v in values.items() if k in PREQUAL_FIELDS and v != ""}
        data["person_id"] = user_id  # whom the velocity check counts by
        score = self._credit_score(user_id)
        if score is not None:
            data["credit_score"] = score
        applicant = parse_applicant(data)
        down = deal.down_payment(vehicle.price)
        trade_in = trade_in_of(values, vehicle.price, down)
        now = datetime.now(UTC)
        version = SOFT_CHECK_DESK_CONSENT_VERSION if dealer_id else SOFT_CHECK_TEXT_VERSION
        consent = ConsentGiven(ConsentPurpose.SOFT_CHECK, version, consented_at)
        application_id = application_id or new_id()
        checked = PrequalDeal(down, deal.term, trade_in)
        with self.session() as s:
            # the buyer's checks of other cars, the latest of each: checking a car again with
            # another deal (a what-if hint) is one application, not many
            latest: dict[str, datetime] = {}
            for a in deals_repo.list_applications(s, user_id=user_id, limit=VELOCITY_LOOKBACK):
                if a.vehicle_id != vehicle_id and a.status is not ApplicationStatus.DRAFT:
                    latest.setdefault(a.vehicle_id, a.created_at)  # newest first
            earlier = tuple(PriorApplication(at, person_id=user_id) for at in latest.values())
            answer = prequalify(
                s, applicant, vehicle_id, checked, today=self.today(), consent=consent,
                now=now, user_id=user_id, history=earlier,
            )  # fmt: skip
            r = answer.result
            deals_repo.save_application(
                s,
                application=Application(
                    id=application_id, user_id=user_id, vehicle_id=vehicle_id,
                    cash_price=vehicle.price, down_payment=down, term=deal.term,
                    trade_in=trade_in, review=tuple(x.code for x in r.review),
                    status=ApplicationStatus.PREQUALIFIED if r.offers else
                    ApplicationStatus.DECLINED,
                    dealer_id=dealer_id, created_at=now,
                ),
            )  # fmt: skip
            records = [
                OfferRecord(
                    id=new_id(), application_id=application_id, product_id=o.product.id,
                    eligible=True, tier=o.rate.tier, term=o.quote.terms.count,
                    principal=o.quote.principal, payment=o.quote.payment,
                    finance_charge=o.quote.finance_charge,
                    total_of_payments=o.quote.total_of_payments, apr=o.quote.apr, created_at=now,
                )
                for o in r.offers
            ] + [
                OfferRecord(
                    id=new_id(), application_id=application_id, product_id=d.product.id,
                    eligible=False, reasons=failed_codes(d), created_at=now,
                )
                for d in r.declines
            ]  # fmt: skip
            deals_repo.save_offers(s, offers=records)
            s.commit()
        ranked = self._rank(application_id, vehicle, answer, user_id, history)
        return replace(ranked, offer_record_ids={r.product_id: r.id for r in records}, deal=checked)

    def _rank(self: Services, application_id, vehicle, answer, user_id, history) -> OffersResult:
        from recommender import apply_guardrail

        offers = answer.result.offers
        by_id = {o.product.id: o for o in offers}
        costs = {o.product.id: o.quote.finance_charge for o in offers}
        cheapest = tuple(sorted(offers, key=lambda o: (o.quote.finance_charge, o.product.id)))
        ranked = []
        model = self.recommender()
        if model is not None and offers:
            ranked = model.rank(
                user_id, eligible=list(by_id), k=len(by_id), session_history=list(history)
            )
        order = [r.item_id for r in ranked if r.item_id in by_id]
        order += [o.product.id for o in cheapest if o.product.id not in order]
        if cheapest:
            order = cheapest_second(order, cheapest[0].product.id)
        guard = apply_guardrail(ranked, costs) if ranked else None
        return OffersResult(
            application_id=application_id,
            vehicle=vehicle,
            answer=answer,
            recommended=tuple(by_id[i] for i in order),
            cheapest=cheapest,
            why={r.item_id: r.why for r in ranked},
            top_costs_more_by=guard.top_costs_more_by if guard else None,
            cheapest_id=cheapest[0].product.id if cheapest else None,
        )

    def saved_checks(self: Services, user_id: str, *, limit: int = 5) -> list[SavedCheck]:
        """The buyer's latest prequalifications and their saved offers, newest first; not those
        the buyer stopped by withdrawing their soft-check consent."""
        with self.session() as s:
            apps, answers = _standing_checks(s, user_id, limit)
            products = _products_of(s, [r for records in answers.values() for r in records])
        # a draft that was never checked has no answers
        return [self._saved_check(a, answers[a.id], products) for a in apps if answers.get(a.id)]

    def reopen_offer(self: Services, user_id: str, product_id: str) -> ReopenedOffer | None:
        """The buyer's newest saved check that offered ``product_id`` (None: none did — or
        not this buyer's, or stopped by withdrawing the soft-check consent), reopened as the
        screens need it, without a new check: each saved offer priced again by the engine at
        the check's tier, car price, down payment, trade-in and term, for today. An offer
        whose figures are not the saved ones is left out (``changed`` when it is the one
        asked for): what the buyer reviews and signs is what they were quoted."""
        from domain.catalog import ApplicationStatus
        from domain.prequal import Deal as PrequalDeal
        from domain.prequal import Offer
        from domain.prequal.pricing import cached_quote, terms_for
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            apps, answers = _standing_checks(s, user_id, VELOCITY_LOOKBACK)
            found = next(
                (a for a in apps
                 if any(r.eligible and r.product_id == product_id for r in answers.get(a.id, ()))),
                None,
            )  # fmt: skip
            if found is None:
                return None
            records = [r for r in answers[found.id] if r.eligible]
            products = _products_of(s, records)
            contract = (
                deals_repo.latest_contract(s, application_id=found.id)
                if found.status in (ApplicationStatus.CONTRACTED, ApplicationStatus.FUNDED)
                else None
            )
        if contract is not None:
            return ReopenedOffer(found.id, contract_id=contract.id)
        vehicle = self.car(found.vehicle_id)
        offers = []
        for r in records:
            product = products.get(r.product_id)
            line = None if product is None or r.tier is None else product.rate_for(r.tier, r.term)
            if vehicle is None or vehicle.price != found.cash_price or line is None:
                continue
            q = cached_quote(terms_for(
                product, line, price=found.cash_price, down_payment=found.down_payment,
                trade_in=found.trade_in, term=r.term, today=self.today(),
            ))  # fmt: skip
            saved = (r.principal, r.payment, r.finance_charge, r.total_of_payments, r.apr)
            if (q.principal, q.payment, q.finance_charge, q.total_of_payments, q.apr) != saved:
                continue
            # the metrics need the check's income and debts, which only its session had
            offers.append(Offer(product=product, rate=line, quote=q, metrics=None,
                                max_amount_financed=q.amount_financed))  # fmt: skip
        if not any(o.product.id == product_id for o in offers):
            return ReopenedOffer(found.id, changed=True)
        cheapest = tuple(sorted(offers, key=lambda o: (o.quote.finance_charge, o.product.id)))
        result = OffersResult(
            application_id=found.id, vehicle=vehicle, answer=None, recommended=cheapest,
            cheapest=cheapest, why={}, top_costs_more_by=None,
            cheapest_id=cheapest[0].product.id,
            offer_record_ids={r.product_id: r.id for r in records},
            deal=PrequalDeal(found.down_payment, found.term, found.trade_in),
        )  # fmt: skip
        return ReopenedOffer(found.id, result=result)

    def dealer_check(self: Services, staff: SessionUser, application_id: str) -> SavedCheck | None:
        """The customer's soft check on an application of the staff member's dealership, as
        saved (None before the check). Not once the customer withdrew: their consent to it is
        gone, so its results are no longer shown."""
        from domain.catalog import ApplicationStatus
        from local_db.repositories import deals as deals_repo

        app_ = self.staff_application(staff, application_id)
        if app_.status is ApplicationStatus.WITHDRAWN:
            return None
        with self.session() as s:
            records = deals_repo.list_offers_of(s, application_ids=[app_.id]).get(app_.id)
            products = _products_of(s, records or [])
        return self._saved_check(app_, records, products) if records else None

    def _saved_check(
        self: Services, a: Application, records: list, products: dict[str, LoanProduct]
    ) -> SavedCheck:
        offers = sorted((r for r in records if r.eligible),
                        key=lambda r: (r.finance_charge, r.product_id))  # fmt: skip
        return SavedCheck(
            application=a, vehicle=self.car(a.vehicle_id), offers=tuple(offers),
            declines=tuple(r for r in records if not r.eligible),
            products={r.product_id: products[r.product_id] for r in records
                      if r.product_id in products},
        )  # fmt: skip

    def recommender(self: Services):
        """The ALS model: loaded from the data dir, or trained there from the local
        interactions on first use (seconds; the views show progress). None without data."""
        from app.demo_model import model_path
        from recommender import Recommender

        with self._model_lock:  # two sessions must not train at once
            if not self.demo_mode:
                return self._server_recommender()
            if self._recommender is None:
                path = model_path(self.settings)
                if not path.exists() and not self.train_recommender(path):
                    return None
                self._recommender = Recommender.load(path)
        return self._recommender

    def _server_recommender(self: Services):
        """With a server: the model it published (asked for at most every
        :data:`MODEL_CHECK_S`; offline, the newest this device has), never one trained on the
        few interactions of this device. None before the server has published one."""
        from app.sync_service import newest_model
        from recommender import Recommender

        now = time.monotonic()
        if self._model_checked_at is None or now - self._model_checked_at >= MODEL_CHECK_S:
            self._model_checked_at = now
            folder = Path(self.settings.data_dir) / "model"
            path = self._sync_handle().fetch_model(folder) or newest_model(folder)
            if path is not None and path != self._model_from:
                self._recommender, self._model_from = Recommender.load(path), path
        return self._recommender

    def train_recommender(self: Services, path: Path) -> bool:
        from app.demo_model import train_from_database

        with self.session() as s:
            return train_from_database(s, path)

    def record_event(self: Services, user_id: str, product_id: str, event: str) -> None:
        from domain.catalog import EventType
        from local_db.repositories import interactions as interactions_repo

        with self.session() as s:
            interactions_repo.record_interaction(
                s, user_id=user_id, product_id=product_id, event=EventType(event)
            )
            s.commit()

    def lender_name(self: Services, lender_id: str, locale: str) -> str:
        names = self._lender_names().get(lender_id)
        if names is None:  # e.g. arrived by sync after the names were read
            with self.session() as s:
                lender = catalog_repo.get_lender(s, lender_id=lender_id)
            if lender is None:
                return lender_id
            names = (lender.name_zh, lender.name_en)
        return names[0] if locale.startswith("zh") else names[1]

    @per_catalogue
    def _lender_names(self: Services) -> dict[str, tuple[str, str]]:
        """Every lender's (Chinese, English) name: one query instead of one per offer card."""
        with self.session() as s:
            return {x.id: (x.name_zh, x.name_en) for x in catalog_repo.list_lenders(s)}

    # --- contracts ------------------------------------------------------------------------
    def contract_deal(self: Services, result: OffersResult, product_id: str, buyer_id: str,
                      *, consented_at: datetime | None = None, strokes=(),
                      locale: str = "zh_CN", identity=None, phone: str = ""):  # fmt: skip
        """The contract for an offer: parties, car, the offer's own loan terms, the buyer's
        e-records consent (worded in the contract's ``locale``) and drawn signature; the buyer
        named by ``identity`` (a LegalIdentity they declared) or else by their profile, and
        reached at ``phone`` (a walk-in's, as the staff typed it) or else their profile's."""
        from contracts import labels as L
        from contracts.deal import Consent, Party
        from contracts.deal import Deal as ContractDeal
        from contracts.deal import Vehicle as ContractVehicle
        from local_db.crypto import cipher_for_dir

        offer = result.offer(product_id)
        if offer is None:
            raise InputError("product_id", "not_offered", "is not among this check's offers")
        v = result.vehicle
        with self.session() as s:
            profile = people_repo.get_buyer_profile(
                s, user_id=buyer_id, cipher=cipher_for_dir(self.settings.data_dir)
            )
            user = people_repo.get_user(s, user_id=buyer_id)
            dealer = catalog_repo.get_dealer(s, dealer_id=v.dealer_id)
            lender = catalog_repo.get_lender(s, lender_id=offer.product.lender_id)
        name = profile.full_name if profile else (user.display_name if user else buyer_id)
        id_number = profile.id_number if profile else ""
        if identity is not None:
            name, id_number = identity.name, identity.id_number
        consent = None
        if consented_at is not None:
            consent = Consent(
                consented_at=consented_at,
                scope=L.text("app_consent_scope", locale),
                method=L.text("app_consent_method", locale),
            )
        # the car as the screens name it in the contract's language (the VIN identifies it)
        make, model = v.make_and_model(locale)
        return ContractDeal(
            buyer=Party(name=name, id_number=id_number,
                        phone=phone or (profile.phone if profile else "")),
            dealer=Party(name=dealer.name_zh, address=dealer.address_zh, phone=dealer.phone)
            if dealer else Party(name=v.dealer_id),
            lender=Party(name=lender.name_zh if lender else offer.product.lender_id),
            vehicle=ContractVehicle(vin=v.vin, make=make, model=model, year=v.year,
                                    price=v.price),
            terms=offer.quote.terms,
            consent=consent,
            signatures={"buyer": tuple(tuple(stroke) for stroke in strokes)} if strokes else {},
            servicing=_servicing(offer),
            demo=self.demo_market,
            lease=offer.product.is_lease,
        )  # fmt: skip

    def disclosure_words(
        self: Services, result: OffersResult, product_id: str, locale: str
    ) -> DisclosureWords:
        """The contract's own words for an offer's disclosure, so the screen says what the
        contract will: the figures' labels (``labels``: key -> label, keys as
        ``contracts.record.disclosure_of``) and the terms beside them (``terms``: late
        charge, prepayment and security interest as (label, sentence))."""
        from contracts import labels as L
        from contracts.render import late_charge_text, prepayment_text, security_term

        offer = result.offer(product_id)
        if offer is None:
            raise InputError("product_id", "not_offered", "is not among this check's offers")
        servicing = _servicing(offer)
        lease = offer.product.is_lease
        keys = ("apr", "finance_charge", "amount_financed", "total_of_payments",
                "total_sale_price")  # fmt: skip
        return DisclosureWords(
            labels={k: L.text(k, locale, lease=lease) for k in keys},
            terms=(
                (L.text("late_charge", locale),
                 late_charge_text(servicing.late_fee, locale, lease=lease)),
                (L.text("prepayment", locale, lease=lease),
                 prepayment_text(servicing.prepayment, locale, lease=lease,
                                 financed=offer.quote.balance_on_amount_financed)),
                security_term(lease, result.vehicle.vin, locale),
            ),
            late_yearly_rate=servicing.late_fee.yearly_penalty_rate,
        )  # fmt: skip

    def contract_preview(self: Services, deal, locale: str, application_id: str) -> str:
        """Render the unsigned PDF into the data dir; returns its file name (served by
        ``chedai app`` only through a link from :meth:`contract_url`)."""
        from app.contract_files import draft_name
        from contracts.render import render_contract

        name = draft_name(application_id, deal.resolved_id(), locale)
        self._store_contract_pdf(name, render_contract(deal, locale=locale), application_id)
        return name

    def contract_url(self: Services, viewer: SessionUser, application_id: str, name: str) -> str:
        """A signed, expiring link to one of the application's contract PDFs, for the buyer
        whose application it is or for staff of the dealership it was made at; anyone else
        gets an InputError (and no link)."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            application = deals_repo.get_application(s, application_id=application_id)
        if not may_open(viewer, application) or not name.startswith(f"{application_id}-"):
            raise InputError("contract", "forbidden", "is not yours to open")
        return self.links.url(name, viewer.id)

    def data_copy_url(self: Services, viewer: SessionUser) -> str:
        """A signed, expiring link to the buyer's copy of what this device holds of them
        (PIPL Art. 45: a copy of one's personal information); staff have none to take."""
        from app.file_links import EXPORT_PREFIX

        if viewer.role != "buyer":
            raise InputError("account", "forbidden", "is not yours to open")
        return self.links.url(DATA_COPY_NAME, viewer.id, prefix=EXPORT_PREFIX)

    def data_copy(self: Services, user_id: str) -> bytes:
        """The buyer's copy, as UTF-8 JSON: their profile opened, then their account's rows
        table by table (``local_db.account_rows``), money in integer cents (CNY)."""
        import json

        from local_db.account_rows import export_account
        from local_db.crypto import cipher_for_dir

        with self.session() as s:
            rows = export_account(s, user_id, cipher_for_dir(self.settings.data_dir))
        made = datetime.now(UTC).isoformat(timespec="seconds")
        copy = {"format": "chedai-data-copy/1", "made_at": made, "user_id": user_id,
                "money": "integer cents (CNY), in fields ending _cents", **rows}  # fmt: skip
        return json.dumps(copy, ensure_ascii=False, indent=2).encode()

    def _contract_dir(self: Services) -> Path:
        from local_db.files import private_dir

        return private_dir(Path(self.settings.data_dir) / "contracts")

    def _store_contract_pdf(self: Services, name: str, pdf: bytes, application_id: str) -> None:
        """Write a contract PDF (owner-only), then delete the application's drafts it replaces
        and any draft past the life of its links."""
        from app.contract_files import prune_drafts
        from local_db.files import write_private

        folder = self._contract_dir()
        write_private(folder / name, pdf)
        prune_drafts(folder, superseded_of=application_id, keep=(name,))

    def prune_drafts(self: Services) -> list[str]:
        """Delete the draft PDFs no screen can reach any more (see app.contract_files):
        stale ones, and those of applications no longer open (signed, withdrawn, declined,
        gone). Signed contracts are never deleted. Returns the names deleted."""
        from app.contract_files import prune_drafts
        from local_db.repositories import deals as deals_repo

        def closed(application_ids) -> set[str]:
            with self.session() as s:
                apps = {i: deals_repo.get_application(s, application_id=i)
                        for i in application_ids}  # fmt: skip
            return {i for i, a in apps.items()
                    if a is None or a.deleted or a.status not in OPEN_APPLICATIONS}  # fmt: skip

        return prune_drafts(Path(self.settings.data_dir) / "contracts", closed=closed)

    def sign_contract(
        self: Services, result: OffersResult, product_id: str, buyer_id: str,
        *, consented_at: datetime, strokes, locale: str, identity=None, phone: str = "",
    ) -> SignedContract:  # fmt: skip
        """Render, sign (buyer, then the lender's demo countersignature), verify, and save the
        contract, the application's new status and an audit entry in one transaction."""
        from contracts.pki import ROOT_CERT, demo_pki, load_certificate
        from contracts.render import render_contract
        from contracts.signing import sign_contract
        from contracts.verification import verify_contract
        from domain.catalog import ApplicationStatus, ConsentPurpose, EventType
        from domain.ids import new_id
        from local_db import audit
        from local_db.repositories import deals as deals_repo
        from local_db.repositories import interactions as interactions_repo

        if consented_at is None:  # never a contract signed without its e-sign consent
            raise InputError(
                "esign_consent", "required", "consent to electronic signing before signing"
            )
        if not strokes:
            raise InputError("signature", "required", "draw your signature before signing")
        if identity is None and self.known_identity(buyer_id) is None:
            raise InputError(  # a contract names who signs it
                "identity", "required", "Confirm your name and ID card number before signing"
            )
        with self.session() as s:
            application = deals_repo.get_application(s, application_id=result.application_id)
        _check_signable(application)
        _check_free(self, application.vehicle_id)
        deal = self.contract_deal(result, product_id, buyer_id, consented_at=consented_at,
                                  strokes=strokes, locale=locale, identity=identity,
                                  phone=phone)  # fmt: skip
        pki = demo_pki(self.settings.data_dir)
        pdf = render_contract(deal, locale=locale)
        pdf = sign_contract(pdf, role="buyer", signer=pki.signer("buyer"),
                            signer_name=deal.buyer.name).pdf  # fmt: skip
        signed = sign_contract(pdf, role="lender", signer=pki.signer("lender"),
                               signer_name=deal.lender.name)  # fmt: skip
        root = load_certificate(Path(self.settings.data_dir) / "pki" / ROOT_CERT)
        verification = verify_contract(signed.pdf, trust_roots=(root,))
        now = datetime.now(UTC)
        record = ContractRecord(
            id=new_id(), application_id=result.application_id,
            offer_id=result.offer_record_ids.get(product_id, product_id), version=1,
            pdf_sha256=signed.sha256, signed_at=now, pdf=signed.pdf,
            loan=loan_wire(ContractLoan(deal.terms, deal.servicing, deal.lender.name)),
        )  # fmt: skip
        with self.session() as s:
            deals_repo.save_contract(s, contract=record)
            signed_application = replace(application, product_id=product_id,
                                         pay_out_by=deal.terms.first_due)  # fmt: skip
            _advance(s, signed_application, ApplicationStatus.CONTRACTED)
            audit.append(
                s,
                actor=buyer_id,
                action="contract.signed",
                entity="contract",
                entity_id=record.id,
                details={"sha256": signed.sha256},
            )
            interactions_repo.record_interaction(
                s, user_id=buyer_id, product_id=product_id, event=EventType.ACCEPT
            )
            people_repo.record_consent(  # the e-sign consent this contract was signed under
                s,
                user_id=buyer_id,
                purpose=ConsentPurpose.ELECTRONIC_RECORDS,
                text_version=ESIGN_CONSENT_VERSION,
                at=consented_at,
            )
            s.commit()  # fmt: skip
        from app.contract_files import signed_name

        name = signed_name(result.application_id, deal.resolved_id())
        self._store_contract_pdf(name, signed.pdf, result.application_id)
        return SignedContract(record=record, verification=verification, file_name=name,
                              buyer=deal.buyer.name, lender=deal.lender.name)  # fmt: skip

    # --- loans and repayments ---------------------------------------------------------------
    def my_loans(self: Services, user_id: str) -> list[LoanView]:
        """The buyer's signed loans, each folded over its payments as of today (and those
        cancelled before their payout)."""
        loans = (self._loan_view(application, contract)
                 for application, contract in self._signed_contracts(user_id))  # fmt: skip
        return [loan for loan in loans if loan is not None]

    def _signed_contracts(self: Services, user_id: str) -> list[tuple[Application, Any]]:
        """The buyer's applications with a signed loan, each with its latest contract."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            return [
                (a, c) for a in deals_repo.list_applications(s, user_id=user_id)
                if a.status in _LOAN_STATUSES
                and (c := deals_repo.latest_contract(s, application_id=a.id)) is not None
            ]  # fmt: skip

    def loans_due_soon(self: Services, user_id: str) -> int:
        """How many of the buyer's paid-out loans have a payment overdue or due within the
        reminder days (``domain.repayment_status.reminders``). Only the fold and its
        reminders: it is counted at every screen reached, without a loan screen's payoff
        quote and schedule."""
        from domain.repayment_status import reminders
        from domain.repayments import fold

        due = 0
        funded = [(a, c) for a, c in self._signed_contracts(user_id)
                  if a.status is ApplicationStatus.FUNDED]  # fmt: skip
        with self.session() as s:
            taken = refusals_repo.cars_taken(s, [a.id for a, _ in funded])
            foldings = [self._folding(s, c) for a, c in funded if a.id not in taken]
        for signed, _, plan, events in filter(None, foldings):
            today = max(self.today(), signed.terms.loan_date)
            due += bool(reminders(fold(plan, events, today, signed.servicing)))
        return due

    def loan(self: Services, user_id: str, contract_id: str) -> LoanView | None:
        """One of :meth:`my_loans` by its contract (None when it is not the buyer's, not the
        latest version of its application's contract, or not signed), folded alone."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            application = deals_repo.contract_application(s, contract_id=contract_id)
            if application is None or application.user_id != user_id:
                return None
            contract = deals_repo.latest_contract(s, application_id=application.id)
        if application.status not in _LOAN_STATUSES or contract is None:
            return None
        if contract.id != contract_id:
            return None
        return self._loan_view(application, contract, with_course=True)

    def _loan_view(
        self: Services, application, contract, *, with_course: bool = False
    ) -> LoanView | None:
        """The signed loan folded as of today; None when this device knows not its terms (a
        contract from before they travelled with it, whose PDF is on another device).
        ``with_course``: also the course an early repayment gave it, which only the loan's
        own chart draws."""
        from domain import repayment_status
        from domain.repayment_projection import course, remaining_schedule
        from domain.repayments import fold, payoff_quote
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            folding = self._folding(s, contract)
            if folding is None:
                return None
            payments = deals_repo.list_payments(s, contract_id=contract.id)
            taken = refusals_repo.cars_taken(s, [application.id])
            product = (
                catalog_repo.get_product(s, product_id=application.product_id)
                if application.product_id else None
            )  # fmt: skip
        signed, q, plan, events = folding
        terms, servicing = signed.terms, signed.servicing
        today = max(self.today(), terms.loan_date)
        state = fold(plan, events, today, servicing)
        payoff_refused = None
        try:
            payoff = payoff_quote(plan, events, today, servicing)
        except InputError as refused:
            payoff, payoff_refused = None, refused.rule
        remaining = (
            remaining_schedule(plan, events, today, servicing)
            if application.status is ApplicationStatus.FUNDED and not taken
            else None
        )
        path = (
            course(plan, events, remaining, servicing)
            if with_course and remaining is not None
            else None
        )
        return LoanView(
            contract=contract, application=application, vehicle=self.car(application.vehicle_id),
            lender=signed.lender, quote=q,
            status=repayment_status.status(state), reminders=tuple(
                repayment_status.reminders(state)), payoff=payoff,
            paid_count=repayment_status.paid_count(state),
            payments=tuple(payments), as_of=today, servicing=servicing,
            lender_id=product.lender_id if product else None, payoff_refused=payoff_refused,
            remaining=remaining, course=path, car_taken=bool(taken),
            lease=product is not None and product.is_lease,
        )  # fmt: skip

    def _folding(self: Services, s, contract) -> tuple[ContractLoan, Quote, Any, list] | None:
        """What a signed loan is folded from: its terms (and the lender), their quote, the
        repayment plan and the payment events as recorded (read in the session ``s``); None
        when this device knows not its terms."""
        from domain.repayment_plan import plan_from_quote
        from domain.repayments import as_recorded
        from local_db.repositories import repayments as repayments_repo

        signed = contract_loan_of(contract)
        if signed is None:
            return None
        q = quote(signed.terms)
        recorded = repayments_repo.loan_events(s, contract_id=contract.id)
        return signed, q, plan_from_quote(q), as_recorded(recorded, signed.terms.loan_date)

    def record_payment(self: Services, contract_id: str, amount_text: str) -> None:
        """Append a payment event (today, bank transfer) to a loan the lender has paid out;
        InputError names the bad amount, or says the loan is not paid out yet."""
        from domain.catalog import ApplicationStatus, PaymentRecord
        from domain.ids import new_id
        from local_db.repositories import deals as deals_repo

        amount = parse_money(amount_text, "payment.amount")
        if amount <= 0:
            raise InputError("payment.amount", "positive", "must be greater than zero")
        with self.session() as s:
            application = deals_repo.contract_application(s, contract_id=contract_id)
            paid_out = (
                application is not None
                and application.status is ApplicationStatus.FUNDED
                # confirmed offline, then refused
                and not refusals_repo.cars_taken(s, [application.id])
            )
            if paid_out:
                deals_repo.record_payment(
                    s,
                    payment=PaymentRecord(
                        new_id(), contract_id, self.today(), amount, created_at=datetime.now(UTC)
                    ),
                )
                s.commit()
        if not paid_out:  # nothing is owed on a loan the lender has not paid out yet
            raise InputError(
                "payment", "paid_out", "A payment is recorded once the lender has paid the loan out"
            )

    # --- dealer mode ------------------------------------------------------------------------
    def start_walk_in(self: Services, staff: SessionUser, name: str, phone: str) -> str:
        """A buyer account for a walk-in customer (no sign-in of their own); its id."""
        from domain.catalog import User
        from domain.ids import new_id

        name = name.strip()
        if not name:
            raise InputError("customer.name", "required", "is required")
        if phone and not (phone.isdigit() and len(phone) == 11):
            raise InputError("customer.phone", "phone", "must be an 11-digit mobile number")
        user = User(id=new_id(), username=f"walkin-{new_id()[:8]}", role=Role.BUYER,
                    display_name=name)  # fmt: skip
        with self.session() as s:
            people_repo.save_user(s, user=user, enqueue=True)
            s.commit()
        return user.id

    def walk_in_car(self: Services, staff: SessionUser, vehicle_id: str) -> Vehicle:
        """The car a walk-in applies for: one of the catalogue's, on sale at the staff's own
        dealership (the server takes no application for another dealership's car)."""
        vehicle = self.car(vehicle_id)
        if vehicle is None:
            raise InputError("customer.car", "not_found", "no such vehicle in the catalogue")
        if vehicle.dealer_id != staff.dealer_id:
            raise InputError("customer.car", "other_dealership", "is another dealership's car")
        return vehicle

    def walk_in_trade_in(
        self: Services, staff: SessionUser, vehicle_id: str, deal: Deal, form: dict
    ) -> Decimal:
        """The trade-in the staff appraised for a walk-in (0 when left empty), checked as the
        customer's form checks it (see :func:`trade_in_of`)."""
        vehicle = self.walk_in_car(staff, vehicle_id)
        return trade_in_of(form, vehicle.price, deal.down_payment(vehicle.price))

    def start_draft(
        self: Services,
        staff: SessionUser,
        user_id: str,
        vehicle_id: str,
        deal: Deal,
        trade_in: Decimal = ZERO,
    ) -> str:
        """A draft application for a walk-in (on the pipeline until the customer's check
        completes it, see ``run_prequal(application_id=...)``); its id."""
        from domain.ids import new_id
        from local_db.repositories import deals as deals_repo

        vehicle = self.walk_in_car(staff, vehicle_id)
        down = deal.down_payment(vehicle.price)
        application = Application(
            id=new_id(), user_id=user_id, vehicle_id=vehicle_id, cash_price=vehicle.price,
            down_payment=down, term=deal.term, trade_in=trade_in, dealer_id=staff.dealer_id,
            created_at=datetime.now(UTC),
        )  # fmt: skip
        with self.session() as s:
            deals_repo.save_application(s, application=application)
            s.commit()
        return application.id

    def choose_offer(self: Services, application_id: str, product_id: str) -> None:
        """The buyer goes on to the contract of ``product_id``: a prequalified application
        is submitted with it ("offer chosen" on the dealer's board) and, its check having
        raised no flag, approved by the product's rules; a flagged one waits, submitted, for
        a person's review. Choosing again before signing changes the product."""
        from domain.catalog import ApplicationStatus
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            app_ = deals_repo.get_application(s, application_id=application_id)
            if app_ is None or app_.status not in (
                ApplicationStatus.PREQUALIFIED, ApplicationStatus.SUBMITTED,
                ApplicationStatus.APPROVED,
            ):  # fmt: skip
                return
            pending = app_.review_state == "pending"
            target = ApplicationStatus.SUBMITTED if pending else ApplicationStatus.APPROVED
            if (app_.status, app_.product_id) == (target, product_id):
                return
            if app_.product_id != product_id:
                app_ = replace(app_, product_id=product_id)
                deals_repo.save_application(s, application=app_)
            _advance(s, app_, target)
            s.commit()

    def review_state(self: Services, application_id: str) -> str | None:
        """Where the application's manual review stands (domain.catalog.review_state)."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            application = deals_repo.get_application(s, application_id=application_id)
        return None if application is None else application.review_state

    def review_application(self: Services, application_id: str, *, approve: bool) -> None:
        """Demo mode only: the lender's reviewer decides an application its check referred to
        manual review — approved (it may then be signed) or declined — with an audit entry.
        There is no reviewer behind the demo market, so its user plays one; with a server, the
        decision is the lender's and arrives by sync (the server lets only a reviewer make
        it). An InputError names the rule otherwise."""
        from domain.catalog import ApplicationStatus
        from local_db import audit
        from local_db.repositories import deals as deals_repo

        if not self.demo_mode:
            raise InputError("review", "demo_only", "Reviews are the lender's, made on its server")
        with self.session() as s:
            app_ = deals_repo.get_application(s, application_id=application_id)
            pending = app_ is not None and app_.review_state == "pending"
            if pending:
                app_ = _advance(s, app_, ApplicationStatus.SUBMITTED)  # reviewed as submitted
                decided = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
                decision = str(decided)
                deals_repo.save_application(
                    s, application=replace(app_, status=decided, review_decision=decision)
                )
                audit.append(
                    s, actor=DEMO_REVIEWER, action="application.reviewed", entity="application",
                    entity_id=application_id,
                    details={"decision": decision, "flags": list(app_.review)},
                )  # fmt: skip
                s.commit()
        if not pending:  # raised out here: see staff_application
            raise InputError(
                "application", "not_in_review", "This application is not waiting for a review"
            )

    def staff_application(self: Services, staff: SessionUser, application_id: str) -> Application:
        """The application, when it is one of the staff member's dealership's; else an
        InputError "not found" (another dealership's id is never confirmed)."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            app_ = deals_repo.get_application(s, application_id=application_id)
        # InputError is frozen: raised inside the session's context manager it cannot take
        # its traceback, so it is raised out here
        if (
            app_ is None
            or staff.role != "staff"
            or staff.dealer_id is None
            or app_.dealer_id != staff.dealer_id
        ):
            raise InputError("application", "not_found", "no such application")
        return app_

    def confirm_payout(self: Services, staff: SessionUser, application_id: str) -> None:
        """The lender has paid the loan out to the dealership (放款到账): a signed application
        of the staff member's dealership becomes funded, with an audit entry and the buyer's
        strongest interaction with the product. Anything else is an InputError naming the
        application (another dealership's is "not found": its id is never confirmed)."""
        self._pay_out(self.staff_application(staff, application_id), actor=staff.id)

    def pay_out_demo(self: Services, user_id: str, application_id: str) -> None:
        """Demo mode only: the buyer's signed loan is paid out, the user playing the lender
        and its dealership (no one else is behind the demo market, and most demo dealerships
        have no staff); with a server, the dealership confirms it and the status arrives by
        sync. An InputError names the rule otherwise."""
        app_ = self._own_in_demo(user_id, application_id, "payout",
                                 "Payouts are confirmed by the dealership")  # fmt: skip
        self._pay_out(app_, actor=DEMO_LENDER)

    def _own_in_demo(
        self: Services, user_id: str, application_id: str, field: str, live: str
    ) -> Application:
        """The buyer's own application, to act on in another party's place: only in demo
        mode (else an InputError on ``field`` saying ``live``, who acts on it there)."""
        from local_db.repositories import deals as deals_repo

        if not self.demo_mode:
            raise InputError(field, "demo_only", live)
        with self.session() as s:
            app_ = deals_repo.get_application(s, application_id=application_id)
        if app_ is None or app_.user_id != user_id:
            raise InputError("application", "not_found", "no such application")
        return app_

    def _pay_out(self: Services, app_: Application, *, actor: str) -> None:
        from domain.catalog import EventType
        from local_db import audit
        from local_db.repositories import deals as deals_repo
        from local_db.repositories import interactions as interactions_repo

        if app_.status is not ApplicationStatus.CONTRACTED:
            raise InputError(
                "application", "signed", "is paid out only once its contract is signed"
            )
        if _lapsed(app_, self.today()):
            raise InputError(
                "application", "lapsed",
                "was not paid out before its first repayment date, {date}: the contract has "
                "lapsed; cancel it, and the customer checks again for a new one",
                {"date": app_.pay_out_by.isoformat()},
            )  # fmt: skip
        with self.session() as s:
            taken = refusals_repo.cars_taken(s, [app_.id])
        # raised outside the session: its context manager re-raises by setting the error's
        # __traceback__, which a frozen InputError refuses
        if taken:
            raise InputError(
                "application", "under_contract",
                "was not accepted: another contract on this car reached Chedai first, so it "
                "cannot be paid out; cancel it",
            )  # fmt: skip
        with self.session() as s:
            deals_repo.save_application(
                s, application=replace(app_, status=ApplicationStatus.FUNDED)
            )
            audit.append(
                s,
                actor=actor,
                action="application.funded",
                entity="application",
                entity_id=app_.id,
                details={},
            )
            if app_.product_id:
                interactions_repo.record_interaction(
                    s, user_id=app_.user_id, product_id=app_.product_id, event=EventType.FUND
                )
            s.commit()

    def _signed_loan(self: Services, app_: Application) -> LoanView | None:
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            contract = deals_repo.latest_contract(s, application_id=app_.id)
        return None if contract is None else self._loan_view(app_, contract, with_course=True)

    def staff_loan(self: Services, staff: SessionUser, application_id: str) -> LoanView | None:
        """The signed loan of one of the staff member's dealership's applications (None
        before a contract); another dealership's is "not found" (:meth:`staff_application`)."""
        return self._signed_loan(self.staff_application(staff, application_id))

    def cancel_contract(self: Services, staff: SessionUser, application_id: str) -> None:
        """The dealership cancels a signed contract the lender has not paid out (the customer
        changed their mind, or it lapsed): the application is withdrawn, nothing is owed,
        and the customer may check again for a new one."""
        self._cancel(self.staff_application(staff, application_id), actor=staff.id)

    def cancel_demo(self: Services, user_id: str, application_id: str) -> None:
        """Demo mode only: the buyer cancels their own signed, unpaid-out contract as its
        dealership would (``pay_out_demo``'s counterpart)."""
        app_ = self._own_in_demo(user_id, application_id, "cancel",
                                 "Contracts are cancelled by the dealership")  # fmt: skip
        self._cancel(app_, actor=DEMO_LENDER)

    def _cancel(self: Services, app_: Application, *, actor: str) -> None:
        from local_db import audit
        from local_db.repositories import deals as deals_repo

        if app_.status is not ApplicationStatus.CONTRACTED:
            raise InputError(
                "application", "cancel_signed",
                "is cancelled this way only while signed and not paid out",
            )  # fmt: skip
        with self.session() as s:
            deals_repo.save_application(
                s, application=replace(app_, status=ApplicationStatus.WITHDRAWN)
            )
            audit.append(s, actor=actor, action="contract.cancelled", entity="application",
                         entity_id=app_.id, details={})  # fmt: skip
            s.commit()

    def dealer_applications(self: Services, dealer_id: str) -> list[PipelineCard]:
        """Every application of the dealer's, newest first, withdrawn ones included; customers
        shown by initials only."""
        from local_db.repositories import deals as deals_repo

        with self.session() as s:
            apps = deals_repo.list_dealer_applications(s, dealer_id=dealer_id)
        return self._cards(apps)

    def dealer_application(self: Services, staff: SessionUser, application_id: str) -> PipelineCard:
        """One application of the staff member's dealership as its pipeline card; an
        InputError "not found" for any other (see :meth:`staff_application`)."""
        return self._cards([self.staff_application(staff, application_id)])[0]

    def _cards(self: Services, apps: list[Application]) -> list[PipelineCard]:
        with self.session() as s:
            users = {u: people_repo.get_user(s, user_id=u) for u in {a.user_id for a in apps}}
            signed = [a.id for a in apps if a.status in _SIGNED_STATUSES]
            taken = refusals_repo.cars_taken(s, signed)
        today = self.today()
        cards = []
        for a in apps:
            user = users.get(a.user_id)
            cards.append(PipelineCard(
                application_id=a.id, initials=initials(user.display_name if user else "?"),
                vehicle=self.car(a.vehicle_id),
                amount=a.cash_price - a.down_payment - a.trade_in,
                status=str(a.status), user_id=a.user_id, review=a.review,
                review_decision=a.review_decision, pay_out_by=a.pay_out_by,
                lapsed=_lapsed(a, today), started_at=a.created_at, car_taken=a.id in taken,
            ))  # fmt: skip
        return cards

    def pipeline(self: Services, dealer_id: str) -> dict[str, list[PipelineCard]]:
        """The dealer's open and done applications by column (a withdrawn one has left the
        board; the customers list still shows it)."""
        columns: dict[str, list[PipelineCard]] = {k: [] for k in PIPELINE_COLUMNS}
        for card in self.dealer_applications(dealer_id):
            if card.column is not None:
                columns[card.column].append(card)
        return columns

    def customers(self: Services, dealer_id: str) -> list[PipelineCard]:
        """One line per customer the dealer has served: their latest application, whatever its
        status."""
        seen: dict[str, PipelineCard] = {}
        for card in self.dealer_applications(dealer_id):
            seen.setdefault(card.user_id, card)
        return list(seen.values())

    def product_name(self: Services, product_id: str, locale: str) -> str:
        with self.session() as s:
            p = catalog_repo.get_product(s, product_id=product_id)
        if p is None:
            return product_id
        return p.name_zh if locale.startswith("zh") else p.name_en

    def reason_text(self: Services, reason, locale: str) -> str:
        from app.prequal_service import city_names, reason_text

        places = None
        if "city" in reason.formats.values():  # rare: only then read the cities' names
            with self.session() as s:
                places = city_names(s)
        return reason_text(reason, locale, places)


class Services(
    AccountServices,
    IdentityServices,
    LoanDocumentServices,
    PrequalServices,
    ConsentServices,
    _CoreServices,
):
    """Everything the views call (see the module docstring)."""

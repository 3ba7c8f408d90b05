"""The application layer the views call. It composes the local database's repositories, the
domain engine (quotes, APR), prequalification, the recommender, contracts, repayments and sync.

Every method is a plain synchronous function of its arguments: the views run the long ones
off the event loop (``page.run_thread``) with a progress indicator. One :class:`Services` per
process, shared by the browser sessions; per-session state lives in :class:`app.state.AppState`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app.settings import Settings
from app.state import CatalogueQuery, Deal, SessionUser
from domain.catalog import (
    REGULATORY_LTV_CAPS,
    Dealer,
    LoanProduct,
    ProductKind,
    RiskTier,
    Role,
    Vehicle,
)
from domain.loans import LoanTerms, Quote, quote
from domain.money import money
from local_db.repositories import catalog as catalog_repo
from local_db.repositories import people as people_repo

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


@dataclass(frozen=True)
class CarCard:
    vehicle: Vehicle
    monthly: Decimal  # the level payment for the deal bar at the reference rate


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
    quote: Quote
    reference_rate: Decimal
    ltv: Decimal  # amount financed / price
    ltv_cap: Decimal  # the typical cap for this car's category
    ltv_level: str  # "ok" | "warn" | "over"


@dataclass(frozen=True)
class SyncInfo:
    pending: int
    last_sync: datetime | None
    server_url: str | None
    error: str | None = None


class Services:
    def __init__(self, settings: Settings, engine: Engine, *, today: date | None = None):
        self.settings = settings
        self.engine = engine
        self._today = today

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Services on the configured local database; in demo mode it is created and seeded
        on first run."""
        from local_db.demo import ensure_demo_database
        from local_db.engine import make_engine

        if settings.demo_mode:
            ensure_demo_database(settings)
        return cls(settings, make_engine(settings.local_db_path))

    @property
    def demo_mode(self) -> bool:
        return self.settings.demo_mode

    def today(self) -> date:
        return self._today or datetime.now(UTC).date()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    # --- people ---------------------------------------------------------------------------
    def demo_users(self) -> list[SessionUser]:
        """Who can be chosen on the demo sign-in screen: buyers with a sign-in and staff."""
        return list(self._demo_users())

    @lru_cache(maxsize=1)  # noqa: B019 - one Services per process; accounts change on reset
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
        with self.session() as s:
            return catalog_repo.list_brands(s)

    def products(self) -> list[LoanProduct]:
        with self.session() as s:
            return catalog_repo.list_products(s)

    def reference_rate(self, term: int) -> Decimal:
        """The indicative annual rate shown before a check: the median of what amortising
        loans offering this term charge the reference tier. Demo-mode screens say so."""
        return self._reference_rates().get(term, FALLBACK_REFERENCE_RATE)

    @lru_cache(maxsize=1)  # noqa: B019 - one Services per process; rates change only on sync
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
        self, query: CatalogueQuery, deal: Deal, *, limit: int = 24, offset: int = 0
    ) -> CarPage:
        band = next((b for b in PRICE_BANDS if b[0] == query.price_band), None)
        with self.session() as s:
            page = catalog_repo.list_vehicles(
                s,
                query=query.text or None,
                brands=[query.brand] if query.brand else (),
                energy=[query.energy] if query.energy else (),
                body=[query.body] if query.body else (),
                condition=query.condition,
                price_min=band[1] if band else None,
                price_max=band[2] if band else None,
                sort=query.sort,
                limit=limit,
                offset=offset,
            )
        rate = self.reference_rate(deal.term)
        cards = tuple(
            CarCard(v, self._quote(v.price, deal.down_ratio, deal.term, rate).payment)
            for v in page.items
        )
        return CarPage(cards=cards, total=page.total, reference_rate=rate)

    def car(self, vehicle_id: str) -> Vehicle | None:
        with self.session() as s:
            return catalog_repo.get_vehicle(s, vehicle_id=vehicle_id)

    def picture(self, vehicle: Vehicle) -> str | None:
        """The car's picture as SVG text (drawn by the seed into the data dir), if any."""
        return _read_picture(str(self.settings.data_dir), vehicle.picture)

    def dealer(self, dealer_id: str) -> Dealer | None:
        with self.session() as s:
            return catalog_repo.get_dealer(s, dealer_id=dealer_id)

    def calculate(self, vehicle: Vehicle, deal: Deal) -> Calculation:
        rate = self.reference_rate(deal.term)
        q = self._quote(vehicle.price, deal.down_ratio, deal.term, rate)
        cap = REGULATORY_LTV_CAPS[vehicle.ltv_category()]
        cap = min(cap, self._typical_cap(vehicle))
        ltv = (q.amount_financed / vehicle.price).quantize(Decimal("0.0001"))
        level = "over" if ltv > cap else "warn" if ltv > cap * LTV_AMBER_FROM else "ok"
        return Calculation(
            vehicle=vehicle,
            down_payment=q.terms.down_payment,
            quote=q,
            reference_rate=rate,
            ltv=ltv,
            ltv_cap=cap,
            ltv_level=level,
        )

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

    def _quote(self, price: Decimal, down_ratio: Decimal, term: int, rate: Decimal) -> Quote:
        return _cached_quote(price, down_ratio, term, rate, self.today())

    # --- sync -----------------------------------------------------------------------------
    def sync_status(self) -> SyncInfo:
        from local_db.outbox import pending_count

        with self.session() as s:
            pending = pending_count(s)
        return SyncInfo(pending=pending, last_sync=None, server_url=self.settings.server_url)

    def sync_now(self) -> Any:
        raise NotImplementedError("sync lands with issue 9")

    def reset_demo(self) -> None:
        from local_db.demo import reset_demo_database

        reset_demo_database(self.settings, self.engine)
        self._reference_rates.cache_clear()
        self._demo_users.cache_clear()


@lru_cache(maxsize=256)
def _read_picture(data_dir: str, relative: str) -> str | None:
    if not relative or ".." in relative:
        return None
    try:
        return (Path(data_dir) / relative).read_text(encoding="utf-8")
    except OSError:
        return None


@lru_cache(maxsize=4096)
def _cached_quote(
    price: Decimal, down_ratio: Decimal, term: int, rate: Decimal, loan_date: date
) -> Quote:
    down = money((price * down_ratio).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return quote(
        LoanTerms(
            cash_price=price,
            down_payment=down,
            loan_date=loan_date,
            count=term,
            annual_rate=rate,
        )
    )

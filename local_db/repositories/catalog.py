"""The market's catalogue: vehicles, dealers, lenders and loan products."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from domain.catalog import Dealer, Lender, LenderType, LoanProduct, Page, Vehicle
from domain.errors import InputError
from domain.money import to_cents
from local_db import codec
from local_db.repositories._sync import wire_payload
from local_db.tables import DealerRow, LenderRow, LoanProductRow, VehicleRow

VEHICLES = VehicleRow.__table__
#: sort key -> ORDER BY; every order ends on the primary key so pages never overlap
SORTS = {
    "price_asc": "price_cents ASC, id ASC",
    "price_desc": "price_cents DESC, id ASC",
    "year_desc": "year DESC, price_cents ASC, id ASC",
    "mileage_asc": "mileage_km ASC, price_cents ASC, id ASC",
}
MAX_PAGE = 100
_COLUMNS = [c.name for c in VEHICLES.columns]
_SELECT = ", ".join(_COLUMNS)


def _upsert(session: Session, table, rows: Sequence[dict], key: str = "id") -> None:
    if not rows:
        return
    statement = sqlite_insert(table)
    # the columns the rows carry: a car's mark (``held_until``, the server's) is not the
    # catalogue's to clear
    names = set(rows[0])
    update = {c.name: statement.excluded[c.name] for c in table.columns
              if c.name != key and c.name in names}  # fmt: skip
    session.execute(statement.on_conflict_do_update(index_elements=[key], set_=update), rows)


# --- vehicles -------------------------------------------------------------------------------


#: The cars a live contract holds: paid out, or signed and not lapsed (its first repayment
#: date still to come), by the contracts on this device or by the server's mark on the car
#: (another buyer's contract). A listing is one car, so it is financed once.
_UNDER_CONTRACT = (
    "SELECT vehicle_id FROM applications WHERE deleted = 0 AND (status = 'funded' OR "
    "(status = 'contracted' AND (pay_out_by IS NULL OR pay_out_by > ?))) "
    "UNION ALL SELECT id FROM vehicles WHERE held_until IS NOT NULL AND "
    "(held_until IN ('signed', 'sold') OR held_until > ?)"
)  # its two parameters: the day, twice


def under_contract(session: Session, *, vehicle_id: str, today: date) -> bool:
    """Whether a live contract holds the car ``today``."""
    sql = f"SELECT 1 FROM ({_UNDER_CONTRACT}) WHERE vehicle_id = ? LIMIT 1"
    day = today.isoformat()
    found = session.connection().exec_driver_sql(sql, (day, day, vehicle_id))
    return found.first() is not None


def list_vehicles(
    session: Session,
    *,
    query: str | None = None,
    brands: Iterable[str] = (),
    energy: Iterable[str] = (),
    body: Iterable[str] = (),
    condition: str | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    dealer_id: str | None = None,
    available_on: date | None = None,
    sort: str = "price_asc",
    limit: int = 20,
    offset: int = 0,
) -> Page[Vehicle]:
    """One page of the catalogue (tombstoned cars excluded), filtered and sorted, with the
    total number of matches.

    ``query`` matches make (English or Chinese), model and trim, case-insensitively.
    ``brands``/``energy``/``body`` match any of their values; prices are inclusive. With
    ``available_on``, the cars a live contract holds that day are left out.
    """
    if sort not in SORTS:
        raise InputError(
            "sort", "one_of", "must be one of {choices}", {"choices": ", ".join(SORTS)}
        )
    if not 1 <= limit <= MAX_PAGE:
        raise InputError(
            "limit", "between", "must be between {min} and {max}", {"min": 1, "max": MAX_PAGE}
        )
    if offset < 0:
        raise InputError("offset", "not_negative", "must not be negative")
    # The catalogue is the hottest query in the app, so it is written as SQL from fixed
    # fragments with bound parameters (no user text ever reaches the SQL string): building a
    # SQLAlchemy expression per call cost ten times the query itself.
    where, params = ["deleted = 0"], []
    if query and query.strip():
        needle = query.strip().lower()
        for ch in ("\\", "%", "_"):
            needle = needle.replace(ch, "\\" + ch)
        where.append("search_text LIKE ? ESCAPE '\\'")
        params.append(f"%{needle}%")
    for column, values in (("make", brands), ("energy", energy), ("body", body)):
        values = [str(v) for v in values]
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if condition:
        where.append("condition = ?")
        params.append(str(condition))
    if price_min is not None:
        where.append("price_cents >= ?")
        params.append(_sql_cents(price_min))
    if price_max is not None:
        where.append("price_cents <= ?")
        params.append(_sql_cents(price_max))
    if dealer_id:
        where.append("dealer_id = ?")
        params.append(dealer_id)
    if available_on is not None:
        where.append(f"id NOT IN ({_UNDER_CONTRACT})")
        params += [available_on.isoformat()] * 2
    clause = " AND ".join(where)
    connection = session.connection()
    total = connection.exec_driver_sql(
        f"SELECT count(*) FROM vehicles WHERE {clause}", tuple(params)
    ).scalar_one()
    rows = connection.exec_driver_sql(
        f"SELECT {_SELECT} FROM vehicles WHERE {clause} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).all()
    items = [codec.vehicle_from_tuple(dict(zip(_COLUMNS, r, strict=True))) for r in rows]
    return Page.of(items, total=total, limit=limit, offset=offset)


def _sql_cents(amount: Decimal) -> int | str:
    """Cents as the Cents column stores them on SQLite (see local_db.types)."""
    cents = to_cents(amount)
    return cents if -(2**63) <= cents < 2**63 else str(cents)


def get_vehicle(session: Session, *, vehicle_id: str) -> Vehicle | None:
    row = session.execute(select(VEHICLES).where(VEHICLES.c.id == vehicle_id)).first()
    return None if row is None else codec.vehicle_from_row(row)


def save_vehicles(session: Session, *, vehicles: Iterable[Vehicle]) -> None:
    """Insert or replace (server wins for catalogue data)."""
    _upsert(session, VEHICLES, [codec.vehicle_to_row(v) for v in vehicles])


def list_brands(session: Session) -> list[tuple[str, str]]:
    """(make, make_zh) of every make in the catalogue, alphabetically."""
    rows = session.execute(
        select(VEHICLES.c.make, VEHICLES.c.make_zh)
        .where(VEHICLES.c.deleted.is_(False))
        .distinct()
        .order_by(VEHICLES.c.make)
    )
    return [(r[0], r[1]) for r in rows]


# --- dealers and lenders --------------------------------------------------------------------


def list_dealers(session: Session, *, city: str | None = None) -> list[Dealer]:
    query = select(DealerRow).where(DealerRow.deleted.is_(False)).order_by(DealerRow.name_en)
    if city:
        query = query.where(DealerRow.city == city)
    return [codec.dealer_from_row(r) for r in session.execute(query).scalars()]


def get_dealer(session: Session, *, dealer_id: str) -> Dealer | None:
    row = session.get(DealerRow, dealer_id)
    return None if row is None else codec.dealer_from_row(row)


def save_dealers(session: Session, *, dealers: Iterable[Dealer]) -> None:
    _upsert(session, DealerRow.__table__, [codec.dealer_to_row(d) for d in dealers])


def list_lenders(session: Session, *, type: LenderType | None = None) -> list[Lender]:
    query = select(LenderRow).where(LenderRow.deleted.is_(False)).order_by(LenderRow.name_en)
    if type is not None:
        query = query.where(LenderRow.type == type.value)
    return [codec.lender_from_row(r) for r in session.execute(query).scalars()]


def get_lender(session: Session, *, lender_id: str) -> Lender | None:
    row = session.get(LenderRow, lender_id)
    return None if row is None else codec.lender_from_row(row)


def save_lenders(session: Session, *, lenders: Iterable[Lender]) -> None:
    _upsert(session, LenderRow.__table__, [codec.lender_to_row(x) for x in lenders])


# --- loan products --------------------------------------------------------------------------


def list_products(
    session: Session,
    *,
    active_on: date | None = None,
    lender_id: str | None = None,
    ids: Collection[str] | None = None,
) -> list[LoanProduct]:
    """Products (tombstones excluded), valid on ``active_on`` when given, only those of
    ``ids`` when given, ordered by code."""
    query = select(LoanProductRow).where(LoanProductRow.deleted.is_(False))
    if ids is not None:
        query = query.where(LoanProductRow.id.in_(list(ids)))
    if lender_id:
        query = query.where(LoanProductRow.lender_id == lender_id)
    if active_on is not None:
        query = query.where(
            (LoanProductRow.valid_from.is_(None)) | (LoanProductRow.valid_from <= active_on),
            (LoanProductRow.valid_to.is_(None)) | (LoanProductRow.valid_to >= active_on),
        )
    query = query.order_by(LoanProductRow.code)
    return [codec.product_from_row(r) for r in session.execute(query).scalars()]


def products_fingerprint(session: Session) -> tuple:
    """Every column of every product row (tombstones too), in id order: while it stays equal,
    list_products returns equal products — a cheap cache key for the decoded ones."""
    table = LoanProductRow.__table__
    return tuple(tuple(r) for r in session.execute(select(table).order_by(table.c.id)))


def get_product(session: Session, *, product_id: str) -> LoanProduct | None:
    row = session.get(LoanProductRow, product_id)
    return None if row is None else codec.product_from_row(row)


def save_products(session: Session, *, products: Iterable[LoanProduct]) -> None:
    _upsert(session, LoanProductRow.__table__, [codec.product_to_row(p) for p in products])


# --- the catalogue as sync records ----------------------------------------------------------


def sync_records(
    *,
    dealers: Iterable[Dealer] = (),
    lenders: Iterable[Lender] = (),
    products: Iterable[LoanProduct] = (),
    vehicles: Iterable[Vehicle] = (),
) -> list[tuple[str, str, dict[str, Any]]]:
    """The catalogue as a server publishes it: ``(entity, id, data)`` with ``data`` the row
    the ``save_*`` functions above write, as JSON (:func:`wire_payload`: dates as ISO text),
    less its id and tombstone flag, which travel on the record itself; a device's
    ``sync.local_store`` turns it back into the same row. In the order a device can apply
    them: dealers, lenders, products, vehicles (a product names its lender, a vehicle its
    dealer, and a row whose reference is missing is not applied)."""
    rows = [
        *(("dealer", codec.dealer_to_row(d)) for d in dealers),
        *(("lender", codec.lender_to_row(x)) for x in lenders),
        *(("product", codec.product_to_row(p)) for p in products),
        *(("vehicle", codec.vehicle_to_row(v)) for v in vehicles),
    ]
    return [
        (entity, row["id"], wire_payload({k: v for k, v in row.items() if k not in _ON_RECORD}))
        for entity, row in rows
    ]


_ON_RECORD = frozenset({"id", "deleted"})

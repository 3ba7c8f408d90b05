"""``chedai prequal [--db PATH] FILE|-``: every lender's offer, or its reasons and a what-if hint.

Input (JSON)::

    {"applicant": {"age": 32, "monthly_income": "15000.00", "income_type": "salary",
                   "employment_months": 40, "housing": "rent", "monthly_debt_payments": "2000.00",
                   "credit_score": 700, "city": "Shanghai", "existing_car_loans": 0},
     "vehicle_id": "…"  or  "vehicle": {"price": "179800.00", "category": "private",
                   "energy": "BEV", "condition": "new", "make": "BYD", "age_years": "0",
                   "mileage_km": 0, "new_price": null, "accident": "none"},
     "deal": {"down_payment": "40000.00", "trade_in": "0.00", "term_months": 36},
     "consent": {"text_version": "soft-check-2026-12", "given_at": "2026-11-28T09:00:00+00:00"},
     "today": "2026-11-28",                       (optional; default: today)
     "recent_applications": [{"at": "…", "person_id": "…", "phone": "…", "device_id": "…"}]}

The soft check runs only with the buyer's consent: ``consent`` records when and to which text
the buyer agreed; without it the operator running the command attests consent now (``"consent":
false`` stops the check). The database defaults to the demo one
(created and seeded on first use); ``--db`` names an existing database file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from app.cli import database_path, not_a_database, print_json, read_json


def add_parser(sub) -> None:
    p = sub.add_parser("prequal", help="prequalify a buyer against every loan product (JSON)")
    p.add_argument("--db", type=Path, help="an existing database file (default: the demo one)")
    p.add_argument("file", nargs="?", default="-", help="JSON input file, or - for stdin")
    p.set_defaults(func=run)


def _history(raw, field: str):
    from domain.errors import InputError
    from domain.prequal import PriorApplication

    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(field, "list", "must be a list")
    out = []
    for k, item in enumerate(raw):
        prefix = f"{field}[{k}]"
        if not isinstance(item, dict):
            raise InputError(prefix, "object", "must be a JSON object")
        try:
            at = datetime.fromisoformat(str(item.get("at")).replace("Z", "+00:00"))
        except ValueError:
            raise InputError(
                f"{prefix}.at", "datetime", "must be a time written as YYYY-MM-DDTHH:MM:SS+00:00"
            ) from None
        if at.tzinfo is None:
            raise InputError(f"{prefix}.at", "timezone", "must include a time zone")
        out.append(
            PriorApplication(
                at=at,
                person_id=str(item.get("person_id") or ""),
                phone=str(item.get("phone") or ""),
                device_id=str(item.get("device_id") or ""),
            )
        )
    return tuple(out)


def _consent(raw):
    """The CLI is an operator's tool: without a ``consent`` object the operator running the
    check attests, now, that the buyer agreed to the current soft-check text; ``false`` (the
    buyer declined) stops the check."""
    from domain.catalog import ConsentPurpose
    from domain.errors import InputError
    from domain.prequal import ConsentGiven, parse_consent
    from domain.prequal.applicant import SOFT_CHECK_TEXT_VERSION

    if raw is False:
        raise InputError(
            "consent", "required", "the buyer's consent to the soft check must be recorded first"
        )
    if raw is None or raw is True:
        return ConsentGiven(ConsentPurpose.SOFT_CHECK, SOFT_CHECK_TEXT_VERSION, datetime.now(UTC))
    return parse_consent(raw)


def run(args) -> int:
    from sqlalchemy.exc import DatabaseError
    from sqlmodel import Session

    from app.i18n import cli_locale
    from app.prequal_service import prequalify, to_wire
    from app.settings import Settings
    from domain.errors import InputError
    from domain.parse import parse_date
    from domain.prequal import parse_applicant, parse_deal, parse_vehicle
    from local_db.engine import make_engine
    from local_db.migrations import refuse_newer

    data = read_json(args.file)
    if not isinstance(data, dict):
        raise InputError("input", "object", "must be a JSON object")
    applicant = parse_applicant(data.get("applicant"))
    if data.get("vehicle_id") is not None:
        vehicle = str(data["vehicle_id"])
    elif data.get("vehicle") is not None:
        vehicle = parse_vehicle(data["vehicle"])
    else:
        raise InputError("vehicle_id", "required", "is required (or vehicle)")
    deal = parse_deal(data.get("deal"))
    consent = _consent(data.get("consent"))
    today = parse_date(data["today"], "today") if data.get("today") else date.today()
    history = _history(data.get("recent_applications"), "recent_applications")

    if args.db is not None:
        path = database_path(args.db, must_exist=True)
        refuse_newer(path)  # its tables may mean something else now
    else:
        from local_db.demo import ensure_demo_database

        path = ensure_demo_database(Settings())
    engine = make_engine(path)
    try:
        with Session(engine) as session:
            now = datetime.now(UTC)
            answer = prequalify(
                session,
                applicant,
                vehicle,
                deal,
                today=today,
                consent=consent,
                now=now,
                history=history,
            )
    except DatabaseError as exc:
        raise not_a_database(path, exc) from None
    finally:
        engine.dispose()
    print_json(to_wire(answer, cli_locale()))
    return 0

"""Write the demo world into a database: wipe the demo data, bulk-insert the generated world
(Core inserts, one transaction), add the demo accounts, draw the pictures.

Re-running with the same seed gives the same rows (ciphertexts and password hashes aside: they
are salted). The audit log is kept — it is append-only — and records each seeding.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, insert
from sqlmodel import Session, SQLModel

from domain.catalog import BuyerProfile, Employment, Role, User, VehicleUse
from domain.ids import seeded_id
from local_db import audit, codec
from local_db.crypto import FieldCipher
from local_db.demo.progress import Progress
from local_db.demo.world import GENERATOR_VERSION, World, generate, id_number
from local_db.migrations import migrate
from local_db.pictures import write_pictures
from local_db.repositories.people import profile_to_row, user_to_row
from local_db.tables import (
    AuditLogRow,
    BuyerProfileRow,
    CounterRow,
    DealerRow,
    InteractionRow,
    LenderRow,
    LoanProductRow,
    MetaRow,
    UserRow,
    VehicleRow,
)

CHUNK = 10_000
_KEPT = {AuditLogRow.__tablename__, CounterRow.__tablename__}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    display_name: str
    dealer_name: str | None = None


@dataclass(frozen=True)
class SeedReport:
    seed: int
    counts: dict[str, int]
    accounts: tuple[DemoAccount, ...]
    seconds: float


def seed_database(
    engine: Engine,
    *,
    seed: int,
    data_dir: Path,
    cipher: FieldCipher,
    progress: TextIO | None = None,
    n_buyers: int | None = None,
) -> SeedReport:
    """Create or refresh the demo world in ``engine``'s database (all of its demo data is
    replaced). Pictures go to ``data_dir``/pictures."""
    started = time.perf_counter()
    bar = Progress(progress)
    bar.update("generating", 0, 1)
    world = generate(seed) if n_buyers is None else generate(seed, n_buyers=n_buyers)
    bar.update("generating", 1, 1)
    accounts, account_users, account_profiles = _demo_accounts(world, seed)
    migrate(engine)
    with Session(engine) as session, session.begin():
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in _KEPT:
                session.execute(delete(table))
        users = world.users + account_users
        batches = [
            ("dealers", DealerRow, [codec.dealer_to_row(d) for d in world.dealers]),
            ("lenders", LenderRow, [codec.lender_to_row(x) for x in world.lenders]),
            ("vehicles", VehicleRow, [codec.vehicle_to_row(v) for v in world.vehicles]),
            ("products", LoanProductRow, [codec.product_to_row(p) for p in world.products]),
            ("users", UserRow, [user_to_row(u) for u in users]),
        ]
        for label, model, rows in batches:
            _bulk(session, label, model, rows, bar)
        profiles = [profile_to_row(p, cipher) for p in world.profiles + account_profiles]
        _bulk(session, "buyers", BuyerProfileRow, profiles, bar)
        # Building the secondary indexes once after the load beats updating them per row.
        indexes = sorted(InteractionRow.__table__.indexes, key=lambda i: i.name)
        for index in indexes:
            index.drop(session.connection())
        _bulk(session, "interactions", InteractionRow, world.interactions, bar)
        for index in indexes:
            index.create(session.connection())
        session.execute(
            insert(MetaRow),
            [
                {"key": "demo_seed", "value": str(seed)},
                {"key": "demo_generator", "value": GENERATOR_VERSION},
            ],
        )
        counts = {
            "dealers": len(world.dealers),
            "lenders": len(world.lenders),
            "vehicles": len(world.vehicles),
            "products": len(world.products),
            "buyers": len(world.profiles),
            "interactions": len(world.interactions),
            "demo_accounts": len(accounts),
        }
        audit.append(
            session,
            actor="system",
            action="demo.seed",
            entity="database",
            entity_id="demo",
            details={"seed": seed, "generator": GENERATOR_VERSION, "counts": counts},
        )
    write_pictures(Path(data_dir), {(v.body.value, v.colour) for v in world.vehicles})
    return SeedReport(seed, counts, tuple(accounts), time.perf_counter() - started)


def _bulk(session: Session, label: str, model, rows: list[dict], bar: Progress) -> None:
    """Insert rows through the driver's executemany: the rows are already in column form
    (cents, ms, text), so SQLAlchemy's per-row parameter processing is pure overhead here
    (it made seeding 200k interactions several times slower). Money columns in these tables
    hold demo-sized amounts, well inside SQLite's integer range."""
    total = len(rows)
    if total:
        columns = list(rows[0])
        sql = (
            f"INSERT INTO {model.__tablename__} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        connection = session.connection()
    for start in range(0, total, CHUNK):
        chunk = rows[start : start + CHUNK]
        connection.exec_driver_sql(sql, [tuple(r[c] for c in columns) for r in chunk])
        bar.update(label, min(start + CHUNK, total), total)
    if total == 0:
        bar.update(label, 0, 0)


_DEMO_BUYERS = (
    # username, name, segment, birth year, monthly income, debts, score, employment, use
    ("li.wei", "李伟", "first_time_young", 1999, 11000, 800, 690, Employment.EMPLOYED, False),
    ("wang.fang", "王芳", "young_family", 1990, 22000, 3500, 735, Employment.EMPLOYED, False),
    ("zhang.qiang", "张强", "ride_hailing", 1986, 10500, 1500, 640, Employment.GIG, True),
)


def _password(rand: random.Random) -> str:
    letters = "abcdefghjkmnpqrstuvwxyz"
    word = "".join(rand.choice(letters) for _ in range(6))
    return f"chedai-{word}-{rand.randrange(1000, 10000)}"


def _demo_accounts(
    world: World, seed: int
) -> tuple[list[DemoAccount], list[User], list[BuyerProfile]]:
    """A few buyers (with profiles, no history: the cold-start path) and one staff member for
    each of two dealers. Passwords follow from the seed, so they can be printed again."""
    rand = random.Random(f"demo-accounts-{seed}")
    # OWASP's minimum argon2id profile (19 MiB, t=2, p=1): verification reads the parameters
    # from the hash, and the library default (64 MiB, t=3) took a second per demo account.
    hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    accounts, users, profiles = [], [], []
    for username, name, segment, born, income, debts, score, job, commercial in _DEMO_BUYERS:
        password = _password(rand)
        user = User(
            id=seeded_id(rand),
            username=username,
            role=Role.BUYER,
            display_name=name,
            password_hash=hasher.hash(password),
        )
        users.append(user)
        profiles.append(
            BuyerProfile(
                id=seeded_id(rand),
                user_id=user.id,
                full_name=name,
                birth_year=born,
                city="Shanghai",
                monthly_income=Decimal(income).quantize(Decimal("0.01")),
                monthly_debt_payments=Decimal(debts).quantize(Decimal("0.01")),
                credit_score=score,
                employment=job,
                years_employed=4,
                id_number=id_number("310115", _birthday(born), rand.randrange(1, 1000)),
                phone=f"139{rand.randrange(10**8):08d}",
                use=VehicleUse.COMMERCIAL if commercial else VehicleUse.PRIVATE,
                segment=segment,
            )
        )
        accounts.append(DemoAccount(username, password, Role.BUYER, name))
    # a person's name, as a staff member's account has (the dealership is said beside it,
    # in the reader's language): a job title in Chinese read as a name in English too
    for dealer, username, name in (
        (world.dealers[0], "staff.pujiang", "陈静"),
        (world.dealers[2], "staff.jinghua", "赵磊"),
    ):
        password = _password(rand)
        users.append(
            User(
                id=seeded_id(rand),
                username=username,
                role=Role.DEALER_STAFF,
                display_name=name,
                dealer_id=dealer.id,
                password_hash=hasher.hash(password),
            )
        )
        accounts.append(DemoAccount(username, password, Role.DEALER_STAFF, name, dealer.name_zh))
    return accounts, users, profiles


def _birthday(year: int):
    from datetime import date

    return date(year, 3, 7)

"""``chedai seed [--db PATH] [--seed N]``: create or refresh the demo database.

Prints the counts and the demo accounts with their passwords as JSON; the progress bar goes to
stderr. Refused outside demo mode (``CHEDAI_SERVER_URL`` set): demo accounts must never reach a
real deployment.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.cli import UsageError, database_path, not_a_database, print_json, whole
from app.settings import Settings


def add_parser(sub) -> None:
    p = sub.add_parser("seed", help="create or refresh the demo database (demo mode only)")
    p.add_argument("--db", type=Path, help="database file (default: the data dir's chedai.db)")
    p.add_argument("--seed", type=whole(0), help="random seed (default: CHEDAI_DEMO_SEED)")
    p.set_defaults(func=run)


def run(args) -> int:
    settings = Settings()
    if not settings.demo_mode:
        raise UsageError(
            "demo data and demo accounts are only created in demo mode (unset CHEDAI_SERVER_URL)"
        )
    from sqlalchemy.exc import DatabaseError
    from sqlmodel import Session

    from app.demo_model import model_path, train_from_database
    from local_db import in_use
    from local_db.crypto import KEY_FILE_NAME, cipher_for_dir
    from local_db.demo import seed_database
    from local_db.engine import make_engine
    from local_db.files import secure_data_dir
    from local_db.migrations import refuse_newer

    secure_data_dir(settings.data_dir)  # owner-only: it will hold the buyers' data
    path = database_path(args.db, must_exist=False) if args.db else settings.local_db_path
    seed = settings.demo_seed if args.seed is None else args.seed
    refuse_newer(path)  # a newer Chedai's database is left as it is, before a minute's work
    engine = make_engine(path)
    try:
        try:
            with in_use.shared(settings.data_dir / KEY_FILE_NAME):  # no `keys rotate` meanwhile
                report = seed_database(
                    engine,
                    seed=seed,
                    data_dir=settings.data_dir,
                    cipher=cipher_for_dir(settings.data_dir),
                    progress=sys.stderr,
                )
        except DatabaseError as exc:
            raise not_a_database(path, exc) from None
        print("training the recommender on the demo interactions …", file=sys.stderr)
        with Session(engine) as session:
            trained = train_from_database(session, model_path(settings))
    finally:
        engine.dispose()
    print_json(
        {
            "db": str(path),
            "seed": report.seed,
            "counts": report.counts,
            "seconds": round(report.seconds, 2),
            "model": str(model_path(settings)) if trained else None,
            "accounts": [
                {
                    "username": a.username,
                    "password": a.password,
                    "role": a.role.value,
                    "display_name": a.display_name,
                    "dealer": a.dealer_name,
                }
                for a in report.accounts
            ],
        }
    )
    return 0

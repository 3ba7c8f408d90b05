"""``chedai serve``: run the sync server (FastAPI under uvicorn)."""

from __future__ import annotations

import argparse

from app.cli import UsageError
from app.settings import Settings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the sync server",
        description="Run the Chedai sync server. SQLite in the data directory by default; "
        "PostgreSQL with --database-url postgresql+psycopg://… (or CHEDAI_DATABASE_URL).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL of the database")
    parser.add_argument(
        "--demo", action="store_true", help="create the public demo accounts (never in production)"
    )
    parser.add_argument(
        "--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from backend.app import create_app

    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be between 1 and 65535, not {args.port}")
    settings = Settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    try:
        app = create_app(settings, demo=args.demo)
    except Exception as exc:  # an unreachable or malformed database URL: one line, exit 2
        from sqlalchemy.exc import ArgumentError, OperationalError

        if isinstance(exc, (ArgumentError, OperationalError, ValueError)):
            raise UsageError(f"cannot open the database: {exc.__class__.__name__}") from None
        raise
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0

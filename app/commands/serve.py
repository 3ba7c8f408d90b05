"""``chedai serve``: run the sync server (FastAPI under uvicorn)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import UsageError, whole
from app.settings import Settings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the sync server",
        description="Run the Chedai sync server. SQLite in the data directory by default; "
        "PostgreSQL with --database-url postgresql+psycopg://… (or CHEDAI_DATABASE_URL).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=whole(1, 65535), default=8000)
    parser.add_argument("--database-url", default=None, help="SQLAlchemy URL of the database")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="publish the demo market's catalogue (once, on an empty catalogue) and create the "
        "public demo accounts (never in production)",
    )
    parser.add_argument(
        "--retrain-every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="retrain the recommender on the synced interactions this often (default: off)",
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="train once on the server database's interactions, publish the factor file as the "
        "next version, print its JSON and exit (the server-side `recommend fit`)",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=("critical", "error", "warning", "info", "debug")
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import gc

    import uvicorn

    from backend.app import create_app

    if args.retrain_every is not None and not args.retrain_every > 0:
        raise UsageError(
            "--retrain-every must be a positive number of seconds, not {value}",
            value=args.retrain_every,
        )
    settings = Settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    shared_key = settings.server_field_key_file
    if shared_key is not None and not Path(shared_key).is_file():
        raise UsageError(
            "CHEDAI_SERVER_FIELD_KEY_FILE names {path}, which does not exist: every server "
            "sharing a database uses the same key file",
            path=shared_key,
        )
    try:
        app = create_app(settings, demo=args.demo, retrain_every_s=args.retrain_every)
    except Exception as exc:  # an unreachable or malformed database URL: one line, exit 2
        # (one a newer Chedai wrote, SchemaTooNewError, goes on to app.cli.main, which says so)
        from sqlalchemy.exc import ArgumentError, DatabaseError

        if isinstance(exc, OSError):  # the key file or its lock beside it, not to be had
            raise UsageError(
                "cannot use the key file: {reason}", reason=f"{exc.strerror}: {exc.filename}"
            ) from None
        # ImportError: a URL whose driver is not installed (mysql://…)
        if isinstance(exc, (ArgumentError, DatabaseError, ValueError, ImportError)):
            raise UsageError(
                "cannot open the database: {reason}", reason=exc.__class__.__name__
            ) from None
        raise
    if args.fit:
        return _fit(app.state.backend)
    # What start-up made (modules, the demo world's catalogue) lives as long as the server:
    # keep it out of the cyclic collector's full passes, which otherwise walk it on every
    # request-heavy stretch (bench/bench_sync.py: pull throughput halved once --demo built the
    # demo world here, and came back with this).
    gc.collect()
    gc.freeze()
    # loop and http stay "auto": uvloop and httptools when installed (they are here; they are
    # not declared dependencies). The access log is written only at info or debug level.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.log_level in ("info", "debug"),
    )
    return 0


def _fit(backend) -> int:
    from app.cli import print_json
    from backend.recommend import RecommenderUnavailable

    try:
        info = backend.fit_model(backend.engine, backend.clock())
    except RecommenderUnavailable as exc:
        raise UsageError("{reason}", reason=str(exc)) from None
    print_json(info.model_dump())
    return 0

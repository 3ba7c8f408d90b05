"""``chedai keys rotate [--server] [--database-url URL]``: replace the key that seals the
buyers' sensitive fields, resealing everything it sealed.

On the device (the default): the ID numbers, phones, incomes, debts and credit scores in the
local database, the pending changes holding them and the signed-in session's token
(``local_db.sealing.reseal``). With ``--server``: the figures in the sync server's records and
change history (``backend.reseal.reseal_all``). Prints JSON: where the key lives and how many
values were resealed.

Refused (exit 2) while the app runs on the data dir, or a server with the key file: a running
one keeps the key it read at start and would seal new values with the key the rotation drops.
The rotation holds the key file's lock alone (``local_db.in_use``); an app or server starting
meanwhile waits for it to finish, then reads the new key.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.cli import UsageError, print_json
from app.settings import Settings


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "keys",
        help="rotate the key that seals sensitive fields at rest",
        description="Replace the field key with a fresh one and reseal what it sealed. Refused "
        "while the app (or a server) is running with the key.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    rotate = actions.add_parser("rotate", help="replace the key and reseal everything with it")
    rotate.add_argument(
        "--server",
        action="store_true",
        help="the sync server's key and database, not this device's",
    )
    rotate.add_argument(
        "--database-url", default=None, help="with --server: the server's SQLAlchemy URL"
    )
    rotate.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    if args.database_url and not args.server:
        raise UsageError("--database-url is for --server: the device's database is in its data dir")
    report = (
        _rotate_server(settings, args.database_url) if args.server else _rotate_device(settings)
    )
    print_json(report)
    return 0


def _rotate_device(settings: Settings) -> dict:
    from local_db.crypto import KEY_FILE_NAME
    from local_db.engine import make_engine
    from local_db.files import secure_data_dir
    from local_db.migrations import migrate, refuse_newer
    from local_db.sealing import reseal

    key_file = secure_data_dir(settings.data_dir) / KEY_FILE_NAME
    _must_exist(key_file)
    refuse_newer(settings.local_db_path)
    running = UsageError("Chedai is running on this data folder ({path}): quit it, then rotate "
                         "the key", path=key_file.parent)  # fmt: skip
    with _alone(key_file, running):
        return _rotate(key_file, make_engine(settings.local_db_path), migrate, reseal)


def _rotate_server(settings: Settings, database_url: str | None) -> dict:
    from backend.app import default_database_url
    from backend.db import make_engine, migrate
    from backend.reseal import reseal_all
    from backend.sealing import key_file

    path = key_file(settings)
    _must_exist(path)
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    running = UsageError("a Chedai server is running with this key file ({path}): stop every "
                         "server using it, then rotate", path=path)  # fmt: skip
    with _alone(path, running):
        return _rotate(path, make_engine(default_database_url(settings)), migrate, reseal_all)


def _rotate(key_file: Path, engine, migrate, reseal) -> dict:
    """Bring ``engine``'s schema up to date, then rotate the key in ``key_file``, resealing
    with ``reseal(engine, cipher)`` (``local_db.crypto.rotate_key_file``)."""
    from local_db.crypto import rotate_key_file

    try:
        migrate(engine)
        count = rotate_key_file(key_file, lambda cipher: reseal(engine, cipher))
    finally:
        engine.dispose()
    return {"key_file": str(key_file), "resealed": count}


@contextmanager
def _alone(key_file: Path, running: UsageError) -> Iterator[None]:
    """Hold ``key_file``'s lock alone for the block, or raise ``running`` while an app or a
    server shares it (``local_db.in_use``)."""
    from local_db.in_use import InUse, exclusively

    try:
        with exclusively(key_file):
            yield
    except InUse:
        raise running from None


def _must_exist(path: Path) -> None:
    if not path.is_file():
        raise UsageError("{path} does not exist: there is no key to rotate yet", path=path)

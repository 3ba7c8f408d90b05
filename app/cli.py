"""The ``chedai`` command line: one subcommand per capability, JSON in and JSON out.

Each subcommand lives in ``app/commands/<name>.py`` and exposes ``add_parser(subparsers)``
(which sets ``func`` on its parser). Bad input exits 2 with one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.errors import InputError, NoSolutionError

# Modules under app.commands, imported lazily so that `chedai quote` never pays for flet.
COMMANDS = (
    "quote", "apr", "seed", "prequal", "recommend", "repay", "contract", "serve", "app", "keys"
)  # fmt: skip


class UsageError(Exception):
    """Bad command-line usage or unreadable input. ``message`` is the English template (the
    catalogue's msgid), shown in the user's language with ``params`` filled in."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params))
        self.message, self.params = message, params

    def localized(self, locale: str) -> str:
        from app.i18n import translated_reason, translator

        _ = translator(locale)
        return _(self.message).format(**translated_reason(self.params, _))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep it to one line
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _refuse(message: str, **params: Any) -> argparse.ArgumentTypeError:
    from app.i18n import cli_locale, translator

    return argparse.ArgumentTypeError(translator(cli_locale())(message).format(**params))


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` (to ``maximum``), refused in the
    user's language."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                raise _refuse("must be a whole number of at least {minimum}", minimum=minimum)
            raise _refuse("must be a whole number from {minimum} to {maximum}",
                          minimum=minimum, maximum=maximum)  # fmt: skip
        return value

    return parse


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def non_negative(text: str) -> float:
    """An argparse type: a finite number ≥ 0."""
    value = _float(text)
    if not (math.isfinite(value) and value >= 0):
        raise _refuse("must be a finite number of at least 0")
    return value


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    value = _float(text)
    if not 0 < value < 1:  # NaN fails too
        raise _refuse("must be a number strictly between 0 and 1")
    return value


def database_path(path: Path, *, must_exist: bool) -> Path:
    """``--db``: a SQLite database file, or (unless ``must_exist``) one not there yet or
    empty. Checked before it is opened: SQLite would write to whatever it opens."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except FileNotFoundError:
        if must_exist:
            raise UsageError("no database at {path}", path=path) from None
        return path
    except OSError as exc:
        raise UsageError("--db {path} is not a database: {reason}", path=path,
                         reason=exc.strerror) from None  # fmt: skip
    if header != b"SQLite format 3\x00" and (header or must_exist):
        raise UsageError("--db {path} is not a database", path=path)
    return path


def not_a_database(path: Path, exc: Exception) -> UsageError:
    """The UsageError for ``--db`` naming a file SQLite refused (sqlalchemy's DatabaseError):
    a directory, a file that is not a database, or one without the app's tables."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return UsageError("--db {path} is not a Chedai database: {reason}", path=path, reason=reason)


def read_text(source: str) -> str:
    """A UTF-8 text file (a byte-order mark allowed, as spreadsheet programs write one), or
    stdin for ``-``; UsageError when it cannot be read or is not UTF-8."""
    try:
        if source == "-":
            if not hasattr(sys.stdin, "buffer"):  # a text stream put in its place
                return sys.stdin.read()
            data = sys.stdin.buffer.read()
        else:
            with open(source, "rb") as handle:
                data = handle.read()
    except OSError as exc:
        raise UsageError("cannot read {path}: {reason}", path=source, reason=exc.strerror) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            "{path} is not UTF-8 text (byte {offset})", path=source, offset=exc.start
        ) from None


def read_json(source: str) -> Any:
    """Read JSON from a path or ``-`` (stdin), raising UsageError on unreadable input."""
    text = read_text(source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            "input is not valid JSON (line {line}, column {column}): {reason}",
            line=exc.lineno, column=exc.colno, reason=exc.msg,
        ) from None  # fmt: skip


def print_json(data: Any) -> None:
    try:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (e.g. `| head`) closed the pipe: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; given ``argv`` naming a subcommand, only that one (so that
    `chedai app` does not import what the other commands need, numpy among it)."""
    parser = _Parser(prog="chedai", description="Chedai (车贷) car-loan marketplace")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    names = argv[:1] if argv and argv[0] in COMMANDS else COMMANDS
    for name in names:
        try:
            module = importlib.import_module(f"app.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"app.commands.{name}":
                continue  # capability not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.i18n import cli_locale, describe_error, translator

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit warns on threaded OpenBLAS
    argv = sys.argv[1:] if argv is None else argv
    locale = cli_locale()
    # argparse looks its messages up through its module's own ``_`` at the time it raises
    # them: ours answers from the app's catalogue, in the user's language.
    argparse._ = translator(locale)  # type: ignore[attr-defined]
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        print(f"chedai {args.command}: {describe_error(exc, locale)}", file=sys.stderr)
    except UsageError as exc:
        print(f"chedai {args.command}: {exc.localized(locale)}", file=sys.stderr)
    except NoSolutionError as exc:
        print(f"chedai {args.command}: {translator(locale)(str(exc))}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        refused = newer_database(exc)
        if refused is None:
            raise
        print(f"chedai {args.command}: {refused.localized(locale)}", file=sys.stderr)
    return 2


def newer_database(exc: BaseException) -> UsageError | None:
    """The one line saying a newer Chedai wrote the database (the device's, or the server's
    for `chedai serve`), when ``exc`` is its SchemaTooNewError (imported only then: `chedai
    quote` never loads the database layer)."""
    from local_db.migrations import SchemaTooNewError

    if not isinstance(exc, SchemaTooNewError):
        return None
    return UsageError(
        "{path} was saved by a newer version of Chedai (data version {version}; this version "
        "reads up to {latest}). Nothing was changed: update Chedai to use it",
        path=exc.path or "?", version=exc.version, latest=exc.latest,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

"""The ``chedai`` command line: one subcommand per capability, JSON in and JSON out.

Each subcommand lives in ``app/commands/<name>.py`` and exposes ``add_parser(subparsers)``
(which sets ``func`` on its parser). Bad input exits 2 with one line on stderr, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import Any

from domain.errors import InputError, NoSolutionError

# Modules under app.commands, imported lazily so that `chedai quote` never pays for flet.
COMMANDS = ("quote", "apr", "seed", "prequal", "recommend", "repay", "contract", "serve", "app")


class UsageError(Exception):
    """Bad command-line usage or unreadable input; the message is shown as is."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep it to one line
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def read_json(source: str) -> Any:
    """Read JSON from a path or ``-`` (stdin), raising UsageError on unreadable input."""
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise UsageError(f"input is not valid JSON ({where}): {exc.msg}") from None


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
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # implicit warns on threaded OpenBLAS
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as exc:
        from app.i18n import describe_error

        print(f"chedai {args.command}: {describe_error(exc)}", file=sys.stderr)
    except (UsageError, NoSolutionError) as exc:
        print(f"chedai {args.command}: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""Running ``chedai`` in-process for the bad-input tests: exit code, stdout and stderr."""

from __future__ import annotations

import io
import json

import pytest

from app.cli import main


def cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Import it into a test module: every test there gets a data dir of its own."""
    monkeypatch.setenv("CHEDAI_DATA_DIR", str(tmp_path / "data"))  # never the user's own


def cli(capsys, monkeypatch, argv, payload=None, *, locale=None):
    """Run ``chedai`` in-process; ``locale`` None leaves CHEDAI_LOCALE unset (zh_CN);
    ``payload`` (text, or JSON-encoded) is its stdin."""
    if locale is None:
        monkeypatch.delenv("CHEDAI_LOCALE", raising=False)
    else:
        monkeypatch.setenv("CHEDAI_LOCALE", locale)
    if payload is not None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
    return run_main(capsys, argv)


def run_main(capsys, argv):
    """``chedai argv`` in-process as the environment stands: (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err

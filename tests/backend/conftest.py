"""Fixtures for the backend: a fresh database per test, on SQLite and (when the server
binaries exist) on a private PostgreSQL cluster started by scripts/start_postgres.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.db import make_engine, migrate

ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "apt-get install -y --no-install-recommends postgresql"


def pytest_configure(config: pytest.Config) -> None:
    # Starlette 1.x deprecates plain httpx under its TestClient in favour of httpx2
    # (StarletteDeprecationWarning, a UserWarning). The app and the sync client are written
    # against httpx, a project dependency; TestClient is only the in-process transport of
    # these tests, so the deprecation is not ours to act on.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Using `httpx` with `starlette.testclient` is deprecated:UserWarning",
    )


def _postgres_available() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or shutil.which("initdb")


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL URL for the session; skipped (with how to install it) when the server is
    absent, except in CI (CI=true), where its absence is a failure."""
    if not _postgres_available():
        message = f"PostgreSQL server binaries not found; install them with: {INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    proc = subprocess.run(
        [str(ROOT / "scripts" / "start_postgres.sh")], capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/start_postgres.sh failed: {proc.stderr.strip()}")
    datadir = proc.stderr.split("PGDATA=", 1)[1].split()[0]
    yield proc.stdout.strip()
    subprocess.run(
        [str(ROOT / "scripts" / "start_postgres.sh"), "--stop", datadir], check=False, timeout=60
    )


def _fresh_postgres(url: str):
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    return engine


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(request, tmp_path):
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
        migrate(eng)
    else:
        eng = _fresh_postgres(request.getfixturevalue("postgres_url"))
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    migrate(eng)
    yield eng
    eng.dispose()

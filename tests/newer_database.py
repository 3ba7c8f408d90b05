"""A database as a newer Chedai leaves it, and the checks that it was left alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from local_db.engine import make_engine
from local_db.migrations import LATEST, migrate

NEWER = LATEST + 1


def newer_database(path: Path) -> Path:
    """This version's tables, one schema version further (its folder made owner-only)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine = make_engine(path)
    migrate(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO schema_version VALUES (?, 0)", (NEWER,))
    engine.dispose()
    return path


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its contents' digest (a new -wal, a key, a model…)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused_in_one_line(code: int, err: str) -> str:
    """The one line of a command's refusal (exit 2, no traceback)."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]

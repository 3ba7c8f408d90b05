"""Owner-only files in the data dir: the buyer's personal data must not be readable by other
users of a shared computer.

One mechanism for every writer, instead of a process umask: :func:`private_dir` makes (or
tightens) a folder to 0700, :func:`write_private` writes a file 0600 (atomically, through a
``mkstemp`` file, which is 0600 whatever the umask), :func:`create_private_file` creates the
SQLite database 0600 (SQLite gives its -wal/-shm files the database's own mode), and
:func:`secure_data_dir`, called when the app opens its data dir, tightens what an older version
left group/world-readable. A umask would be process-wide (it would also change the files a
user names on the command line, e.g. ``chedai contract render --out``, and race with other
threads) and would not repair existing files. Tightening only ever removes group/other bits,
and never follows a symlink.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

#: The data dir's folders the app writes into (tightened, with their files, on open).
DATA_SUBDIRS = ("contracts", "pictures", "model", "pki")
#: The data dir's own files (the device's and the server's databases with their -wal/-shm,
#: and the keys), by the start of their names: nothing else there is touched.
DATA_FILES = ("chedai.db", "server.db", "field.key", "server-field.key")


def tighten(path: str | Path) -> None:
    """Remove group and other permissions from ``path`` (a file or folder of ours); nothing
    for a missing path, a symlink, or a path owned by someone else."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid() or not st.st_mode & 0o077:
        return
    os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)


def private_dir(path: str | Path) -> Path:
    """``path`` as a folder only its owner can enter: created 0700 (with any missing parents,
    which get the usual mode), or tightened when it exists."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    tighten(path)
    return path


def write_private(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` (str: as UTF-8), mode 0600, in a folder made private. The
    file is replaced atomically: a reader (the PDF link) never meets half a file."""
    path = Path(path)
    private_dir(path.parent)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def create_private_file(path: str | Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (an existing file keeps its
    mode: one the user named is theirs; the data dir's are tightened by
    :func:`secure_data_dir`). A missing folder is made 0700. For the SQLite database, which
    SQLite would create 0644 and whose -wal/-shm files SQLite gives the database's own mode."""
    path = Path(path)
    if not path.parent.exists():
        private_dir(path.parent)
    with contextlib.suppress(OSError):  # a folder, unreadable...: SQLite's error says it better
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


def secure_data_dir(data_dir: str | Path) -> Path:
    """Make the data dir owner-only when the app opens it: the folder 0700, its files (the
    database and its -wal/-shm, the key) 0600, and its known subfolders (:data:`DATA_SUBDIRS`)
    with what they hold likewise; nothing deeper, and no other file, so a data dir set to a
    folder of the user's own does not have the user's files changed."""
    root = private_dir(data_dir)
    for entry in root.iterdir():
        if entry.name in DATA_SUBDIRS and entry.is_dir() and not entry.is_symlink():
            tighten(entry)
            for inner in entry.iterdir():
                tighten(inner)
        elif entry.name.startswith(DATA_FILES) and entry.is_file():
            tighten(entry)
    return root

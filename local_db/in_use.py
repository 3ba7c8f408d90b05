"""Who is using a key file: an advisory lock on ``<key file>.lock``, beside it.

A process that seals or opens with a key file (the app, a sync server, a seeding) holds a
*shared* lock on it for as long as it may use the key (:func:`share`, :func:`shared`); ``chedai keys
rotate`` holds an *exclusive* one for the whole rotation (:func:`exclusively`), which it
cannot get while anyone shares it: a running process keeps the key it read, and would seal
new values with the key the rotation drops. One starting while a rotation holds the lock
waits for it to finish, then reads the new key.

The lock is on a file of its own because a rotation replaces the key file (a new inode). It
is ``fcntl.flock``'s, held by an open file: a second ``share`` in one process is fine, an
``exclusively`` there conflicts like another process's, and a process that dies releases
it. Where ``fcntl`` does not exist (Windows) these functions lock nothing.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

log = logging.getLogger(__name__)


class InUse(Exception):
    """Another holder shares the key file's lock: ``path`` is the key file."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} is in use")
        self.path = path


class Hold:
    """A lock held on a key file's lock file until :meth:`release` (or until the holder is
    collected, or the process ends)."""

    def __init__(self, fd: int | None) -> None:
        # an fd, not a file object: dropping it unreleased must not warn (tests let it go)
        self._close = weakref.finalize(self, os.close, fd) if fd is not None else None

    def release(self) -> None:
        """Let go of the lock (again: nothing)."""
        if self._close is not None:
            self._close()


def lock_path(key_file: Path) -> Path:
    """The lock file beside ``key_file``."""
    key_file = Path(key_file)
    return key_file.with_name(key_file.name + ".lock")


def share(key_file: Path) -> Hold:
    """A shared lock on ``key_file``'s lock file (created 0600), taken before the key is read;
    waits while a rotation holds it. No-op without ``fcntl``."""
    if fcntl is None:
        return Hold(None)
    fd = _open(key_file)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: waiting for the key rotation under way to finish", key_file)
            fcntl.flock(fd, fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return Hold(fd)


@contextmanager
def shared(key_file: Path) -> Iterator[None]:
    """:func:`share` for the block (a command that seals, then ends)."""
    hold = share(key_file)
    try:
        yield
    finally:
        hold.release()


@contextmanager
def exclusively(key_file: Path) -> Iterator[None]:
    """Hold ``key_file``'s lock alone for the block; raises :class:`InUse` at once when a
    process (this one included) shares it. No-op without ``fcntl``."""
    if fcntl is None:
        yield
        return
    fd = _open(key_file)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InUse(Path(key_file)) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _open(key_file: Path) -> int:
    # read-only is enough to lock, and works where the lock file exists in a folder the
    # process may not write in (a key file an administrator put there)
    flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    return os.open(lock_path(key_file), flags, 0o600)

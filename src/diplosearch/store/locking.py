"""One writer per index: an advisory lock on `<index>/.lock`.

Readers take no lock: SQLite gives each search one committed state (see `snapshot`).
The lock is an flock, so it dies with its process: a writer killed with SIGKILL never
leaves an index locked.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import IndexDamagedError, IndexLockedError, IndexNotFoundError, ReadOnlyIndexError

LOCK_NAME = ".lock"
POLL_SECONDS = 0.1


def _holder(fd: int) -> str:
    """' (pid N)' from the lock file, where the holder wrote its pid."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""


def _same_file(fd: int, path: Path) -> bool:
    """False when `path` no longer names the locked file: the index was replaced (by
    `build --replace`) while we waited, so the lock protects nothing any more."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _acquire(path: Path, index_dir: Path, deadline: float) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileNotFoundError:
            raise IndexNotFoundError(f"{index_dir}: no index here") from None
        except PermissionError:
            raise ReadOnlyIndexError(f"{index_dir}: this index is read-only for you (no "
                                     "permission to write its lock file); nothing was "
                                     "changed") from None
        except OSError as exc:
            if exc.errno == errno.EROFS:
                raise ReadOnlyIndexError(f"{index_dir}: on a read-only file system; nothing "
                                         "was changed") from None
            if exc.errno != errno.ELOOP:
                raise
            raise IndexDamagedError(f"{path} is a symbolic link; an index never contains "
                                    "links, so this one was tampered with") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise IndexLockedError(
                    f"{index_dir}: another process{holder} is writing to this index; try "
                    "again when it finishes (or pass --wait SECONDS)") from None
            time.sleep(POLL_SECONDS)
            continue
        if _same_file(fd, path):
            return fd
        os.close(fd)


def check_writable(folder: Path, what: str) -> None:
    """Raise ReadOnlyIndexError, before any work, where `what` cannot be written into
    `folder` (its nearest existing parent): a read-only disk, or no permission."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if os.access(folder, os.W_OK | os.X_OK):
        return
    why = "is on a read-only file system" if os.statvfs(folder).f_flag & os.ST_RDONLY \
        else "is read-only for you"
    raise ReadOnlyIndexError(f"{folder} {why}: cannot write {what} there; nothing was changed")


@contextmanager
def writer_lock(index_dir: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the index's writer lock; wait up to `wait` seconds for another writer to finish.

    Raises IndexLockedError, naming the other writer's pid, when the wait runs out.
    """
    path = index_dir / LOCK_NAME
    fd = _acquire(path, index_dir, time.monotonic() + wait)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock

"""Leaving an index whole whatever happens: the steps every writer takes before and after
it changes anything, and the clean-up after a process that was killed mid-write.

The database is the truth. A write is (1) a new segment file, fsynced; (2) one SQLite
transaction that names it and bumps `state.generation`; (3) a rewrite of manifest.json.
A kill can therefore leave:

- a segment file (or a `.seg-*.tmp`) that no committed row names: invisible to readers,
  deleted by the next writer (`remove_orphans`);
- a manifest one generation (or more) behind the database. "The manifest agrees" means:
  its static part (format, model, dimension, passage settings) equals what the database
  records in `state`, and its `generation` is not ahead of the database's. Its counts are
  a summary of the state it names; readers never trust them (they count in SQLite), and
  the next writer, or `index repair`, rewrites a manifest that is behind (`sync_manifest`);
- after `index build --replace`, a `.NAME.building-PID` folder (an unfinished build or, if
  the swap had happened, the old index): deleted by the next build once PID is dead.
  The swap itself is one atomic `renameat2(RENAME_EXCHANGE)` where the OS has it; else
  two renames, and an index found missing with its `.NAME.old-*` beside it is put back.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

from ..errors import IndexDamagedError
from . import database, snapshot, vectors
from .manifest import MANIFEST, Manifest, write_manifest

_LEFTOVER = re.compile(r"\.(seg-[0-9a-f]{8,64}\.faiss|ann-[0-9a-f]{8,64}\.npz)\.tmp"
                       r"|seg-[0-9a-f]{8,64}\.faiss|ann-[0-9a-f]{8,64}\.npz")


# Names inside an index that code opens for writing (SQLite follows links for its
# journal files): a link at any of them could make a writer write outside the index.
MAIN_FILES = (MANIFEST, database.DB_NAME, vectors.VECTORS_DIR)
SCRATCH_FILES = (".lock", f".{MANIFEST}.tmp", f"{database.DB_NAME}-wal", f"{database.DB_NAME}-shm",
                 f"{database.DB_NAME}-journal")


def links(index_dir: Path) -> list[str]:
    """Names of an index's own files that are symbolic links (an index never has any)."""
    return [n for n in MAIN_FILES + SCRATCH_FILES if (index_dir / n).is_symlink()]


def refuse_links(index_dir: Path, tidy: bool = False) -> None:
    """Raise IndexDamagedError if the index holds links where its files should be, so
    nothing is ever read or written through them. `tidy` deletes links at scratch names
    (which never hold data) instead of refusing."""
    found = links(index_dir)
    if tidy:
        for name in [n for n in found if n in SCRATCH_FILES]:
            (index_dir / name).unlink()
        found = [n for n in found if n not in SCRATCH_FILES]
    if found:
        raise IndexDamagedError(f"{index_dir}: symbolic link(s) where its files should be "
                                f"({', '.join(found)}); an index never contains links, so this "
                                "one was tampered with: rebuild it from its sources")


def open_for_writing(index_dir: Path, manifest: Manifest) -> sqlite3.Connection:
    """The database opened for a writer that holds the lock, after `prepare_writer`."""
    refuse_links(index_dir)
    db = database.connect(index_dir, write=True)
    try:
        prepare_writer(index_dir, db, manifest)
    except BaseException:
        db.close()
        raise
    return db


def sync_manifest(index_dir: Path, db: sqlite3.Connection, manifest: Manifest) -> None:
    """Rewrite manifest.json to describe the database's committed state."""
    manifest.generation = snapshot.generation(db)
    manifest.counts = database.counts(db)
    manifest.backends = database.backends(db)
    manifest.index_type = database.get_state(db, "index_type") or "auto"
    manifest.updated_at = database.now()
    write_manifest(index_dir, manifest)


def record_identity(db: sqlite3.Connection, manifest: Manifest) -> None:
    """Write what the index is into the database, once, so a manifest edited or swapped
    later is caught (by readers, writers and `index verify`)."""
    if snapshot.identity(db):
        return
    with database.transaction(db):
        for key in snapshot.IDENTITY:
            database.set_state(db, key, getattr(manifest, key))


def prepare_writer(index_dir: Path, db: sqlite3.Connection, manifest: Manifest) -> None:
    """What a writer does first: refuse a tampered manifest, heal one left behind by a
    crash, and delete the files an interrupted write left."""
    snapshot.check_identity(db, manifest, index_dir)
    record_identity(db, manifest)
    if manifest.generation > snapshot.generation(db):
        raise IndexDamagedError(f"{index_dir}: manifest.json describes a later state than the "
                                "database holds (were files swapped?); run `diplosearch index "
                                "verify`, then rebuild")
    if (manifest.generation, manifest.counts) != (snapshot.generation(db), database.counts(db)):
        sync_manifest(index_dir, db, manifest)
    remove_orphans(index_dir, db)


def orphans(index_dir: Path, db: sqlite3.Connection) -> list[Path]:
    """Segment files (and unfinished `.tmp` ones) that no committed row names. Files of
    any other name are not ours and are left alone (`index verify` lists them)."""
    folder = index_dir / vectors.VECTORS_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    known = {name for _, name, _ in database.segments(db)} | set(ann_files(db))
    return [f for f in folder.iterdir()
            if _LEFTOVER.fullmatch(f.name) and f.name not in known
            and (f.is_symlink() or f.is_file())]


def ann_files(db: sqlite3.Connection) -> list[str]:
    """The ANN search structure the database names (see `ann`), if any."""
    row = db.execute("SELECT value FROM state WHERE key = 'ann_file'").fetchone()
    return [row[0]] if row and row[0] else []


def remove_orphans(index_dir: Path, db: sqlite3.Connection) -> list[str]:
    """Delete files left by an interrupted write. The caller holds the writer lock."""
    gone = []
    for f in orphans(index_dir, db):
        f.unlink(missing_ok=True)
        gone.append(f.name)
    return gone


# -- replacing a whole index (build --replace) ----------------------------------------
def building_dir(target: Path) -> Path:
    return target.with_name(f".{target.name}.building-{os.getpid()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Before a build: put back an index a crash left half-swapped, and delete the build
    folders of processes that are gone. Returns what was restored or deleted."""
    touched = [target] if restore_half_swapped(target) else []
    for old in target.parent.glob(f".{glob_escape(target.name)}.old-*"):
        shutil.rmtree(old, ignore_errors=True)
        touched.append(old)
    for folder in target.parent.glob(f".{glob_escape(target.name)}.building-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            touched.append(folder)
    return touched


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2). False where the OS or file system
    cannot, so the caller falls back to two renames."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, target: Path) -> None:
    """Put the finished index `new` at `target`, replacing any old one; readers and a
    killed process see either the old or the new index there, never none."""
    if not target.exists():
        new.rename(target)
    elif _exchange(new, target):
        vectors.fsync_dir(target.parent)
        shutil.rmtree(new, ignore_errors=True)   # `new` now holds the old index
    else:
        old = target.with_name(f".{target.name}.old-{time.time_ns()}")
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    vectors.fsync_dir(target.parent)


def restore_half_swapped(target: Path) -> bool:
    """Put back an index that a crash in the two-rename fallback left at `.NAME.old-*`."""
    olds = sorted(target.parent.glob(f".{glob_escape(target.name)}.old-*"))
    if target.exists() or not olds:
        return False
    olds[-1].rename(target)
    return True

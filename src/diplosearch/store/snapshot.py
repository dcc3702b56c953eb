"""Reading an index while another process may be writing to it.

Writers commit through SQLite (WAL mode), so a reader that does all of one search's
reads inside one read transaction sees exactly one committed state: `snapshot`.
The database's `state.generation` (bumped by every commit) tells a reader cheaply
whether its in-memory vectors are still those of the state it sees; when not, it loads
them again from the segment files that state names.

One race remains, and is handled here: a compaction commits a new segment and then
deletes the segment files it replaced, which a reader holding an older snapshot may
not have read yet. The reader then starts a new snapshot, which names the new file,
and tries again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from ..errors import IndexDamagedError, SegmentMissingError
from . import ann, database, vectors
from .manifest import Manifest

RETRIES = 5
T = TypeVar("T")
# What the database records about what the index is; the manifest must say the same.
IDENTITY = ("model", "dimension", "max_tokens", "min_tokens")


@contextmanager
def snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the reads inside the block in one read transaction (re-entrant)."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN")
    try:
        yield db
    finally:
        if db.in_transaction:
            db.execute("COMMIT")  # ends the read; nothing was written


def consistently(connect: Callable[[], sqlite3.Connection],
                 read: Callable[[sqlite3.Connection], T]) -> T:
    """`read(db)` inside one snapshot of the connection `connect()` gives. A reader without
    write access may have an `immutable` connection (see `database.connect`), which SQLite
    does not guard against writers: a read that a writer overlapped there is done again,
    on the fresh connection `connect()` then gives."""
    for _ in range(RETRIES):
        db = connect()
        try:
            with snapshot(db):
                result = read(db)
        except (sqlite3.DatabaseError, IndexDamagedError):
            if not database.outdated(db):
                raise
            continue
        if not database.outdated(db):
            return result
    raise IndexDamagedError(f"the index kept changing while it was being read ({RETRIES} "
                            "tries); try again")


def restart(db: sqlite3.Connection) -> None:
    """Move an open snapshot forward to the latest committed state."""
    if db.in_transaction:
        db.execute("COMMIT")
    db.execute("BEGIN")


def generation(db: sqlite3.Connection) -> int:
    return int(database.get_state(db, "generation") or 0)


def identity(db: sqlite3.Connection) -> dict[str, str]:
    """Model and passage settings the database records (empty for indexes made before
    diplosearch recorded them)."""
    marks = ",".join("?" * len(IDENTITY))
    rows = db.execute(f"SELECT key, value FROM state WHERE key IN ({marks})", IDENTITY)
    return {k: v for k, v in rows.fetchall()}


def identity_mismatch(db: sqlite3.Connection, manifest: Manifest) -> list[str]:
    """Fields where the manifest disagrees with the database, as 'field: a != b' lines."""
    recorded = identity(db)
    return [f"{key}: manifest says {getattr(manifest, key)!r}, database says {value!r}"
            for key, value in recorded.items() if str(getattr(manifest, key)) != value]


def check_identity(db: sqlite3.Connection, manifest: Manifest, index_dir: Path) -> None:
    """Refuse an index whose manifest was edited or swapped after it was built."""
    wrong = identity_mismatch(db, manifest)
    if wrong:
        raise IndexDamagedError(f"{index_dir}: manifest.json does not match the index database "
                                f"({'; '.join(wrong)}); it was edited or swapped: run "
                                "`diplosearch index verify`, then rebuild or `index repair`")


def load_vectors(index_dir: Path, db: sqlite3.Connection,
                 dimension: int) -> tuple[vectors.VectorIndex | ann.LiveVectors, int]:
    """Inside a snapshot: the live vectors of the state it sees, and that state's generation.

    When a segment file has vanished, a compaction has replaced it since the snapshot
    began; the snapshot is restarted (so the caller's later reads see the same, newer
    state) and the load tried again.
    """
    if any((index_dir / name).is_symlink() for name in (vectors.VECTORS_DIR, database.DB_NAME)):
        raise IndexDamagedError(f"{index_dir}: holds symbolic links where its files should be; "
                                "an index never contains links, so this one was tampered with")
    for _ in range(RETRIES):
        gen = generation(db)
        try:
            loaded = ann.load(index_dir, db, dimension) or vectors.load_live(
                index_dir, database.segments(db), database.live_counts(db),
                lambda s: database.live_ids(db, s), dimension)
            return loaded, gen
        except SegmentMissingError:
            restart(db)
            if generation(db) == gen:  # nobody committed: the file is really gone
                raise
    raise IndexDamagedError(f"{index_dir}: the index kept changing while it was being "
                            f"loaded ({RETRIES} tries); try again")

"""The index's SQLite database: documents, passages, segments and index state."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..errors import IndexAccessError, IndexDamagedError
from ..ingest.documents import Passage
from ..text import stemmers
from .migrations import (DOCUMENT_TEXT_SQL, FOLD_FUNCTIONS, OPTIONAL_FOR_READERS, migrate,
                         pending, register_functions)

DB_NAME = "passages.sqlite"

PASSAGE_COLUMNS = (
    "position", "text", "text_sha256", "paragraph", "paragraph_end", "part", "parts",
    "speaker", "affiliation", "role", "language", "statement", "page",
    "line_start", "line_end", "char_start", "char_end", "section", "context",
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def connect(index_dir: Path, write: bool = False) -> sqlite3.Connection:
    """Open the database: read-only for searching; read-write and migrated for writing.

    Write connections are in autocommit mode; writers group changes with `transaction`.
    """
    path = index_dir / DB_NAME
    if not path.is_file():
        raise IndexDamagedError(f"{index_dir}: index database {DB_NAME} is missing")
    try:
        if write:
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            migrate(db)
        else:
            db = _open_reader(path)
            register_functions(db)   # for verify, which reads the keyword tables' view
            if set(pending(db, create=False)) - OPTIONAL_FOR_READERS:
                raise IndexDamagedError(f"{index_dir}: index was made by an older diplosearch; "
                                        "run `diplosearch index add` on it once to upgrade it")
        db.execute("PRAGMA foreign_keys=ON")
        db.row_factory = sqlite3.Row
        return db
    except sqlite3.DatabaseError as exc:
        if not os.access(path, os.R_OK):
            raise IndexAccessError(f"{path}: you may not read this file (ask whoever owns "
                                   "the index to let you)") from exc
        raise IndexDamagedError(f"{path}: not a readable index database ({exc})") from exc


class FrozenConnection(sqlite3.Connection):
    """A reader's connection opened with `immutable=1`: SQLite takes no locks and never
    looks for changes, so it is only used while nobody writes (see `_open_reader`);
    `outdated` tells when to open a fresh one."""

    path: Path
    seen: tuple = ()   # the database's files as they were when it was opened


def _files_state(path: Path) -> tuple:
    """(inode, mtime, size) of the database, its -shm and its -wal (None where absent): a
    writer that opens the database creates or changes them."""
    def stamp(f: Path) -> tuple[int, int, int] | None:
        try:
            st = f.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size
    return tuple(stamp(path.with_name(path.name + end)) for end in ("", "-shm", "-wal"))


def _wal_in_use(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


# What SQLite says when a read-only connection would have to create or write the files
# beside a WAL-mode database (its -shm), which a reader without write access cannot: its
# error names (Python 3.11+), else its messages.
_NEEDS_WRITE = ("SQLITE_READONLY", "SQLITE_CANTOPEN")
_NEEDS_WRITE_SAID = ("readonly database", "unable to open database file")


def _needs_write(exc: sqlite3.OperationalError) -> bool:
    name = getattr(exc, "sqlite_errorname", None)
    return name.startswith(_NEEDS_WRITE) if name else any(m in str(exc) for m in _NEEDS_WRITE_SAID)


def _open_reader(path: Path) -> sqlite3.Connection:
    """Open for reading without ever needing write access.

    `mode=ro` takes SQLite's usual locks, so a reader sees one committed state while a
    writer works. But a database in WAL mode (as writers leave it: see `snapshot`) needs
    its -shm file, which SQLite creates beside it when no process has the database open;
    a user who may only read the folder, or a read-only disk, cannot. Then, when no WAL
    file holds commits (the database file is the whole truth), it is opened as SQLite
    documents for read-only media: `immutable=1`, no locks; `outdated` tells its users
    when a writer has come since, to read again on a fresh connection.
    """
    uri = path.resolve().as_uri()
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError as exc:
        db.close()
        if not _needs_write(exc):
            raise
        if _wal_in_use(path):
            raise IndexAccessError(
                f"{path.parent}: read-only for you, and a write to it is unfinished (its "
                f"{path.name}-wal holds changes), which only a user who may write to it can "
                "read: ask one to run `diplosearch index repair` on it once") from None
    seen = _files_state(path)
    frozen = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                             factory=FrozenConnection)
    frozen.path, frozen.seen = path, seen
    return frozen


def outdated(db: sqlite3.Connection) -> bool:
    """True for an `immutable` reader's connection once a writer has opened or changed the
    database: what was read since may mix two states, so the caller reads again on a fresh
    connection. Always False for other connections, which SQLite keeps consistent."""
    if not isinstance(db, FrozenConnection):
        return False
    try:
        return _files_state(db.path) != db.seen
    except OSError:
        return True


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def create(index_dir: Path) -> sqlite3.Connection:
    """Create a fresh database in `index_dir`, its keyword stemmer the one chosen now
    (`text.stemmers.chosen`: the default or `DIPLOSEARCH_STEMMER`)."""
    stemmer = stemmers.chosen()
    sqlite3.connect(index_dir / DB_NAME).close()
    db = connect(index_dir, write=True)
    set_state(db, "keyword_stemmer", stemmer)
    register_functions(db)            # fold with it from the first passage on
    return db


def get_state(db: sqlite3.Connection, key: str) -> str:
    row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else ""


def backends(db: sqlite3.Connection) -> list[str]:
    """The embedding backends ("torch", "onnx", "onnx-int8", ...) that computed this index's
    vectors, in the order first used: informational, e.g. to tell int8 vectors apart."""
    value = get_state(db, "backends")
    return value.split(",") if value else []


def note_backend(db: sqlite3.Connection, backend: str | None) -> None:
    """Record that `backend` embedded vectors (inside the commit's transaction)."""
    if backend and backend not in backends(db):
        set_state(db, "backends", ",".join([*backends(db), backend]))


def set_state(db: sqlite3.Connection, key: str, value: object) -> None:
    db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, str(value)))


def find_document(db: sqlite3.Connection, key: str, path: str) -> sqlite3.Row | None:
    row = db.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
    return row or db.execute("SELECT * FROM documents WHERE key = ?", (key,)).fetchone()


def upsert_document(db: sqlite3.Connection, existing: sqlite3.Row | None, key: str, path: str,
                    symbol: str | None, sha256: str, encoding: str, metadata: dict) -> int:
    values = (key, path, symbol, sha256, encoding, json.dumps(metadata, sort_keys=True), now(),
              metadata.get("date"), metadata.get("body"))
    if existing is None:
        cur = db.execute("INSERT INTO documents (key, path, symbol, sha256, encoding, metadata, "
                         "indexed_at, date, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        return int(cur.lastrowid)
    db.execute("UPDATE documents SET key=?, path=?, symbol=?, sha256=?, encoding=?, metadata=?, "
               "indexed_at=?, date=?, body=? WHERE id=?", (*values, existing["id"]))
    return int(existing["id"])


def passage_rows(db: sqlite3.Connection, doc_id: int) -> list[sqlite3.Row]:
    return db.execute("SELECT id, text_sha256 FROM passages WHERE doc_id = ? ORDER BY position",
                      (doc_id,)).fetchall()


def _values(p: Passage, sha: str) -> tuple:
    return tuple(sha if c == "text_sha256" else getattr(p, c) for c in PASSAGE_COLUMNS)


def insert_passage(db: sqlite3.Connection, pid: int, doc_id: int, segment_id: int,
                   p: Passage, sha: str) -> None:
    cols = ", ".join(PASSAGE_COLUMNS)
    marks = ", ".join("?" * len(PASSAGE_COLUMNS))
    db.execute(f"INSERT INTO passages (id, doc_id, segment_id, {cols}) VALUES (?, ?, ?, {marks})",
               (pid, doc_id, segment_id, *_values(p, sha)))


def update_passage(db: sqlite3.Connection, pid: int, p: Passage, sha: str) -> None:
    sets = ", ".join(f"{c} = ?" for c in PASSAGE_COLUMNS)
    db.execute(f"UPDATE passages SET {sets} WHERE id = ?", (*_values(p, sha), pid))


def set_document_keywords(db: sqlite3.Connection, doc_id: int) -> None:
    """Refresh a resolution's whole text for keyword search (migration 011) from its
    passages as they now are (the writer calls it for resolutions only)."""
    db.execute("DELETE FROM document_keywords WHERE doc_id = ?", (doc_id,))
    db.execute("INSERT INTO document_keywords (doc_id, text) SELECT ?, "
               f"({DOCUMENT_TEXT_SQL.format(doc='?')}) WHERE EXISTS "
               "(SELECT 1 FROM passages WHERE doc_id = ?)", (doc_id, doc_id, doc_id))


def delete_passages(db: sqlite3.Connection, ids: Iterable[int]) -> None:
    db.executemany("DELETE FROM passages WHERE id = ?", ((i,) for i in ids))


def add_segment(db: sqlite3.Connection, file: str, rows: int, sha256: str) -> int:
    cur = db.execute("INSERT INTO segments (file, rows, sha256, created_at) VALUES (?, ?, ?, ?)",
                     (file, rows, sha256, now()))
    return int(cur.lastrowid)


def segments(db: sqlite3.Connection) -> list[tuple[int, str, int]]:
    return [tuple(r) for r in db.execute("SELECT id, file, rows FROM segments ORDER BY id")]


def live_counts(db: sqlite3.Connection) -> dict[int, int]:
    """Live passages per segment id (segments with none left out), as the triggers of
    migration 005 keep them: no scan of the passages."""
    return dict(db.execute("SELECT id, live FROM segments WHERE live != 0").fetchall())


def tally(db: sqlite3.Connection, name: str) -> int:
    """The stored count of documents or passages."""
    return int(db.execute("SELECT n FROM tallies WHERE name = ?", (name,)).fetchone()[0])


def live_ids(db: sqlite3.Connection, segment_id: int) -> Iterator[int]:
    for (pid,) in db.execute("SELECT id FROM passages WHERE segment_id = ?", (segment_id,)):
        yield pid


def counts(db: sqlite3.Connection) -> dict[str, int]:
    return {
        "documents": tally(db, "documents"),
        "passages": tally(db, "passages"),
        "segments": int(db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]),
    }


def tally_errors(db: sqlite3.Connection) -> list[str]:
    """Where a stored count disagrees with the rows (it never should: triggers keep them);
    scans the whole index, so for `index verify`, not for every write."""
    wrong = [f"{name}: stored {tally(db, name)}, counted {n}" for name, n in (
        (name, int(db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]))
        for name in ("documents", "passages")) if tally(db, name) != n]
    wrong += [f"segment {seg}: stored {live} live passages, counted {n}"
              for seg, live, n in db.execute(
                  "SELECT s.id, s.live, (SELECT COUNT(*) FROM passages p WHERE p.segment_id = s.id) "
                  "FROM segments s").fetchall() if live != n]
    return wrong


KEYWORD_TABLES = {  # FTS5 table: the rows it must hold one for, and what they are
    "passages_fts": ("SELECT id FROM passages", "passage"),
    "passages_fts_folded": (f"SELECT id FROM passages WHERE {FOLD_FUNCTIONS[1]}(text)",
                            "passage"),
    "document_keywords_fts": ("SELECT doc_id FROM document_keywords", "resolution"),
}


def keyword_tables(db: sqlite3.Connection) -> list[str]:
    """The keyword tables this index has (`passages_fts_folded` came with migration 009,
    `document_keywords_fts` with 011)."""
    return [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
        f"({', '.join('?' * len(KEYWORD_TABLES))})", tuple(KEYWORD_TABLES)).fetchall()]


def keyword_errors(db: sqlite3.Connection) -> list[str]:
    """Where a keyword table lacks a passage's row or holds a row for none; scans every
    passage (for `index verify` and `repair`). Row level only: FTS5's token-level
    'integrity-check' is a write statement, which a read-only connection refuses."""
    wrong = []
    for table in keyword_tables(db):
        ids, what = KEYWORD_TABLES[table]
        missing, extra = (db.execute(f"SELECT COUNT(*) FROM ({a} EXCEPT {b})").fetchone()[0]
                          for a, b in ((ids, f"SELECT id FROM {table}_docsize"),
                                       (f"SELECT id FROM {table}_docsize", ids)))
        if missing or extra:
            wrong.append(f"{table}: {missing} {what}(s) missing, {extra} row(s) for none")
    return wrong


def recount(db: sqlite3.Connection) -> None:
    """Set the stored counts from the rows (inside the caller's transaction)."""
    db.execute("UPDATE tallies SET n = (SELECT COUNT(*) FROM documents) WHERE name = 'documents'")
    db.execute("UPDATE tallies SET n = (SELECT COUNT(*) FROM passages) WHERE name = 'passages'")
    db.execute("UPDATE segments SET live = (SELECT COUNT(*) FROM passages p "
               "WHERE p.segment_id = segments.id)")


# When a document is from: its date, or only its year where the source gives no day (the
# General Debate corpus: one statement per country per session). "2024-09-24" or "2024".
WHEN_SQL = "COALESCE(d.date, json_extract(d.metadata, '$.year'))"

HIT_SQL = """
SELECT p.*, d.key AS doc_key, d.symbol AS symbol, d.metadata AS doc_metadata
FROM passages p JOIN documents d ON d.id = p.doc_id
"""


def passages_by_id(db: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    if not ids:
        return {}
    out: dict[int, sqlite3.Row] = {}
    for start in range(0, len(ids), 900):  # stay under SQLite's variable limit
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(f"{HIT_SQL} WHERE p.id IN ({marks})", chunk):
            out[row["id"]] = row
    return out


def by_ids(db: sqlite3.Connection, sql: str, ids) -> Iterator[tuple]:
    """The plain rows of `sql` for passage `ids`, where `sql` ends with "IN ({ids})",
    asked in chunks that stay under SQLite's variable limit."""
    cur = db.cursor()
    cur.row_factory = None
    for start in range(0, len(ids), 900):
        chunk = [int(i) for i in ids[start:start + 900]]
        yield from cur.execute(sql.format(ids=",".join("?" * len(chunk))), chunk)


def model_inputs(db: sqlite3.Connection, ids) -> list[tuple[str, str | None]]:
    """(text, context) of passages `ids`, in that order: what the model read for each
    (`ingest.passages.model_text`). Writers only: they open an index migrated (012)."""
    out = {pid: (text, context) for pid, text, context in by_ids(
        db, "SELECT id, text, context FROM passages WHERE id IN ({ids})", ids)}
    return [out[int(i)] for i in ids]

"""Which indexed document a source file is, so that adding files never silently replaces
a different document that happens to have the same name.

A document is known by the absolute path it was read from. Its key (the path relative to
the folder it was added through, or its bare file name) names it in citations and is
unique in an index, so two folders that each hold a `statement.txt` give two files one
key. Adding a file:

- whose path is indexed: it is that document, under the key it already has (re-adding a
  changed file updates it: the incremental add);
- whose path is new and whose key is free: a new document;
- whose path is new and whose key is held by a document with the *same bytes*: the same
  document, copied or moved. When the recorded file no longer exists (a moved folder), the
  document's path becomes the new one; its key and citations stay;
- whose path is new and whose key is held by a document with *different bytes*: a
  different document. The whole add is refused before anything is written
  (`SameNameError`), unless the caller asks to replace (`replace_same_name=True`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SameNameError, SourceError

DOCUMENT_COLUMNS = "id, key, path, sha256, metadata"


@dataclass
class Claims:
    """What the files of one add take over: key → the document row held under that key by
    another path, for files that are the same document (or replace it when asked)."""

    taken: dict[str, sqlite3.Row] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)   # keys whose recorded file is gone

    def existing(self, db: sqlite3.Connection, key: str, path: str) -> sqlite3.Row | None:
        """The indexed document a file at `path`, found under `key`, updates: the one read
        from that path, else the one it was allowed to take over, else None (new)."""
        row = by_key(db, key)    # the usual case, through the key's index: no scan
        if row is not None and row["path"] == path:
            return row
        row = by_path(db, path)
        return row if row is not None else self.taken.get(key)

    def clashes(self, db: sqlite3.Connection, key: str, path: str) -> bool:
        """A key held by another path that the pre-check did not clear (a file that could
        not be read then): never written over."""
        if key in self.taken:
            return False
        row = by_key(db, key)
        return row is not None and row["path"] != path and by_path(db, path) is None


def by_path(db: sqlite3.Connection, path: str) -> sqlite3.Row | None:
    return db.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE path = ?", (path,)).fetchone()


def by_key(db: sqlite3.Connection, key: str) -> sqlite3.Row | None:
    return db.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE key = ?", (key,)).fetchone()


def check(db: sqlite3.Connection, items: list, replace_same_name: bool = False) -> Claims:
    """Sort out the files of an add, (SourceFile, loader) pairs, before any is written.

    Raises:
        SameNameError: files whose keys are held by different documents read from other
            paths, unless `replace_same_name`.
    """
    claims = Claims()
    clashes: list[tuple[str, str, str]] = []
    for file, load in items:
        path = str(file.path.resolve())
        row = by_key(db, file.key)
        if row is None or row["path"] == path or by_path(db, path) is not None:
            continue
        sha = _sha256(file, load)
        if sha is None:
            continue    # unreadable: the add reports it skipped, and never writes over `row`
        if sha == row["sha256"] or replace_same_name:
            claims.taken[file.key] = row
            if sha == row["sha256"] and not Path(row["path"]).exists():
                claims.moved.add(file.key)
        else:
            clashes.append((file.key, path, row["path"]))
    if clashes:
        raise SameNameError(clashes)
    return claims


def _sha256(file, load) -> str | None:
    """The file's content hash as `read_source` computes it, or None when unreadable."""
    try:
        if file.path.is_file():
            return hashlib.sha256(file.path.read_bytes()).hexdigest()
        return load(file).sha256     # sources that are not files (evaluation corpora)
    except (OSError, SourceError):
        return None


def relocate(db: sqlite3.Connection, doc_id: int, path: str) -> None:
    """Record a moved document's new path (inside the caller's transaction)."""
    db.execute("UPDATE documents SET path = ? WHERE id = ?", (path, doc_id))

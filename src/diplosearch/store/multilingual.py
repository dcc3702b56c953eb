"""The multilingual vector set: one vector per passage from the multilingual model, beside
the English model's segment files.

They live in the database (table `multilingual_vectors`, migration 008) rather than in
segment files: they commit in the same transaction as their passage, go with it through
`ON DELETE CASCADE`, and need nothing new from recovery, verify or repair. Stored as
float16 (1 KiB per passage at 512 dimensions; cosine to float32 > 0.9999) and searched
exactly: they are read only for questions that are not in English.
"""

from __future__ import annotations

import sqlite3

import numpy as np

TABLE = "multilingual_vectors"
DTYPE = np.dtype("<f2")


def insert(db: sqlite3.Connection, ids: np.ndarray, vectors: np.ndarray,
           langs: list[str]) -> None:
    """Store the vectors and languages of passages `ids` (inside the caller's transaction)."""
    data = np.ascontiguousarray(vectors, dtype=DTYPE)
    db.executemany(f"INSERT OR REPLACE INTO {TABLE} (passage_id, vector, lang) VALUES (?, ?, ?)",
                   ((int(i), row.tobytes(), lang) for i, row, lang in zip(ids, data, langs)))


def count(db: sqlite3.Connection) -> int:
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()[0])
    except sqlite3.OperationalError:   # an index from before migration 008
        return 0


def has_foreign(db: sqlite3.Connection) -> bool:
    """Whether any passage is in another language than English (an index lookup)."""
    try:
        return db.execute(f"SELECT 1 FROM {TABLE} WHERE lang > 'en' OR lang < 'en' "
                          "LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:   # an index from before migration 008
        return False


def missing(db: sqlite3.Connection) -> list[int]:
    """Live passages without a multilingual vector (an add by a build without the model)."""
    return [r[0] for r in db.execute(
        f"SELECT p.id FROM passages p LEFT JOIN {TABLE} m ON m.passage_id = p.id "
        "WHERE m.passage_id IS NULL ORDER BY p.id")]


class MultilingualVectors:
    """All multilingual vectors of an index in memory, searched exactly by inner product."""

    def __init__(self, ids: np.ndarray, matrix: np.ndarray, langs: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        self.ids = np.ascontiguousarray(ids[order], dtype=np.int64)
        self.matrix = np.ascontiguousarray(matrix[order], dtype=DTYPE)
        self.langs = np.asarray(langs, dtype=object)[order]   # each passage's language
        self.foreign_ids = self.ids[self.langs != "en"]

    def ids_in(self, lang: str) -> set[int]:
        """The passages in language `lang`."""
        return set(self.ids[self.langs == lang].tolist())

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls, db: sqlite3.Connection, dimension: int) -> MultilingualVectors:
        cur = db.cursor()
        cur.row_factory = None
        rows = cur.execute(f"SELECT passage_id, vector, lang FROM {TABLE}").fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        langs = np.array([r[2] for r in rows], dtype=object)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=DTYPE)
        return cls(ids, matrix.reshape(len(rows), dimension) if len(rows)
                   else np.zeros((0, dimension), DTYPE), langs)

    def scores_of(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Cosine of the query to passages `ids` (-1 for a passage without a vector)."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.clip(np.searchsorted(self.ids, ids), 0, max(len(self.ids) - 1, 0))
        held = (pos < len(self.ids)) & (self.ids[pos] == ids) if len(self.ids) else \
            np.zeros(len(ids), bool)
        out = np.full(len(ids), -1.0, np.float32)
        out[held] = self.matrix[pos[held]].astype(np.float32) @ np.asarray(query, np.float32)
        return out

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None,
               chunk: int = 65536) -> list[tuple[int, float]]:
        """(passage id, cosine) of the k nearest, among `allowed` ids when given."""
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        pos = np.arange(len(self.ids)) if allowed is None else \
            np.nonzero(np.isin(self.ids, np.asarray(allowed, dtype=np.int64)))[0]
        if not len(pos) or k <= 0:
            return []
        scores = np.concatenate([self.matrix[pos[i:i + chunk]].astype(np.float32) @ query
                                 for i in range(0, len(pos), chunk)])
        k = min(k, len(pos))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[pos[t]]), float(scores[t])) for t in top]

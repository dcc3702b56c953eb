"""Each embedded part's sentences, kept from build time (migration 006): their spans in the
part's text and vectors pooled from the part's own forward pass (`embed.base.pool_spans`).

Search reads them for the parts it shows, to mark the best sentence without running the
model. Vectors are stored as int8 with one float scale each (a quarter of float32); the
choice of a best sentence among a paragraph's few is what they serve, not ranking.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np

Sentences = tuple[np.ndarray, np.ndarray]   # spans (n, 2) int32, vectors (n, d) float32


def pack(spans: np.ndarray, vectors: np.ndarray) -> tuple[bytes, bytes, bytes]:
    """(spans, scales, int8 vectors) as stored."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    quantised = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return (np.asarray(spans, dtype=np.int32).tobytes(), scales.astype(np.float32).tobytes(),
            quantised.tobytes())


def unpack(spans: bytes, scales: bytes, vectors: bytes) -> Sentences:
    s = np.frombuffer(spans, dtype=np.int32).reshape(-1, 2)
    k = np.frombuffer(scales, dtype=np.float32)
    v = np.frombuffer(vectors, dtype=np.int8).reshape(len(k), -1).astype(np.float32)
    return s, v * k[:, None]


def insert(db: sqlite3.Connection, rows: Iterable[tuple[int, np.ndarray, np.ndarray]]) -> None:
    """Store (passage id, spans, vectors) rows, inside the caller's transaction."""
    db.executemany("INSERT OR REPLACE INTO passage_sentences (passage_id, spans, scales, vectors) "
                   "VALUES (?, ?, ?, ?)", ((pid, *pack(s, v)) for pid, s, v in rows))


def read(db: sqlite3.Connection, ids: list[int]) -> dict[int, Sentences]:
    """Passage id → its stored sentences, for the ids that have them; {} for an index made
    before migration 006."""
    out: dict[int, Sentences] = {}
    try:
        for start in range(0, len(ids), 900):   # stay under SQLite's variable limit
            chunk = ids[start:start + 900]
            marks = ",".join("?" * len(chunk))
            for pid, s, k, v in db.execute(
                    "SELECT passage_id, spans, scales, vectors FROM passage_sentences "
                    f"WHERE passage_id IN ({marks})", chunk):
                out[pid] = unpack(s, k, v)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
    return out

"""The vector side of an index: immutable FAISS segment files and the in-memory search index.

Each `index add` writes one new segment (`vectors/seg-*.faiss`, an IndexIDMap2 over an
inner-product flat index whose ids are passage ids) instead of rewriting one big file,
so adding to a large index costs time in proportion to what is added. Passages removed
later simply stop being live; their vectors are skipped when segments are loaded and
dropped when segments are compacted.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import numpy as np

VECTORS_DIR = "vectors"


def _faiss():
    import faiss  # heavy; imported only when vectors are touched

    return faiss


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_segment(index_dir: Path, ids: np.ndarray, vectors: np.ndarray) -> tuple[str, str]:
    """Write vectors with their passage ids to a new durable segment file.

    Returns (file name, sha256). The file is complete on disk before this returns; it
    becomes part of the index only when the database commits a row naming it.
    """
    faiss = _faiss()
    folder = index_dir / VECTORS_DIR
    folder.mkdir(exist_ok=True)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
    index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    name = f"seg-{uuid.uuid4().hex[:16]}.faiss"
    tmp = folder / f".{name}.tmp"
    faiss.write_index(index, str(tmp))
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, folder / name)
    fsync_dir(folder)
    return name, file_sha256(folder / name)


def read_segment(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) stored in a segment file."""
    faiss = _faiss()
    index = faiss.read_index(str(path))
    ids = faiss.vector_to_array(index.id_map).astype(np.int64)
    flat = faiss.downcast_index(index.index)
    vectors = faiss.vector_to_array(flat.codes).view(np.float32).reshape(-1, index.d)
    return ids, vectors


class VectorIndex:
    """Live vectors of an index in one exact inner-product FAISS index, ids = passage ids."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> None:
        faiss = _faiss()
        self.ids = np.ascontiguousarray(ids, dtype=np.int64)
        self.dimension = dimension
        self.index = faiss.IndexFlatIP(dimension)
        if len(self.ids):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) per query; missing slots have id -1."""
        if not len(self.ids) or k <= 0:
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        k = min(k, len(self.ids))
        scores, positions = self.index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        ids = np.where(positions >= 0, self.ids[np.clip(positions, 0, None)], -1)
        return scores, ids


def load_live(index_dir: Path, segments: list[tuple[int, str, int]],
              live_counts: dict[int, int], live_ids_of, dimension: int) -> VectorIndex:
    """Assemble the searchable index from segment files, skipping dead vectors.

    Args:
        segments: (segment id, file name, rows) for every committed segment.
        live_counts: live passages per segment id.
        live_ids_of: callable giving the live passage ids of one segment id.
    """
    all_ids, all_vecs = [], []
    for seg_id, name, rows in segments:
        live = live_counts.get(seg_id, 0)
        if live == 0:
            continue
        ids, vecs = read_segment(index_dir / VECTORS_DIR / name)
        if live < rows:
            keep = np.isin(ids, np.fromiter(live_ids_of(seg_id), dtype=np.int64))
            ids, vecs = ids[keep], vecs[keep]
        all_ids.append(ids)
        all_vecs.append(vecs)
    if not all_ids:
        return VectorIndex(np.zeros(0, np.int64), np.zeros((0, dimension), np.float32), dimension)
    return VectorIndex(np.concatenate(all_ids), np.concatenate(all_vecs), dimension)

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
import re
import struct
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import IndexDamagedError, SegmentMissingError

VECTORS_DIR = "vectors"
SEGMENT_NAME = re.compile(r"seg-[0-9a-f]{8,64}\.faiss")
MAX_DIMENSION = 65536
# A FAISS index header: d (int32), ntotal (int64), two unused int64, is_trained (uint8),
# metric (int32; 0 = inner product). A segment is "IxM2" + header, "IxFI" + header, the
# float32 codes and the int64 ids, each array preceded by its length (uint64).
_HEADER = struct.Struct("<iqqqBi")
_EMPTY_SEGMENT_BYTES = 2 * (4 + _HEADER.size) + 8 + 8


def _faiss():
    import faiss  # heavy; imported only when vectors are touched

    return faiss


@contextmanager
def one_thread() -> Iterator[None]:
    """Run a single query's FAISS scan on one thread, then restore the setting (builds and
    batch searches keep every core). Splitting one query across OpenMP threads costs more
    than it saves, and spins badly when the other cores are busy: an exact k=100 search of
    100k vectors took 7.8 ms on one thread and 15.1 ms on two here (40 ms with the other
    core loaded), timed with faiss alone; the effect on whole searches shows in
    scripts/bench_scale.py --latency-only."""
    faiss = _faiss()
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


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


def segment_path(index_dir: Path, name: object) -> Path:
    """The path of a segment named by the database, refusing any name that is not a plain
    `seg-<hex>.faiss`: a damaged or tampered row must never point outside `vectors/`."""
    if not isinstance(name, str) or not SEGMENT_NAME.fullmatch(name):
        raise IndexDamagedError(
            f"{index_dir}: the database names vector file {name!r}, which is not a segment "
            f"name (seg-<hex>.faiss inside {VECTORS_DIR}/); the index was damaged or tampered "
            "with: rebuild it with `diplosearch index build ... --replace`")
    return index_dir / VECTORS_DIR / name


def segment_bytes(rows: int, dimension: int) -> int:
    """Exact size of a segment file holding `rows` vectors of `dimension` floats."""
    return _EMPTY_SEGMENT_BYTES + rows * (4 * dimension + 8)


def _damaged(path: Path, problem: str) -> IndexDamagedError:
    return IndexDamagedError(f"{path}: {problem}; run `diplosearch index verify` to see what "
                             "is wrong and `diplosearch index repair` to fix it")


def _read_header(f, path: Path, fourcc: bytes) -> tuple[int, int]:
    raw = f.read(4 + _HEADER.size)
    if len(raw) < 4 + _HEADER.size or raw[:4] != fourcc:
        raise _damaged(path, "not a diplosearch vector segment (unexpected header)")
    d, ntotal, _, _, trained, metric = _HEADER.unpack(raw[4:])
    if not 0 < d <= MAX_DIMENSION or ntotal < 0 or trained not in (0, 1) or metric != 0:
        raise _damaged(path, "not a diplosearch vector segment (implausible header)")
    return d, ntotal


def _read_array(f, path: Path, dtype: str, count: int) -> np.ndarray:
    (stored,) = struct.unpack("<Q", f.read(8).ljust(8, b"\xff"))
    if stored != count:
        raise _damaged(path, "vector segment is inconsistent (array length)")
    out = np.fromfile(f, dtype=dtype, count=count)
    if len(out) != count:
        raise _damaged(path, "vector segment is truncated")
    return out


def read_segment(path: Path, dimension: int | None = None,
                 rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) stored in a segment file, parsed without handing the bytes to FAISS.

    The file must be exactly an IndexIDMap2 over an inner-product flat index (what
    `write_segment` writes), of `dimension` and `rows` when given. Anything else is refused
    before any large allocation, so a damaged or hostile file cannot crash the reader.
    Raises SegmentMissingError when the file does not exist, IndexDamagedError otherwise.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise SegmentMissingError(f"{path}: vector segment is missing; run `diplosearch index "
                                  "verify` to see what is wrong") from None
    except OSError as exc:  # ELOOP: a symlink, which an index never contains
        raise _damaged(path, f"cannot open vector segment ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        d, ntotal = _read_header(f, path, b"IxM2")
        if _read_header(f, path, b"IxFI") != (d, ntotal):
            raise _damaged(path, "vector segment is inconsistent (headers disagree)")
        if (dimension is not None and d != dimension) or (rows is not None and ntotal != rows):
            raise _damaged(path, f"vector segment holds {ntotal} vectors of {d} dimensions, "
                                 f"the database expects {rows} of {dimension}")
        if size != segment_bytes(ntotal, d):
            raise _damaged(path, f"vector segment is {size} bytes, expected "
                                 f"{segment_bytes(ntotal, d)}")
        vectors = _read_array(f, path, "<f4", ntotal * d).reshape(ntotal, d)
        ids = _read_array(f, path, "<i8", ntotal)
    return ids.astype(np.int64), vectors.astype(np.float32)


def map_segment(path: Path, dimension: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of a segment file with the vectors memory-mapped, not read: for large
    indexes, whose float32 vectors must not all sit in memory (see `ann`). The file is
    checked exactly as `read_segment` checks it (headers, sizes) before it is mapped."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise SegmentMissingError(f"{path}: vector segment is missing; run `diplosearch index "
                                  "verify` to see what is wrong") from None
    except OSError as exc:
        raise _damaged(path, f"cannot open vector segment ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        d, ntotal = _read_header(f, path, b"IxM2")
        if _read_header(f, path, b"IxFI") != (d, ntotal) or d != dimension or ntotal != rows \
                or size != segment_bytes(ntotal, d):
            raise _damaged(path, "vector segment does not match what the database records")
        (stored,) = struct.unpack("<Q", f.read(8))
        start = f.tell()
        f.seek(start + 4 * d * ntotal)
        ids = _read_array(f, path, "<i8", ntotal).astype(np.int64)
        if stored != ntotal * d:
            raise _damaged(path, "vector segment is inconsistent (array length)")
        vecs = np.memmap(f, dtype="<f4", mode="r", offset=start, shape=(ntotal, d)) \
            if ntotal else np.zeros((0, d), np.float32)
    return ids, vecs


def positions_in(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions in `sorted_ids` of those `ids` it holds (the others are dropped)."""
    ids = np.asarray(ids, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, ids)
    inside = pos < len(sorted_ids)
    pos, ids = pos[inside], ids[inside]
    return pos[sorted_ids[pos] == ids]


class VectorIndex:
    """Live vectors of an index in one exact inner-product FAISS index, ids = passage ids."""

    # Below this share of the index, a filtered search scores just the allowed vectors;
    # above it, FAISS scans everything and skips the rest with an id selector.
    GATHER_SHARE = 0.05

    def __init__(self, ids: np.ndarray, vectors: np.ndarray, dimension: int) -> None:
        faiss = _faiss()
        order = np.argsort(ids, kind="stable")  # sorted ids: id -> position by searchsorted
        self.ids = np.ascontiguousarray(np.asarray(ids, dtype=np.int64)[order])
        self.dimension = dimension
        self.index = faiss.IndexFlatIP(dimension)
        if len(self.ids):
            self.index.add(np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order]))

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Positions of the given passage ids (ids not in the index are dropped)."""
        return positions_in(self.ids, ids)

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of those `ids` the index holds, in their order."""
        pos = self.positions(ids)
        return self.index.reconstruct_batch(pos) if len(pos) else \
            np.zeros((0, self.dimension), np.float32)

    def search_within(self, query: np.ndarray, k: int, allowed: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k among `allowed` passage ids only, for one query vector."""
        pos = self.positions(np.unique(np.asarray(allowed, dtype=np.int64)))
        if not len(pos) or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        k = min(k, len(pos))
        if len(pos) <= self.GATHER_SHARE * len(self.ids):
            scores = self.index.reconstruct_batch(pos) @ query.reshape(-1)
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            return scores[top].astype(np.float32), self.ids[pos[top]]
        faiss = _faiss()
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(pos.astype(np.int64)))
        with one_thread():
            scores, found = self.index.search(query.reshape(1, -1).astype(np.float32), k,
                                              params=params)
        keep = found[0] >= 0
        return scores[0][keep], self.ids[found[0][keep]]

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) per query; missing slots have id -1."""
        if not len(self.ids) or k <= 0:
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        k = min(k, len(self.ids))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if len(queries) == 1:
            with one_thread():
                scores, positions = self.index.search(queries, k)
        else:
            scores, positions = self.index.search(queries, k)
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
        path = segment_path(index_dir, name)
        live = live_counts.get(seg_id, 0)
        if live == 0:
            continue
        ids, vecs = read_segment(path, dimension, rows)
        keep = np.isin(ids, np.fromiter(live_ids_of(seg_id), dtype=np.int64))
        if int(keep.sum()) != live:  # e.g. a segment file swapped for another of its size
            raise _damaged(path, f"vector segment holds {int(keep.sum())} of the {live} "
                                 "vectors the database assigns to it")
        if live < rows:
            ids, vecs = ids[keep], vecs[keep]
        all_ids.append(ids)
        all_vecs.append(vecs)
    if not all_ids:
        return VectorIndex(np.zeros(0, np.int64), np.zeros((0, dimension), np.float32), dimension)
    return VectorIndex(np.concatenate(all_ids), np.concatenate(all_vecs), dimension)

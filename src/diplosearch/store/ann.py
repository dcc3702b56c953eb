"""Search structures for large indexes: a compressed approximate (ANN) index over the
segments, plus an exact scan of what it does not cover yet.

Segments stay the truth (float32, append-only, checksummed). Small indexes are searched
exactly in memory (`vectors.VectorIndex`). From `AUTO_THRESHOLD` live passages ("auto"),
or whenever "ivf-sq8"/"ivf-pq" is chosen, a writer builds one ANN file covering every
live passage with id <= `ann_max_id`: `vectors/ann-<hex>.npz`, plain numpy arrays
(centroids, quantiser, inverted lists) from which the FAISS index is assembled, so no
FAISS deserialiser ever parses a file. It is recorded (name, sha256, max id) in the
database's `state` in one transaction, like a segment: a crash leaves the old ANN or the
new one, and a file no commit names is an orphan that the next writer deletes.

A reader (`LiveVectors`) keeps in memory only the compressed ANN (~390 bytes per passage
with SQ8), the sorted live ids and where each lives; the float32 vectors stay in
memory-mapped segment files, from which only short lists are read: the ANN's candidates
(RERANK per wanted hit) and the "delta" of passages added since the ANN was built are
scored exactly. A filter's allowed set is scored on its compressed vectors in memory,
then its best RERANK x k re-scored exactly. Passages removed after the build are dropped
from the ANN's answers (over-fetch, keep live ids). Passage ids are never reused and
compaction keeps them, so the ANN survives compaction; a writer rebuilds it when the
delta or the removed share grows (`needs_rebuild`), or on `index optimize`.
"""

from __future__ import annotations

import math
import os
import re
import uuid
from pathlib import Path

import numpy as np

from ..errors import IndexDamagedError, QueryError, SegmentMissingError
from . import database, vectors

INDEX_TYPES = ("auto", "flat", "ivf-sq8", "ivf-pq")
AUTO_THRESHOLD = 200_000     # live passages from which "auto" uses an ANN
DELTA_MIN = 50_000           # uncovered passages that trigger an ANN rebuild after a write...
DELTA_SHARE = 0.10           # ...when also above this share of those covered
DEAD_SHARE = 0.20            # removed passages (share of the ANN) that trigger a rebuild
RERANK = 4                   # ANN candidates per wanted hit, re-scored exactly
GATHER_MAX = 100_000         # filtered sets up to this size are scored exactly
NPROBE = 32
ANN_NAME = re.compile(r"ann-[0-9a-f]{8,64}\.npz")
STATE_KEYS = ("ann_file", "ann_sha256", "ann_max_id", "ann_rows", "ann_kind")


def check_type(index_type: str) -> str:
    if index_type not in INDEX_TYPES:
        raise QueryError(f"index type {index_type!r}: expected one of {', '.join(INDEX_TYPES)}")
    return index_type


def resolve(index_type: str, live: int) -> str:
    """The structure to use for `live` passages: "flat" or an ANN kind."""
    if index_type == "auto":
        return "flat" if live < AUTO_THRESHOLD else "ivf-sq8"
    return check_type(index_type)


def _factory(kind: str, n: int, d: int) -> str:
    nlist = max(1, min(4096, int(math.sqrt(n))))
    if kind == "ivf-sq8":
        return f"IVF{nlist},SQ8"
    if kind == "ivf-pq":
        m = next(m for m in (48, 32, 24, 16, 12, 8, 6, 4, 2, 1) if d % m == 0 and m <= d)
        return f"IVF{nlist},PQ{m}"
    raise QueryError(f"index type {kind!r} has no ANN")


# -- where the live vectors are --------------------------------------------------------
class LiveMap:
    """Sorted live passage ids and, for each, its segment (memory-mapped) and row."""

    def __init__(self, index_dir: Path, db, dimension: int) -> None:
        counts = database.live_counts(db)
        live = np.array(db.execute("SELECT id, segment_id FROM passages ORDER BY id").fetchall(),
                        dtype=np.int64).reshape(-1, 2)
        self.dimension = dimension
        self.mats: list[np.ndarray] = []
        self.files: list[Path] = []
        self._fds: dict[int, int] = {}
        ids_l, seg_l, row_l = [], [], []
        for seg_id, name, rows in database.segments(db):
            if counts.get(seg_id, 0) == 0:
                continue
            path = vectors.segment_path(index_dir, name)
            seg_ids, mat = vectors.map_segment(path, dimension, rows)
            want = live[live[:, 1] == seg_id, 0]
            order = np.argsort(seg_ids, kind="stable")
            pos = np.searchsorted(seg_ids[order], want)
            ok = pos < len(seg_ids)
            ok[ok] = seg_ids[order][pos[ok]] == want[ok]
            if not ok.all():  # e.g. a segment file swapped for another of its size
                raise vectors._damaged(path, f"vector segment holds {int(ok.sum())} of the "
                                             f"{len(want)} vectors the database assigns to it")
            ids_l.append(want)
            row_l.append(order[pos])
            seg_l.append(np.full(len(want), len(self.mats), np.int32))
            self.mats.append(mat)
            self.files.append(path)
        cat = (lambda xs, t: np.concatenate(xs) if xs else np.zeros(0, t))
        ids, seg, row = cat(ids_l, np.int64), cat(seg_l, np.int32), cat(row_l, np.int64)
        order = np.argsort(ids, kind="stable")
        self.ids, self.seg, self.row = ids[order], seg[order], row[order]

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        return vectors.positions_in(self.ids, ids)

    def _pread(self, s: int, rows: np.ndarray, out: np.ndarray) -> None:
        """Read rows of segment `s` with pread: short lists are not worth mapping pages
        (which the OS maps 64 KiB at a time and counts as this process's memory)."""
        fd = self._fds.get(s)
        if fd is None:
            fd = self._fds[s] = os.open(self.files[s], os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        mat = self.mats[s]
        row_bytes = 4 * self.dimension
        for i, row in enumerate(rows.tolist()):
            out[i] = np.frombuffer(os.pread(fd, row_bytes, mat.offset + row * row_bytes), "<f4")

    def __del__(self) -> None:
        for fd in getattr(self, "_fds", {}).values():
            os.close(fd)

    def gather(self, pos: np.ndarray) -> np.ndarray:
        """float32 vectors at live positions `pos` (read from the segment files)."""
        out = np.empty((len(pos), self.dimension), np.float32)
        if len(pos) <= 4096:
            segs = self.seg[pos]
            for s in np.unique(segs):
                where = np.nonzero(segs == s)[0]
                buf = np.empty((len(where), self.dimension), np.float32)
                self._pread(int(s), self.row[pos[where]], buf)
                out[where] = buf
            return out
        segs = self.seg[pos]
        for s in np.unique(segs):
            where = np.nonzero(segs == s)[0]
            rows = self.row[pos[where]]
            order = np.argsort(rows)   # read the file front to back
            out[where[order]] = self.mats[s][rows[order]]
        return out

    def score(self, query: np.ndarray, pos: np.ndarray, k: int,
              chunk: int = 65536) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k (scores, ids) among live positions `pos`."""
        best_s, best_p = np.zeros(0, np.float32), np.zeros(0, np.int64)
        for start in range(0, len(pos), chunk):
            p = pos[start:start + chunk]
            s = self.gather(p) @ query
            best_s, best_p = np.concatenate([best_s, s]), np.concatenate([best_p, p])
            if len(best_s) > k:
                top = np.argpartition(-best_s, k - 1)[:k]
                best_s, best_p = best_s[top], best_p[top]
        order = np.argsort(-best_s, kind="stable")[:k]
        return best_s[order].astype(np.float32), self.ids[best_p[order]]


# -- the reader's view -----------------------------------------------------------------
class Codes:
    """Scores passages on their SQ8 codes, read in place from the IVF lists (no copy):
    score = q . centroid(list) + codes . (q * vdiff / 255) + constant."""

    def __init__(self, index, parts: dict[str, np.ndarray]) -> None:
        faiss = vectors._faiss()
        sizes, d = parts["sizes"], index.d
        self.is_sq = int(parts["kind"][0]) == 0
        lists = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        offsets = np.arange(len(lists), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes,
                                                                   sizes)
        order = np.argsort(parts["ids"], kind="stable")
        self.ids, self.lists, self.offsets = parts["ids"][order], lists[order], offsets[order]
        self.centroids = parts["centroids"]
        self.vmin, self.vdiff = parts["trained"][:d], parts["trained"][d:2 * d]
        inv = index.invlists
        self.views = [faiss.rev_swig_ptr(inv.get_codes(i), int(n) * index.code_size
                                         ).reshape(int(n), -1) if n else None
                      for i, n in enumerate(sizes.tolist())]

    def scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self.ids, ids)
        lists, offsets = self.lists[at], self.offsets[at]
        w = query * self.vdiff / 255.0
        out = (self.centroids @ query)[lists] + float(query @ self.vmin + 0.5 * w.sum())
        order = np.argsort(lists, kind="stable")
        bounds = np.flatnonzero(np.diff(lists[order])) + 1
        for group in np.split(order, bounds):
            if len(group):
                out[group] += self.views[lists[group[0]]][offsets[group]] @ w
        return out.astype(np.float32)


class LiveVectors:
    """`VectorIndex`'s search interface over an ANN + mapped segments + exact delta."""

    def __init__(self, live: LiveMap, ann, max_id: int, ann_rows: int,
                 codes: Codes | None = None) -> None:
        self.live, self.ann, self.dimension, self.codes = live, ann, live.dimension, codes
        self.ids = live.ids
        self.delta = np.nonzero(live.ids > max_id)[0]        # positions not in the ANN
        self.max_id = max_id
        self.dead = max(0, ann_rows - int(np.searchsorted(live.ids, max_id, side="right")))

    def __len__(self) -> int:
        return len(self.live)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        return self.live.positions(ids)

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of those `ids` the index holds, in their order."""
        return self.live.gather(self.positions(ids))

    def _candidates(self, query: np.ndarray, want: int, keep=None,
                    limit: int | None = None) -> np.ndarray:
        """Live positions of ANN candidates that pass `keep`: at least `want` when the ANN
        has them among its first `limit` answers (default: all of it)."""
        limit = min(limit or self.ann.ntotal, self.ann.ntotal)
        fetch = want + min(self.dead, 10 * want)
        while True:
            fetch = min(fetch, limit)
            with vectors.one_thread():
                _, found = self.ann.search(query.reshape(1, -1), fetch)
            pos = self.live.positions(found[0][found[0] >= 0])
            if keep is not None:
                pos = pos[keep(self.live.ids[pos])]
            if len(pos) >= want or fetch >= limit:
                return pos
            fetch *= 4

    def _top(self, query: np.ndarray, k: int, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.live.score(query, np.unique(pos), min(k, len(np.unique(pos))))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, passage ids) per query; missing slots have id -1."""
        n = len(queries)
        k = min(k, len(self.live))
        out_s = np.full((n, max(k, 0)), -np.inf, np.float32)
        out_i = np.full((n, max(k, 0)), -1, np.int64)
        for q in range(n):
            if k <= 0:
                break
            query = np.ascontiguousarray(queries[q], dtype=np.float32)
            pos = np.concatenate([self._candidates(query, k * RERANK), self.delta])
            s, i = self._top(query, k, pos)
            out_s[q, :len(s)], out_i[q, :len(i)] = s, i
        return out_s, out_i

    def search_within(self, query: np.ndarray, k: int, allowed: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k among `allowed` passage ids: exact for sets up to GATHER_MAX (or when the
        ANN cannot find k of them), else ANN candidates re-scored exactly."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        pos = self.live.positions(np.unique(np.asarray(allowed, dtype=np.int64)))
        if not len(pos) or k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        k = min(k, len(pos))
        if len(pos) > GATHER_MAX:
            allowed_ids = self.live.ids[pos]   # sorted
            share = len(pos) / len(self.live)

            def keep(ids: np.ndarray) -> np.ndarray:
                at = np.clip(np.searchsorted(allowed_ids, ids), 0, len(allowed_ids) - 1)
                return allowed_ids[at] == ids
            fetch = int(k * RERANK / share) + 1
            cand = self._candidates(query, k * RERANK, keep, limit=16 * fetch)
            extra = np.intersect1d(self.delta, pos, assume_unique=True)
            if len(cand) >= k * RERANK or len(cand) + len(extra) >= len(pos):
                return self._top(query, k, np.concatenate([cand, extra]))
        return self._top(query, k, self._shortlist(query, pos, k * RERANK))

    def _shortlist(self, query: np.ndarray, pos: np.ndarray, want: int,
                   chunk: int = 32768) -> np.ndarray:
        """The `want` best of live positions `pos` by their compressed (ANN) vectors, plus
        every position the ANN does not cover: scored in memory, never touching the
        float32 files, which then re-score just this shortlist exactly."""
        covered = self.live.ids[pos] <= self.max_id
        fresh, pos = pos[~covered], pos[covered]
        if len(pos) <= want or self.codes is None or not self.codes.is_sq:
            return np.concatenate([fresh, pos])   # (ivf-pq: the whole set, scored exactly)
        scores = np.empty(len(pos), np.float32)
        for start in range(0, len(pos), chunk):
            ids = self.live.ids[pos[start:start + chunk]]
            scores[start:start + len(ids)] = self.codes.scores(query, ids)
        return np.concatenate([fresh, pos[np.argpartition(-scores, want - 1)[:want]]])


def _ivf_parts(index) -> dict[str, np.ndarray]:
    """The trained parameters and inverted lists of an IVF index, as plain arrays."""
    faiss = vectors._faiss()
    ivf = faiss.downcast_index(faiss.extract_index_ivf(index))
    pq = isinstance(ivf, faiss.IndexIVFPQ)
    trained = ivf.pq.centroids if pq else ivf.sq.trained
    sizes = np.array([ivf.invlists.list_size(i) for i in range(ivf.nlist)], np.int64)
    ids = np.empty(int(sizes.sum()), np.int64)
    codes = np.empty((len(ids), ivf.code_size), np.uint8)
    at = 0
    for i, n in enumerate(sizes.tolist()):
        if n:
            ids[at:at + n] = faiss.rev_swig_ptr(ivf.invlists.get_ids(i), n)
            codes[at:at + n] = faiss.rev_swig_ptr(ivf.invlists.get_codes(i),
                                                  n * ivf.code_size).reshape(n, -1)
        at += n
    return {"kind": np.array([1 if pq else 0, ivf.pq.M if pq else 0], np.int64),
            "centroids": ivf.quantizer.reconstruct_n(0, ivf.nlist),
            "trained": faiss.vector_to_array(trained).astype(np.float32),
            "sizes": sizes, "ids": ids, "codes": codes}


def _ivf_from_parts(parts: dict[str, np.ndarray], dimension: int, path: Path):
    """Rebuild the IVF index from checked arrays: FAISS never parses the file."""
    faiss = vectors._faiss()
    def bad(why: str) -> IndexDamagedError:
        return IndexDamagedError(f"{path}: search structure is damaged ({why}); run "
                                 "`diplosearch index repair`")
    want = {"kind": (np.int64, 1), "centroids": (np.float32, 2), "trained": (np.float32, 1),
            "sizes": (np.int64, 1), "ids": (np.int64, 1), "codes": (np.uint8, 2)}
    for key, (dtype, ndim) in want.items():
        if key not in parts or parts[key].dtype != dtype or parts[key].ndim != ndim:
            raise bad(f"array {key}")
    (is_pq, m), cent = parts["kind"].tolist(), parts["centroids"]
    nlist = len(cent)
    if is_pq not in (0, 1) or cent.shape[1] != dimension or nlist < 1 or \
            len(parts["sizes"]) != nlist or parts["sizes"].min() < 0 or \
            int(parts["sizes"].sum()) != len(parts["ids"]) or \
            len(parts["ids"]) != len(parts["codes"]):
        raise bad("shapes")
    quantizer = faiss.IndexFlatIP(dimension)
    quantizer.add(cent)
    if is_pq:
        if not 0 < m <= dimension or dimension % m or len(parts["trained"]) != 256 * dimension:
            raise bad("product quantiser")
        index = faiss.IndexIVFPQ(quantizer, dimension, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
        faiss.copy_array_to_vector(parts["trained"], index.pq.centroids)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, dimension, nlist,
                                              faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        if len(parts["trained"]) != 2 * dimension:
            raise bad("scalar quantiser")
        faiss.copy_array_to_vector(parts["trained"], index.sq.trained)
    if parts["codes"].shape != (len(parts["ids"]), index.code_size):
        raise bad("codes")
    index.is_trained = True
    at = 0
    for i, n in enumerate(parts["sizes"].tolist()):
        if n:
            ids = np.ascontiguousarray(parts["ids"][at:at + n])
            codes = np.ascontiguousarray(parts["codes"][at:at + n])
            index.invlists.add_entries(i, n, faiss.swig_ptr(ids), faiss.swig_ptr(codes))
        at += n
    index.ntotal = len(parts["ids"])
    index.nprobe = min(NPROBE, nlist)
    return index


def _read_ann(path: Path, sha256: str, dimension: int):
    """Load the ANN file (numpy arrays, no pickle) once its checksum matches the database's
    record, and assemble the FAISS index from the arrays."""
    if path.is_symlink():
        raise IndexDamagedError(f"{path}: a symbolic link; an index never contains links")
    if not path.is_file():
        raise SegmentMissingError(f"{path}: search structure is missing; run "
                                  "`diplosearch index repair` (or `index optimize`)")
    if vectors.file_sha256(path) != sha256:
        raise IndexDamagedError(f"{path}: search structure does not match its checksum; run "
                                "`diplosearch index repair` (or `index optimize`)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            parts = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(f"{path}: unreadable search structure ({exc})") from exc
    index = _ivf_from_parts(parts, dimension, path)
    return index, Codes(index, parts)


def ann_state(db) -> dict[str, str]:
    marks = ",".join("?" * len(STATE_KEYS))
    rows = db.execute(f"SELECT key, value FROM state WHERE key IN ({marks})", STATE_KEYS)
    found = {k: v for k, v in rows.fetchall()}
    return found if found.get("ann_file") else {}


def ann_path(index_dir: Path, name: str) -> Path:
    if not ANN_NAME.fullmatch(name):
        raise IndexDamagedError(f"{index_dir}: the database names search structure {name!r}, "
                                "which is not an ann-<hex>.npz name; it was tampered with")
    return index_dir / vectors.VECTORS_DIR / name


def load(index_dir: Path, db, dimension: int):
    """Inside a snapshot: a `LiveVectors` when the state names an ANN, else None."""
    state = ann_state(db)
    if not state:
        return None
    ann, codes = _read_ann(ann_path(index_dir, state["ann_file"]), state["ann_sha256"],
                           dimension)
    return LiveVectors(LiveMap(index_dir, db, dimension), ann, int(state["ann_max_id"]),
                       int(state["ann_rows"]), codes)


# -- the writer's side -----------------------------------------------------------------
def build(kind: str, live: LiveMap, sample: int = 65536, chunk: int = 65536):
    """A trained FAISS index of `kind` over every live vector (ids = passage ids)."""
    faiss = vectors._faiss()
    n, d = len(live), live.dimension
    index = faiss.index_factory(d, _factory(kind, n, d), faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    train = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    index.train(live.gather(train))
    for start in range(0, n, chunk):
        pos = np.arange(start, min(n, start + chunk))
        index.add_with_ids(live.gather(pos), live.ids[pos])
    return index


def write_ann(index_dir: Path, index) -> tuple[str, str]:
    folder = index_dir / vectors.VECTORS_DIR
    name = f"ann-{uuid.uuid4().hex[:16]}.npz"
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as f:
        np.savez(f, **_ivf_parts(index))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / name)
    vectors.fsync_dir(folder)
    return name, vectors.file_sha256(folder / name)

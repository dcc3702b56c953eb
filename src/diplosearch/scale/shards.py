"""Shards of a distributed build: passages and vectors for a group of files, on disk,
and their merge into an ordinary index.

A shard is two files named by a content hash of what went into it (the model, the
passage settings, and each file's key, path, bytes and metadata): `<key>.npy` holds the
float32 vectors, `<key>.json` the documents, their passages and the files that could
not be read. The JSON is written last and renamed into place, so a shard either exists
whole or not at all, and a rerun after an interruption skips every shard already written.
No pickle: vectors load with `allow_pickle=False`.

The merge feeds the stored vectors through the same plan-and-commit code as a local
build (`writer._plan`, `writer._commit`), in the same document order and the same
commit batches, so ids, segments, SQLite rows and the manifest come out as a local
build writes them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..ingest.documents import Passage
from ..ingest.sources import SourceFile, SourceText
from ..store import recovery, writer
from ..store.manifest import Manifest

SHARD_FORMAT = 1


def shard_key(model: str, max_tokens: int, min_tokens: int, sources: Sequence[SourceText],
              skipped: Sequence[tuple[str, str]]) -> str:
    """A content hash of a shard's inputs: same inputs and settings, same key."""
    h = hashlib.sha256(json.dumps([SHARD_FORMAT, model, max_tokens, min_tokens]).encode())
    for s in sources:
        h.update(json.dumps([s.file.key, str(s.file.path.resolve()), s.sha256, s.encoding,
                             s.metadata], sort_keys=True).encode())
    h.update(json.dumps(list(skipped)).encode())
    return h.hexdigest()[:32]


def shard_record(source: SourceText, passages: Sequence[Passage]) -> dict:
    """One document of a shard, as JSON-ready data (no text of the source itself)."""
    return {"key": source.file.key, "path": str(source.file.path.resolve()),
            "sha256": source.sha256, "encoding": source.encoding, "metadata": source.metadata,
            "passages": [dataclasses.asdict(p) for p in passages]}


def write_shard(folder: Path, key: str, payload: dict, vectors: np.ndarray) -> None:
    """Write a shard atomically: vectors first, then the JSON that makes it visible."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{os.getpid()}.npy"
    with open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / f"{key}.npy")
    tmp = folder / f".{key}.{os.getpid()}.json"
    tmp.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(tmp, folder / f"{key}.json")


def has_shard(folder: Path, key: str) -> bool:
    return (folder / f"{key}.json").exists() and (folder / f"{key}.npy").exists()


def read_shard(folder: Path, key: str) -> tuple[dict, np.ndarray]:
    payload = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    vecs = np.load(folder / f"{key}.npy", allow_pickle=False)
    return payload, vecs


class _Precomputed:
    """An Embedder that answers from vectors already computed, keyed by text (equal texts
    get equal vectors from a deterministic model, so a repeat is no loss)."""

    def __init__(self, name: str, dimension: int) -> None:
        self.name, self.dimension, self.table = name, dimension, {}
        self.backend: str | None = None   # as the shard being merged says

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32, copy=False)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        raise NotImplementedError("passages of a distributed build are split by the workers")


def merge_shards(index_dir: Path, manifest: Manifest, shards: Iterable[tuple[dict, np.ndarray]],
                 batch_passages: int = 4096) -> writer.BuildReport:
    """Commit shards (in file order) into the index at `index_dir`, exactly as
    `writer.add_sources` would have committed the same passages and vectors."""
    report = writer.BuildReport()
    embedder = _Precomputed(manifest.model, manifest.dimension)
    db = recovery.open_for_writing(index_dir, manifest)
    try:
        batch: list = []
        for payload, vecs in shards:
            report.skipped.extend((p, why) for p, why in payload["skipped"])
            if payload.get("backend") != embedder.backend and batch:
                writer._commit(index_dir, db, manifest, batch, embedder, report, None)
                batch, embedder.table = [], {}
            embedder.backend = payload.get("backend")
            row = 0
            for doc in payload["documents"]:
                passages = [Passage(**p) for p in doc["passages"]]
                for passage, vec in zip(passages, vecs[row:row + len(passages)]):
                    embedder.table[passage.text] = vec
                row += len(passages)
                source = SourceText(SourceFile(Path(doc["path"]), doc["key"]), "",
                                    doc["sha256"], doc["encoding"], doc["metadata"])
                batch.append(writer._plan(db, source, passages))
                if sum(r is None for p in batch for r in p.reuse) >= batch_passages:
                    writer._commit(index_dir, db, manifest, batch, embedder, report, None)
                    batch, embedder.table = [], {}
        if batch:
            writer._commit(index_dir, db, manifest, batch, embedder, report, None)
        writer.compact(index_dir, db, manifest)
        writer.refresh_ann(index_dir, db, manifest)   # trains an IVF index when asked for
    finally:
        db.close()
    return report

"""Shards of a distributed build or add on disk, and their merge into an ordinary index.

A shard is two files named by a content hash of what went into it (`worker.ShardWorker.key`:
the models, the passage settings, each file's key, path, bytes and metadata, what the index
held of it, and the meeting records read for their invitations): `<key>.npz` holds its
arrays (English, sentence and multilingual vectors), `<key>.json` each file's record
(indexed with its passages, unchanged, or skipped; its reader's warnings). The JSON is
written last and renamed into place, so a shard either exists whole or not at all, and a
rerun after an interruption skips every shard already written. No pickle: arrays load with
`allow_pickle=False`.

The merge walks the records in file order through the same code as a local add
(`writer._plan`, `writer._commit`, `writer._note_unchanged`), in the same commit batches,
with the precomputed vectors standing in for the models; so ids, segments, SQLite rows,
sentence and multilingual vectors, warnings and the manifest come out as locally.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..ingest.documents import Passage
from ..ingest.sources import SourceFile, SourceText
from ..store import identity, writer
from ..store.manifest import Manifest

BATCH_PASSAGES = 4096   # passages embedded per commit, as `writer.add_sources` commits them


def write_shard(folder: Path, key: str, payload: str, arrays: bytes) -> None:
    """Write a shard atomically: arrays first, then the JSON that makes it visible."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, data in ((".npz", arrays), (".json", payload.encode("utf-8"))):
        tmp = folder / f".{key}.{os.getpid()}{suffix}"
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / f"{key}{suffix}")


def has_shard(folder: Path, key: str) -> bool:
    return (folder / f"{key}.json").exists() and (folder / f"{key}.npz").exists()


def read_shard(folder: Path, key: str) -> tuple[dict, dict[str, np.ndarray]]:
    payload = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    with np.load(io.BytesIO((folder / f"{key}.npz").read_bytes()), allow_pickle=False) as z:
        return payload, {name: z[name] for name in z.files}


class _Precomputed:
    """An Embedder that answers from vectors already computed, keyed by text (equal texts
    get equal vectors from a deterministic model, so a repeat is no loss)."""

    def __init__(self, name: str, dimension: int) -> None:
        self.name, self.dimension = name, dimension
        self.table: dict[str, np.ndarray] = {}
        self.sentences: dict[str, np.ndarray | None] = {}
        self.backend: str | None = None   # as the shard being merged says

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts]).astype(np.float32, copy=False)

    def embed_spans(self, texts: Sequence[str], spans) -> tuple[np.ndarray, list]:
        return self.embed(texts), [self.sentences.get(t) for t in texts]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        raise NotImplementedError("passages of a distributed build are split by the workers")


class Merge:
    """Records of shards, in file order, committed into an index as `writer.add_sources`
    commits the same files; the caller holds the writer lock and compacts afterwards."""

    def __init__(self, index_dir: Path, db, manifest: Manifest, claims: identity.Claims,
                 report: writer.BuildReport, batch_passages: int | None = None) -> None:
        self.index_dir, self.db, self.manifest, self.claims = index_dir, db, manifest, claims
        self.report, self.batch_passages = report, batch_passages or BATCH_PASSAGES
        self.english = _Precomputed(manifest.model, manifest.dimension)
        self.second = _Precomputed(manifest.multilingual_model,
                                   manifest.multilingual_dimension) \
            if manifest.multilingual_model else None
        self.batch: list = []

    def add(self, shards: Iterable[tuple[dict, dict[str, np.ndarray]]]) -> None:
        for payload, arrays in shards:
            if payload.get("backend") != self.english.backend:
                self.commit()
            self.english.backend = payload.get("backend")
            self._shard(payload, arrays)
        self.commit()

    def _shard(self, payload: dict, arrays: dict[str, np.ndarray]) -> None:
        rows = _Rows(arrays)
        for rec in payload["records"]:
            report = self.report
            report.warnings += [w for w in rec["warnings"] if w not in report.warnings]
            if rec["status"] == "skipped":
                report.skipped.append((rec["path"], rec["problem"]))
                continue
            existing = self.claims.existing(self.db, rec["key"], rec["absolute"])
            if rec["status"] == "unchanged":
                writer._note_unchanged(self.db, report, rec["key"], rec["absolute"], existing,
                                       self.claims)
                continue
            passages = [Passage(**p) for p in rec["passages"]]
            for p in passages:
                vec, sentences, second = rows.next()
                read = p.embedded     # what the worker's model read (`writer._commit` asks so)
                self.english.table[read], self.english.sentences[read] = vec, sentences
                if self.second is not None:
                    self.second.table[read] = second
            source = SourceText(SourceFile(Path(rec["absolute"]), rec["key"]), "",
                                rec["sha256"], rec["encoding"], rec["metadata"])
            self.batch.append(writer._plan(self.db, source, passages, self.claims))
            if sum(r is None for p in self.batch for r in p.reuse) >= self.batch_passages:
                self.commit()

    def commit(self) -> None:
        if self.batch:
            writer._commit(self.index_dir, self.db, self.manifest, self.batch, self.english,
                           self.report, None, self.second)
        self.batch = []
        for model in (self.english, self.second):
            if model is not None:
                model.table, model.sentences = {}, {}


class _Rows:
    """A shard's arrays read passage by passage, in the order the worker embedded them."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.vectors, self.counts = arrays["vectors"], arrays["sentence_counts"]
        self.sentences, self.second = arrays["sentences"], arrays["multilingual"]
        self.row = self.sentence = 0

    def next(self) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        i, n = self.row, int(self.counts[self.row])
        sentences = self.sentences[self.sentence:self.sentence + n] if n >= 0 else None
        self.row, self.sentence = i + 1, self.sentence + max(n, 0)
        return self.vectors[i], sentences, self.second[i] if len(self.second) else None

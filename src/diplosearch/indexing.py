"""Writing an index: build, add (re-embedding only what changed), remove, compact.

Every change is committed the same way, so a crash at any moment leaves the old or the
new state: (1) new vectors go to a fresh segment file, fsynced; (2) one SQLite
transaction records the segment and the passage rows; (3) the manifest is rewritten.
A segment file that no committed row names is an orphan from a crash and is deleted by
the next writer.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import store, vectors
from .documents import Passage, to_passages
from .embedding import Embedder, embed_all
from .errors import NoSourcesError, NotFoundError, SourceError
from .manifest import Manifest, write_manifest
from .sources import MAX_BYTES_DEFAULT, SourceText, discover, read_source

Progress = Callable[[str, int], None]
"""Called as progress(kind, n): ("files", total) once, then ("file", 1) per file read and
("passages", n) per batch embedded."""


@dataclass
class BuildReport:
    """What a build or add did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    passages_embedded: int = 0
    passages_reused: int = 0
    passages_removed: int = 0
    seconds: float = 0.0

    @property
    def indexed(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)


@dataclass
class _Pending:
    source: SourceText
    existing_id: int | None
    passages: list[Passage]
    hashes: list[str]
    reuse: list[int | None]      # existing passage id per passage, or None to embed
    drop: list[int]              # existing passage ids no longer present


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plan(db, source: SourceText, passages: list[Passage]) -> _Pending | None:
    """Match new passages to stored ones by (document, content hash, occurrence), so
    boilerplate repeated inside a document is still told apart, and a shifted paragraph
    keeps its vector. Returns None when the file is unchanged."""
    key, path = source.file.key, str(source.file.path.resolve())
    existing = store.find_document(db, key, path)
    hashes = [text_hash(p.text) for p in passages]
    if existing is None:
        return _Pending(source, None, passages, hashes, [None] * len(passages), [])
    if existing["sha256"] == source.sha256 and json.loads(existing["metadata"]) == source.metadata:
        return None
    stored: dict[str, deque[int]] = defaultdict(deque)
    for row in store.passage_rows(db, existing["id"]):
        stored[row["text_sha256"]].append(row["id"])
    reuse = [stored[h].popleft() if stored[h] else None for h in hashes]
    drop = [pid for ids in stored.values() for pid in ids]
    return _Pending(source, existing["id"], passages, hashes, reuse, drop)


def _commit(index_dir: Path, db, manifest: Manifest, batch: list[_Pending],
            embedder: Embedder, report: BuildReport, progress: Progress | None) -> None:
    texts = [p.passages[i].text for p in batch for i, r in enumerate(p.reuse) if r is None]
    vecs = embed_all(embedder, texts, on_batch=(lambda n: progress("passages", n)) if progress else None)
    next_id = int(store.get_state(db, "next_passage_id"))
    ids = np.arange(next_id, next_id + len(texts), dtype=np.int64)
    segment = vectors.write_segment(index_dir, ids, vecs) if len(texts) else None
    new_ids = iter(ids.tolist())
    with store.transaction(db):
        seg_id = store.add_segment(db, segment[0], len(texts), segment[1]) if segment else 0
        for p in batch:
            src = p.source
            doc_id = store.upsert_document(
                db, db.execute("SELECT * FROM documents WHERE id = ?", (p.existing_id,)).fetchone()
                if p.existing_id else None, src.file.key, str(src.file.path.resolve()),
                src.metadata.get("symbol"), src.sha256, src.encoding, src.metadata)
            store.delete_passages(db, p.drop)
            for passage, sha, reused in zip(p.passages, p.hashes, p.reuse):
                if reused is None:
                    store.insert_passage(db, next(new_ids), doc_id, seg_id, passage, sha)
                else:
                    store.update_passage(db, reused, passage, sha)
            (report.updated if p.existing_id else report.added).append(src.file.key)
            report.passages_reused += sum(r is not None for r in p.reuse)
            report.passages_removed += len(p.drop)
        store.set_state(db, "next_passage_id", next_id + len(texts))
        store.set_state(db, "generation", int(store.get_state(db, "generation")) + 1)
    report.passages_embedded += len(texts)
    _sync_manifest(index_dir, db, manifest)


def _sync_manifest(index_dir: Path, db, manifest: Manifest) -> None:
    manifest.generation = int(store.get_state(db, "generation"))
    manifest.counts = store.counts(db)
    manifest.updated_at = store.now()
    write_manifest(index_dir, manifest)


def add_paths(index_dir: Path, manifest: Manifest, embedder: Embedder, paths: list,
              progress: Progress | None = None, max_bytes: int = MAX_BYTES_DEFAULT,
              batch_passages: int = 4096) -> BuildReport:
    """Index new and changed files under `paths` into the index at `index_dir`.

    The caller holds the writer lock. Bad files are skipped and listed in the report.
    """
    started = time.perf_counter()
    files = discover(paths)
    report = BuildReport()
    db = store.connect(index_dir, write=True)
    try:
        remove_orphans(index_dir, db)
        if progress:
            progress("files", len(files))
        batch: list[_Pending] = []
        for file in files:
            try:
                source = read_source(file, max_bytes)
                passages = to_passages(source, embedder.count_tokens, manifest.max_tokens,
                                       manifest.min_tokens)
                if not passages:
                    raise SourceError(file.path, "no text to index")
            except SourceError as exc:
                report.skipped.append((str(file.path), exc.problem))
                if progress:
                    progress("file", 1)
                continue
            plan = _plan(db, source, passages)
            if plan is None:
                report.unchanged.append(file.key)
            else:
                batch.append(plan)
            if progress:
                progress("file", 1)
            if sum(r is None for p in batch for r in p.reuse) >= batch_passages:
                _commit(index_dir, db, manifest, batch, embedder, report, progress)
                batch = []
        if batch:
            _commit(index_dir, db, manifest, batch, embedder, report, progress)
        compact(index_dir, db, manifest)
    finally:
        db.close()
    report.seconds = time.perf_counter() - started
    return report


def remove_document(index_dir: Path, manifest: Manifest, doc: str) -> list[str]:
    """Remove documents named by key, UN symbol or source path. Returns the keys removed."""
    db = store.connect(index_dir, write=True)
    try:
        resolved = str(Path(doc).expanduser().resolve())
        rows = db.execute("SELECT id, key FROM documents WHERE key = ? OR symbol = ? OR path = ?",
                          (doc, doc, resolved)).fetchall()
        if not rows:
            raise NotFoundError(f"no document {doc!r} in {index_dir} "
                                "(give its key, UN symbol or path; see `index info`)")
        with store.transaction(db):
            db.executemany("DELETE FROM documents WHERE id = ?", [(r["id"],) for r in rows])
            store.set_state(db, "generation", int(store.get_state(db, "generation")) + 1)
        _sync_manifest(index_dir, db, manifest)
        compact(index_dir, db, manifest)
        return [r["key"] for r in rows]
    finally:
        db.close()


def remove_orphans(index_dir: Path, db) -> None:
    """Delete segment files that no committed row names (left by a crash)."""
    folder = index_dir / vectors.VECTORS_DIR
    if not folder.is_dir():
        return
    known = {name for _, name, _ in store.segments(db)}
    for f in folder.iterdir():
        if f.name not in known:
            f.unlink(missing_ok=True)


def compact(index_dir: Path, db, manifest: Manifest, min_dead_share: float = 0.5) -> bool:
    """Rewrite all live vectors into one segment when most stored vectors are dead, or
    when adds have left many small segments. Returns True when it compacted."""
    segs = store.segments(db)
    total = sum(rows for _, _, rows in segs)
    live = sum(store.live_counts(db).values())
    if not segs or (total - live <= min_dead_share * total and len(segs) <= 64):
        return False
    index = vectors.load_live(index_dir, segs, store.live_counts(db),
                              lambda s: store.live_ids(db, s), manifest.dimension)
    new = vectors.write_segment(index_dir, index.ids, index.index.reconstruct_n(0, len(index)))\
        if len(index) else None
    with store.transaction(db):
        if new:
            seg_id = store.add_segment(db, new[0], len(index), new[1])
            db.execute("UPDATE passages SET segment_id = ?", (seg_id,))
        db.executemany("DELETE FROM segments WHERE id = ?", [(s,) for s, _, _ in segs])
        store.set_state(db, "generation", int(store.get_state(db, "generation")) + 1)
    _sync_manifest(index_dir, db, manifest)
    remove_orphans(index_dir, db)
    return True


def replace_dir(new: Path, target: Path) -> None:
    """Put a freshly built index directory at `target`, replacing any old one.

    The old index stays in place until the new one is complete; the swap itself is two
    renames, and a leftover `.old` folder is removed afterwards.
    """
    if target.exists():
        old = target.with_name(f".{target.name}.old-{int(time.time())}")
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def require_sources(report: BuildReport, paths: list) -> None:
    if report.indexed == 0:
        reasons = "; ".join(f"{p}: {why}" for p, why in report.skipped[:3])
        raise NoSourcesError(f"nothing could be indexed from {', '.join(map(str, paths))}"
                             + (f" ({reasons})" if reasons else ""))

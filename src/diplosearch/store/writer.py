"""Writing an index: build, add (re-embedding only what changed), remove, compact.

Every change is committed the same way, so a crash at any moment leaves the old or the
new state: (1) new vectors go to a fresh segment file, fsynced; (2) one SQLite
transaction records the segment and the passage rows; (3) the manifest is rewritten.
A segment file that no committed row names is an orphan from a crash and is deleted by
the next writer. The database is the truth; a manifest left behind by a kill after (2)
is rewritten by the next writer (see `recovery` for what "agrees" means).

An add commits in batches of whole documents, so a kill mid-add leaves every document
at its old or its new state, and running the same add again finishes the job without
re-embedding what was committed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import time
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..embed.models import Embedder, embed_all, embed_all_spans
from ..errors import NoSourcesError, NotFoundError, SourceError
from ..embed.multilingual import load_multilingual
from ..ingest import resolutions
from ..ingest.documents import Passage, meeting_of, to_passages
from ..text.language import detect
from ..ingest.passages import pooled_spans, stored_spans
from ..ingest.speakers import invitations
from ..ingest.sources import MAX_BYTES_DEFAULT, SourceText, discover, read_source
from . import (ann, ann_update, database, identity, multilingual, recovery, sentences, vectors,
               vocabulary)
from .locking import writer_lock
from .manifest import Manifest

REPLACE_WAIT = 60.0   # seconds `build --replace` waits for a writer busy on the old index
Progress = Callable[[str, int], None]
"""Called as progress(kind, n): ("files", total) and ("bytes", total size) once, then
("file", 1) and ("read", its size) per file read, ("planned", n) for the n passages of that
file that need embedding, and ("passages", n) per batch embedded."""


@dataclass
class BuildReport:
    """What a build or add did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)      # unchanged, found at a new path
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # What readers could not find or use (a corpus table missing), each line once.
    warnings: list[str] = field(default_factory=list)
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


def _unchanged(existing, source: SourceText) -> bool:
    """The same bytes and metadata as the document this source updates (see `identity`)."""
    return existing is not None and existing["sha256"] == source.sha256 and \
        json.loads(existing["metadata"]) == source.metadata


def _plan(db, source: SourceText, passages: list[Passage],
          claims: identity.Claims | None = None) -> _Pending:
    """Match new passages to stored ones by (document, content hash, occurrence), so
    boilerplate repeated inside a document is still told apart, and a shifted paragraph
    keeps its vector."""
    existing = (claims or identity.Claims()).existing(db, source.file.key,
                                                      str(source.file.path.resolve()))
    hashes = [text_hash(p.embedded) for p in passages]   # a new context: a new vector
    if existing is None:
        return _Pending(source, None, passages, hashes, [None] * len(passages), [])
    stored: dict[str, deque[int]] = defaultdict(deque)
    for row in database.passage_rows(db, existing["id"]):
        stored[row["text_sha256"]].append(row["id"])
    reuse = [stored[h].popleft() if stored[h] else None for h in hashes]
    drop = [pid for ids in stored.values() for pid in ids]
    return _Pending(source, existing["id"], passages, hashes, reuse, drop)


def _commit(index_dir: Path, db, manifest: Manifest, batch: list[_Pending],
            embedder: Embedder, report: BuildReport, progress: Progress | None,
            second: Embedder | None = None) -> None:
    fresh = [p.passages[i] for p in batch for i, r in enumerate(p.reuse) if r is None]
    # What the model reads: a passage's context (a resolution's subject and lead-in), then
    # its text. Each part's sentences get vectors pooled from the part's own forward pass,
    # kept so that a search marks a hit's best sentence without running the model
    # (migration 006); they are kept with their spans in the text, which is shown.
    texts = [p.embedded for p in fresh]
    spans = [stored_spans(p.text) for p in fresh]
    pending = None
    both = _BothModels(progress, bool(manifest.multilingual_model and texts))
    if manifest.multilingual_model and texts:
        # On a worker thread while the English model runs: its pure-Python tokenizer and
        # numpy overlap with onnxruntime, which lets go of the GIL. Same passages, one run:
        # 300 passages took 16.3 s so, 23.1 s one after the other, 15.6 s English alone.
        second = second or load_multilingual(manifest.multilingual_model)
        pending = _second_pool().submit(embed_all, second, texts, 256, both.on_second)
    vecs, per_sentence = embed_all_spans(
        embedder, texts, [pooled_spans(sp, p.context) for sp, p in zip(spans, fresh)],
        on_batch=both.on_english)
    ml_vecs = both.wait(pending) if pending is not None else None
    next_id = int(database.get_state(db, "next_passage_id"))
    ids = np.arange(next_id, next_id + len(texts), dtype=np.int64)
    segment = vectors.write_segment(index_dir, ids, vecs) if len(texts) else None
    new_ids = iter(ids.tolist())
    with database.transaction(db):
        seg_id = database.add_segment(db, segment[0], len(texts), segment[1]) if segment else 0
        for p in batch:
            src = p.source
            old = db.execute("SELECT * FROM documents WHERE id = ?", (p.existing_id,)).fetchone() \
                if p.existing_id else None
            # an indexed document keeps its key (its name in citations) whatever folder
            # it is re-added through
            doc_id = database.upsert_document(
                db, old, old["key"] if old else src.file.key, str(src.file.path.resolve()),
                src.metadata.get("symbol"), src.sha256, src.encoding, src.metadata)
            database.delete_passages(db, p.drop)
            for passage, sha, reused in zip(p.passages, p.hashes, p.reuse):
                if reused is None:
                    database.insert_passage(db, next(new_ids), doc_id, seg_id, passage, sha)
                else:
                    database.update_passage(db, reused, passage, sha)
            if resolutions.is_resolution(src.metadata):   # their whole texts (migration 011)
                database.set_document_keywords(db, doc_id)
            (report.updated if p.existing_id else report.added).append(src.file.key)
            report.passages_reused += sum(r is not None for r in p.reuse)
            report.passages_removed += len(p.drop)
        if per_sentence is not None:
            sentences.insert(db, ((pid, np.array(sp), v) for pid, sp, v in
                                  zip(ids.tolist(), spans, per_sentence) if v is not None))
        if manifest.multilingual_model and texts:
            langs = [detect(p.text) for p in fresh]
            multilingual.insert(db, ids, ml_vecs, langs)
            vocabulary.count(db, (p.text for p, lang in zip(fresh, langs) if lang == "en"))
        database.set_state(db, "next_passage_id", next_id + len(texts))
        if len(texts):
            database.note_backend(db, getattr(embedder, "backend", None))
        database.set_state(db, "generation", int(database.get_state(db, "generation")) + 1)
    report.passages_embedded += len(texts)
    _sync_manifest(index_dir, db, manifest)


_sync_manifest = recovery.sync_manifest
_POOL: ThreadPoolExecutor | None = None


class _BothModels:
    """Passages count as embedded once both models have embedded them, so the progress bar
    moves at the pace of the slower model. Counting the English model alone, the count
    crawled while the multilingual model shared the cores and then jumped by hundreds when
    it was done, and the time left swung with it (scripts/measure_estimates.py)."""

    def __init__(self, progress: Progress | None, two: bool) -> None:
        self.progress, self.two = progress, two
        self.english = self.second = self.shown = 0

    def on_english(self, n: int) -> None:
        self.english += n
        self._show()

    def on_second(self, n: int) -> None:   # on the worker thread: counted, shown from this one
        self.second += n

    def wait(self, pending):
        """`pending.result()`, showing the second model's progress while it runs on."""
        while not wait([pending], timeout=1.0).done:
            self._show()
        vectors = pending.result()
        self._show()
        return vectors

    def _show(self) -> None:
        done = min(self.english, self.second) if self.two else self.english
        if self.progress and done > self.shown:
            self.progress("passages", done - self.shown)
            self.shown = done


def _second_pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplosearch-multilingual")
    return _POOL


def _note_unchanged(db, report: BuildReport, key: str, path: str, existing,
                    claims: identity.Claims) -> None:
    report.unchanged.append(key)
    if key in claims.moved and existing["path"] != path:
        with database.transaction(db):
            identity.relocate(db, existing["id"], path)
        report.moved.append(key)


def file_items(paths: list, max_bytes: int = MAX_BYTES_DEFAULT) -> list:
    """(SourceFile, loader) pairs for the files under `paths`, for `add_sources`."""
    return [(f, functools.partial(_load_file, max_bytes=max_bytes)) for f in discover(paths)]


def _load_file(file, max_bytes: int) -> SourceText:
    return read_source(file, max_bytes)


def add_sources(index_dir: Path, manifest: Manifest, embedder: Embedder, items: list,
                progress: Progress | None = None, batch_passages: int = 4096,
                replace_same_name: bool = False,
                second: Embedder | None = None) -> BuildReport:
    """Index sources given as (SourceFile, loader) pairs; a loader returns the SourceText or
    raises SourceError. Loading is lazy, so only one batch of text is in memory at a time.

    Raises:
        SameNameError: a file would replace a different document indexed under the same
            key (see `identity`), and not `replace_same_name`; nothing is written.

    When the manifest names a multilingual model, new passages get a vector from it too
    (`second`, or the bundled multilingual model).
    """
    started = time.perf_counter()
    report = BuildReport()
    if manifest.multilingual_model and second is None:
        second = load_multilingual(manifest.multilingual_model)   # loads on first use
    db = recovery.open_for_writing(index_dir, manifest)
    try:
        if manifest.multilingual_model:
            vocabulary.backfill(db)     # an index made before its English words were kept
        claims = identity.check(db, items, replace_same_name)
        sizes = [_size(file.path) for file, _ in items]
        if progress:
            progress("files", len(items))
            progress("bytes", sum(sizes))
        batch: list[_Pending] = []
        meetings: dict = {}   # invitations read in a meeting's records, for its resumptions
        for (file, load), size in zip(items, sizes):
            if progress:   # reported as read before it is: estimates scale by bytes read
                progress("read", size)
            try:
                path = str(file.path.resolve())
                if claims.clashes(db, file.key, path):
                    raise SourceError(file.path, f"a different document is indexed as {file.key!r}")
                source = load(file)
                report.warnings += [w for w in source.warnings if w not in report.warnings]
                existing = claims.existing(db, file.key, path)
                if _unchanged(existing, source):   # before splitting: no model load
                    _note_unchanged(db, report, file.key, path, existing, claims)
                    if progress:
                        progress("file", 1)
                    continue
                indexed_invitations(db, source.metadata, meetings)
                passages = to_passages(source, embedder.count_tokens, manifest.max_tokens,
                                       manifest.min_tokens, meetings=meetings)
                if not passages:
                    raise SourceError(file.path, "no text to index")
            except SourceError as exc:
                report.skipped.append((str(file.path), exc.problem))
                if progress:
                    progress("file", 1)
                continue
            batch.append(_plan(db, source, passages, claims))
            if progress:
                progress("file", 1)
                progress("planned", sum(r is None for r in batch[-1].reuse))
            if sum(r is None for p in batch for r in p.reuse) >= batch_passages:
                _commit(index_dir, db, manifest, batch, embedder, report, progress, second)
                batch = []
        if batch:
            _commit(index_dir, db, manifest, batch, embedder, report, progress, second)
        embed_words(db, manifest, second)
        compact(index_dir, db, manifest)
        refresh_ann(index_dir, db, manifest)
    finally:
        db.close()
    report.seconds = time.perf_counter() - started
    return report


def embed_words(db: sqlite3.Connection, manifest: Manifest, second: Embedder | None = None) -> int:
    """Give the English words that new passages brought to `MIN_COUNT` their multilingual
    vectors (`vocabulary`), with `second` or the manifest's multilingual model (loaded only
    when a word needs it). Returns how many were embedded."""
    if not manifest.multilingual_model or not vocabulary.missing(db):
        return 0
    return vocabulary.embed_missing(db, second or load_multilingual(manifest.multilingual_model))


def indexed_invitations(db: sqlite3.Connection, metadata: dict[str, str],
                        meetings: dict[str, dict]) -> None:
    """For a resumption whose meeting's first record was not read in this add (indexed
    earlier, or unchanged now): the briefers its President invited, read back from that
    record's indexed passages (a paragraph's parts joined) into `meetings`."""
    meeting = meeting_of(metadata)
    if meeting is None or meeting in meetings or "(Resumption" not in metadata.get("symbol", ""):
        return
    rows = db.execute("SELECT p.paragraph, p.text FROM passages p JOIN documents d "
                      "ON d.id = p.doc_id WHERE d.symbol = ? AND p.role = 'President' "
                      "ORDER BY p.doc_id, p.position", (meeting,)).fetchall()
    paragraphs: dict[int, list[str]] = {}
    for row in rows:
        paragraphs.setdefault(row["paragraph"], []).append(row["text"])
    invited = meetings.setdefault(meeting, {})
    for parts in paragraphs.values():
        invited.update(invitations(" ".join(parts)))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:   # reading it will say what is wrong
        return 0


def remove_document(index_dir: Path, manifest: Manifest, doc: str) -> list[str]:
    """Remove documents named by key, UN symbol or source path. Returns the keys removed."""
    db = recovery.open_for_writing(index_dir, manifest)
    try:
        resolved = str(Path(doc).expanduser().resolve())
        rows = db.execute("SELECT id, key FROM documents WHERE key = ? OR symbol = ? OR path = ?",
                          (doc, doc, resolved)).fetchall()
        if not rows:
            raise NotFoundError(f"no document {doc!r} in {index_dir} "
                                "(give its key, UN symbol or path; see `index info`)")
        with database.transaction(db):
            db.executemany("DELETE FROM documents WHERE id = ?", [(r["id"],) for r in rows])
            database.set_state(db, "generation", int(database.get_state(db, "generation")) + 1)
        _sync_manifest(index_dir, db, manifest)
        compact(index_dir, db, manifest)
        refresh_ann(index_dir, db, manifest)
        return [r["key"] for r in rows]
    finally:
        db.close()


remove_orphans = recovery.remove_orphans


def refresh_ann(index_dir: Path, db, manifest: Manifest) -> None:
    """(Re)build the ANN search structure when the index's size or the writes since the
    last build call for it (see `ann_update.needs_rebuild`); a no-op for small flat indexes."""
    kind = ann_update.needs_rebuild(db)
    if kind is not None:
        ann_update.optimize(index_dir, db, manifest, kind)


def optimize(index_dir: Path, manifest: Manifest, index_type: str | None = None) -> str:
    """Set the index type (when given) and build its search structure now. Caller holds
    the writer lock. Returns the structure in use: "flat" or an ANN kind."""
    db = recovery.open_for_writing(index_dir, manifest)
    try:
        if index_type is not None:
            with database.transaction(db):
                database.set_state(db, "index_type", ann.check_type(index_type))
        live = database.tally(db, "passages")
        kind = ann.resolve(database.get_state(db, "index_type") or "auto", live)
        return ann_update.optimize(index_dir, db, manifest, kind)
    finally:
        db.close()


PARTIAL_MERGE_FROM = 100_000   # stored vectors from which compaction merges small segments only


def compact(index_dir: Path, db, manifest: Manifest, min_dead_share: float = 0.5) -> bool:
    """Rewrite all live vectors into one segment when most stored vectors are dead, or
    when adds have left many small segments. Returns True when it compacted."""
    segs = database.segments(db)
    total = sum(rows for _, _, rows in segs)
    live = sum(database.live_counts(db).values())
    mostly_dead = total - live > min_dead_share * total
    if not segs or (not mostly_dead and len(segs) <= 64):
        return False
    if not mostly_dead and total >= PARTIAL_MERGE_FROM:
        # many segments in a large index: merge the small ones only, so that adding to it
        # never rewrites all its vectors
        small = [s for s in segs if s[2] < total / 64]
        segs = small if len(small) >= 2 else segs
    index = vectors.load_live(index_dir, segs, database.live_counts(db),
                              lambda s: database.live_ids(db, s), manifest.dimension)
    new = vectors.write_segment(index_dir, index.ids, index.index.reconstruct_n(0, len(index)))\
        if len(index) else None
    with database.transaction(db):
        if new:
            seg_id = database.add_segment(db, new[0], len(index), new[1])
            db.executemany("UPDATE passages SET segment_id = ? WHERE segment_id = ?",
                           [(seg_id, s) for s, _, _ in segs])
        db.executemany("DELETE FROM segments WHERE id = ?", [(s,) for s, _, _ in segs])
        database.set_state(db, "generation", int(database.get_state(db, "generation")) + 1)
    _sync_manifest(index_dir, db, manifest)
    remove_orphans(index_dir, db)
    return True


def replace_dir(new: Path, target: Path) -> None:
    """Put a freshly built index directory at `target`, replacing any old one.

    The old index stays in place until the new one is complete; the swap is atomic where
    the OS allows (see `recovery.swap_in`) and waits for a writer busy on the old index.
    """
    if target.exists():
        with writer_lock(target, wait=REPLACE_WAIT):
            recovery.swap_in(new, target)
    else:
        recovery.swap_in(new, target)


def require_sources(report: BuildReport, what: str) -> None:
    if report.indexed == 0:
        reasons = "; ".join(f"{p}: {why}" for p, why in report.skipped[:3])
        raise NoSourcesError(f"nothing could be indexed from {what}"
                             + (f" ({reasons})" if reasons else ""))

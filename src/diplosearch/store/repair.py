"""`index repair`: bring a damaged index back to a whole state without its sources.

The database is the truth (passage text, citations, which segment holds each vector, and
what the index is). Repair therefore: puts back an index an interrupted rebuild moved
aside; rewrites manifest.json from the database; counts documents and passages again
where stored counts disagree with the rows; keeps every stored vector that is
intact (file checksum, size and header as recorded, one per live passage, unit length);
re-embeds from the stored passage text, with the index's own model, any that are lost;
writes them all to one fresh segment in one commit; deletes leftover files; rebuilds
the keyword index from the passages; and computes again the multilingual and sentence
vectors that are damaged or missing (`vectorsets`). A damaged database cannot be
repaired: rebuild.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..embed.models import Embedder, canonical_name, embed_all, is_builtin, load_embedder
from ..embed.multilingual import load_multilingual
from ..ingest.passages import model_text
from ..errors import IndexDamagedError, ModelMismatchError, ReadOnlyIndexError
from . import ann, ann_update, database, multilingual, recovery, snapshot, vectors, vectorsets
from .locking import writer_lock
from .manifest import Manifest, read_manifest
from .paths import is_bundled, resolve_index
from .verify import REBUILD


@dataclass
class RepairReport:
    """What `repair_index` did (nothing, for a whole index)."""

    path: str
    actions: list[str] = field(default_factory=list)
    reembedded: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def repair_index(index: str | os.PathLike[str] | None = None,
                 model: str | os.PathLike[str] | Embedder | None = None,
                 wait: float = 0.0,
                 multilingual_model: Embedder | None = None) -> RepairReport:
    """Repair an index in place (see the module docstring). Holds the writer lock.

    Args:
        model: the index's model, needed only to re-embed lost vectors of an index built
            with a model other than the built-in ones.
        wait: seconds to wait for another writer.
        multilingual_model: the multilingual model as an Embedder (tests pass a fake);
            default: the one the manifest names.
    """
    path = resolve_index(index)
    report = RepairReport(str(path))
    if recovery.restore_half_swapped(path):
        report.actions.append("put back the index an interrupted rebuild had moved aside")
    if is_bundled(path):
        raise ReadOnlyIndexError("the bundled default index is read-only; reinstall "
                                 "diplosearch to restore it")
    recovery.refuse_links(path, tidy=True)
    manifest_error = _manifest_problem(path)
    with writer_lock(path, wait):
        db = database.connect(path, write=True)
        try:
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise IndexDamagedError(f"{path}: the index database is damaged; {REBUILD}")
            manifest = _restore_manifest(path, db, manifest_error, report)
            _recount(db, report)
            _rebuild_vectors(path, db, manifest, model, report)
            _rebuild_keyword_index(db, report)
            _rebuild_vector_sets(db, manifest, model, multilingual_model, report)
            _rebuild_ann(path, db, manifest, report)
            gone = recovery.remove_orphans(path, db)
            if gone:
                report.actions.append(f"deleted {len(gone)} file(s) left by an interrupted write")
            if (manifest.generation, manifest.counts) != (snapshot.generation(db), database.counts(db)):
                recovery.sync_manifest(path, db, manifest)
                report.actions.append("brought manifest.json up to date with the database")
        finally:
            db.close()
    return report


def _manifest_problem(path: Path) -> IndexDamagedError | None:
    try:
        read_manifest(path)
    except IndexDamagedError as exc:
        return exc
    return None


def _restore_manifest(path: Path, db: sqlite3.Connection, problem: IndexDamagedError | None,
                      report: RepairReport) -> Manifest:
    """The manifest, its identity restored from the database where the two disagree."""
    recorded = snapshot.identity(db)
    if problem is not None:
        if set(recorded) != set(snapshot.IDENTITY):
            raise IndexDamagedError(f"{problem}; the database does not record enough to "
                                    f"rewrite it: {REBUILD}")
        now = database.now()
        manifest = Manifest(model=recorded["model"], dimension=0, max_tokens=0, min_tokens=0,
                            created_at=now, updated_at=now)
        report.actions.append("rewrote the unreadable manifest.json from the database")
    else:
        manifest = read_manifest(path)
        wrong = snapshot.identity_mismatch(db, manifest)
        if not wrong:
            recovery.record_identity(db, manifest)
            return manifest
        report.actions.append(f"restored manifest.json from the database ({'; '.join(wrong)})")
    manifest.model = recorded["model"]
    for key in ("dimension", "max_tokens", "min_tokens"):
        setattr(manifest, key, int(recorded[key]))
    recovery.sync_manifest(path, db, manifest)
    return manifest


def _intact_vectors(path: Path, db: sqlite3.Connection, dimension: int
                    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(ids, vectors) of live passages whose stored vector is intact, and the segments
    that must be rewritten (unreadable, altered, or holding duplicate or invalid vectors)."""
    sha = dict(db.execute("SELECT id, sha256 FROM segments").fetchall())
    all_ids, all_vecs, damaged = [], [], []
    for seg_id, name, rows in database.segments(db):
        try:
            file = vectors.segment_path(path, name)
            ids, vecs = vectors.read_segment(file, dimension, rows)
            if vectors.file_sha256(file) != sha[seg_id]:
                raise IndexDamagedError("checksum differs")
        except IndexDamagedError:
            damaged.append(str(name))
            continue
        live = np.fromiter(database.live_ids(db, seg_id), dtype=np.int64)
        keep = np.zeros(len(ids), bool)
        keep[np.unique(ids, return_index=True)[1]] = True        # one vector per id
        norms = np.linalg.norm(vecs, axis=1)
        keep &= np.isfinite(norms) & ((np.abs(norms - 1) <= 1e-3) | (norms == 0))
        if not keep.all():
            damaged.append(str(name))
        keep &= np.isin(ids, live)
        all_ids.append(ids[keep])
        all_vecs.append(vecs[keep])
    if not all_ids:
        return np.zeros(0, np.int64), np.zeros((0, dimension), np.float32), damaged
    return np.concatenate(all_ids), np.concatenate(all_vecs), damaged


def _rebuild_vectors(path: Path, db: sqlite3.Connection, manifest: Manifest, model,
                     report: RepairReport) -> None:
    ids, vecs, damaged = _intact_vectors(path, db, manifest.dimension)
    live = np.array([r[0] for r in db.execute("SELECT id FROM passages")], np.int64)
    lost = np.setdiff1d(live, ids)
    if not damaged and not len(lost):
        return
    if len(lost):
        ids = np.concatenate([ids, lost])
        read = [model_text(t, c) for t, c in database.model_inputs(db, lost)]
        vecs = np.concatenate([vecs, embed_all(_embedder(manifest, model), read)])
        report.reembedded = len(lost)
    new = vectors.write_segment(path, ids, vecs) if len(ids) else None
    with database.transaction(db):
        if new:
            seg_id = database.add_segment(db, new[0], len(ids), new[1])
            db.execute("UPDATE passages SET segment_id = ?", (seg_id,))
            db.execute("DELETE FROM segments WHERE id != ?", (seg_id,))
        else:
            db.execute("DELETE FROM segments")
        database.set_state(db, "generation", snapshot.generation(db) + 1)
    what = f"rewrote the vectors of {len(live)} passages into one segment"
    if damaged:
        what += f" (damaged: {', '.join(damaged[:3])}{'...' if len(damaged) > 3 else ''})"
    if len(lost):
        what += f"; re-embedded {len(lost)} lost vector(s) from the stored text"
    report.actions.append(what)


def _rebuild_vector_sets(db: sqlite3.Connection, manifest: Manifest, model, second,
                         report: RepairReport) -> None:
    """Compute again, from the stored passages, the multilingual and sentence vectors that
    are damaged or (multilingual, where the index has them) missing."""
    if manifest.multilingual_model:
        bad = vectorsets.damaged_multilingual(db, manifest.multilingual_dimension)
        vectorsets.delete(db, multilingual.TABLE, bad)
        lost = multilingual.missing(db)
        if lost:
            second = second or load_multilingual(manifest.multilingual_model)
            vectorsets.fill_multilingual(db, second, lost)
            report.actions.append(f"computed the multilingual vectors of {len(lost)} passage(s) "
                                  f"again ({len(bad)} damaged, {len(lost) - len(bad)} missing)")
    bad = vectorsets.damaged_sentences(db, manifest.dimension)
    if bad:
        vectorsets.delete(db, "passage_sentences", bad)
        live = set(vectorsets.missing_sentences(db))
        vectorsets.fill_sentences(db, vectorsets.english_embedder(manifest, model),
                                  [i for i in bad if i in live])
        report.actions.append(f"computed the damaged sentence vectors of {len(bad)} "
                              "passage(s) again")
    if any(a.startswith("computed the") for a in report.actions):
        with database.transaction(db):   # searches reload the vectors they cached
            database.set_state(db, "generation", snapshot.generation(db) + 1)


def _rebuild_ann(path: Path, db: sqlite3.Connection, manifest: Manifest,
                 report: RepairReport) -> None:
    """Rebuild the ANN search structure (derived from the segments) when it is missing,
    altered or named wrongly, or when the vectors were just rewritten."""
    state = ann.ann_state(db)
    if not state:
        return
    try:
        file = ann.ann_path(path, state["ann_file"])
        ok = file.is_file() and not file.is_symlink() and \
            vectors.file_sha256(file) == state.get("ann_sha256")
    except IndexDamagedError:
        ok = False
    if ok and not any("rewrote the vectors" in a for a in report.actions):
        return
    kind = ann_update.optimize(path, db, manifest, state.get("ann_kind") or "ivf-sq8")
    report.actions.append(f"rebuilt the search structure ({kind}) from the vectors")


def _embedder(manifest: Manifest, model) -> Embedder:
    if model is None:
        if not is_builtin(manifest.model):
            raise ModelMismatchError(f"vectors must be re-embedded with the index's model "
                                     f"{manifest.model!r}: pass it with --model")
        embedder = load_embedder(manifest.model)
    else:
        name = model.name if hasattr(model, "embed") else canonical_name(model)
        if name != manifest.model:
            raise ModelMismatchError(f"the index was built with {manifest.model!r}, not {name!r}")
        embedder = model if hasattr(model, "embed") else load_embedder(model)
    if embedder.dimension != manifest.dimension:
        raise ModelMismatchError(f"model {embedder.name!r} gives {embedder.dimension} dimensions, "
                                 f"the index has {manifest.dimension}")
    return embedder


def _recount(db: sqlite3.Connection, report: RepairReport) -> None:
    """Put right stored counts that disagree with the rows (an edited database)."""
    if database.tally_errors(db):
        with database.transaction(db):
            database.recount(db)
        report.actions.append("counted the documents and passages again")


def _rebuild_keyword_index(db: sqlite3.Connection, report: RepairReport) -> None:
    """Rebuild the keyword (FTS5) tables from the passages; say so if they were out of step."""
    wrong = database.keyword_errors(db)
    with database.transaction(db):
        for table in database.keyword_tables(db):
            db.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    if wrong:
        report.actions.append(f"rebuilt the keyword index ({'; '.join(wrong)})")

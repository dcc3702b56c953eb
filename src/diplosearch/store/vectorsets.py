"""The vector sets beside the English segments: the multilingual vectors (`multilingual`)
and the sentence vectors used for marking (`sentences`). What is missing from each, what is
damaged, and filling them from the stored passage text.

Both live in the database, one row per passage, so filling them needs no segment file and
no change to the English vectors: each batch of rows commits in one transaction, and a
run stopped at any moment (Ctrl-C, a kill) leaves the rows committed so far, which the
next run does not compute again. `index upgrade` fills what an older index lacks, `index
repair` refills rows that `index verify` finds damaged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

from ..embed.models import Embedder, canonical_name, embed_all, embed_all_spans, \
    is_builtin, load_embedder
from ..errors import ModelMismatchError
from ..text.language import detect
from ..ingest.passages import model_text, pooled_spans, stored_spans
from . import database, multilingual, sentences
from .manifest import Manifest

# Stored float16 (multilingual) and int8 (sentences) vectors are unit length within their
# rounding: float16 keeps a norm within ~1e-3, int8 with a scale per vector within ~2e-2.
ML_NORM_TOLERANCE = 1e-2
SENTENCE_NORM_TOLERANCE = 5e-2
# Passages per commit: one embedding batch of the multilingual model as a build runs it
# (`writer._commit` embeds with `embed_all(second, texts, 1024)`), and at ~50 passages/s
# on two cores about 20 s of work lost to a Ctrl-C at most.
BATCH = 1024
Progress = Callable[[str, int], None]


def damaged_multilingual(db: sqlite3.Connection, dimension: int) -> list[int]:
    """Passage ids whose stored multilingual vector is unusable: of the wrong size, not
    finite, not unit length, or for a passage that does not exist."""
    cur = db.cursor()
    cur.row_factory = None
    bad = [pid for (pid,) in cur.execute(
        f"SELECT passage_id FROM {multilingual.TABLE} WHERE passage_id NOT IN "
        "(SELECT id FROM passages)")]
    size = dimension * multilingual.DTYPE.itemsize
    for pid, kind, blob in cur.execute(f"SELECT passage_id, typeof(vector), "
                                       f"CAST(vector AS BLOB) FROM {multilingual.TABLE}"):
        if kind != "blob" or len(blob) != size:
            bad.append(pid)
            continue
        norm = float(np.linalg.norm(np.frombuffer(blob, multilingual.DTYPE).astype(np.float32)))
        if not np.isfinite(norm) or abs(norm - 1) > ML_NORM_TOLERANCE:
            bad.append(pid)
    return sorted(set(bad))


def damaged_sentences(db: sqlite3.Connection, dimension: int) -> list[int]:
    """Passage ids whose stored sentence vectors are unusable: blobs whose sizes disagree
    (spans, scales and dimension), empty or negative spans, vectors not unit length."""
    if not _has_table(db, "passage_sentences"):
        return []
    cur = db.cursor()
    cur.row_factory = None
    bad = []
    for pid, length, kinds, s, k, v in cur.execute(
            "SELECT s.passage_id, length(p.text), typeof(s.spans) || typeof(s.scales) || "
            "typeof(s.vectors), CAST(s.spans AS BLOB), CAST(s.scales AS BLOB), "
            "CAST(s.vectors AS BLOB) FROM passage_sentences s "
            "LEFT JOIN passages p ON p.id = s.passage_id"):
        n = len(k) // 4
        if kinds != "blobblobblob":
            bad.append(pid)
            continue
        if length is None or len(s) != 8 * n or len(k) != 4 * n or len(v) != n * dimension \
                or n == 0:
            bad.append(pid)
            continue
        spans, vecs = sentences.unpack(s, k, v)
        norms = np.linalg.norm(vecs, axis=1)
        # (spans past the end of the text are not checked: marking slices the text, and an
        # edit of a passage's text in place is the keyword triggers' business)
        if (spans < 0).any() or (spans[:, 0] >= spans[:, 1]).any() \
                or not np.isfinite(norms).all() or (np.abs(norms - 1) > SENTENCE_NORM_TOLERANCE).any():
            bad.append(pid)
    return bad


def missing_sentences(db: sqlite3.Connection) -> list[int]:
    """Live passages without stored sentence vectors (all of them, before migration 006)."""
    return [r[0] for r in db.execute(
        "SELECT p.id FROM passages p LEFT JOIN passage_sentences s ON s.passage_id = p.id "
        "WHERE s.passage_id IS NULL ORDER BY p.id")]


def delete(db: sqlite3.Connection, table: str, ids: list[int]) -> None:
    """Drop the rows of passages `ids` from a vector set's table (in one transaction)."""
    with database.transaction(db):
        db.executemany(f"DELETE FROM {table} WHERE passage_id = ?", [(int(i),) for i in ids])


def fill_multilingual(db: sqlite3.Connection, second: Embedder, ids: list[int],
                      progress: Progress | None = None, batch: int | None = None) -> int:
    """Embed passages `ids` with the multilingual model and store their vectors and
    languages, one commit per `batch`. Returns how many were stored."""
    batch = batch or BATCH
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        inputs = database.model_inputs(db, chunk)
        vecs = embed_all(second, [model_text(t, c) for t, c in inputs], 1024,
                         on_batch=_on(progress))
        with database.transaction(db):
            multilingual.insert(db, np.asarray(chunk, np.int64), vecs,
                                [detect(t) for t, _ in inputs])
    return len(ids)


def fill_sentences(db: sqlite3.Connection, english: Embedder, ids: list[int],
                   progress: Progress | None = None, batch: int | None = None) -> int:
    """Store sentence vectors for passages `ids`, pooled from the English model's forward
    pass over each part as a build does (`writer._commit`); the part's own vector, which
    the same pass gives, is not stored: the segments keep theirs. Returns how many were
    stored (0 for a model that cannot pool spans)."""
    if not hasattr(english, "embed_spans"):
        return 0
    batch = batch or BATCH
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        inputs = database.model_inputs(db, chunk)
        spans = [stored_spans(t) for t, _ in inputs]
        _, per_sentence = embed_all_spans(
            english, [model_text(t, c) for t, c in inputs],
            [pooled_spans(sp, c) for sp, (_, c) in zip(spans, inputs)], on_batch=_on(progress))
        with database.transaction(db):
            sentences.insert(db, ((pid, np.array(sp), v) for pid, sp, v in
                                  zip(chunk, spans, per_sentence or []) if v is not None))
    return len(ids)


def english_embedder(manifest: Manifest, model) -> Embedder:
    """The index's own English model, to compute what its stored text needs again; a model
    other than the built-in ones only when named (`model`), and refused if it differs."""
    if model is None:
        if not is_builtin(manifest.model):
            raise ModelMismatchError(f"vectors must be computed with the index's model "
                                     f"{manifest.model!r}: pass it with --model")
        embedder = load_embedder(manifest.model, purpose="build")
    else:
        name = model.name if hasattr(model, "embed") else canonical_name(model)
        if name != manifest.model:
            raise ModelMismatchError(f"the index was built with {manifest.model!r}, not {name!r}")
        embedder = model if hasattr(model, "embed") else load_embedder(model, purpose="build")
    if embedder.dimension != manifest.dimension:
        raise ModelMismatchError(f"model {embedder.name!r} gives {embedder.dimension} dimensions, "
                                 f"the index has {manifest.dimension}")
    return embedder


def _on(progress: Progress | None):
    return (lambda n: progress("passages", n)) if progress else None


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (name,)).fetchone() is not None

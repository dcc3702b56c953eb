"""`index upgrade`: give an index what a build makes today, in place, without a rebuild.

What an older index (or one built with `--no-multilingual`) may lack, and how each is added:

- the keyword table for Chinese, Arabic and Russian (migration 009): the migration creates
  and fills it in one transaction when the index is opened for writing;
- sentence vectors for marking (migration 006): pooled from the English model's forward
  pass over each stored part, as a build pools them; the English vectors in the segment
  files are neither recomputed nor rewritten;
- multilingual vectors (migration 008): the multilingual model over each stored part;
- the English words of the passages, counted and embedded by the multilingual model
  (migration 010, `vocabulary`), for glossing questions in other languages.

Vectors are added a batch at a time, each batch one transaction (`vectorsets`), so Ctrl-C
or a kill loses at most the batch under way and the next run goes on from there. The
manifest names the multilingual model only once every passage has its vector: until then
searches go on as before, and never see half a vector set.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..embed.multilingual import load_multilingual, second_model
from ..errors import ReadOnlyIndexError
from . import database, recovery, snapshot, vectorsets, vocabulary
from . import multilingual as ml_store
from .locking import writer_lock
from .manifest import read_manifest
from .migrations import pending
from .paths import is_bundled, resolve_index

KEYWORD_MIGRATION = "009_keyword_scripts"


@dataclass
class UpgradeReport:
    """What `upgrade_index` added (nothing, for an index that lacks nothing)."""

    path: str
    actions: list[str] = field(default_factory=list)
    sentence_vectors: int = 0        # passages given sentence vectors
    multilingual_vectors: int = 0    # passages given a multilingual vector
    multilingual_added: bool = False  # the manifest names the multilingual model now
    english_words: int = 0           # English words given a multilingual vector (for glosses)
    notes: list[str] = field(default_factory=list)   # what was left out, and why
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def upgrade_index(index: str | os.PathLike[str], *, multilingual: bool | Any = None,
                  model=None, progress: vectorsets.Progress | None = None,
                  wait: float = 0.0) -> UpgradeReport:
    """Add what the index lacks (see the module docstring). Holds the writer lock.

    Args:
        multilingual: add multilingual vectors: None: yes when the index was built with
            the bundled English model (as a build decides); True, False; or an Embedder
            used as the multilingual model (tests pass a fake).
        model: the index's English model, needed for sentence vectors of an index built
            with a model other than the built-in ones (without it they are left out).
        progress: called as progress("planned", n) with the passages to embed, then
            progress("passages", n) per batch embedded (`render.build_progress` shows it).
        wait: seconds to wait for another writer.
    """
    started = time.perf_counter()
    path = resolve_index(index)
    if is_bundled(path):
        raise ReadOnlyIndexError("the bundled default index is read-only; it is rebuilt by "
                                 "scripts/build_default_index.py")
    report = UpgradeReport(str(path))
    with writer_lock(path, wait):
        manifest = read_manifest(path)
        had_keywords = KEYWORD_MIGRATION not in _pending(path)
        db = recovery.open_for_writing(path, manifest)   # migrates: 009 fills its table
        try:
            if not had_keywords:
                report.actions.append("added the keyword table for Chinese, Arabic and Russian")
            changed = _add_vectors(db, manifest, multilingual, model, progress, report)
            changed = _add_words(db, manifest, multilingual, report) or changed
            if changed or not had_keywords:
                with database.transaction(db):   # readers reload what they cached
                    database.set_state(db, "generation", snapshot.generation(db) + 1)
                recovery.sync_manifest(path, db, manifest)
        finally:
            db.close()
    report.seconds = time.perf_counter() - started
    return report


def _add_vectors(db, manifest, multilingual, model, progress, report: UpgradeReport) -> bool:
    """Fill the sentence and multilingual vectors the index lacks; name the multilingual
    model in `manifest` once all are in. Returns whether anything was added."""
    todo_s = vectorsets.missing_sentences(db)
    english = _english(manifest, model, report) if todo_s else None
    todo_s = todo_s if english is not None else []
    todo_m = ml_store.missing(db) if multilingual is not False else []
    second = _second(manifest, multilingual, len(todo_m))
    todo_m = todo_m if second is not None else []
    if progress:
        progress("planned", len(todo_s) + len(todo_m))
    if todo_s:
        report.sentence_vectors = vectorsets.fill_sentences(db, english, todo_s, progress)
        report.actions.append(f"stored sentence vectors of {len(todo_s)} passages")
    if todo_m:
        report.multilingual_vectors = vectorsets.fill_multilingual(
            db, second, todo_m, progress)
        report.actions.append(f"stored multilingual vectors of {len(todo_m)} passages")
    if second is not None and not manifest.multilingual_model:
        manifest.multilingual_model = second.name
        manifest.multilingual_dimension = second.dimension
        report.multilingual_added = True
        report.actions.append(f"the index now answers questions in other languages "
                              f"with {second.name}")
    return bool(todo_s or todo_m or report.multilingual_added)


def _add_words(db, manifest, multilingual, report: UpgradeReport) -> bool:
    """Count and embed the English words a question in another language is glossed into
    (`vocabulary`), for an index that answers such questions. Returns whether any were."""
    if not manifest.multilingual_model:
        return False
    counted = vocabulary.backfill(db)
    if not vocabulary.missing(db):
        return counted
    second = multilingual if hasattr(multilingual, "embed") else \
        load_multilingual(manifest.multilingual_model)
    report.english_words = vocabulary.embed_missing(db, second)
    report.actions.append(f"embedded {report.english_words} English words for glossing "
                          "questions in other languages")
    return True


def _pending(path: Path) -> list[str]:
    db = sqlite3.connect(f"{(path / database.DB_NAME).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return pending(db, create=False)
    except sqlite3.OperationalError:   # no schema_migrations table: every migration pends
        return [KEYWORD_MIGRATION]
    finally:
        db.close()


def _second(manifest, multilingual, missing: int):
    """The multilingual model to add `missing` vectors from, or None: the manifest's own
    for an index that has the set, else as a build decides (see `upgrade_index`)."""
    if hasattr(multilingual, "embed"):
        return multilingual
    if multilingual is False or (manifest.multilingual_model and not missing):
        return None
    if manifest.multilingual_model:
        return load_multilingual(manifest.multilingual_model)
    return second_model(multilingual, manifest.model)


def _english(manifest, model, report: UpgradeReport):
    """The English model for sentence vectors, or None (with a note) when the index's model
    is not a built-in one and was not named."""
    from ..embed.models import is_builtin

    if model is None and not is_builtin(manifest.model):
        report.notes.append(f"left out sentence vectors: name the index's model "
                              f"{manifest.model!r} with --model to add them")
        return None
    return vectorsets.english_embedder(manifest, model)

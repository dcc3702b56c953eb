"""`index verify`: check that an index is whole and unaltered, and say how to fix it.

The invariant: every passage in the database has exactly one vector in the segment the
database assigns it, every vector in a segment belongs to one passage (or to a removed
one, awaiting compaction; passage ids are never reused), every segment file is where the
database says with the size and sha256 it recorded, and the manifest agrees with the
database (see `recovery` for what "agrees" means). Reading never writes: this is safe
on any index, including one another process is writing (it checks one committed state).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DiplosearchError, IndexAccessError, IndexDamagedError, SegmentMissingError
from . import ann, database, multilingual, recovery, snapshot, vectors, vectorsets
from .manifest import MANIFEST, Manifest, read_manifest
from .paths import resolve_index

ERROR, WARNING = "error", "warning"
# Not a fault of the index: this user may not read all of it. Not checked, so not OK.
NO_ACCESS = "no access"
ASK_OWNER = "nothing is wrong with the index as far as this shows; run `diplosearch index " \
            "verify` as a user who may write to it, or ask one to"
REPAIR = "run `diplosearch index repair` (it rebuilds the vector file from the stored " \
         "vectors, re-embedding any that are lost)"
REBUILD = "rebuild the index from its sources: `diplosearch index build SOURCES --name NAME " \
          "--replace`"
KNOWN_FILES = {MANIFEST, database.DB_NAME, vectors.VECTORS_DIR, ".lock", f".{MANIFEST}.tmp",
               f"{database.DB_NAME}-wal", f"{database.DB_NAME}-shm", f"{database.DB_NAME}-journal"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an index, and what to do about it."""

    severity: str   # "error": answers cannot be trusted; "warning": harmless, tidied later;
    #                 "no access": this user may not read all of it (not damage)
    what: str
    fix: str


@dataclass
class VerifyReport:
    """What `verify_index` found."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    generation: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    dead_vectors: int = 0
    missing: bool = field(default=False, repr=False)   # a segment file was not found
    # True where this user may not write to the index (or it is on a read-only disk):
    # searching works, writing does not, and that is no damage.
    read_only: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.severity in (ERROR, NO_ACCESS) for p in self.problems)

    def add(self, severity: str, what: str, fix: str) -> None:
        self.problems.append(Problem(severity, what, fix))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "read_only": self.read_only,
                "generation": self.generation,
                **self.counts, "dead_vectors": self.dead_vectors,
                "problems": [asdict(p) for p in self.problems]}


def verify_index(index: str | os.PathLike[str] | None = None,
                 checksums: bool = True) -> VerifyReport:
    """Check an index (name or path; None: the default) without changing it.

    Args:
        checksums: also hash every segment file (reads all vectors; the rest is cheap).
    """
    path = resolve_index(index)
    for _ in range(snapshot.RETRIES):
        report = VerifyReport(str(path))
        manifest = _check_files(path, report)
        if manifest is None:
            return report
        report.read_only = not os.access(path, os.W_OK)   # also on a read-only disk
        try:
            db = database.connect(path)
        except IndexAccessError as exc:
            report.add(NO_ACCESS, str(exc), ASK_OWNER)
            return report
        except DiplosearchError as exc:
            report.add(ERROR, str(exc), f"do as the message says; if the database is "
                                        f"unreadable, {REBUILD}")
            return report
        try:
            with snapshot.snapshot(db):
                _check_database(path, db, manifest, report, checksums)
            # A file missing because a writer compacted after our snapshot began is no
            # fault: look again at the newer state; so is anything read on an immutable
            # connection (a reader without write access) that a writer overlapped.
            if database.outdated(db):
                continue
            if not report.missing or snapshot.generation(db) == report.generation:
                return report
        except sqlite3.DatabaseError as exc:
            if database.outdated(db):
                continue
            report.add(ERROR, f"the index database is damaged ({exc})", REBUILD)
            return report
        finally:
            db.close()
    return report


def _check_files(path: Path, report: VerifyReport) -> Manifest | None:
    """The directory's own files: present, not links, nothing foreign. The manifest."""
    try:
        manifest = read_manifest(path)   # no index at all: IndexNotFoundError, raised
    except IndexAccessError as exc:
        report.add(NO_ACCESS, str(exc), ASK_OWNER)
        return None
    except IndexDamagedError as exc:
        report.add(ERROR, str(exc), "`diplosearch index repair` rewrites it from the database")
        return None
    for name in recovery.links(path):
        report.add(ERROR, f"{name} is a symbolic link; an index never contains links, so this "
                          "one was tampered with (nothing is read or written through it)",
                   "`diplosearch index repair` deletes links at scratch names; otherwise "
                   + REBUILD)
    if set(recovery.links(path)) & set(recovery.MAIN_FILES):
        return None
    for f in sorted(path.iterdir()):
        if f.name not in KNOWN_FILES:
            report.add(WARNING, f"{f.name}: not part of an index (ignored; never read)",
                       f"delete {f}")
    return manifest


def _check_database(path: Path, db: sqlite3.Connection, manifest: Manifest,
                    report: VerifyReport, checksums: bool) -> None:
    result = db.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        report.add(ERROR, f"the index database is damaged ({result})", REBUILD)
        return
    if db.execute("SELECT 1 FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
                  " LIMIT 1").fetchone():
        report.add(ERROR, "passages belong to documents that do not exist", REBUILD)
    wrong = database.tally_errors(db)
    if wrong:
        report.add(ERROR, f"stored counts disagree with the rows ({'; '.join(wrong[:3])})",
                   "`diplosearch index repair` counts them again")
    _check_keyword_index(db, report)
    report.generation, report.counts = snapshot.generation(db), database.counts(db)
    _check_manifest(db, manifest, report)
    _check_segments(path, db, manifest.dimension, report, checksums)
    _check_vector_sets(db, manifest, report)
    leftovers = recovery.orphans(path, db)
    if leftovers:
        report.add(WARNING, f"{len(leftovers)} vector file(s) that no commit names: left by an "
                            "interrupted write (or being written right now); never read "
                            f"({', '.join(f.name for f in leftovers[:3])})",
                   "the next write removes them, or `diplosearch index repair`")
    folder = path / vectors.VECTORS_DIR
    known = {name for _, name, _ in database.segments(db)} | {f.name for f in leftovers} \
        | set(recovery.ann_files(db))
    _check_ann(path, db, report, checksums)
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        if f.name not in known:
            report.add(WARNING, f"{vectors.VECTORS_DIR}/{f.name}: not part of the index "
                                "(ignored; never read)", f"delete {f}")


def _check_keyword_index(db: sqlite3.Connection, report: VerifyReport) -> None:
    wrong = database.keyword_errors(db)
    if wrong:
        report.add(ERROR, f"the keyword index is out of step with the passages "
                          f"({'; '.join(wrong)}): keyword and hybrid search miss or invent hits",
                   "`diplosearch index repair` rebuilds it from the passages")
    if "passages_fts_folded" not in database.keyword_tables(db):
        report.add(WARNING, "the index predates keyword search in Chinese, Arabic and Russian "
                            "(migration 009): such queries use the main keyword table",
                   "the next write to it adds it (`diplosearch index add` or `index repair`)")


def _check_vector_sets(db: sqlite3.Connection, manifest: Manifest, report: VerifyReport) -> None:
    """The multilingual and sentence vectors: one per live passage where the index has
    them, each of the recorded dimension, finite and unit length (see `vectorsets`)."""
    fix = "`diplosearch index repair` computes them again from the stored passages"
    if manifest.multilingual_model:
        bad = vectorsets.damaged_multilingual(db, manifest.multilingual_dimension)
        if bad:
            report.add(ERROR, f"{len(bad)} multilingual vector(s) are damaged (wrong size, "
                              f"not unit length, or for no passage; e.g. passage {bad[0]})", fix)
        lost = multilingual.missing(db)
        if lost:
            report.add(ERROR, f"{len(lost)} passage(s) have no multilingual vector (e.g. "
                              f"passage {lost[0]}): questions in other languages miss them", fix)
    elif multilingual.count(db):
        report.add(WARNING, "multilingual vectors were being added when an upgrade stopped; "
                            "searches do not use them yet",
                   "`diplosearch index upgrade` finishes the job")
    bad = vectorsets.damaged_sentences(db, manifest.dimension)
    if bad:
        report.add(ERROR, f"{len(bad)} passage(s) have damaged sentence vectors (sizes that "
                          f"disagree, empty spans, not unit length; e.g. passage "
                          f"{bad[0]}): marking a hit's best sentence may fail", fix)
    lost = vectorsets.missing_sentences(db)
    if lost:
        report.add(WARNING, f"{len(lost)} passage(s) have no sentence vectors: a search marks "
                            "their best sentence by running the model",
                   "`diplosearch index upgrade` adds them")


def _check_ann(path: Path, db: sqlite3.Connection, report: VerifyReport, checksums: bool) -> None:
    """The ANN search structure (large indexes, see `ann`) is where the database says and,
    with `checksums`, unaltered. It is derived data: repair rebuilds it from the segments."""
    for name in recovery.ann_files(db):
        fix = "`diplosearch index repair` rebuilds it from the vectors"
        try:
            file = ann.ann_path(path, name)
        except IndexDamagedError as exc:
            report.add(ERROR, str(exc), fix)
            continue
        if not file.is_file() or file.is_symlink():
            report.add(ERROR, f"search structure {name} is missing", fix)
        elif checksums and vectors.file_sha256(file) != ann.ann_state(db).get("ann_sha256"):
            report.add(ERROR, f"search structure {name} does not match its checksum", fix)


def _check_manifest(db: sqlite3.Connection, manifest: Manifest, report: VerifyReport) -> None:
    wrong = snapshot.identity_mismatch(db, manifest)
    if wrong:
        report.add(ERROR, f"manifest.json disagrees with the index database: {'; '.join(wrong)}"
                          " (edited or swapped)",
                   "`diplosearch index repair` rewrites it from the database")
    elif not snapshot.identity(db):
        report.add(WARNING, "the database does not record the model it was built with (an "
                            "index made by an older diplosearch); the manifest is taken on trust",
                   "the next write records it")
    gen = report.generation or 0
    if manifest.generation > gen:
        report.add(ERROR, f"manifest.json describes generation {manifest.generation}, but the "
                          f"database holds generation {gen} (files swapped?)", REBUILD)
    elif manifest.generation < gen or manifest.counts != report.counts:
        report.add(WARNING, f"manifest.json is behind the database (generation "
                            f"{manifest.generation} < {gen}, or its counts differ): a write "
                            "was interrupted after its commit; searches are not affected",
                   "the next write rewrites it, or `diplosearch index repair`")


def _check_segments(path: Path, db: sqlite3.Connection, dimension: int, report: VerifyReport,
                    checksums: bool) -> None:
    next_id = int(database.get_state(db, "next_passage_id") or 1)
    expected = {r[0]: r[1] for r in db.execute("SELECT id, sha256 FROM segments")}
    for seg_id, name, rows in database.segments(db):
        try:
            file = vectors.segment_path(path, name)
            ids, vecs = vectors.read_segment(file, dimension, rows)
        except IndexDamagedError as exc:
            report.missing |= isinstance(exc, SegmentMissingError)
            report.add(ERROR, str(exc).split("; run `")[0], REPAIR)
            continue
        if checksums and vectors.file_sha256(file) != expected[seg_id]:
            report.add(ERROR, f"{vectors.VECTORS_DIR}/{name}: checksum differs from the one "
                              "recorded (the file was changed or swapped)", REPAIR)
            continue
        live = np.fromiter(database.live_ids(db, seg_id), dtype=np.int64)
        _check_vectors(name, ids, vecs, live, next_id, report)
    unassigned = db.execute("SELECT COUNT(*) FROM passages WHERE segment_id NOT IN "
                            "(SELECT id FROM segments)").fetchone()[0]
    if unassigned:
        report.add(ERROR, f"{unassigned} passage(s) are assigned to no vector segment", REPAIR)


def _check_vectors(name: str, ids: np.ndarray, vecs: np.ndarray, live: np.ndarray,
                   next_id: int, report: VerifyReport) -> None:
    where = f"{vectors.VECTORS_DIR}/{name}"
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        report.add(ERROR, f"{where}: {int((counts > 1).sum())} passage id(s) have more than "
                          "one vector", REPAIR)
    missing = np.setdiff1d(live, unique)
    if len(missing):
        report.add(ERROR, f"{where}: {len(missing)} passage(s) have no vector "
                          f"(e.g. passage {int(missing[0])})", REPAIR)
    if len(ids) and (ids.min() < 1 or ids.max() >= next_id):
        report.add(ERROR, f"{where}: holds vectors for passage ids never issued", REPAIR)
    report.dead_vectors += len(np.setdiff1d(unique, live))
    norms = np.linalg.norm(vecs, axis=1) if len(vecs) else np.zeros(0)
    bad = ~np.isfinite(norms) | ((np.abs(norms - 1) > 1e-3) & (norms != 0))
    if bad.any():
        report.add(ERROR, f"{where}: {int(bad.sum())} vector(s) are not unit length "
                          "(scores would not be cosine similarities)", REPAIR)


def describe(report: VerifyReport) -> list[str]:
    """The report as lines for people: a verdict, then each problem and its fix."""
    c = report.counts
    warnings = sum(p.severity == WARNING for p in report.problems)
    errors = sum(p.severity == ERROR for p in report.problems)
    verdict = f"DAMAGED ({errors} error{'s' * (errors != 1)})" if errors else \
        "NOT CHECKED (you may not read all of it)" if not report.ok else "OK"
    if report.read_only and report.ok:
        verdict += "; read-only for you (searching works; changing it needs write access)"
    lines = [f"{report.path}: {verdict}; generation {report.generation}, "
             f"{c.get('documents', '?')} documents, {c.get('passages', '?')} passages, "
             f"{report.dead_vectors} removed vectors awaiting compaction"
             + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")]
    for p in report.problems:
        lines += [f"{p.severity}: {p.what}", f"  fix: {p.fix}"]
    return lines

"""Opening, querying and growing an index: the public API that the CLI mirrors."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


from . import indexing, store, vectors
from .embedding import Embedder, canonical_name, is_builtin, load_embedder
from .errors import (IndexExistsError, ModelMismatchError, NotFoundError, QueryError,
                     ReadOnlyIndexError)
from .highlight import best_sentences
from .locking import writer_lock
from .manifest import Manifest, read_manifest, write_manifest
from .paths import index_home, is_bundled, resolve_index
from .results import Hit, SearchResults, cite, parse_citation

MAX_QUERY_CHARS = 20_000
# Word pieces per passage. all-MiniLM-L6-v2 reads 256 but was trained on 128-piece inputs;
# on the founding question, passages of ~128 pieces put the answer 2nd in the default index,
# whole paragraphs (up to 254) 25th (scripts/bench_build.py prints the split statistics).
DEFAULT_MAX_TOKENS = 128


@dataclass(frozen=True)
class Context:
    """A passage and the paragraphs around it, for `show`."""

    hit: Hit
    paragraphs: list[tuple[int, str]]   # (paragraph number, text), in document order

    def to_dict(self) -> dict[str, Any]:
        return {"hit": self.hit.to_dict(),
                "paragraphs": [{"paragraph": n, "text": t} for n, t in self.paragraphs]}


class Index:
    """An index on disk, opened for searching (and, through `add`/`remove`, writing).

    Opening reads only the manifest; the database, vectors and model load on first use.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None,
                 model: str | os.PathLike[str] | Embedder | None = None) -> None:
        self.path = resolve_index(path)
        self.manifest: Manifest = read_manifest(self.path)
        self._embedder = _checked_embedder(self.manifest, model, self.path)
        self._db: sqlite3.Connection | None = None
        self._vectors: vectors.VectorIndex | None = None

    # -- lazy parts -----------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.manifest.model)
        return self._embedder

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = store.connect(self.path)
        return self._db

    @property
    def vectors(self) -> vectors.VectorIndex:
        if self._vectors is None:
            db = self.db
            self._vectors = vectors.load_live(self.path, store.segments(db), store.live_counts(db),
                                              lambda s: store.live_ids(db, s), self.manifest.dimension)
        return self._vectors

    def reload(self) -> None:
        """Pick up changes another process committed since this index was opened."""
        if self._db is not None:
            self._db.close()
        self._db, self._vectors = None, None
        self.manifest = read_manifest(self.path)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __repr__(self) -> str:
        c = self.manifest.counts
        return (f"<Index {self.name!r}: {c.get('documents', 0)} documents, "
                f"{c.get('passages', 0)} passages, model {self.manifest.model}>")

    # -- reading --------------------------------------------------------------------
    def search(self, query: str, k: int = 10, highlight: bool = False) -> SearchResults:
        """The k passages closest in meaning to `query`, best first.

        Args:
            query: a question or statement in plain language.
            k: how many hits to return.
            highlight: also find each hit's best-matching sentence (one more model call).
        """
        query = _check_query(query, k)
        qvec = self.embedder.embed([query])
        scores, ids = self.vectors.search(qvec, k)
        rows = store.passages_by_id(self.db, [int(i) for i in ids[0] if i >= 0])
        hits = [_hit(rows[int(i)], float(s)) for s, i in zip(scores[0], ids[0]) if int(i) in rows]
        if highlight and hits:
            spans = best_sentences(self.embedder, qvec[0], [h.text for h in hits])
            hits = [replace(h, highlights=sp) for h, sp in zip(hits, spans)]
        return SearchResults(hits, query=query, index=self.name)

    def passage(self, ref: str | int) -> Hit:
        """A passage by id (`123`) or by citation (`S/PV.8699 ¶12`, `S/PV.8699 #12 ¶1 (2/3)`)."""
        row = _find_passage(self.db, ref)
        if row is None:
            raise NotFoundError(f"no passage {ref!r} in index {self.name!r}")
        return _hit(row, 1.0)

    def show(self, ref: str | int, context: int = 1) -> Context:
        """A passage with `context` paragraphs on either side."""
        hit = self.passage(ref)
        doc_id = self.db.execute("SELECT doc_id FROM passages WHERE id = ?", (hit.id,)).fetchone()[0]
        rows = self.db.execute(
            "SELECT paragraph, text FROM passages WHERE doc_id = ? AND paragraph_end >= ? "
            "AND paragraph <= ? ORDER BY position",
            (doc_id, hit.paragraph - context, hit.paragraph_end + context)).fetchall()
        paragraphs: list[tuple[int, str]] = []
        for number, text in rows:
            if paragraphs and paragraphs[-1][0] == number:
                paragraphs[-1] = (number, paragraphs[-1][1] + " " + text)
            else:
                paragraphs.append((number, text))
        return Context(hit, paragraphs)

    def documents(self) -> list[dict[str, Any]]:
        """Every document: key, symbol, passages, when indexed."""
        rows = self.db.execute(
            "SELECT d.key, d.symbol, d.indexed_at, COUNT(p.id) AS passages FROM documents d "
            "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.key").fetchall()
        return [dict(r) for r in rows]

    def info(self) -> dict[str, Any]:
        """Counts, model, settings and size on disk."""
        m = self.manifest
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        return {"name": self.name, "path": str(self.path), "model": m.model,
                "dimension": m.dimension, "max_tokens": m.max_tokens, "min_tokens": m.min_tokens,
                **store.counts(self.db), "generation": m.generation, "bytes": size,
                "created_at": m.created_at, "updated_at": m.updated_at,
                "format_version": m.format_version, "versions": m.versions}

    # -- writing --------------------------------------------------------------------
    def add(self, paths, progress: indexing.Progress | None = None, wait: float = 0.0,
            max_bytes: int = indexing.MAX_BYTES_DEFAULT) -> indexing.BuildReport:
        """Index new or changed files; unchanged files cost a hash, not an embedding."""
        self._check_writable()
        with writer_lock(self.path, wait):
            self.manifest = read_manifest(self.path)
            report = indexing.add_paths(self.path, self.manifest, self.embedder, _as_list(paths),
                                        progress, max_bytes)
        self.reload()
        return report

    def remove(self, doc: str, wait: float = 0.0) -> list[str]:
        """Remove a document (by key, UN symbol or path) and its vectors."""
        self._check_writable()
        with writer_lock(self.path, wait):
            self.manifest = read_manifest(self.path)
            removed = indexing.remove_document(self.path, self.manifest, doc)
        self.reload()
        return removed

    def _check_writable(self) -> None:
        if is_bundled(self.path):
            raise ReadOnlyIndexError("the bundled default index is read-only; build your own "
                                     "with `diplosearch index build PATH --name NAME`")


def _as_list(paths) -> list:
    return [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)


def _checked_embedder(manifest: Manifest, model, path: Path) -> Embedder | None:
    if model is None:
        if not is_builtin(manifest.model):
            raise ModelMismatchError(
                f"{path}: index was built with model {manifest.model!r}, which is only loaded "
                f"when you name it yourself: pass --model {manifest.model!r}")
        return None
    name = model.name if hasattr(model, "embed") else canonical_name(model)
    if name != manifest.model:
        raise ModelMismatchError(f"{path}: index was built with model {manifest.model!r} "
                                 f"({manifest.dimension} dims), not {name!r}; query it with the "
                                 "same model or rebuild it")
    return model if hasattr(model, "embed") else load_embedder(model)


def _check_query(query: str, k: int) -> str:
    if not isinstance(query, str) or not query.strip():
        raise QueryError("query is empty: ask a question, e.g. "
                         "\"what measures target foreign terrorist fighters\"")
    if k < 1:
        raise QueryError(f"k must be at least 1 (got {k})")
    return query.strip()[:MAX_QUERY_CHARS]


def _hit(row: sqlite3.Row, score: float) -> Hit:
    meta = json.loads(row["doc_metadata"] or "{}")
    doc = row["symbol"] or row["doc_key"]
    citation = cite(doc, row["paragraph"], row["paragraph_end"], row["part"], row["parts"],
                    row["speaker"], row["affiliation"], row["page"], row["statement"],
                    per_statement="statement" in meta)
    return Hit(score=score, text=row["text"], citation=citation, doc=doc, source=row["doc_key"],
               paragraph=row["paragraph"], paragraph_end=row["paragraph_end"], part=row["part"],
               parts=row["parts"], line_start=row["line_start"], line_end=row["line_end"],
               char_start=row["char_start"], char_end=row["char_end"], speaker=row["speaker"],
               affiliation=row["affiliation"], role=row["role"], language=row["language"],
               statement=row["statement"], page=row["page"], date=meta.get("date"),
               body=meta.get("body"), id=row["id"])


def _find_passage(db: sqlite3.Connection, ref: str | int) -> sqlite3.Row | None:
    if isinstance(ref, int) or str(ref).strip().isdigit():
        return db.execute(f"{store.HIT_SQL} WHERE p.id = ?", (int(ref),)).fetchone()
    parsed = parse_citation(str(ref))
    if parsed is None:
        raise QueryError(f"{ref!r} is neither a passage id nor a citation like 'S/PV.8699 ¶12'")
    sql = f"{store.HIT_SQL} WHERE (d.symbol = ? OR d.key = ?) AND p.paragraph <= ? " \
          "AND p.paragraph_end >= ? AND p.part = ?"
    args: list[Any] = [parsed["doc"], parsed["doc"], parsed["paragraph"], parsed["paragraph"],
                       parsed["part"]]
    if parsed["statement"] is not None:
        sql += " AND p.statement = ?"
        args.append(parsed["statement"])
    rows = db.execute(sql, args).fetchall()
    if len(rows) > 1:
        raise NotFoundError(f"{ref!r} matches {len(rows)} passages; add the statement "
                            "(e.g. 'S/PV.8699 #12 ¶1') or use the passage id")
    return rows[0] if rows else None


def open_index(index: str | os.PathLike[str] | None = None,
               model: str | os.PathLike[str] | Embedder | None = None) -> Index:
    """Open an index by name (under $DIPLOSEARCH_HOME or ./indexes) or path; None opens the
    bundled default. Pass `model` to insist on a model (refused if the index used another)."""
    return Index(index, model)


def build_index(paths, index: str | os.PathLike[str],
                model: str | os.PathLike[str] | Embedder | None = None, replace: bool = False,
                max_tokens: int = DEFAULT_MAX_TOKENS, min_tokens: int = 16,
                progress: indexing.Progress | None = None,
                max_bytes: int = indexing.MAX_BYTES_DEFAULT) -> tuple[Index, indexing.BuildReport]:
    """Build a new index from files and folders of transcripts.

    Args:
        paths: files and folders of transcripts.
        index: name (under $DIPLOSEARCH_HOME or ./indexes) or path of the new index.
        model: model name, local folder or Embedder; default all-MiniLM-L6-v2 (offline).
        replace: rebuild an existing index of that name.
        max_tokens: word pieces per passage (capped at the model's limit).
        min_tokens: paragraphs smaller than this merge with their neighbour.
        progress: callback, see `indexing.Progress`.
        max_bytes: files larger than this are skipped.

    The index is built in a temporary folder beside the target and moved into place only
    when complete, so an interrupted build leaves any previous index untouched.

    Returns:
        The opened index and a report of what was indexed and skipped.
    """
    target = resolve_index(index)
    if is_bundled(target):
        raise ReadOnlyIndexError("the bundled default index is rebuilt by "
                                 "scripts/build_default_index.py, not by `index build`")
    if target.exists() and not replace:
        raise IndexExistsError(f"{target}: an index already exists; use `index add` to grow it "
                               "or --replace to rebuild it")
    embedder = model if hasattr(model, "embed") else load_embedder(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        store.create(tmp).close()
        now = store.now()
        manifest = Manifest(model=embedder.name, dimension=embedder.dimension,
                            max_tokens=min(max_tokens, embedder.max_tokens),
                            min_tokens=min_tokens, created_at=now, updated_at=now)
        write_manifest(tmp, manifest)
        with writer_lock(tmp):
            report = indexing.add_paths(tmp, manifest, embedder, _as_list(paths), progress,
                                        max_bytes)
        indexing.require_sources(report, _as_list(paths))
        _finalise_db(tmp)
        indexing.replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Index(target, embedder), report


def _finalise_db(index_dir: Path) -> None:
    """Fold the WAL into the database so a finished index is a plain set of files."""
    db = sqlite3.connect(index_dir / store.DB_NAME)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()
    (index_dir / ".lock").unlink(missing_ok=True)


def list_indexes(home: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Indexes under `home` (default: $DIPLOSEARCH_HOME or ./indexes), plus the bundled one."""
    folder = Path(home) if home else index_home()
    found = []
    candidates = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if folder.is_dir() else []
    from .paths import bundled_index_path
    bundled = bundled_index_path()
    if bundled.is_dir() and all(c.resolve() != bundled.resolve() for c in candidates):
        candidates.append(bundled)
    for path in candidates:
        try:
            m = read_manifest(path)
        except Exception as exc:  # a damaged folder is listed as such, not fatal to the listing
            found.append({"name": path.name, "path": str(path), "error": str(exc)})
            continue
        found.append({"name": path.name, "path": str(path), "model": m.model,
                      "bundled": is_bundled(path), **m.counts, "updated_at": m.updated_at})
    return found


def search(query: str, index: str | os.PathLike[str] | None = None, k: int = 10,
           model: str | None = None, highlight: bool = False) -> SearchResults:
    """One-shot search: open `index` (default: the bundled one) and search it."""
    return open_index(index, model).search(query, k=k, highlight=highlight)



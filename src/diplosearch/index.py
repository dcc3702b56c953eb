"""Opening, querying and growing an index: the public API that the CLI mirrors."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, TypeVar

from .embed.models import Embedder, canonical_name, is_builtin, load_embedder
from .embed.multilingual import load_multilingual, second_model
from .errors import (
    IndexExistsError,
    IndexNotFoundError,
    ModelMismatchError,
    NotFoundError,
    QueryError,
    ReadOnlyIndexError,
)
from .ingest.fetch import FetchReport
from .ingest.fetch import fetch as fetch_documents
from .ingest import resolutions
from .retrieval import pipeline, tables, translations
from .retrieval.context import Context, around
from .retrieval.filters import make_filters
from .retrieval.results import (Hit, SearchResults, hit_from_row, parse_citation,
                                parse_section_citation)
from .store import ann, database, multilingual, recovery, snapshot, vectors, vocabulary, writer
from .store.locking import check_writable, writer_lock
from .store.manifest import Manifest, read_manifest
from .store.aside import build_aside
from .store.catalog import list_indexes, open_manifest  # noqa: F401  (public: ds.list_indexes)
from .store.paths import BUNDLED_NAME, is_bundled, resolve_index

T = TypeVar("T")

# Word pieces per passage. all-MiniLM-L6-v2 reads 256 but was trained on 128-piece inputs;
# on the founding question, passages of ~128 pieces put the answer 2nd in the default index,
# whole paragraphs (up to 254) 25th (scripts/bench_build.py prints the split statistics).
DEFAULT_MAX_TOKENS = 128

_PART_CITED = re.compile(r"¶\d+(?:[–-]\d+)? \(\d+/\d+\)")


class Index:
    """An index on disk, opened for searching (and, through `add`/`remove`, writing).

    Opening reads only the manifest; the database, vectors and model load on first use.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None,
                 model: str | os.PathLike[str] | Embedder | None = None,
                 multilingual_model: Embedder | None = None) -> None:
        self.path = resolve_index(path)
        self.manifest: Manifest = open_manifest(self.path, path)
        self._embedder = _checked_embedder(self.manifest, model, self.path)
        self._multilingual = multilingual_model
        self._ml_vectors: multilingual.MultilingualVectors | None = None
        self._ml_generation: int | None = None
        self._db: sqlite3.Connection | None = None
        self._vectors: vectors.VectorIndex | None = None
        self._generation: int | None = None   # of the committed state _vectors holds

    # -- lazy parts -----------------------------------------------------------------
    @property
    def name(self) -> str:
        """The index's name; the bundled index is "default" wherever it is installed."""
        return BUNDLED_NAME if is_bundled(self.path) else self.path.name

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.manifest.model)
        return self._embedder

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is not None and not self._db.in_transaction and database.outdated(self._db):
            self._db.close()   # read as immutable, since written to: see `database.connect`
            self._db = None
        if self._db is None:
            self._db = database.connect(self.path)
        return self._db

    @property
    def vectors(self) -> vectors.VectorIndex | ann.LiveVectors:
        """Live vectors of the latest committed state: a cheap generation check picks up
        what another process wrote since (see `snapshot`)."""
        with snapshot.snapshot(self.db) as db:
            if self._vectors is None or snapshot.generation(db) != self._generation:
                snapshot.check_identity(db, self.manifest, self.path)
                self._vectors, self._generation = snapshot.load_vectors(
                    self.path, db, self.manifest.dimension)
        return self._vectors

    @property
    def multilingual_embedder(self) -> Embedder | None:
        """The second model, for questions not in English; None if the index has none."""
        if self._multilingual is None and self.manifest.multilingual_model:
            self._multilingual = load_multilingual(self.manifest.multilingual_model, "query")
        return self._multilingual

    @property
    def multilingual_vectors(self) -> multilingual.MultilingualVectors | None:
        """The multilingual vector set of the latest committed state, or None without one."""
        if not self.manifest.multilingual_model:
            return None
        with snapshot.snapshot(self.db) as db:
            if self._ml_vectors is None or snapshot.generation(db) != self._ml_generation:
                self._ml_vectors = multilingual.MultilingualVectors.load(
                    db, self.manifest.multilingual_dimension)
                self._ml_generation = snapshot.generation(db)
        return self._ml_vectors

    @property
    def has_foreign_records(self) -> bool:
        """Whether some passages are not in English (read without loading any vectors)."""
        return self.knows_languages and multilingual.has_foreign(self.db)

    @property
    def knows_languages(self) -> bool:
        """Whether the index records each passage's language (it has multilingual vectors)."""
        return bool(self.manifest.multilingual_model)

    def warm(self) -> None:
        """Load now what a first search would load: the database, the vectors, the model,
        and where the index has them the multilingual model and vectors, so the first
        question in any language is as fast as the rest (the web page and the MCP server
        call this as they start)."""
        self.search("warm up", k=1, highlight=True)
        if self.multilingual_embedder is not None:
            self.multilingual_embedder.embed(["прогрев"])
            _ = self.multilingual_vectors

    def reload(self) -> None:
        """Pick up changes another process committed since this index was opened."""
        if self._db is not None:
            self._db.close()
        self._db, self._vectors, self._generation = None, None, None
        self._ml_vectors, self._ml_generation = None, None
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
    def search(self, query: str, k: int = 10, *, mode: str = "hybrid", fusion: str = "score",
               speaker=None, country=None, doc=None, body=None, since=None, until=None,
               group_by: str | None = None, per_group: int = 1, rerank: str | None = None,
               highlight: bool = False) -> SearchResults:
        """The k passages that best answer `query`, best first.

        Args:
            query: a question or statement in plain language.
            k: how many hits (with `group_by`: how many groups).
            mode: "hybrid" (keyword + semantic, fused), "semantic" or "keyword" (BM25).
            fusion: how hybrid mode fuses the lists: "score" (min-max normalised scores,
                weighted 50:50) or "rrf" (reciprocal rank fusion).
            speaker, country, doc, body: filters, each a string or a list of strings
                (speaker: part of the name; doc: a symbol or its start, e.g. "S/PV.87";
                country: a name, short form or ISO code, "USA", "Russia", "Türkiye", matched
                to every spelling the index holds; body: a name or "GA"/"SC"). A country
                or body the index does not hold raises `FilterValueError` naming the
                closest ones it does.
            since, until: date filters, "YYYY", "YYYY-MM" or "YYYY-MM-DD", inclusive.
            group_by: "country", "speaker" or "doc": the best hits of each group.
            per_group: hits per group.
            rerank: a CrossEncoder model name or folder to rescore the candidates.
            highlight: find each hit's best-matching sentence (`Hit.highlights`).

        Filters apply inside retrieval, so k hits come back whenever k match.
        """
        filters = make_filters(speaker, country, doc, body, since, until)
        opts = pipeline.SearchOptions(k=k, mode=mode, fusion=fusion, filters=filters,
                                       group_by=group_by, per_group=per_group, rerank=rerank,
                                       highlight=highlight)
        # every read of one search sees one committed state
        return snapshot.consistently(lambda: self.db, lambda _: pipeline.run(self, query, opts))

    def passage(self, ref: str | int) -> Hit:
        """A passage by id (`123`) or by citation (`S/PV.8699 ¶12`, `S/PV.8699 #12 ¶1 (2/3)`)."""
        row = _find_passage(self.db, ref)
        if row is None:
            raise NotFoundError(f"no passage {ref!r} in index {self.name!r}")
        return hit_from_row(row, None)   # looked up, not ranked: no score

    def show(self, ref: str | int, context: int = 1, lang: str | None = None) -> Context:
        """A passage with `context` paragraphs on either side; with `lang` ("fr"), the
        same paragraph of the record's version in that language, when indexed
        (`retrieval.translations`; the context's `note` says how it was aligned)."""
        # one committed state, even while another writes
        return snapshot.consistently(lambda: self.db, lambda _: self._show(ref, context, lang))

    def _show(self, ref: str | int, context: int, lang: str | None = None) -> Context:
        hit = self.passage(ref)
        # A citation without a part ("S/PV.8699 ¶12") asks for the whole paragraph.
        whole = not (isinstance(ref, int) or str(ref).strip().isdigit()
                     or _PART_CITED.search(str(ref)))
        if lang is None:
            return around(self.db, hit, context, whole=whole)
        found = translations.counterpart(self.db, hit, lang, self.multilingual_vectors)
        return replace(around(self.db, found.hit, context, whole=True), note=found.note)

    def documents(self) -> list[dict[str, Any]]:
        """Every document: key, symbol, passages, when indexed."""
        rows = self.db.execute(
            "SELECT d.key, d.symbol, d.indexed_at, COUNT(p.id) AS passages FROM documents d "
            "LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.key").fetchall()
        return [dict(r) for r in rows]

    def iter_passages(self, batch_size: int = tables.BATCH) -> Iterator[Hit]:
        """Every passage (as `passage` returns it), in id order, all from one committed
        state; read `batch_size` at a time, so memory stays flat at any size."""
        for batch in tables.passage_batches(self.path, batch_size):
            yield from batch

    def export(self, dest: str | os.PathLike[str] | IO[str] | None = None,
               format: str | None = None, progress: tables.Progress | None = None,
               batch_size: int = tables.BATCH) -> int:
        """Write every passage with its citation and metadata to `dest` (a path, a text
        stream, or None for stdout) as "jsonl", "csv" or "parquet" (default: from the
        path's suffix, else jsonl), streamed a batch at a time. `progress(done, total)` is
        called after each batch. Returns the number of passages written."""
        return tables.export(self.path, dest, format, progress, batch_size)

    def to_frame(self):
        """Every passage as a pandas DataFrame, columns as `export` writes them (needs
        pandas; holds the whole index in memory: `export` large ones to Parquet instead)."""
        return tables.frame(self.iter_passages())

    def facets(self, limit: int = 15) -> dict[str, Any]:
        """What the index can be filtered by: top countries, speakers and bodies with their
        passage counts, and the date range."""
        def top(sql: str) -> dict[str, int]:
            return {k: n for k, n in self.db.execute(sql + " ORDER BY 2 DESC, 1 LIMIT ?", (limit,))}

        # dates, or years where documents have no day (the General Debate)
        low, high = self.db.execute(f"SELECT MIN({database.WHEN_SQL}), MAX({database.WHEN_SQL}) "
                                    "FROM documents d").fetchone()
        return {
            "countries": top("SELECT affiliation, COUNT(*) FROM passages "
                             "WHERE affiliation IS NOT NULL GROUP BY affiliation"),
            "speakers": top("SELECT speaker, COUNT(*) FROM passages "
                            "WHERE speaker IS NOT NULL GROUP BY speaker"),
            "bodies": top("SELECT d.body, COUNT(*) FROM passages p JOIN documents d "
                          "ON d.id = p.doc_id WHERE d.body IS NOT NULL GROUP BY d.body"),
            "dates": {"from": low, "to": high},
        }

    def info(self) -> dict[str, Any]:
        """Counts, model, settings, size on disk and facets (see `facets`)."""
        m = self.manifest
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        return {"name": self.name, "path": str(self.path), "model": m.model,
                "dimension": m.dimension, "max_tokens": m.max_tokens, "min_tokens": m.min_tokens,
                **database.counts(self.db), "generation": snapshot.generation(self.db), "bytes": size,
                "created_at": m.created_at, "updated_at": m.updated_at,
                "format_version": m.format_version, "versions": m.versions,
                "backends": database.backends(self.db),
                **({"multilingual_model": m.multilingual_model,
                    "multilingual_vectors": multilingual.count(self.db),
                    "english_words": vocabulary.embedded(self.db)}
                   if m.multilingual_model else {}),
                "facets": self.facets()}

    # -- writing --------------------------------------------------------------------
    def add(self, paths, progress: writer.Progress | None = None, wait: float = 0.0,
            max_bytes: int = writer.MAX_BYTES_DEFAULT,
            replace_same_name: bool = False) -> writer.BuildReport:
        """Index new or changed files; unchanged files cost a hash, not an embedding.

        A file is the indexed document read from the same path. A file from another path
        whose name (key) is already indexed with different text is refused, and nothing is
        written (`SameNameError`), unless `replace_same_name`; with the same text it is the
        same document, moved or copied (see `store.identity`).
        """
        self._check_writable()
        return self.add_sources(writer.file_items(_as_list(paths), max_bytes), progress, wait,
                                replace_same_name=replace_same_name)

    def add_sources(self, items: list, progress: writer.Progress | None = None,
                    wait: float = 0.0, replace_same_name: bool = False) -> writer.BuildReport:
        """`add` for (SourceFile, loader) pairs, see `writer.add_sources`."""
        return self._write(wait, lambda: writer.add_sources(
            self.path, self.manifest, self.embedder, items, progress,
            replace_same_name=replace_same_name,
            second=self.multilingual_embedder))

    def remove(self, doc: str, wait: float = 0.0) -> list[str]:
        """Remove a document (by key, UN symbol or path) and its vectors."""
        return self._write(wait, lambda: writer.remove_document(self.path, self.manifest, doc))

    def optimize(self, index_type: str | None = None, wait: float = 0.0) -> str:
        """Build the search structure now (and set the index type when given: "auto",
        "flat", "ivf-sq8" or "ivf-pq"). Returns the structure in use. Large
        indexes take minutes; searches keep working on the old structure meanwhile."""
        return self._write(wait, lambda: writer.optimize(self.path, self.manifest, index_type))

    def _write(self, wait: float, change: Callable[[], T]) -> T:
        """Run `change` holding the writer lock, on the manifest as it is now on disk; then
        pick up what it committed."""
        self._check_writable()
        with writer_lock(self.path, wait):
            self.manifest = read_manifest(self.path)
            result = change()
        self.reload()
        return result

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


def _no_such_document(db: sqlite3.Connection, doc: str, ref: str | int) -> None:
    """Raise NotFoundError naming the symbols `doc` may mean ("S/RES/2082" → "S/RES/2082
    (2012)"); return when the document is indexed (the paragraph is not)."""
    if db.execute("SELECT 1 FROM documents WHERE symbol = ? OR key = ?", (doc, doc)).fetchone():
        return
    like = [s for s, in db.execute("SELECT symbol FROM documents WHERE symbol LIKE ? "
                                   "ORDER BY symbol LIMIT 3", (doc.strip() + " (%",))]
    if like:
        raise NotFoundError(f"no document {doc!r} in the index for {str(ref)!r}; did you mean "
                            + " or ".join(repr(s) for s in like) + "?")


def _find_passage(db: sqlite3.Connection, ref: str | int) -> sqlite3.Row | None:
    if isinstance(ref, int) or str(ref).strip().isdigit():
        return db.execute(f"{database.HIT_SQL} WHERE p.id = ?", (int(ref),)).fetchone()
    parsed = parse_citation(str(ref))
    if parsed is None and (section := parse_section_citation(str(ref))):
        # "S/RES/1970 (2011), OP 9": the paragraph that opens the section (its lead-in);
        # "… OP 9 (a)": the part where its last-named subparagraph begins
        doc, name, subs = section
        rows = db.execute(f"{database.HIT_SQL} WHERE (d.symbol = ? OR d.key = ?) AND "
                          "p.section = ? ORDER BY p.position", (doc, doc, name)).fetchall()
        if not rows:
            _no_such_document(db, doc, ref)
            return None
        at = resolutions.subparagraph_at([row["text"] for row in rows], subs)
        return None if at is None else rows[at]
    if parsed is None:
        raise QueryError(f"{ref!r} is neither a passage id nor a citation like 'S/PV.8699 ¶12' "
                         "or 'S/RES/1970 (2011), OP 9 (a)'")
    sql = f"{database.HIT_SQL} WHERE (d.symbol = ? OR d.key = ?) AND p.paragraph <= ? " \
          "AND p.paragraph_end >= ? AND p.part = ?"
    args: list[Any] = [parsed["doc"], parsed["doc"], parsed["paragraph"], parsed["paragraph"],
                       parsed["part"]]
    if parsed["statement"] is not None:
        sql += " AND p.statement = ?"
        args.append(parsed["statement"])
    rows = translations.prefer_language(db.execute(sql, args).fetchall(), parsed["lang"])
    if len(rows) > 1:
        raise NotFoundError(f"{ref!r} matches {len(rows)} passages; add the statement "
                            "(e.g. 'S/PV.8699 #12 ¶1') or use the passage id")
    if rows and parsed["parts"] is not None and rows[0]["parts"] != parsed["parts"]:
        # "(2/5)" where the paragraph has 17 parts cites some other text: refuse it.
        raise NotFoundError(f"{ref!r}: that paragraph is in {rows[0]['parts']} parts, not "
                            f"{parsed['parts']}; part {parsed['part']} is cited as "
                            f"({parsed['part']}/{rows[0]['parts']})")
    return rows[0] if rows else None


def open_index(index: str | os.PathLike[str] | None = None,
               model: str | os.PathLike[str] | Embedder | None = None) -> Index:
    """Open an index by name (in the index home, see `store.paths.index_home`) or path; None opens the
    bundled default. Pass `model` to insist on a model (refused if the index used another)."""
    return Index(index, model)


def build_index(paths, index: str | os.PathLike[str],
                model: str | os.PathLike[str] | Embedder | None = None, replace: bool = False,
                max_tokens: int = DEFAULT_MAX_TOKENS, min_tokens: int = 16,
                progress: writer.Progress | None = None,
                max_bytes: int = writer.MAX_BYTES_DEFAULT,
                index_type: str = "auto",
                multilingual: bool | Embedder | None = None) -> tuple[Index, writer.BuildReport]:
    """Build a new index from files and folders of transcripts.

    Args:
        paths: files and folders of transcripts.
        index: name (in the index home: $DIPLOSEARCH_HOME, else the user data folder) or
            path of the new index.
        model: model name, local folder or Embedder; default all-MiniLM-L6-v2 (offline).
        replace: rebuild an existing index of that name.
        max_tokens: word pieces per passage (capped at the model's limit).
        min_tokens: paragraphs smaller than this merge with their neighbour.
        progress: callback, see `writer.Progress`.
        max_bytes: files larger than this are skipped.
        index_type: search structure: "auto" (exact below `ann.AUTO_THRESHOLD` passages,
            IVF-SQ8 above), "flat" (always exact), "ivf-sq8" or "ivf-pq".
        multilingual: also store a vector per passage from the multilingual model, so that
            questions in French, Spanish, Russian, Arabic, Chinese... find these records;
            None: yes with the bundled English model, no with any other. An Embedder
            object is used as that model (tests pass a fake).

    The index is built in a temporary folder beside the target and moved into place only
    when complete, so an interrupted build leaves any previous index untouched.

    Returns:
        The opened index and a report of what was indexed and skipped.
    """
    items = writer.file_items(_as_list(paths), max_bytes)
    return build_from_sources(items, index, model, replace, max_tokens, min_tokens, progress,
                              what=", ".join(map(str, _as_list(paths))), index_type=index_type,
                              multilingual=multilingual)


def build_from_sources(items: list, index: str | os.PathLike[str], model=None,
                       replace: bool = False, max_tokens: int = DEFAULT_MAX_TOKENS,
                       min_tokens: int = 16, progress: writer.Progress | None = None,
                       what: str = "the sources", index_type: str = "auto",
                       multilingual: bool | Embedder | None = None
                       ) -> tuple[Index, writer.BuildReport]:
    """`build_index` for sources that are not files: (SourceFile, loader) pairs, see
    `writer.add_sources` (used by `evaluate` for BEIR corpora)."""
    target = resolve_index(index, new=True)
    if is_bundled(target):
        raise ReadOnlyIndexError("the bundled default index is rebuilt by "
                                 "scripts/build_default_index.py, not by `index build`")
    check_writable(target.parent, f"the index {target.name}")   # before loading any model
    recovery.clean_stale(target)  # what builds killed earlier left beside the target
    if target.exists() and not replace:
        raise IndexExistsError(f"{target}: an index already exists; use `index add` to grow it "
                               "or --replace to rebuild it")
    # "build": the fastest backend that passes the quality guard (embedding.BUILD_BACKEND).
    embedder = model if hasattr(model, "embed") else load_embedder(model, purpose="build")
    now = database.now()
    second = second_model(multilingual, embedder.name)
    manifest = Manifest(model=embedder.name, dimension=embedder.dimension,
                        max_tokens=min(max_tokens, embedder.max_tokens), min_tokens=min_tokens,
                        created_at=now, updated_at=now, index_type=index_type,
                        multilingual_model=second.name if second else "",
                        multilingual_dimension=second.dimension if second else 0)
    report = build_aside(target, manifest, what, lambda tmp, m: writer.add_sources(
        tmp, m, embedder, items, progress, second=second))
    return Index(target, embedder, second), report


def search(query: str, index: str | os.PathLike[str] | None = None, k: int = 10,
           model: str | None = None, **options) -> SearchResults:
    """One-shot search: open `index` (default: the bundled one) and search it; `options`
    are those of `Index.search` (mode, filters, group_by, highlight...)."""
    return open_index(index, model).search(query, k=k, **options)




def fetch(symbols: list[str] | str, folder: str | os.PathLike[str] = "un-documents",
          languages: list[str] | str = "en", *, add_to: str | os.PathLike[str] | None = None,
          model: str | os.PathLike[str] | Embedder | None = None,
          progress: Callable[[int, int], None] | None = None, **options: Any) -> FetchReport:
    """Download UN documents by symbol into `folder` (`ingest.fetch.fetch`, whose options
    `base`, `delay`, `retries`, `backoff` and `timeout` pass through) and, with `add_to`,
    add them to that index (`add_fetched`): `ds.fetch("S/PV.8699", "records", "en,fr",
    add_to="un")`."""
    report = fetch_documents(symbols, folder, languages, progress=progress, **options)
    if add_to is not None:
        add_fetched(report, add_to, model)
    return report


def add_fetched(report: FetchReport, index: str | os.PathLike[str],
                model: str | os.PathLike[str] | Embedder | None = None,
                progress: writer.Progress | None = None) -> Index | None:
    """Add the documents a `fetch` left on disk to `index`, building it when there is none
    yet; the `BuildReport` becomes `report.added`. None when there was nothing to add."""
    if not report.files:
        return None
    try:
        idx = open_index(index, model)
    except IndexNotFoundError:
        idx, report.added = build_index(report.files, index, model, progress=progress)
    else:
        report.added = idx.add(report.files, progress=progress)
    return idx

"""The search pipeline: candidates from keyword and/or vector retrieval, fusion, optional
cross-encoder reranking, grouping, and the best-matching sentence of each hit."""

from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from ..embed import adapter
from ..embed.base import normalise
from ..embed.models import Embedder
from ..errors import QueryError
from ..text import cedict, glossary as un_glossary
from ..text.language import ENGLISH, identify
from ..store import database
from . import crosslingual, gloss, keyword, names, notes, paragraphs, ranking
from .filters import Filters
from .fusion import DEFAULT_FUSION, FUSIONS, MODES, fuse, normalised, unit_scores
from .highlight import best_sentences_lexical, best_sentences_stored
from .results import Hit, SearchResults, hit_from_row


class Index(Protocol):
    """What the pipeline reads of an open index; `diplosearch.index.Index` is one. Stated
    here so that retrieval depends on the store, never on the facade above it."""

    @property
    def name(self) -> str: ...

    @property
    def db(self) -> sqlite3.Connection: ...

    @property
    def vectors(self) -> Any: ...

    @property
    def embedder(self) -> Embedder: ...

    @property
    def multilingual_embedder(self) -> Embedder | None: ...

    @property
    def multilingual_vectors(self) -> Any: ...

    @property
    def has_foreign_records(self) -> bool: ...

    @property
    def knows_languages(self) -> bool: ...

GROUP_FIELDS = {"country": "affiliation", "speaker": "speaker", "doc": "doc"}
MAX_QUERY_CHARS = 20_000
RERANK_DEPTH = 50


@dataclass(frozen=True)
class SearchOptions:
    k: int = 10
    mode: str = "hybrid"
    fusion: str = DEFAULT_FUSION
    filters: Filters = Filters()
    group_by: str | None = None
    per_group: int = 1
    rerank: str | None = None
    highlight: bool = False

    def check(self) -> None:
        if self.k < 1:
            raise QueryError(f"k must be at least 1 (got {self.k})")
        if self.mode not in MODES:
            raise QueryError(f"mode {self.mode!r}: expected one of {', '.join(MODES)}")
        if self.fusion not in FUSIONS:
            raise QueryError(f"fusion {self.fusion!r}: expected one of {', '.join(FUSIONS)}")
        if self.group_by is not None and self.group_by not in GROUP_FIELDS:
            raise QueryError(f"group_by {self.group_by!r}: expected one of {', '.join(GROUP_FIELDS)}")
        if self.per_group < 1:
            raise QueryError(f"per_group must be at least 1 (got {self.per_group})")


# A searchable word has a letter or a digit in any script ("?!...;;" has none; 安理会 has).
_SEARCHABLE = re.compile(r"[^\W_]")


def clean_query(query: str) -> str:
    """The query, stripped and capped; QueryError if it is empty or has no word to search
    for (only punctuation or symbols), which would otherwise return unrelated hits."""
    if not isinstance(query, str) or not query.strip():
        raise QueryError("query is empty: ask a question, e.g. "
                         "\"what measures target foreign terrorist fighters\"")
    if not _SEARCHABLE.search(query):
        raise QueryError(f"query {query.strip()[:40]!r} has no word to search for: ask in words, "
                         "e.g. \"what measures target foreign terrorist fighters\"")
    return query.strip()[:MAX_QUERY_CHARS]


def ranked(index: Index, query: str, qvec: np.ndarray | None, depth: int,
           opts: SearchOptions) -> list[tuple[int, float]]:
    """(passage id, score) best first, at most `depth` from each retriever; see `retrieve`."""
    return retrieve(index, query, qvec, depth, opts)[0]


def retrieve(index: Index, query: str, qvec: np.ndarray | None, depth: int,
             opts: SearchOptions) -> tuple[list[tuple[int, float]], np.ndarray | None]:
    """(passage id, score) pairs best first, and the query's vector (None in keyword mode).

    `qvec` None: the query is embedded here. In hybrid mode the embedding and the vector
    search run on a worker thread while this one runs the keyword search: the model's
    runtime, FAISS and SQLite all let go of the GIL, so on two cores the two retrievers
    cost about the slower one, not their sum.
    """
    guess = identify(query)
    lang = guess.language
    words: dict[str, list[str]] = {}      # the question's English gloss, when it has one
    pairs, q = _candidates(index, query, qvec, depth, opts, lang, words)
    second = guess.ranked[1] if len(guess.ranked) > 1 else None
    if not guess.confident and second and ranking.RANKING.unsure_both and opts.mode != "keyword" \
            and ENGLISH in (lang, second[0]) and index.multilingual_vectors is not None:
        # "elections au Mali", "Libya oil blockade": unsure between English and French or
        # Spanish, so both paths search and their lists are fused by the guess's odds
        other, q_other = _candidates(index, query, qvec if second[0] != ENGLISH else None,
                                     depth, opts, second[0])
        share = guess.ranked[0][1] / (guess.ranked[0][1] + second[1])
        pairs = fuse(pairs, other, "score", share)
        q = q if lang == ENGLISH else q_other
    if opts.mode != "hybrid" or opts.fusion != "score":
        # the signals below add to score fusion's values in [0, 1]: measured there, and
        # meaningless on a cosine, BM25 or RRF scale (RRF's best is 2/61)
        return pairs, q
    settings = ranking.RANKING
    # both kinds of evidence read the same candidates' meetings and paragraphs: once
    where = ranking.meetings(index.db, [pid for pid, _ in pairs]) \
        if settings.meeting_evidence > 0 or settings.paragraph_evidence > 0 else None
    pairs = ranking.with_meeting_evidence(index.db, pairs, settings.meeting_evidence,
                                          settings.meeting_paragraphs, settings.evidence_symbols,
                                          where)
    # a resolution's whole text, by the question's words (by its English gloss when it is
    # in another language)
    english = query if lang == ENGLISH else " ".join(words.get("glossed", [])) \
        if settings.document_keywords_gloss else ""
    pairs = ranking.with_document_keywords(index.db, pairs, english, settings.document_keywords)
    pairs = ranking.with_priors(index.db, pairs, query, lang, settings.date_prior,
                                settings.place_prior)
    pairs = ranking.with_procedural_penalty(index.db, pairs, settings.procedural_penalty)
    if lang == ENGLISH:
        pairs = ranking.with_header(index.db, pairs, query, settings.header_prior)
    pairs = ranking.with_paragraph_evidence(index.db, pairs, settings.paragraph_evidence,
                                            settings.evidence_symbols, where)
    return ranking.with_statement_repeat(index.db, pairs, settings.statement_repeat), q


def _candidates(index: Index, query: str, qvec: np.ndarray | None, depth: int,
                opts: SearchOptions, lang: str, words: dict[str, list[str]] | None = None
                ) -> tuple[list[tuple[int, float]], np.ndarray | None]:
    """The fused candidates of `query` searched as a question in `lang`; `words` gets the
    question's English gloss (a question in another language) under "glossed"."""
    if opts.mode == "keyword":
        return keyword.search(index.db, query, depth, opts.filters), None
    # A question in another language goes to the multilingual vectors; an English one to
    # the English model as before, with records in other languages placed among its hits
    # (see `crosslingual`). An index without multilingual vectors: English model only.
    foreign_question = lang != ENGLISH
    # The multilingual model loads on another thread from here, while this one reads the
    # vectors and the English model loads: a first question in Russian waits for the
    # slower of the two models, not their sum (scripts/bench_coldstart.py --languages).
    second = _pool().submit(_load_second, index, query) if foreign_question else None
    if lang == "zh" and ranking.RANKING.gloss_dictionary > 0:   # CC-CEDICT, meanwhile
        _pool().submit(cedict.available)
    if foreign_question and ranking.RANKING.gloss_glossary != "off":   # and the glossary
        _pool().submit(un_glossary.load, lang)
    vecs, allowed = index.vectors, allowed_ids(index, opts.filters)   # database reads: here
    mvecs = index.multilingual_vectors if foreign_question or index.has_foreign_records else None

    # the question glossed word by word into the index's English words (`gloss`): on this
    # thread, which owns the database connection
    glossed = _gloss(index, query, lang, second) if foreign_question and mvecs is not None else []
    if words is not None:
        words["glossed"] = glossed

    aside: dict[str, list[tuple[int, float]]] = {}   # the vector list feedback picks from

    def vector_side() -> tuple[list[tuple[int, float]], np.ndarray]:
        q = qvec if qvec is not None else index.embedder.embed([query])
        if foreign_question and mvecs is not None:
            second.result()
            settings = ranking.RANKING
            gvec = adapter.adapt(index.embedder.embed([" ".join(glossed)]),
                                 index.embedder.name, settings.gloss_adapter) \
                if glossed and settings.gloss_semantic > 0 else None
            found, feedback = crosslingual.semantic_top(
                query, q, index.multilingual_embedder, mvecs, vecs, depth, allowed,
                lambda v, n: vector_top(vecs, v, n, allowed),
                settings.foreign_latin if lang in ("fr", "es") else settings.foreign_other,
                settings.feedback_passages, gvec, settings.gloss_semantic)
            if feedback is not None:
                return found, feedback
        settings = ranking.RANKING
        # an English question searches moved by the model's adapter (`embed.adapter`); its
        # vector stays the model's own for marking sentences and for the next pass. A
        # passage given as the query (a paragraph to find others like it) is not a question
        asked = lang == ENGLISH and len(query.split()) <= settings.adapter_max_words
        found = vector_top(vecs, adapter.adapt(q, index.embedder.name, settings.query_adapter)
                           if asked else q, depth, allowed)
        if asked and opts.mode != "semantic" and 0 <= settings.feedback_adapter != \
                settings.query_adapter:
            aside["feedback"] = vector_top(
                vecs, adapter.adapt(q, index.embedder.name, settings.feedback_adapter),
                depth, allowed)
        if settings.rocchio > 0 and found:   # the question, moved toward its best passages
            top = vecs.vectors_of(np.array([p for p, _ in found[:settings.rocchio_passages]]))
            moved = normalise(q + settings.rocchio * top.mean(axis=0, keepdims=True))
            found = vector_top(vecs, moved.astype(np.float32), depth, allowed)
        if mvecs is not None and len(mvecs.foreign_ids):   # records not in English
            found = crosslingual.with_foreign(found, query, index.multilingual_embedder,
                                              mvecs, depth, allowed)
        return found, q

    if opts.mode == "semantic":
        return vector_side()
    future = _pool().submit(vector_side)
    kw = keyword.search(index.db, query, depth, opts.filters)
    settings = ranking.RANKING
    weight = settings.semantic_weight
    if foreign_question and mvecs is not None:
        # a question's words match passages in its own language; elsewhere they are noise
        # ("la", "de" and names in English records: French recall@10 0.665 → 0.535)
        same = mvecs.ids_in(lang)
        kw = [(pid, s) for pid, s in kw if pid in same]
        if not kw:   # English records: an English keyword side from the best passages
            sem, _ = future.result()
            kw = _english_keywords(index, sem, glossed, depth, opts) or None
            weight = 1 - settings.expansion_weight
    sem, q = future.result()
    fused = fuse(sem, kw, opts.fusion, weight) if kw is not None else sem
    if not foreign_question and settings.english_feedback_weight > 0 and opts.fusion == "score":
        # pseudo-relevance feedback (RM3-like): the question and the words that mark its
        # first statements, as keywords. Not for a question in another language: its
        # English keyword side is feedback already (measured: fr +0.023, es to zh none)
        picked = fuse(aside["feedback"], kw, opts.fusion, weight) \
            if "feedback" in aside and kw is not None else fused
        more = _feedback_keywords(
            index, ranking.first_statements(index.db, picked, settings.english_feedback),
            depth, opts, query)
        if more:
            fused = fuse(fused, more, "score", 1 - settings.english_feedback_weight)
    return fused, q


def _gloss(index: Index, query: str, lang: str, loading) -> list[str]:
    settings = ranking.RANKING
    if settings.gloss_keywords <= 0 and settings.gloss_semantic <= 0:
        return []
    loading.result()     # the multilingual model
    return gloss.with_settings(index.db, index.multilingual_embedder, query, lang, settings)


def _english_keywords(index: Index, sem: list[tuple[int, float]], glossed: list[str],
                      depth: int, opts: SearchOptions) -> list[tuple[int, float]]:
    """Keyword candidates for a question in another language over English records: its
    gloss as an English keyword question, fused with the words that mark the multilingual
    model's best passages (feedback across languages)."""
    by_gloss = keyword.search(index.db, " ".join(glossed), depth, opts.filters) \
        if glossed and ranking.RANKING.gloss_keywords > 0 else []
    by_feedback = _feedback_keywords(
        index, [p for p, _ in sem[:ranking.RANKING.feedback_passages]], depth, opts)
    if by_gloss and by_feedback:
        return fuse(by_gloss, by_feedback, "score", ranking.RANKING.gloss_keywords)
    return by_gloss or by_feedback


def _feedback_keywords(index: Index, ids: list[int], depth: int, opts: SearchOptions,
                       question: str = "") -> list[tuple[int, float]]:
    """The words that mark the passages `ids` against the whole index
    (`keyword.expansion`), searched as an English keyword question, with `question`'s own
    words when given. A question in another language: its multilingual model's first
    passages (feedback across languages). An English one: the best passage of each of its
    first statements (`ranking.first_statements`), with the question (RM3-like)."""
    settings = ranking.RANKING
    if settings.expansion_terms <= 0 or not ids:
        return []
    # rows by id: a passage a writer removed meanwhile is simply left out
    rows = database.passages_by_id(index.db, ids)
    words = keyword.expansion(index.db, [row["text"] for row in rows.values()],
                              settings.expansion_terms)
    return keyword.search(index.db, " ".join([question, *words]), depth, opts.filters) \
        if words else []


def _load_second(index: Index, query: str) -> None:
    embedder = index.multilingual_embedder   # None for an index without multilingual vectors
    if embedder is not None:
        embedder.embed([query])


_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="diplosearch-vectors")
    return _POOL


def allowed_ids(index: Index, filters: Filters) -> np.ndarray | None:
    """Ids of the passages a filter keeps, or None with no filter."""
    if not filters:
        return None
    where, args = filters.sql()
    cur = index.db.cursor()
    cur.row_factory = None   # plain tuples: a 1 % filter of 1M passages is 10k rows
    # Every passage has its document (foreign key): join only when a filter needs it,
    # so a country filter reads the affiliation index alone.
    join = " JOIN documents d ON d.id = p.doc_id" if "d." in where else ""
    return np.array(cur.execute(f"SELECT p.id FROM passages p{join} WHERE {where}",
                                args).fetchall(), dtype=np.int64).reshape(-1)


def vector_top(vecs, qvec: np.ndarray, depth: int,
               allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """The `depth` passages nearest the query vector, among `allowed` ids when given."""
    if allowed is not None:
        scores, ids = vecs.search_within(qvec[0], depth, allowed)
    else:
        s, i = vecs.search(qvec, depth)
        scores, ids = s[0], i[0]
    return [(int(p), float(s)) for s, p in zip(scores, ids) if p >= 0]


def run(index: Index, query: str, opts: SearchOptions) -> SearchResults:
    """Search `index` for `query` with `opts`; see `Index.search`."""
    opts.check()
    query = clean_query(query)
    if opts.rerank:   # an unloadable reranker fails before the search, not after it
        from ..embed.rerank import check_reranker

        check_reranker(opts.rerank)
    # "USA", "Russia", "GA": the index's own spellings, or a QueryError naming the closest
    opts = replace(opts, filters=names.resolve(index.db, opts.filters, index.name))
    qvec = None
    want = opts.k * (opts.per_group if opts.group_by else 1)
    # The first pass takes the same candidates whatever k is (scores are normalised over
    # them, see `unit_scores`), so asking for more hits never reorders the first ones:
    # deeper passes, when k or a filter needs them, only add paragraphs below.
    depth = max(ranking.RANKING.depth, RERANK_DEPTH if opts.rerank else 0)
    layouts: dict[int, list[paragraphs.Part]] = {}   # hit id → the parts its text shows
    found: list[Hit] = []                             # ranked paragraphs, best first
    seen: set[tuple[int, int]] = set()                # their (document, paragraph)
    while True:
        pairs, qvec = retrieve(index, query, qvec, depth, opts)
        # A hit is a paragraph: each keeps its best part's rank and score. Rows (text,
        # citation) are read for the hits shown only, unless reranking or grouping needs
        # them all: fusing two lists of 100 must not cost 200 row reads.
        best = paragraphs.best_per_paragraph(index.db, pairs)
        keys = paragraphs.paragraph_keys(index.db, [pid for pid, _ in best])
        new = [(pid, raw) for pid, raw in best if keys.get(pid) not in seen]
        seen.update(keys[pid] for pid, _ in new if pid in keys)
        if not (opts.rerank or opts.group_by):
            new = new[:max(opts.k - len(found), 0)]
        hits = to_hits(index, new, unit_scores(pairs, opts.mode, opts.fusion))
        if opts.rerank:   # the cross-encoder reads what will be shown: the paragraph
            hits = rerank(opts.rerank, query, expand(index, hits, layouts))
        found += below(found, hits)
        if opts.group_by:
            hits, enough = group(found, opts)
        else:
            hits, enough = found[:opts.k], len(found) >= opts.k
        # Widen until k hits (or groups) are filled or the candidates run out.
        if enough or len(pairs) < depth:
            break
        depth *= 4
    if not (opts.group_by or opts.rerank):
        hits = falling(hits)
    hits = expand(index, hits, layouts)
    if opts.highlight and hits:
        # A window's citation names its matched part (…¶1 (3/17)): the marked sentence is
        # taken from that part, so the words an analyst quotes are where the citation points.
        # A whole paragraph's citation (…¶9) covers every part it shows.
        texts = [h.text for h in hits]
        shown = [[p for p in layouts[h.id] if p.id == h.id] or layouts[h.id] if h.window
                 else layouts[h.id] for h in hits]
        spans = best_sentences_stored(index.db, index.embedder, qvec[0], texts, shown) \
            if qvec is not None else \
            best_sentences_lexical(query, texts, [h.span if h.window else None for h in hits])
        hits = [replace(h, highlights=sp) for h, sp in zip(hits, spans)]
    return SearchResults(hits, query=query, index=index.name,
                         note=notes.for_reader(index, query, opts, hits),
                         group_field=GROUP_FIELDS[opts.group_by] if opts.group_by else None)


def falling(hits: list[Hit]) -> list[Hit]:
    """Each hit scored no higher than the one above it: a statement's later paragraph,
    placed below other statements' best (`ranking.with_statement_repeat`), is shown at
    its own score only where that does not rise above theirs."""
    out, cap = [], float("inf")
    for h in hits:
        if h.score is not None:
            cap = min(cap, h.score)
            h = replace(h, score=cap) if h.score > cap else h
        out.append(h)
    return out


def below(found: list[Hit], hits: list[Hit]) -> list[Hit]:
    """`hits` of a deeper pass, scored no higher than the last hit already found (each pass
    normalises over its own candidates), so scores still fall down the list."""
    if not found or found[-1].score is None:
        return hits
    floor = found[-1].score
    return [replace(h, score=min(h.score, floor)) if h.score is not None else h for h in hits]


def expand(index: Index, hits: list[Hit], layouts: dict[int, list[paragraphs.Part]]) -> list[Hit]:
    """Hits (ranked parts) as the paragraphs they belong to (see `paragraphs.expand`), each
    read once; `layouts` collects the parts each one shows."""
    out = []
    for h in hits:
        if h.span is None:    # not yet expanded (a ranked part has no span)
            h, layouts[h.id] = paragraphs.expand(index.db, h)
        out.append(h)
    return out


def to_hits(index: Index, pairs: list[tuple[int, float]],
            unit: dict[int, float] | None = None) -> list[Hit]:
    """Hits for (passage id, raw score) pairs, scored by `unit` (raw scores when None)."""
    rows = database.passages_by_id(index.db, [pid for pid, _ in pairs])
    return [hit_from_row(rows[pid], unit[pid] if unit else raw, raw)
            for pid, raw in pairs if pid in rows]


def group(hits: list[Hit], opts: SearchOptions) -> tuple[list[Hit], bool]:
    """The best `per_group` hits of each of the first k groups, groups by their best hit.
    Returns the hits and whether k groups were each filled."""
    field = GROUP_FIELDS[opts.group_by]
    groups: dict[str, list[Hit]] = {}
    for h in hits:
        members = groups.setdefault(getattr(h, field) or "(unknown)", [])
        if len(members) < opts.per_group:
            members.append(h)
    chosen = list(groups.values())[:opts.k]
    complete = len(chosen) == opts.k and all(len(m) == opts.per_group for m in chosen)
    return [h for members in chosen for h in members], complete


def rerank(model: str, query: str, hits: list[Hit]) -> list[Hit]:
    """Reorder hits by a sentence-transformers CrossEncoder's score (`raw_score`), and score
    them by it, min-max normalised over the candidates."""
    from ..embed.rerank import cross_encoder_scores

    scores = cross_encoder_scores(model, query, [h.text for h in hits])
    unit = normalised(list(enumerate(scores)))
    order = sorted(range(len(hits)), key=lambda i: -scores[i])
    return [replace(hits[i], score=unit[i], raw_score=float(scores[i])) for i in order]

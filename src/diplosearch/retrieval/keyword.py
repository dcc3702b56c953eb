"""Keyword retrieval: BM25 over the index's own SQLite FTS5 tables.

A query with Han, kana, Arabic or Cyrillic letters is answered from the second table
(migration 009), whose words `text.wordsplit` makes; any other query, English, French and
Spanish ones included, from the main table exactly as before that table existed.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter

from ..store.migrations import keyword_stemmer
from ..text import wordsplit
from .filters import Filters

MAX_TERMS = 256


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for the main table: every term of the query
    (`wordsplit.query_terms`) ORed, quoted so no query text is syntax."""
    return _any_of(wordsplit.query_terms(query))


def folded_expression(query: str, stemmer: str = wordsplit.LIGHT) -> str | None:
    """The MATCH expression for the second table: every folded term of the query
    (`wordsplit.folded_query_terms`: Chinese runs as two-character phrases, Arabic and
    Russian words stemmed as the index's passages are) ORed."""
    return _any_of(wordsplit.folded_query_terms(query, stemmer))


def _any_of(terms: list[tuple[str, ...]]) -> str | None:
    unique = list(dict.fromkeys('"' + " ".join(t) + '"' for t in terms))[:MAX_TERMS]
    return " OR ".join(unique) if unique else None


def table_for(db: sqlite3.Connection, query: str) -> tuple[str, str | None]:
    """The FTS5 table that answers `query`, and the MATCH expression for it."""
    if wordsplit.needs_fold(query) and db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'passages_fts_folded'").fetchone():
        return "passages_fts_folded", folded_expression(query, keyword_stemmer(db))
    return "passages_fts", match_expression(query)   # also for indexes made before 009


def search(db: sqlite3.Connection, query: str, depth: int,
           filters: Filters | None = None) -> list[tuple[int, float]]:
    """Top `depth` (passage id, BM25 score) pairs, best first; higher scores are better."""
    table, expression = table_for(db, query)
    if expression is None:
        return []
    where, args = filters.sql() if filters else ("1", [])
    join = " JOIN passages p ON p.id = f.rowid JOIN documents d ON d.id = p.doc_id" \
        if filters else ""
    rows = db.execute(
        f"SELECT f.rowid, bm25({table}) AS s FROM {table} f{join} "
        f"WHERE {table} MATCH ? AND {where} ORDER BY s LIMIT ?",
        [expression, *args, depth]).fetchall()
    return [(int(pid), -float(score)) for pid, score in rows]



_EXPANSION_WORD = re.compile(r"[a-z][a-z-]{2,}")


def expansion(db: sqlite3.Connection, texts: list[str], count: int) -> list[str]:
    """The `count` words that best mark `texts` (a question's best passages) against the
    whole index: in how many of them a word occurs, times its inverse document frequency
    in the main table (read from FTS5's own vocabulary, by the word's Porter stem as the
    table holds it). Stop words never; words in one passage only, never."""
    import Stemmer

    seen = Counter(w for text in texts for w in set(_EXPANSION_WORD.findall(text.lower()))
                   if w not in wordsplit.STOPWORDS)
    words = [w for w, n in seen.items() if n > 1]
    if not words:
        return []
    stems = dict(zip(words, Stemmer.Stemmer("porter").stemWords(words)))
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocab "
               "USING fts5vocab(main, passages_fts, 'row')")
    marks = ",".join("?" * len(set(stems.values())))
    df = dict(db.execute(f"SELECT term, doc FROM temp.passages_vocab WHERE term IN ({marks})",
                         list(set(stems.values()))).fetchall())
    total = db.execute("SELECT count(*) FROM passages").fetchone()[0] or 1
    weight = {w: seen[w] * math.log(total / (1 + df.get(stems[w], 0))) for w in words}
    return sorted((w for w in words if weight[w] > 0), key=lambda w: -weight[w])[:count]

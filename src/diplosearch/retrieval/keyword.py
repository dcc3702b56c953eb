"""Keyword retrieval: BM25 over the index's own SQLite FTS5 tables.

A query with Han, kana, Arabic or Cyrillic letters is answered from the second table
(migration 009), whose words `text.wordsplit` makes; any other query, English, French and
Spanish ones included, from the main table exactly as before that table existed.
"""

from __future__ import annotations

import sqlite3

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


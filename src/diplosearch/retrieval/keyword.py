"""Keyword retrieval: BM25 over the index's own SQLite FTS5 table."""

from __future__ import annotations

import re
import sqlite3

from .filters import Filters

# Lucene's default English stop words, the list Anserini's BM25 baselines use. Dropping
# them keeps long queries fast (their posting lists are the longest) and barely moves BM25.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split())
MAX_TERMS = 256


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: every term ORed, quoted so no query text is syntax.

    A chunk joined by punctuation ("S/PV.8699", "rapid-reaction") becomes a phrase, so it
    matches as written; a "quoted phrase" in the query stays a phrase.
    """
    terms: list[str] = []
    for phrase, chunk in re.findall(r'"([^"]+)"|(\S+)', query):
        words = re.findall(r"\w+", (phrase or chunk).lower())
        if len(words) > 1:
            terms.append('"' + " ".join(words) + '"')
        elif words and words[0] not in STOPWORDS:
            terms.append(f'"{words[0]}"')
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return " OR ".join(unique) if unique else None


def search(db: sqlite3.Connection, query: str, depth: int,
           filters: Filters | None = None) -> list[tuple[int, float]]:
    """Top `depth` (passage id, BM25 score) pairs, best first; higher scores are better."""
    expression = match_expression(query)
    if expression is None:
        return []
    where, args = filters.sql() if filters else ("1", [])
    join = " JOIN passages p ON p.id = f.rowid JOIN documents d ON d.id = p.doc_id" \
        if filters else ""
    rows = db.execute(
        f"SELECT f.rowid, bm25(passages_fts) AS s FROM passages_fts f{join} "
        f"WHERE passages_fts MATCH ? AND {where} ORDER BY s LIMIT ?",
        [expression, *args, depth]).fetchall()
    return [(int(pid), -float(score)) for pid, score in rows]

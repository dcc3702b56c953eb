"""Keyword retrieval: BM25 over the index's own SQLite FTS5 tables.

A query with Han, kana, Arabic or Cyrillic letters is answered from the second table
(migration 009), whose words `store.wordsplit` makes; any other query, English, French and
Spanish ones included, from the main table exactly as before that table existed.
"""

from __future__ import annotations

import re
import sqlite3

from ..store import wordsplit
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


def folded_expression(query: str) -> str | None:
    """The MATCH expression for the second table: the query's words folded as passages
    are (`wordsplit.words`), every term ORed.

    A run of Chinese characters becomes its overlapping two-character phrases, since a
    query is not cut into words (one character alone stays one term): a passage holding
    the whole run matches all of them. A "quoted phrase" stays one phrase; words joined
    by punctuation ("S/PV.8699") a phrase, as in `match_expression`.
    """
    terms: list[str] = []
    for quoted, chunk in re.findall(r'"([^"]+)"|(\S+)', query):
        runs = wordsplit.words(quoted or chunk)
        if quoted:
            terms += [_phrase([w for run in runs for w in run])] if runs else []
            continue
        joined: list[str] = []
        for run in [*runs, None]:
            if run is not None and not wordsplit.is_han(run[0][0]):
                joined.append(run[0])
                continue
            if len(joined) > 1 or (joined and joined[0] not in STOPWORDS):
                terms.append(_phrase(joined))
            joined = []
            if run is not None:
                terms += [_phrase(run[i:i + 2]) for i in range(max(1, len(run) - 1))]
    unique = list(dict.fromkeys(terms))[:MAX_TERMS]
    return " OR ".join(unique) if unique else None


def _phrase(words) -> str:
    return '"' + " ".join(words) + '"'


def table_for(db: sqlite3.Connection, query: str) -> tuple[str, str | None]:
    """The FTS5 table that answers `query`, and the MATCH expression for it."""
    if wordsplit.needs_fold(query) and db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'passages_fts_folded'").fetchone():
        return "passages_fts_folded", folded_expression(query)
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


def terms(text: str) -> set[str]:
    """The words of `text` that a keyword query would match on, for choosing the sentence
    to highlight: unstemmed lower-case words; for Chinese, Arabic or Russian text the
    folded words (single characters, light stems)."""
    if wordsplit.needs_fold(text):
        return {w for run in wordsplit.words(text) for w in run} - STOPWORDS
    return set(re.findall(r"\w+", text.lower())) - STOPWORDS

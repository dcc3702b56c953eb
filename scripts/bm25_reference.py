#!/usr/bin/env python3
"""Check keyword search's text handling against Anserini's published BM25 on a BEIR set.

    python scripts/bm25_reference.py [DATASET]

`diplosearch eval` scores keyword mode with SQLite FTS5's bm25(), whose parameters are
fixed inside SQLite (k1 = 1.2, b = 0.75), over passages. Anserini's "flat" BEIR baseline
(ArguAna nDCG@10 0.3970) is Lucene BM25 with k1 = 0.9, b = 0.4 over whole documents, query
words weighted by how often they occur, Lucene's stop words removed from both sides.

This script takes the words exactly as diplosearch's FTS5 tokenizer makes them (unicode61,
Porter stemming; read back through an fts5vocab table) and scores whole documents with
BM25 under both parameter sets, so that the tokenizer is checked apart from the scoring
choices, then scores SQLite's own bm25() over whole documents with the query expression
keyword search uses (`keyword.match_expression`). Passage-level figures come from
`diplosearch eval DATASET --mode keyword`. About a minute on ArguAna.
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from diplosearch.evaluate import load_beir, ndcg_at
from diplosearch.retrieval.keyword import match_expression
from diplosearch.text.wordsplit import STOPWORDS

ARGUANA = Path(__file__).resolve().parents[2] / "shared" / "beir" / "arguana"
TOKENIZER = "porter unicode61 remove_diacritics 2"   # as migration 002 creates passages_fts


def without_stopwords(text: str) -> str:
    return " ".join(w for w in re.findall(r"\w+", text.lower()) if w not in STOPWORDS)


def stemmed_terms(db: sqlite3.Connection, table: str, texts: list[str]) -> list[Counter]:
    """Term counts of each text as the FTS5 tokenizer makes them."""
    db.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, tokenize='{TOKENIZER}')")
    db.executemany(f"INSERT INTO {table}(rowid, text) VALUES (?, ?)", enumerate(texts))
    db.execute(f"CREATE VIRTUAL TABLE {table}_terms USING fts5vocab({table}, 'instance')")
    out = [Counter() for _ in texts]
    for term, row in db.execute(f"SELECT term, doc FROM {table}_terms"):
        out[row][term] += 1
    return out


def bm25_ndcg(docs: list[Counter], doc_ids: list[str], queries: list[Counter], qids: list[str],
              qrels, k1: float, b: float) -> float:
    """Lucene's BM25 (idf = ln(1 + (N - n + 0.5) / (n + 0.5))), query terms weighted by count."""
    n_docs = len(docs)
    lengths = np.array([sum(c.values()) for c in docs], float)
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for d, counts in enumerate(docs):
        for term, tf in counts.items():
            grouped[term].append((d, tf))
    for term, rows in grouped.items():
        arr = np.array(rows)
        postings[term] = (arr[:, 0], arr[:, 1].astype(float))
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    total = 0.0
    for query, qid in zip(queries, qids):
        scores = np.zeros(n_docs)
        for term, qtf in query.items():
            if term not in postings:
                continue
            rows, tf = postings[term]
            idf = math.log(1 + (n_docs - len(rows) + 0.5) / (len(rows) + 0.5))
            scores[rows] += qtf * idf * tf * (k1 + 1) / (tf + norm[rows])
        top = np.argsort(-scores)[:11]
        total += ndcg_at([doc_ids[d] for d in top if scores[d] > 0 and doc_ids[d] != qid],
                         qrels[qid])
    return total / len(qids)


def fts5_ndcg(db: sqlite3.Connection, corpus: dict[str, str], queries, qids, qrels) -> float:
    """SQLite's bm25() over whole documents, queried as keyword search queries."""
    doc_ids = list(corpus)
    db.execute(f"CREATE VIRTUAL TABLE whole USING fts5(text, tokenize='{TOKENIZER}')")
    db.executemany("INSERT INTO whole(rowid, text) VALUES (?, ?)", enumerate(corpus.values()))
    total = 0.0
    for qid in qids:
        rows = db.execute("SELECT rowid FROM whole WHERE whole MATCH ? ORDER BY bm25(whole) "
                          "LIMIT 11", (match_expression(queries[qid]),)).fetchall()
        total += ndcg_at([doc_ids[r] for (r,) in rows if doc_ids[r] != qid], qrels[qid])
    return total / len(qids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=ARGUANA)
    args = ap.parse_args()
    started = time.perf_counter()
    corpus, queries, qrels = load_beir(args.dataset)
    qids = [q for q in queries if q in qrels]
    db = sqlite3.connect(":memory:")
    docs = stemmed_terms(db, "docs", [without_stopwords(t) for t in corpus.values()])
    qterms = stemmed_terms(db, "queries", [without_stopwords(queries[q]) for q in qids])
    print(f"{len(corpus):,} documents, {len(qids):,} queries; nDCG@10 over whole documents")
    for label, k1, b in (("Lucene BM25, Anserini's k1 0.9 b 0.4", 0.9, 0.4),
                         ("Lucene BM25, k1 1.2 b 0.75 (FTS5's values)", 1.2, 0.75)):
        print(f"  {label:<46} {bm25_ndcg(docs, list(corpus), qterms, qids, qrels, k1, b):.4f}")
    print(f"  {'SQLite FTS5 bm25(), keyword-search query':<46} "
          f"{fts5_ndcg(db, corpus, queries, qids, qrels):.4f}")
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

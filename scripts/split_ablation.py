#!/usr/bin/env python3
"""How splitting long documents into passages moves semantic ranking on a BEIR dataset.

    python scripts/split_ablation.py [DATASET] [--max-tokens 254] [--backend onnx]

Scores semantic nDCG@10 (a hit whose id is the query's own dropped, as BEIR does) for:

  truncate   one vector per document, the model reading its first max-seq-length pieces:
             what published BEIR/MTEB runs do (all-MiniLM-L6-v2 on ArguAna: 0.5017)
  greedy     diplosearch's passages (each part filled with whole sentences up to the
             budget), a document scored by its best passage (max-passage)
  balanced   the split diplosearch used before: parts of about equal size
  first-*    the same splits, each document scored by its first passage only

Passages come from the real pipeline (`documents.to_passages`); only the paragraph
splitter differs between greedy and balanced. Vectors are fp32 (ONNX fp32 gives the
torch vectors to cosine 0.99999), each distinct text embedded once. About 22,000 texts on
ArguAna: ~8 minutes on two cores.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from unittest import mock

import numpy as np

from diplosearch.ingest import documents, passages
from diplosearch.embed.models import embed_all, load_embedder
from diplosearch.evaluate import _sources, load_beir, ndcg_at

ARGUANA = Path(__file__).resolve().parents[2] / "shared" / "beir" / "arguana"


def balanced_split(text: str, count, budget: int) -> list[tuple[int, int]]:
    """The former splitter: as many parts as the budget needs, of about equal size."""
    total = count([text])[0]
    if total <= budget:
        return [(0, len(text))]
    pieces = passages._pieces(text, count, budget)
    target = math.ceil(sum(n for _, _, n in pieces) / math.ceil(total / budget))
    return passages.fill(pieces, budget, target)


def split_corpus(items, count, budget: int, splitter) -> tuple[list[str], list[str]]:
    """(passage texts, document id of each), through the indexing pipeline."""
    texts, owners = [], []
    with mock.patch.object(documents, "split_paragraph", splitter):
        for file, load in items:
            for p in documents.to_passages(load(file), count, budget, 16):
                texts.append(p.text)
                owners.append(file.key)
    return texts, owners


def score(qvecs, qids, qrels, pvecs, owners, first_only: bool = False) -> float:
    docs = list(dict.fromkeys(owners))
    col = np.array([{d: i for i, d in enumerate(docs)}[o] for o in owners])
    keep = np.ones(len(owners), bool)
    if first_only:
        keep[1:] = col[1:] != col[:-1]
    sims = qvecs @ pvecs[keep].T
    total = 0.0
    for qi, qid in enumerate(qids):
        best = np.full(len(docs), -np.inf)
        np.maximum.at(best, col[keep], sims[qi])
        top = np.argsort(-best)[:11]
        total += ndcg_at([docs[j] for j in top if docs[j] != qid], qrels[qid])
    return total / len(qids)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=ARGUANA)
    ap.add_argument("--max-tokens", type=int, default=254)
    ap.add_argument("--backend", default="onnx", help="embedding backend (default fp32 ONNX)")
    args = ap.parse_args()
    started = time.perf_counter()
    corpus, queries, qrels = load_beir(args.dataset)
    qids = [q for q in queries if q in qrels]
    items = _sources(args.dataset / "corpus.jsonl", corpus)
    emb = load_embedder(None, backend=args.backend)
    runs = {"truncate": (list(corpus.values()), list(corpus))}
    for name, splitter in (("greedy", passages.split_paragraph), ("balanced", balanced_split)):
        runs[name] = split_corpus(items, emb.count_tokens, args.max_tokens, splitter)
    distinct = list(dict.fromkeys(t for texts, _ in runs.values() for t in texts))
    print(f"{len(corpus):,} documents, {len(qids):,} queries; embedding {len(distinct):,} "
          f"distinct texts with {args.backend}", flush=True)
    vecs = dict(zip(distinct, embed_all(emb, distinct)))
    qvecs = embed_all(emb, [queries[q] for q in qids])
    print(f"{'run':<16}{'passages':>10}{'nDCG@10':>10}")
    for name, (texts, owners) in runs.items():
        pvecs = np.stack([vecs[t] for t in texts])
        print(f"{name:<16}{len(texts):>10,}{score(qvecs, qids, qrels, pvecs, owners):>10.4f}")
        if name != "truncate":
            print(f"{'first-' + name:<16}{'':>10}"
                  f"{score(qvecs, qids, qrels, pvecs, owners, first_only=True):>10.4f}")
    print(f"took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Quality guard for faster encoders: nDCG@10 on BEIR ArguAna and cosine to fp32 torch.

    python scripts/quality_guard.py [--only onnx,onnx-int8] [--out /tmp/diplosearch-guard]

Every candidate (see scripts/encoders.py) encodes the 8,674 ArguAna arguments ("title
text") and the 1,406 test queries; search is brute-force cosine, a hit whose id is the
query's own is dropped (ArguAna's queries are corpus documents), and nDCG@10 is scored
against qrels/test.tsv. A second column scores the candidate's documents searched with fp32
ONNX queries, which is what an index built with the candidate gets from `diplosearch
search` (fp32 ONNX itself matches st-fp32 to cosine 0.99999; add `onnx` to --only to score
it too). Vectors are kept under --out, so a rerun encodes only what is missing
(several minutes per candidate on two cores; run it in the background).

A candidate may become a default only if its nDCG@10 is within 0.005 of st-fp32's and the
mean cosine of its document vectors to st-fp32's is >= 0.99: the last column says PASS/FAIL.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from encoders import NAMES, REPO, candidates

ARGUANA = REPO.parent / "shared" / "beir" / "arguana"
MAX_NDCG_DROP = 0.005
MIN_MEAN_COSINE = 0.99


def load_arguana(folder: Path):
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    doc_ids = [d["_id"] for d in docs]
    doc_texts = [f"{d.get('title', '')} {d['text']}".strip() for d in docs]
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / "test.tsv", encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0:
                qrels.setdefault(qid, {})[did] = int(score)
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        queries = {q["_id"]: q["text"] for q in map(json.loads, f)}
    qids = [q for q in queries if q in qrels]
    return doc_ids, doc_texts, qids, [queries[q] for q in qids], qrels


def ndcg_at_10(qvecs, dvecs, qids, doc_ids, qrels) -> float:
    position = {d: i for i, d in enumerate(doc_ids)}
    total = 0.0
    for start in range(0, len(qids), 256):
        scores = qvecs[start:start + 256] @ dvecs.T
        for row, qid in enumerate(qids[start:start + 256]):
            if qid in position:  # the query's own argument is not an answer
                scores[row, position[qid]] = -np.inf
            top = np.argsort(-scores[row])[:10]
            rel = qrels[qid]
            dcg = sum(rel.get(doc_ids[d], 0) / np.log2(r + 2) for r, d in enumerate(top))
            ideal = sorted(rel.values(), reverse=True)[:10]
            total += dcg / sum(g / np.log2(r + 2) for r, g in enumerate(ideal))
    return total / len(qids)


def encoded(name, encode, texts, out: Path) -> np.ndarray:
    path = out / f"{name}.npy"
    if path.is_file():
        return np.load(path, allow_pickle=False)
    started = time.perf_counter()
    vectors = np.ascontiguousarray(encode(texts), dtype=np.float32)
    print(f"{name}: {len(texts)} texts in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)
    np.save(path, vectors, allow_pickle=False)
    return vectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="onnx-int8,openvino",
                        help=f"comma-separated, from {', '.join(NAMES)} (st-fp32 always runs)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "diplosearch-guard")
    parser.add_argument("--cache", type=Path, help="export cache (default: $DIPLOSEARCH_CACHE)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    doc_ids, doc_texts, qids, query_texts, qrels = load_arguana(ARGUANA)
    wanted = set(filter(None, args.only.split(",")))
    texts = doc_texts + query_texts
    encoders = candidates(wanted | {"onnx"}, args.cache)  # fp32 ONNX encodes the queries
    vectors = {name: encoded(name, encode, texts, args.out)
               for name, encode in encoders.items() if name in wanted | {"st-fp32"}}
    n = len(doc_texts)
    onnx_queries = vectors["onnx"][n:] if "onnx" in vectors else \
        encoded("onnx-queries", encoders["onnx"], query_texts, args.out)
    base_docs = vectors["st-fp32"][:n]
    base = ndcg_at_10(vectors["st-fp32"][n:], base_docs, qids, doc_ids, qrels)
    print(f"{len(doc_ids)} documents, {len(qids)} queries")
    print(f"{'candidate':14s} {'nDCG@10':>8s} {'+fp32 q':>8s} {'mean cos':>9s} {'min cos':>8s}  guard")
    for name, v in vectors.items():
        own = ndcg_at_10(v[n:], v[:n], qids, doc_ids, qrels)
        mixed = ndcg_at_10(onnx_queries, v[:n], qids, doc_ids, qrels)
        cos = (v[:n] * base_docs).sum(axis=1)
        ok = min(own, mixed) >= base - MAX_NDCG_DROP and cos.mean() >= MIN_MEAN_COSINE
        print(f"{name:14s} {own:8.4f} {mixed:8.4f} {cos.mean():9.5f} {cos.min():8.5f}  "
              f"{'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

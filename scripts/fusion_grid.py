#!/usr/bin/env python3
"""Coarse grid over hybrid fusion settings on a BEIR set, from one retrieval pass.

    python scripts/fusion_grid.py ../shared/beir/arguana [--index eval-arguana]

Retrieves the semantic and keyword lists once per query (depth 300, through the same code
as `diplosearch eval`), then scores reciprocal rank fusion with semantic:keyword weights
1:1, 2:1 and 3:1 (constant 60) and normalised score fusion with semantic weights 0.5-0.8,
printing nDCG@10 for each. The grid is deliberately coarse: ArguAna has only a test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--index", default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from diplosearch.retrieval import keyword, fusion, pipeline
    from diplosearch.embed.models import embed_all
    from diplosearch.evaluate import DEPTH, load_beir, ndcg_at, prepare_index

    corpus, queries, qrels = load_beir(args.dataset)
    idx = prepare_index(args.dataset, corpus, args.index, None, None)
    qids = [q for q in queries if q in qrels][: args.limit]
    doc_of = dict(idx.db.execute("SELECT p.id, d.key FROM passages p JOIN documents d "
                                 "ON d.id = p.doc_id").fetchall())
    qvecs = embed_all(idx.embedder, [queries[q] for q in qids])
    lists = []
    for n, qid in enumerate(qids):
        sem = pipeline.vector_top(idx.vectors, qvecs[n:n + 1], DEPTH, None)
        kw = keyword.search(idx.db, queries[qid][:pipeline.MAX_QUERY_CHARS], DEPTH)
        lists.append((sem, kw))

    def score(fuse) -> float:
        total = 0.0
        for qid, (sem, kw) in zip(qids, lists):
            docs = list(dict.fromkeys(doc_of[p] for p, _ in fuse(sem, kw) if doc_of[p] != qid))
            total += ndcg_at(docs, qrels[qid])
        return total / len(qids)

    def weighted_rrf(w: float):
        def fuse(sem, kw):
            fused: dict[int, float] = {}
            for weight, ranked in ((w, sem), (1.0, kw)):
                for rank, (pid, _) in enumerate(ranked, start=1):
                    fused[pid] = fused.get(pid, 0.0) + weight / (fusion.RRF_K + rank)
            return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
        return fuse

    print(f"{len(qids)} queries")
    print(f"semantic only        nDCG@10 {score(lambda s, k: s):.4f}")
    print(f"keyword only         nDCG@10 {score(lambda s, k: k):.4f}")
    for w in (1.0, 2.0, 3.0):
        print(f"rrf {w:.0f}:1              nDCG@10 {score(weighted_rrf(w)):.4f}")
    for w in (0.5, 0.6, 0.7, 0.8):
        print(f"score fusion w={w:.1f}   nDCG@10 "
              f"{score(lambda s, k, w=w: fusion.score_fusion(s, k, w)):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fusing ranked lists from keyword and semantic retrieval into one ranking.

Two methods, both measured by `diplosearch eval` (see README "How good is it?"):
reciprocal rank fusion, which uses ranks only, and a convex combination of scores
normalised per query, which also uses how far apart the scores are.
"""

from __future__ import annotations

from collections.abc import Sequence

MODES = ("hybrid", "semantic", "keyword")
FUSIONS = ("score", "rrf")
# Measured on BEIR ArguAna (scripts/fusion_grid.py): score fusion 50:50 nDCG@10 0.5352,
# RRF 0.5328; heavier semantic weights score lower. The better one is the default.
DEFAULT_FUSION = "score"
RRF_K = 60
SEMANTIC_WEIGHT = 0.5

Ranked = Sequence[tuple[int, float]]


def rrf(lists: Sequence[Ranked], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion (Cormack et al., 2009): sum of 1 / (k + rank) over lists."""
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, (pid, _) in enumerate(ranked, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def normalised(ranked: Ranked) -> dict[int, float]:
    """Min-max normalise one list's scores to [0, 1] (all equal → all 1)."""
    if not ranked:
        return {}
    values = [s for _, s in ranked]
    low, high = min(values), max(values)
    span = high - low
    return {pid: (s - low) / span if span > 0 else 1.0 for pid, s in ranked}


def score_fusion(semantic: Ranked, keyword: Ranked,
                 weight: float = SEMANTIC_WEIGHT) -> list[tuple[int, float]]:
    """weight · semantic + (1 − weight) · keyword, each min-max normalised per query;
    a passage missing from one list scores 0 there."""
    sem, kw = normalised(semantic), normalised(keyword)
    fused = {pid: weight * sem.get(pid, 0.0) + (1 - weight) * kw.get(pid, 0.0)
             for pid in sem.keys() | kw.keys()}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def fuse(semantic: Ranked, keyword: Ranked, method: str = DEFAULT_FUSION,
         weight: float = SEMANTIC_WEIGHT) -> list[tuple[int, float]]:
    if method == "rrf":
        return rrf([semantic, keyword])
    if method == "score":
        return score_fusion(semantic, keyword, weight)
    raise ValueError(f"unknown fusion {method!r}; expected one of {FUSIONS}")


def unit_scores(ranked: Ranked, mode: str, method: str = DEFAULT_FUSION) -> dict[int, float]:
    """Each candidate's `Hit.score`, in [0, 1] whatever the mode, from its raw score.

    semantic (cosine) and keyword (BM25): min-max normalised over this query's candidates
    (the top 100 of the retriever), as score fusion normalises each list, so 1 is the best
    candidate and 0 the weakest. hybrid: score fusion's value, which already averages the
    two normalised lists (1: first in both); RRF's sum divided by its largest possible
    value, 2 / (RRF_K + 1) (1: first in both); either kept in [0, 1] when a signal after
    fusion (`ranking`) has moved a candidate out of it (score fusion: divided by the best
    when that is above 1, so the best is 1). A cross-encoder's scores are normalised like
    a retriever's (see `pipeline.rerank`).
    """
    if mode != "hybrid":
        return normalised(ranked)
    if method == "rrf":
        best = 2.0 / (RRF_K + 1)
        return {pid: min(max(s / best, 0.0), 1.0) for pid, s in ranked}
    # signals after fusion (`ranking`) may lift the best above 1: scaled back so the best
    # is 1 and the gaps below it stay visible, rather than several hits shown at 1
    top = max((s for _, s in ranked), default=1.0)
    scale = top if top > 1.0 else 1.0
    return {pid: min(max(s / scale, 0.0), 1.0) for pid, s in ranked}

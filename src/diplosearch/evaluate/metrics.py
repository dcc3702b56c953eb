"""Ranking metrics over one question's ranked list, and bootstrap confidence intervals over
questions. A ranked list is of keys (documents, files or citations), best first; relevance
maps a key to its grade (2: answers it, 1: partly; 0 or absent: not relevant)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((r for r in relevant.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranked[:k]) if relevant.get(d, 0) > 0), 0.0)


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100,
              capped: bool = False) -> float:
    """Share of the relevant keys found in the first k. `capped`: out of at most k of them,
    so a question with 25 relevant speeches can reach 1 in its first ten."""
    wanted = {d for d, r in relevant.items() if r > 0}
    if not wanted:
        return 0.0
    return len(wanted & set(ranked[:k])) / (min(len(wanted), k) if capped else len(wanted))


BOOTSTRAP_ROUNDS = 2000


def mean_ci(values: Sequence[float], rounds: int = BOOTSTRAP_ROUNDS, level: float = 0.95,
            seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): the mean over questions and its percentile bootstrap interval
    (questions resampled with replacement; a fixed seed, so a rerun prints the same)."""
    n = len(values)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    means = arr[np.random.default_rng(seed).integers(0, n, (rounds, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(arr.mean()), float(low), float(high)


def paired_ci(a: Sequence[float], b: Sequence[float], **kwargs) -> tuple[float, float, float]:
    """Mean of a − b over the same questions, with its bootstrap interval: a gain whose
    interval includes zero is not a gain."""
    if len(a) != len(b):
        raise ValueError(f"paired scores differ in length ({len(a)} and {len(b)})")
    return mean_ci([x - y for x, y in zip(a, b)], **kwargs)



"""Semantic candidates for a question that is not in English.

The multilingual model (`embed.multilingual`) puts the question and every passage in one
space across languages, but ranks less sharply than the English model. So its best few
passages are used as an English stand-in for the question: the mean of their English
vectors searches the English vector set (pseudo-relevance feedback across languages), and
the lists are fused by normalised score.

On the multilingual dev set (scripts/eval_multilingual.py, 20 questions in six languages
over 764 speeches of 2020), semantic recall@10: English questions on the English model
0.70; fr/es/ru/ar/zh questions 0.665 / 0.640 / 0.580 / 0.590 / 0.555 this way, against
0.580 / 0.585 / 0.505 / 0.545 / 0.465 for the multilingual model alone and 0.54 / 0.47 /
0.03 / 0.02 / 0.05 for the English model alone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..embed.base import normalise

FEEDBACK_PASSAGES = 5   # 3, 5 and 10 scored within 0.02 of each other on the dev set
CANDIDATES = 100        # from each of the three lists, whatever k is

Ranked = list[tuple[int, float]]


def semantic_top(query: str, qvec: np.ndarray, embedder, vectors, english_vectors, depth: int,
                 allowed: np.ndarray | None,
                 english_top: Callable[[np.ndarray, int], Ranked],
                 weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
                 feedback_passages: int = FEEDBACK_PASSAGES, gloss_vec: np.ndarray | None = None,
                 gloss_weight: float = 0.0) -> tuple[Ranked, np.ndarray | None]:
    """(passage id, score) best first, and the English-space query vector of the feedback
    step (for highlighting), or ([], None) when no passage has a multilingual vector.

    Three or four lists, each min-max normalised and summed over the union of their
    candidates, every candidate scored exactly by each: the multilingual model's, the
    English model's for the question as it is (`qvec`: it reads some French and Spanish),
    the English model's for the feedback vector, and, when given, the English model's for
    the question's word-by-word English gloss (`gloss_vec`, weighted `gloss_weight`).

    Args:
        embedder, vectors: the multilingual model and the index's multilingual vectors.
        english_vectors: the index's English vector set (for `vectors_of`).
        english_top: searches the English vector set with a query vector (same filters).
        weights: of the multilingual, question-as-is and feedback lists in the sum.
        feedback_passages: how many of the multilingual model's best passages stand in
            for the question in English.
    """
    want = max(depth, CANDIDATES)
    qml = embedder.embed([query])[0]
    first = vectors.search(qml, want, allowed)
    if not first:
        return [], None
    found = english_vectors.vectors_of(np.array([p for p, _ in first[:feedback_passages]]))
    if not len(found):
        return first[:depth], None
    feedback = normalise(found.mean(axis=0, keepdims=True))
    lists = [first, english_top(feedback, want)]
    if weights[1] > 0:
        lists.append(english_top(qvec, want))
    if gloss_vec is not None and gloss_weight > 0:
        lists.append(english_top(gloss_vec, want))
    # sorted(set()) rather than np.unique, which imports numpy.ma (~7 ms of a cold question)
    cand = np.array(sorted({p for ranked in lists for p, _ in ranked}), dtype=np.int64)
    cand = cand[np.isin(cand, vectors.ids)]          # every candidate scored by every list
    eng = english_vectors.vectors_of(cand)
    if len(eng) != len(cand):                        # a passage vanished meanwhile
        cand = cand[np.isin(cand, english_vectors.ids)]
        eng = english_vectors.vectors_of(cand)
    parts = [vectors.scores_of(qml, cand), eng @ qvec.reshape(-1), eng @ feedback.reshape(-1)]
    if gloss_vec is not None and gloss_weight > 0:
        parts.append(eng @ gloss_vec.reshape(-1))
        weights = (*weights, gloss_weight)
    total = sum(w * _minmax(s) for w, s in zip(weights, parts) if w > 0)
    order = np.argsort(-total, kind="stable")[:depth]
    return [(int(cand[i]), float(total[i]) / sum(weights)) for i in order], feedback


def _minmax(scores: np.ndarray) -> np.ndarray:
    low, high = float(scores.min()), float(scores.max())
    return (scores - low) / (high - low) if high > low else np.ones_like(scores)


def with_foreign(english: Ranked, query: str, embedder, vectors, depth: int,
                 allowed: np.ndarray | None) -> Ranked:
    """An English question's English-model list, with the passages not in English that
    the multilingual model ranks high placed among them.

    The two models' scores are not on one scale, so a foreign passage takes the rank that
    its multilingual score earns among the English candidates' multilingual scores: it
    goes just before the English passage at that rank, with that passage's score. The English passages keep their order and
    scores: on an index of English records alone nothing changes.
    """
    if not len(vectors.foreign_ids) or not english:
        return english
    keep = vectors.foreign_ids if allowed is None else np.intersect1d(vectors.foreign_ids, allowed)
    qml = embedder.embed([query])[0]
    foreign = vectors.search(qml, depth, keep)
    if not foreign:
        return english
    is_foreign = set(keep.tolist())
    english = [(pid, s) for pid, s in english if pid not in is_foreign]
    if not english:
        return foreign
    ruler = np.sort(vectors.scores_of(qml, np.array([p for p, _ in english])))[::-1]
    placed = []
    for pid, score in foreign:
        rank = int(np.searchsorted(-ruler, -score, side="right"))   # English ones above it
        if rank < len(english):   # just before the English passage it outranks
            placed.append((pid, english[rank][1] + 1e-6))
    return sorted(english + placed, key=lambda item: (-item[1], item[0]))[:depth]

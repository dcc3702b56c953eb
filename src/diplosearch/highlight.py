"""Which sentence of a hit answers the query best: the one whose embedding is closest."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .embedding import Embedder
from .passages import sentence_spans


def best_sentences(embedder: Embedder, query_vector: np.ndarray,
                   texts: Sequence[str]) -> list[tuple[tuple[int, int], ...]]:
    """For each text, the span of its sentence most similar to the query (one batch in all)."""
    spans = [sentence_spans(t) for t in texts]
    flat = [t[s:e] for t, ss in zip(texts, spans) for s, e in ss]
    if not flat:
        return [() for _ in texts]
    scores = embedder.embed(flat) @ query_vector.reshape(-1)
    out, pos = [], 0
    for ss in spans:
        if len(ss) <= 1:
            out.append(tuple(ss))
        else:
            best = int(np.argmax(scores[pos:pos + len(ss)]))
            out.append((ss[best],))
        pos += len(ss)
    return out

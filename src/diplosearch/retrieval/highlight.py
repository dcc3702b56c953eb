"""Which sentence of a hit answers the query best: the one whose embedding is closest."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed.models import Embedder
from ..ingest.passages import sentence_spans
from .keyword import terms as keyword_terms


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


def best_sentences_lexical(query: str, texts: Sequence[str]) -> list[tuple[tuple[int, int], ...]]:
    """For keyword search (no model loaded): the sentence sharing most query terms."""
    terms = keyword_terms(query)
    out = []
    for text in texts:
        spans = sentence_spans(text)
        if not spans:
            out.append(())
            continue
        overlap = [len(terms & keyword_terms(text[s:e])) for s, e in spans]
        best = max(range(len(spans)), key=lambda i: overlap[i])
        out.append((spans[best],) if overlap[best] else ())
    return out

"""Which sentence of a hit answers the query best: the one whose embedding is closest."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import numpy as np

from ..embed.models import Embedder
from ..ingest.passages import sentence_spans
from ..store import sentences
from ..text.wordsplit import match_words as keyword_terms
from .paragraphs import Part


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


def best_sentences_lexical(query: str, texts: Sequence[str],
                           within: Sequence[tuple[int, int] | None] | None = None
                           ) -> list[tuple[tuple[int, int], ...]]:
    """For keyword search (no model loaded): the sentence sharing most query terms, among
    those inside `within[i]` (a character span of text i; None for the whole text)."""
    terms = keyword_terms(query)
    out = []
    for i, text in enumerate(texts):
        area = within[i] if within else None
        spans = [(s, e) for s, e in sentence_spans(text)
                 if area is None or (s < area[1] and e > area[0])]
        if not spans:
            out.append(())
            continue
        overlap = [len(terms & keyword_terms(text[s:e])) for s, e in spans]
        best = max(range(len(spans)), key=lambda i: overlap[i])
        out.append((spans[best],) if overlap[best] else ())
    return out


def best_sentences_stored(db: sqlite3.Connection, embedder: Embedder, query_vector: np.ndarray,
                          texts: Sequence[str], layouts: Sequence[Sequence[Part]]
                          ) -> list[tuple[tuple[int, int], ...]]:
    """For each shown text, the span of its sentence most similar to the query, among the
    sentences of the parts it shows (`layouts`), by the sentence vectors the build stored:
    a few dot products. Parts stored without them (an index made before they were kept)
    have their sentences embedded now, in one batch."""
    q = query_vector.reshape(-1)
    stored = sentences.read(db, [p.id for parts in layouts for p in parts])
    missing = [(p, text[p.start:p.end]) for text, parts in zip(texts, layouts)
               for p in parts if p.id not in stored]
    if missing:
        spans = [sentence_spans(t) or [(0, len(t))] for _, t in missing]
        vectors = embedder.embed([t[s:e] for (_, t), ss in zip(missing, spans) for s, e in ss])
        pos = 0
        for (p, _), ss in zip(missing, spans):
            stored[p.id] = (np.array(ss), vectors[pos:pos + len(ss)])
            pos += len(ss)
    out: list[tuple[tuple[int, int], ...]] = []
    for parts in layouts:
        best, best_score = (), -np.inf
        for p in parts:
            spans, vectors = stored[p.id]
            scores = vectors @ q
            j = int(np.argmax(scores))
            if scores[j] > best_score:
                best_score = scores[j]
                best = ((p.start + int(spans[j][0]), p.start + int(spans[j][1])),)
        out.append(best)
    return out

"""A deterministic bag-of-words embedder for tests and keyword-like indexes: no weights."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from .base import HASHING_MODEL, normalise

_TOKEN = re.compile(r"\w+|[^\w\s]")


class HashingEmbedder:
    """A deterministic bag-of-words model: word counts hashed into 384 signed buckets.

    No weights, no torch: fast enough for tests and for keyword-like indexes, and its
    results are exactly reproducible, so tests can assert them.
    """

    name = HASHING_MODEL
    backend = "hashing"
    dimension = 384
    max_tokens = 254

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)

    def embed_spans(self, texts: Sequence[str], spans) -> tuple[np.ndarray, list]:
        """`embed`, and each span embedded on its own (a bag of words has no context to
        pool from, and costs nothing to run again)."""
        return self.embed(texts), [self.embed([t[s:e] for s, e in sp]) for t, sp in zip(texts, spans)]

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(t)) for t in texts]

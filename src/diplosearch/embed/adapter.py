"""The English query adapter: a linear map applied to the English model's vector of a
question before the vector search, fitted on analysts' judged questions.

all-MiniLM-L6-v2 was trained on web questions and answers; a diplomatic question ("Which
members argued that … and on what grounds?") lands among passages that share its general
words more than among those that answer it. `query_adapter_minilm.npy` is a 384 × 384
matrix fitted by `scripts/fit_query_adapter.py` on the spent English questions of
`scripts/data/` (809 questions over the 2020 Security Council speeches and the 2023–2024
General Debate): their relevant speeches' best paragraphs first among their nearest 150,
the matrix kept near the identity. On corpora it never saw (the 2005–2015 resolutions and
the 2015–2016 General Debate) it lifted hybrid recall@10 by +0.016 (+0.006 to +0.028).
Only questions move: the passages' stored vectors are the model's own, so an index needs
no rebuild, and another model gets no adapter.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from .base import DEFAULT_MODEL

ADAPTERS = {DEFAULT_MODEL: Path(__file__).with_name("query_adapter_minilm.npy")}


def adapt(vectors: np.ndarray, model: str, strength: float = 1.0) -> np.ndarray:
    """`vectors` (questions embedded by `model`, one per row) moved by the model's adapter,
    `strength` of the way (0: unchanged), and normalised again; unchanged for a model
    without one, or vectors of another width (a stand-in embedder under the model's name)."""
    matrix = _matrix(model)
    if matrix is None or strength <= 0 or matrix.shape[1] != vectors.shape[-1]:
        return vectors
    if strength != 1.0:   # part of the way: between the identity and the fitted matrix
        eye = np.eye(len(matrix), dtype=np.float32)
        matrix = eye + strength * (matrix - eye)
    moved = vectors @ matrix.T
    norms = np.linalg.norm(moved, axis=1, keepdims=True)
    return (moved / np.where(norms > 0, norms, 1)).astype(vectors.dtype)


@functools.lru_cache(maxsize=4)
def _matrix(model: str) -> np.ndarray | None:
    path = ADAPTERS.get(model)
    if path is None or not path.exists():
        return None
    return np.load(path).astype(np.float32)

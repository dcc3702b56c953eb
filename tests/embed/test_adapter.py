"""The English query adapter: a fitted matrix that moves the default model's question
vectors, leaves other models' alone, and keeps them unit length."""

import numpy as np

from diplosearch.embed import adapter
from diplosearch.embed.base import DEFAULT_MODEL


def _questions(n: int = 4, dim: int = 384) -> np.ndarray:
    v = np.random.default_rng(0).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_shipped_matrix_moves_the_default_models_questions_a_little():
    matrix = np.load(adapter.ADAPTERS[DEFAULT_MODEL])
    assert matrix.shape == (384, 384) and np.isfinite(matrix).all()
    q = _questions()
    moved = adapter.adapt(q, DEFAULT_MODEL)
    assert moved.shape == q.shape and moved.dtype == q.dtype
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    cosines = (moved * q).sum(axis=1)
    assert (cosines < 0.9999).all() and (cosines > 0.5).all()   # moved, not replaced


def test_strength_zero_other_models_and_half_way():
    q = _questions()
    assert adapter.adapt(q, DEFAULT_MODEL, 0.0) is q
    assert adapter.adapt(q, "sentence-transformers/all-mpnet-base-v2") is q
    narrow = _questions(dim=32)   # a stand-in embedder that borrows the model's name
    assert adapter.adapt(narrow, DEFAULT_MODEL) is narrow
    full = (adapter.adapt(q, DEFAULT_MODEL) * q).sum(axis=1)
    half = (adapter.adapt(q, DEFAULT_MODEL, 0.5) * q).sum(axis=1)
    assert (half > full).all()   # half-way stays nearer the question

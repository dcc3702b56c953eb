"""Tier 2: the vector maths against brute force on random vectors."""

import numpy as np
import pytest

from diplosearch.store import vectors
from diplosearch.embed.models import embed_all, normalise


@pytest.mark.parametrize("n, k", [(1, 1), (50, 5), (2000, 10), (2000, 2500)])
def test_flat_search_matches_brute_force(n, k):
    rng = np.random.default_rng(n)
    vecs = normalise(rng.normal(size=(n, 32)).astype(np.float32))
    ids = rng.permutation(10 * n)[:n].astype(np.int64)
    queries = normalise(rng.normal(size=(7, 32)).astype(np.float32))
    index = vectors.VectorIndex(ids, vecs, 32)
    scores, got = index.search(queries, k)
    expected = np.argsort(-(queries @ vecs.T), axis=1)[:, :min(k, n)]
    assert np.array_equal(got, ids[expected])
    assert np.allclose(scores, np.take_along_axis(queries @ vecs.T, expected, axis=1), atol=1e-5)


def test_segments_round_trip_and_skip_dead_vectors(tmp_path):
    rng = np.random.default_rng(0)
    a = normalise(rng.normal(size=(10, 8)).astype(np.float32))
    b = normalise(rng.normal(size=(5, 8)).astype(np.float32))
    name_a, sha_a = vectors.write_segment(tmp_path, np.arange(10), a)
    name_b, _ = vectors.write_segment(tmp_path, np.arange(10, 15), b)
    ids, got = vectors.read_segment(tmp_path / "vectors" / name_a)
    assert np.array_equal(ids, np.arange(10)) and np.array_equal(got, a)
    assert sha_a == vectors.file_sha256(tmp_path / "vectors" / name_a)
    live = {1: [2, 3], 2: list(range(10, 15))}
    index = vectors.load_live(tmp_path, [(1, name_a, 10), (2, name_b, 5)],
                              {k: len(v) for k, v in live.items()}, lambda s: live[s], 8)
    assert sorted(index.ids.tolist()) == [2, 3, 10, 11, 12, 13, 14]
    _, top = index.search(a[[4]], 1)
    assert top[0, 0] != 4  # a dead vector is never returned


def test_embed_all_keeps_input_order(hashing):
    texts = ["short", "a much longer text " * 5, "mid length text", ""]
    got = embed_all(hashing, texts, batch_size=2)
    assert np.allclose(got, hashing.embed(texts))
    norms = np.linalg.norm(got, axis=1)
    assert np.allclose(norms[:3], 1.0, atol=1e-5) and norms[3] == 0

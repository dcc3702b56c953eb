"""Sentence vectors pooled from a passage's own forward pass (kept at build time so that
search can mark a hit's best sentence without running the model)."""

import numpy as np
import pytest

from diplosearch.embed.models import load_embedder

TEXTS = ["The Council met today in New York. It adopted resolution 2396 (2017) on the return "
         "of foreign terrorist fighters.", "Thank you, Mr. President."]
SENTENCES = [[(0, 34), (35, len(TEXTS[0]))], [(0, len(TEXTS[1]))]]


@pytest.fixture(scope="module", params=["torch", "onnx"])
def model(request):
    return load_embedder(backend=request.param)


def test_embed_spans_keeps_the_passage_vectors_and_adds_one_per_sentence(model):
    vectors, pooled = model.embed_spans(TEXTS, SENTENCES)
    assert np.allclose(vectors, model.embed(TEXTS), atol=1e-5)
    assert [p.shape for p in pooled] == [(2, model.dimension), (1, model.dimension)]
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1, atol=1e-5)
    # each pooled sentence is nearest to that sentence embedded on its own
    alone = model.embed([TEXTS[0][s:e] for s, e in SENTENCES[0]])
    sims = pooled[0] @ alone.T
    assert sims[0, 0] > sims[0, 1] and sims[1, 1] > sims[1, 0]
    assert (pooled[1] @ vectors[1]) > 0.95     # a one-sentence text: about its own vector

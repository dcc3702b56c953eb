"""Scores that mean the same in every mode: `score` in [0, 1] (1 = the best candidate, or
first in both lists for hybrid), `raw_score` what the ranker computed."""

import pytest

from diplosearch import build_index
from diplosearch.retrieval import fusion
from tests.conftest import QUESTION


@pytest.fixture
def seed_index(seed_dir, hashing):
    return build_index(seed_dir, "seed", model=hashing)[0]


@pytest.mark.parametrize("mode, fusion_method", [
    ("semantic", "score"), ("keyword", "score"), ("hybrid", "score"), ("hybrid", "rrf")])
def test_every_mode_scores_between_0_and_1_and_keeps_the_raw_score(seed_index, mode,
                                                                   fusion_method):
    hits = seed_index.search(QUESTION, k=10, mode=mode, fusion=fusion_method)
    scores = [h.score for h in hits]
    assert all(0.0 <= s <= 1.0 for s in scores) and scores == sorted(scores, reverse=True)
    assert all(h.raw_score is not None for h in hits)
    assert [h.raw_score for h in hits] == sorted((h.raw_score for h in hits), reverse=True)
    assert "raw_score" in hits[0].to_dict()
    if mode != "hybrid":
        assert scores[0] == 1.0   # min-max over the candidates: the best is 1
    if mode == "keyword":
        assert hits[0].raw_score > 1.0   # BM25, unbounded
    if fusion_method == "rrf":
        assert hits[0].score == pytest.approx(hits[0].raw_score * (fusion.RRF_K + 1) / 2)


@pytest.mark.parametrize("mode", ["semantic", "keyword", "hybrid"])
def test_a_hit_scores_the_same_whatever_k(seed_index, mode):
    few = seed_index.search(QUESTION, k=3, mode=mode)
    many = {h.id: h.score for h in seed_index.search(QUESTION, k=20, mode=mode)}
    assert [(h.id, h.score) for h in few] == [(h.id, many[h.id]) for h in few]


def test_unit_scores_by_hand():
    ranked = [(1, 12.0), (2, 9.0), (3, 6.0)]
    assert fusion.unit_scores(ranked, "keyword") == {1: 1.0, 2: 0.5, 3: 0.0}
    assert fusion.unit_scores([(7, 0.4)], "semantic") == {7: 1.0}
    assert fusion.unit_scores([(1, 0.8), (2, 0.3)], "hybrid", "score") == {1: 0.8, 2: 0.3}
    top = 2 / (fusion.RRF_K + 1)
    assert fusion.unit_scores([(1, top), (2, top / 2)], "hybrid", "rrf") == {1: 1.0, 2: 0.5}

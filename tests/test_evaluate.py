import json
import math

import pytest

import diplosearch as ds
from diplosearch.evaluate import evaluate, load_beir, mrr_at, ndcg_at, recall_at


def test_metrics_by_hand():
    rel = {"a": 1, "b": 2}
    assert ndcg_at(["b", "a", "x"], rel) == pytest.approx(1.0)
    dcg = 1 / math.log2(3) + 2 / math.log2(4)
    idcg = 2 + 1 / math.log2(3)
    assert ndcg_at(["x", "a", "b"], rel) == pytest.approx(dcg / idcg)
    assert mrr_at(["x", "y", "a"], rel) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], rel) == 0.0
    assert recall_at(["a", "x"], rel) == 0.5
    assert ndcg_at(["a"], {}) == 0.0


@pytest.fixture
def tiny_beir(tmp_path):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    docs = {"d1": "ceasefire monitoring in Libya", "d2": "sanctions on arms transfers to Yemen",
            "d3": "children and armed conflict report", "q1": "a query that is also a document"}
    (folder / "corpus.jsonl").write_text("\n".join(
        json.dumps({"_id": k, "title": "", "text": v}) for k, v in docs.items()))
    queries = {"q1": "arms sanctions Yemen", "q2": "Libya ceasefire", "q3": "no qrels for me"}
    (folder / "queries.jsonl").write_text("\n".join(
        json.dumps({"_id": k, "text": v}) for k, v in queries.items()))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td1\t1\n")
    return folder


def test_eval_scores_each_mode_and_drops_the_query_itself(tiny_beir, hashing):
    results = evaluate(tiny_beir, model=hashing)
    assert [r.mode for r in results] == ["semantic", "keyword", "hybrid"]
    for r in results:
        assert r.queries == 2 and r.ndcg_at_10 == pytest.approx(1.0) and r.recall_at_100 == 1.0
    again = evaluate(tiny_beir, model=hashing, modes=("keyword",))   # reuses the index
    assert again[0].ndcg_at_10 == pytest.approx(1.0)
    assert ds.open_index("eval-tiny").info()["documents"] == 4


def test_bad_beir_folders_are_named(tmp_path, tiny_beir, hashing):
    with pytest.raises(ds.SourceError, match="corpus.jsonl: missing"):
        load_beir(tmp_path)
    (tiny_beir / "qrels" / "test.tsv").write_text("q1\td2\n")
    with pytest.raises(ds.SourceError, match="line 1: expected"):
        load_beir(tiny_beir)

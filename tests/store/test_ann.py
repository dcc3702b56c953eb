"""Large-index search structures (`ann`): recall against exact search, filters, the delta
of passages added after the ANN was built, removed passages, verify/repair."""

import numpy as np
import pytest

from diplosearch.store import ann, ann_update, writer
from diplosearch.scale import synthetic
from diplosearch.index import Index
from diplosearch.store.repair import repair_index
from diplosearch.store.verify import verify_index

D = 32


class FixedEmbedder:
    name, dimension, max_tokens = "sentence-transformers/all-MiniLM-L6-v2", D, 128

    def __init__(self, vec):
        self.vec = vec

    def embed(self, texts):
        return np.repeat(self.vec[None, :], len(texts), axis=0)

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]


@pytest.fixture
def big(tmp_path):
    """4,000 clustered passages with an IVF-SQ8 structure built over them."""
    path = tmp_path / "big"
    manifest = synthetic.create(path, dimension=D, index_type="ivf-sq8")
    rng = np.random.default_rng(1)
    cents = synthetic.centers(60, D)
    vecs = synthetic.clustered(4000, D, cents, rng)
    ids = synthetic.add(path, manifest, vecs, rng)
    idx = Index(path, FixedEmbedder(vecs[0]))
    assert idx.optimize() == "ivf-sq8"
    return idx, ids, vecs, cents, rng


def exact(vecs, ids, q, k):
    return set(ids[np.argsort(-(vecs @ q))[:k]].tolist())


def test_ann_recall_at_10_against_exact_search_is_at_least_095(big):
    idx, ids, vecs, cents, rng = big
    assert isinstance(idx.vectors, ann.LiveVectors)
    queries = synthetic.clustered(100, D, cents, rng)
    _, got = idx.vectors.search(queries, 10)
    recall = np.mean([len(set(g.tolist()) & exact(vecs, ids, q, 10)) / 10
                      for g, q in zip(got, queries)])
    assert recall >= 0.95


def test_filtered_search_is_exact_and_returns_k_when_k_exist(big):
    idx, ids, vecs, cents, rng = big
    allowed = ids[::97]                     # ~1 %: 42 passages
    q = synthetic.clustered(1, D, cents, rng)[0]
    scores, got = idx.vectors.search_within(q, 10, allowed)
    assert len(got) == 10
    keep = np.isin(ids, allowed)
    assert set(got.tolist()) == exact(vecs[keep], ids[keep], q, 10)
    assert np.allclose(scores, np.sort(vecs[np.isin(ids, got)] @ q)[::-1], atol=1e-5)


def test_filter_through_the_api_returns_k_hits_of_that_country(big):
    idx = big[0]
    res = idx.search("anything", k=10, mode="semantic", country="Kenya")
    assert len(res) == 10 and {h.affiliation for h in res} == {"Kenya"}


def test_passages_added_after_the_ann_are_found_and_removed_ones_never_return(big):
    idx, _ids, vecs, cents, rng = big
    new = synthetic.clustered(5, D, cents, rng)
    new_ids = synthetic.add(idx.path, idx.manifest, new, rng)
    assert ann.ann_state(idx.db)  # the ANN was not rebuilt: the new ones are in the delta
    _, got = idx.vectors.search(new, 1)
    assert got[:, 0].tolist() == new_ids.tolist()
    # remove the document holding the best hits of a query; none may come back
    q = vecs[7]
    _, before = idx.vectors.search(q[None, :], 10)
    doc = idx.passage(int(before[0, 0])).source
    gone = {r[0] for r in idx.db.execute(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc_id WHERE d.key = ?", (doc,))}
    idx.remove(doc)
    assert ann.ann_state(idx.db)  # 40 removed: still the same ANN, answers filtered
    _, after = idx.vectors.search(q[None, :], 10)
    assert len(after[0]) == 10 and not gone & set(after[0].tolist())


def test_verify_sees_the_ann_and_repair_rebuilds_a_damaged_one(big):
    idx = big[0]
    name = ann.ann_state(idx.db)["ann_file"]
    assert [p for p in verify_index(idx.path).problems if p.severity == "error"] == []
    file = idx.path / "vectors" / name
    data = bytearray(file.read_bytes())
    data[-100] ^= 0xFF
    file.write_bytes(bytes(data))
    errors = [p.what for p in verify_index(idx.path).problems if p.severity == "error"]
    assert any("checksum" in e for e in errors)
    repair_index(idx.path)
    assert [p for p in verify_index(idx.path).problems if p.severity == "error"] == []
    assert not file.exists()
    idx.reload()
    assert len(idx.vectors.search(big[2][:1], 10)[1][0]) == 10


def test_choosing_flat_drops_the_ann_and_auto_stays_flat_when_small(big):
    idx = big[0]
    assert idx.optimize("flat") == "flat" and not ann.ann_state(idx.db)
    assert idx.manifest.index_type == "flat"
    assert not any(p.name.startswith("ann-") for p in (idx.path / "vectors").iterdir())
    assert idx.optimize("auto") == "flat"   # 4,000 < AUTO_THRESHOLD
    assert ann.resolve("auto", ann.AUTO_THRESHOLD) == "ivf-sq8"
    with pytest.raises(Exception, match="index type"):
        idx.optimize("hnsw-typo")


def test_a_crash_after_writing_the_ann_file_leaves_the_old_state(big, monkeypatch):
    idx = big[0]
    old = ann.ann_state(idx.db)["ann_file"]

    def boom(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(ann_update.database, "transaction", boom)
    with pytest.raises(KeyboardInterrupt):
        idx.optimize()
    monkeypatch.undo()
    idx.reload()
    assert ann.ann_state(idx.db)["ann_file"] == old
    files = [p.name for p in (idx.path / "vectors").iterdir() if p.name.startswith("ann-")]
    assert len(files) == 2                       # the new one is an orphan...
    assert writer.remove_orphans is not None
    idx.optimize()                               # ...deleted by the next writer
    files = [p.name for p in (idx.path / "vectors").iterdir() if p.name.startswith("ann-")]
    assert files == [ann.ann_state(idx.db)["ann_file"]]


def test_many_small_adds_to_a_large_index_merge_only_the_small_segments(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "PARTIAL_MERGE_FROM", 5000)
    path = tmp_path / "grow"
    manifest = synthetic.create(path, dimension=8, index_type="flat")
    rng = np.random.default_rng(3)
    cents = synthetic.centers(5, 8)
    synthetic.add(path, manifest, synthetic.clustered(6400, 8, cents, rng), rng, per_doc=400)
    big = Index(path, FixedEmbedder(np.ones(8, np.float32))).db.execute(
        "SELECT file FROM segments").fetchone()[0]
    for _ in range(65):
        synthetic.add(path, manifest, synthetic.clustered(2, 8, cents, rng), rng, per_doc=2)
    idx = Index(path, FixedEmbedder(np.ones(8, np.float32)))
    files = [r[0] for r in idx.db.execute("SELECT file FROM segments")]
    assert big in files and len(files) < 10     # the large segment was never rewritten
    assert len(idx.vectors) == 6400 + 130
    assert [p for p in verify_index(path).problems if p.severity == "error"] == []

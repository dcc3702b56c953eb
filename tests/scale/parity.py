"""Two indexes compared row by row: what "a Ray build is the same index as a local build"
means, field for field (shared by the tests under tests/scale/)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest

from diplosearch.store import sentences

RUN = bool(os.environ.get("CI") or os.environ.get("DIPLOSEARCH_RAY_TESTS"))
on_ray = [pytest.mark.ray, pytest.mark.skipif(
    not RUN, reason="Ray builds run in CI, or with DIPLOSEARCH_RAY_TESTS=1")]
SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "unsc_2020_pires"
SPEECHES = SHARED / "speeches_txt_2020"
PDFS = SHARED / "speeches_pdf"


def _rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql)]


def _table(db: sqlite3.Connection, name: str, skip: tuple[str, ...] = ()) -> list[tuple]:
    columns = [r[1] for r in db.execute(f"PRAGMA table_info({name})") if r[1] not in skip]
    return _rows(db, f"SELECT {', '.join(columns)} FROM {name} ORDER BY 1")


def english_vectors(idx) -> np.ndarray:
    ids = np.array([r[0] for r in idx.db.execute("SELECT id FROM passages ORDER BY id")])
    vi = idx.vectors
    return np.stack([vi.index.reconstruct(int(np.flatnonzero(vi.ids == i)[0])) for i in ids])


def assert_same_index(local, remote, atol: float = 1e-5, exact: bool = True,
                      same_commits: bool = True) -> None:
    """Same documents, passages (citations, speakers, affiliations, ids), keyword tables,
    English words (counted, embedded), state and manifest; English, sentence and multilingual vectors equal (bit for bit when
    `exact`, else within `atol`, and the int8 sentence vectors within a quantum). Without
    `same_commits` (one index written in more commits), which segment holds a passage's
    vector may differ."""
    a, b = local.db, remote.db
    skip = () if same_commits else ("segment_id",)
    assert _table(b, "documents", ("indexed_at",)) == _table(a, "documents", ("indexed_at",))
    assert _table(b, "passages", skip) == _table(a, "passages", skip)
    for name in ("passages_fts_docsize", "passages_fts_folded_docsize"):
        assert _table(b, name) == _table(a, name), name          # the keyword tables
    assert _rows(b, "SELECT * FROM state WHERE key != 'generation' ORDER BY 1") == \
        _rows(a, "SELECT * FROM state WHERE key != 'generation' ORDER BY 1")
    np.testing.assert_allclose(english_vectors(remote), english_vectors(local), atol=atol, rtol=0)
    ml_a, ml_b = (_table(db, "multilingual_vectors") for db in (a, b))
    assert [(r[0], r[2]) for r in ml_b] == [(r[0], r[2]) for r in ml_a]   # ids, languages
    words = "SELECT word, count, vector IS NOT NULL FROM english_words ORDER BY word"
    assert _rows(b, words) == _rows(a, words)                          # the English words
    s_a, s_b = (_table(db, "passage_sentences") for db in (a, b))
    assert [(r[0], r[1]) for r in s_b] == [(r[0], r[1]) for r in s_a]     # ids, spans
    if exact:
        assert ml_b == ml_a and s_b == s_a
    else:
        for x, y in zip(ml_a, ml_b):
            np.testing.assert_allclose(np.frombuffer(y[1], "<f2"), np.frombuffer(x[1], "<f2"),
                                       atol=2e-3)
        for x, y in zip(s_a, s_b):
            np.testing.assert_allclose(sentences.unpack(*y[1:])[1], sentences.unpack(*x[1:])[1],
                                       atol=2e-2)
    m, n = local.manifest, remote.manifest
    for field in ("model", "dimension", "max_tokens", "min_tokens", "backends",
                  "index_type", "multilingual_model", "multilingual_dimension"):
        assert getattr(n, field) == getattr(m, field), field
    counted = ("documents", "passages", "segments") if same_commits else ("documents", "passages")
    assert {k: n.counts.get(k) for k in counted} == {k: m.counts.get(k) for k in counted}
    assert m.backends != []


def fails_on_binary(wait: float):
    """A shard worker that raises "interrupted" on the shard holding zz_binary.txt, after
    `wait` seconds (so the driver takes the shards done before it): a build or add cut short."""
    from diplosearch.scale import ray_build

    class FailsOnBinary(ray_build.ShardWorker):
        def run(self, spec):
            if any(Path(f["path"]).name == "zz_binary.txt" for f in spec["files"]):
                time.sleep(wait)
                raise RuntimeError("interrupted")
            return super().run(spec)

    return FailsOnBinary

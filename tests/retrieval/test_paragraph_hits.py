"""A hit is a paragraph: one per paragraph, its whole text with the matched part's span, a
window for an over-long one; marking from the sentence vectors the build kept (hashing
embedder, exact expectations)."""

import json
import shutil
import sqlite3

import numpy as np
import pytest

import diplosearch as ds
from diplosearch.embed.base import pool_spans
from diplosearch.retrieval import paragraphs
from diplosearch.retrieval.highlight import best_sentences
from diplosearch.retrieval.timeline import positions
from diplosearch.store import sentences
from tests.conftest import QUESTION

SPEECH = "UNSC_2020_SPV.8714_spch017.txt"   # one line: one "paragraph" of 1,481 words


@pytest.fixture
def corpus(seed_dir, shared):
    shutil.copy(shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020" / SPEECH, seed_dir)
    return seed_dir


@pytest.fixture
def idx(corpus, hashing):
    return ds.build_index([corpus], "paras", model=hashing)[0]


def _paragraph_of(idx, hit):
    return idx.db.execute("SELECT doc_id, paragraph FROM passages WHERE id = ?",
                          (hit.id,)).fetchone()


OPTIONS = [dict(mode="hybrid"), dict(mode="semantic"), dict(mode="keyword"),
           dict(mode="hybrid", fusion="rrf"), dict(mode="hybrid", group_by="doc", per_group=5),
           dict(mode="semantic", speaker="Polyanskiy"), dict(mode="keyword", highlight=True),
           dict(mode="hybrid", highlight=True, k=40)]


@pytest.mark.parametrize("options", OPTIONS)
def test_no_two_hits_come_from_one_paragraph(idx, options):
    options = {"k": 10, **options}
    hits = idx.search("foreign terrorist fighters and the OSCE", **options)
    assert hits
    keys = [tuple(_paragraph_of(idx, h)) for h in hits]
    assert len(keys) == len(set(keys))
    for h in hits:
        start, end = h.span
        assert 0 <= start < end <= len(h.text)
        assert h.text[start:end] == idx.passage(h.id).text   # the matched part, in place
        for s, e in h.highlights:
            assert 0 <= s < e <= len(h.text)


def test_positions_keep_one_hit_per_paragraph(idx):
    found = positions(idx, QUESTION, by="meeting")
    for cells in found.cells.values():
        ids = [h.id for h in cells.values()]
        assert len(ids) == len(set(ids))


def test_the_founding_answer_is_the_whole_paragraph(idx):
    for mode in ("hybrid", "semantic", "keyword"):
        top = idx.search(QUESTION, k=3, mode=mode, highlight=True)[0]
        assert top.paragraph == 9 and top.parts > 1 and top.window is None
        assert top.text.startswith("In order to enhance our efforts")
        assert all(s in top.text for s in ("Operation Mercury", "2178 (2014)", "2396 (2017)"))
        assert "(1/" not in top.citation and "¶9 —" in top.citation
        as_json = json.loads(ds.SearchResults([top]).to_json())[0]
        assert as_json["span"] == list(top.span) and as_json["window"] is None


def test_an_over_long_paragraph_shows_a_window_around_the_match(idx):
    hits = idx.search("drug threat conference", k=5, doc="UNSC_2020_SPV.8714_spch017.txt")
    hit = hits[0]
    assert hit.parts > paragraphs.MAX_WHOLE_PARTS and hit.window is not None
    first, last = hit.window
    assert first == max(1, hit.part - 1) and last == min(hit.parts, hit.part + 1)
    whole = " ".join(r[0] for r in idx.db.execute(
        "SELECT text FROM passages WHERE paragraph = 1 AND doc_id = (SELECT doc_id FROM "
        "passages WHERE id = ?) ORDER BY position", (hit.id,)))
    assert len(hit.text) < len(whole) / 3 and hit.text in whole
    assert f"({hit.part}/{hit.parts})" in hit.citation   # names the part `show` can find
    assert idx.passage(hit.citation).id == hit.id


def test_the_build_keeps_each_parts_sentences(idx):
    stored = idx.db.execute("SELECT COUNT(*) FROM passage_sentences").fetchone()[0]
    assert stored == idx.info()["passages"]
    hit = idx.search(QUESTION, k=1)[0]
    spans, vectors = sentences.read(idx.db, [hit.id])[hit.id]
    text = idx.passage(hit.id).text
    expected = ds.HashingEmbedder().embed([text[s:e] for s, e in spans])
    assert np.allclose(vectors, expected, atol=0.01)     # int8, one scale per vector


def test_marking_from_stored_vectors_equals_marking_at_query_time(idx, hashing):
    hits = idx.search("return of foreign terrorist fighters", k=5, mode="semantic",
                      highlight=True)
    q = hashing.embed(["return of foreign terrorist fighters"])[0]
    for h in hits:
        (expected,) = best_sentences(hashing, q, [h.text])
        assert h.highlights == expected


def test_an_index_from_before_migration_006_opens_and_marks(idx, tmp_path):
    db = sqlite3.connect(idx.path / "passages.sqlite")
    db.execute("DROP TABLE passage_sentences")
    db.execute("DELETE FROM schema_migrations WHERE name = '006_sentence_vectors'")
    db.commit()
    db.close()
    old = ds.open_index(idx.path, model=ds.HashingEmbedder())
    hits = old.search(QUESTION, k=3, highlight=True)
    assert hits[0].paragraph == 9 and hits[0].highlights
    old.add([])   # a write migrates it forward
    assert old.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'passage_sentences'").fetchone()


def test_pool_spans_averages_the_tokens_inside_each_span():
    tokens = np.array([[9, 9], [1, 0], [0, 1], [1, 1], [9, 9]], dtype=np.float32)
    offsets = [(0, 0), (0, 3), (4, 7), (9, 12), (0, 0)]       # [CLS] a b | c [SEP]
    pooled = pool_spans(tokens, offsets, [(0, 8), (9, 13), (20, 30)])
    assert np.allclose(pooled[0], [2 ** -0.5, 2 ** -0.5])      # mean of a and b
    assert np.allclose(pooled[1], [2 ** -0.5, 2 ** -0.5])      # c
    assert np.allclose(pooled[2], pooled[0])                    # none inside: all real tokens
    assert np.allclose(np.linalg.norm(pooled, axis=1), 1)


def test_join_parts_places_each_part():
    text, placed = paragraphs.join_parts([(1, "First sentence."), (2, "Second one."),
                                          (3, "中文。"), (4, "再见")])
    assert text == "First sentence. Second one. 中文。再见"
    assert [text[p.start:p.end] for p in placed] == ["First sentence.", "Second one.", "中文。", "再见"]


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_a_windows_marked_sentence_lies_in_the_part_its_citation_names(idx, mode):
    # Seen in a trial: "S/PV.8714 #17 ¶1 (3/17)" with the bold sentence in part 2, so the
    # words an analyst would quote were not where the citation pointed.
    queries = ["drug threat conference", "foreign terrorist fighters and the OSCE",
               "Vienna counter-terrorism cooperation", "Afghanistan border management"]
    windows = [h for q in queries for h in idx.search(q, k=10, mode=mode, highlight=True,
                                                       doc=SPEECH) if h.window]
    assert windows
    for h in windows:
        start, end = h.span
        assert h.highlights, h.citation
        for s, e in h.highlights:
            assert start <= s < e <= end, (h.citation, h.span, h.highlights)

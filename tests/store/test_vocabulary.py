"""The index's English words: counted by every build, embedded once each when written
often enough, filled in by `index upgrade` for an index made before them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import diplosearch as ds
from diplosearch import HashingEmbedder
from diplosearch.store import vocabulary
from tests.retrieval.test_crosslingual import FakeMultilingual


class CountingMultilingual(FakeMultilingual):
    """The fake multilingual model, remembering every text it embedded."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += list(texts)
        return super().embed(texts)


def words(index: Path) -> dict[str, tuple[int, bool]]:
    db = sqlite3.connect(index / "passages.sqlite")
    try:
        return {w: (n, v is not None) for w, n, v in
                db.execute("SELECT word, count, vector FROM english_words")}
    finally:
        db.close()


SANCTIONS = ("Sanctions harm civilians. Sanctions block medicine. Sanctions must end.\n\n"
             "The embargo blocks medicine for civilians; the embargo harms civilians.")
LOCUSTS = "Locusts destroy crops. Locusts bring hunger. Locusts spread; sanctions too, sanctions."


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "sanctions.txt").write_text(SANCTIONS, encoding="utf-8")
    return folder


def test_a_build_counts_english_words_and_embeds_those_written_three_times(corpus, tmp_path):
    model = CountingMultilingual()
    ds.build_index(corpus, tmp_path / "ix", model=HashingEmbedder(), multilingual=model)
    found = words(tmp_path / "ix")
    assert found["sanctions"] == (3, True)
    assert found["civilians"] == (3, True)
    assert found["embargo"] == (2, False)          # below MIN_COUNT: counted, not embedded
    assert "the" not in found and "for" not in found
    assert model.seen.count("sanctions") == 1


def test_adding_a_file_embeds_only_the_words_it_brings(corpus, tmp_path):
    model = CountingMultilingual()
    index, _ = ds.build_index(corpus, tmp_path / "ix", model=HashingEmbedder(),
                              multilingual=model)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "locusts.txt").write_text(LOCUSTS, encoding="utf-8")
    model.seen.clear()
    index.add(extra)
    found = words(tmp_path / "ix")
    assert found["locusts"] == (3, True)
    assert found["sanctions"] == (5, True)
    words_embedded = [t for t in model.seen if " " not in t]
    assert "locusts" in words_embedded and "sanctions" not in words_embedded


def test_an_index_without_multilingual_vectors_keeps_no_words(corpus, tmp_path):
    ds.build_index(corpus, tmp_path / "ix", model=HashingEmbedder())
    assert words(tmp_path / "ix") == {}


def test_upgrade_fills_the_words_of_an_index_made_before_them(corpus, tmp_path):
    model = FakeMultilingual()
    ds.build_index(corpus, tmp_path / "ix", model=HashingEmbedder(), multilingual=model)
    db = sqlite3.connect(tmp_path / "ix" / "passages.sqlite")
    with db:      # as an index made before migration 010 holds it, once migrated
        db.execute("DELETE FROM english_words")
    db.close()
    report = ds.upgrade_index(tmp_path / "ix", multilingual=model)
    assert words(tmp_path / "ix")["sanctions"] == (3, True)
    assert report.english_words >= 2
    assert any("English words" in a for a in report.actions)
    again = ds.upgrade_index(tmp_path / "ix", multilingual=model)
    assert again.english_words == 0 and not again.actions


def test_word_vectors_of_an_index_without_the_table_are_empty():
    db = sqlite3.connect(":memory:")
    loaded = vocabulary.WordVectors.load(db, FakeMultilingual(), 384)
    assert len(loaded) == 0 and loaded.matrix.shape == (0, 384)


def test_a_search_holds_only_the_most_written_words(corpus, tmp_path, monkeypatch):
    ds.build_index(corpus, tmp_path / "ix", model=HashingEmbedder(), multilingual=FakeMultilingual())
    monkeypatch.setattr(vocabulary, "MAX_WORDS", 1)
    db = sqlite3.connect(tmp_path / "ix" / "passages.sqlite")
    with db:
        db.execute("UPDATE english_words SET count = 9 WHERE word = 'civilians'")
    loaded = vocabulary.WordVectors.load(db, FakeMultilingual(), 384)
    assert [w for w in loaded.words if w not in vocabulary.FUNCTION_WORDS] == ["civilians"]

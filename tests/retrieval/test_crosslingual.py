"""Questions in other languages: routed to the multilingual vectors, English ones exactly as
before, and a note when an index has no multilingual vectors. A fake multilingual model
(a word list into English, then the hashing model) stands in for the real one."""

from __future__ import annotations

import numpy as np
import pytest

from diplosearch import HashingEmbedder
from diplosearch.index import Index, build_index
from diplosearch.text.language import detect
from diplosearch.store import multilingual as ml_store

WORDS = {"пластик": "plastic", "загрязнение": "pollution", "океанов": "oceans",
         "дети": "children", "солдаты": "soldiers", "ядерное": "nuclear", "оружие": "weapons",
         "البلاستيك": "plastic", "المحيطات": "oceans", "塑料": "plastic", "海洋": "oceans",
         "enfants": "children", "soldats": "soldiers",
         "саранча": "locusts", "уничтожает": "destroy", "урожай": "crops", "голод": "hunger"}


class FakeMultilingual(HashingEmbedder):
    name = "test/fake-multilingual"

    def embed(self, texts):
        return super().embed([" ".join(WORDS.get(w, w) for w in t.lower().split())
                              for t in texts])


DOCS = {
    "oceans.txt": "Mr. Smith (Fiji): Plastic pollution of the oceans destroys the fisheries "
                  "of small island States. Plastic waste in the oceans must end.",
    "children.txt": "Ms. Jones (Belgium): Children recruited as soldiers must be released "
                    "and reintegrated. No children should serve as soldiers.",
    "nuclear.txt": "Mr. Li (China): The Treaty on the Non-Proliferation of Nuclear Weapons "
                   "remains the cornerstone of disarmament. Nuclear weapons must never be used.",
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def both(corpus, tmp_path):
    with_ml, _ = build_index(corpus, tmp_path / "ml", model=HashingEmbedder(),
                             multilingual=FakeMultilingual())
    without, _ = build_index(corpus, tmp_path / "en", model=HashingEmbedder())
    return with_ml, without


def test_language_detection_routes_only_clear_foreign_questions():
    assert detect("what measures target foreign terrorist fighters") == "en"
    for names_only in ("Boko Haram", "CSTO", "Soleimani", "sanctions"):
        assert detect(names_only) == "en"
    assert detect("l'embargo sur les armes en Libye") == "fr"
    assert detect("¿Qué dijo Rusia sobre Siria?") == "es"
    assert detect("загрязнение океанов пластиком") == "ru"
    assert detect("تلوث المحيطات بالبلاستيك") == "ar"
    assert detect("塑料污染海洋") == "zh"


def test_manifest_records_the_second_model(both):
    with_ml, without = both
    assert with_ml.manifest.multilingual_model == "test/fake-multilingual"
    assert with_ml.manifest.multilingual_dimension == 384
    assert without.manifest.multilingual_model == ""
    assert ml_store.count(with_ml.db) == with_ml.info()["passages"]


@pytest.mark.parametrize("question", ["пластик загрязнение океанов", "البلاستيك المحيطات",
                                      "塑料 海洋"])
@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_a_foreign_question_finds_the_english_record(both, question, mode):
    with_ml, _ = both
    hits = with_ml.search(question, k=3, mode=mode, highlight=True)
    assert hits[0].source == "oceans.txt" and hits[0].citation.startswith("oceans.txt")
    assert "multilingual vectors" not in hits.note   # (only how it was glossed, if at all)


def test_english_questions_see_exactly_what_they_saw_before(both):
    with_ml, without = both
    for q in ("plastic in the oceans", "child soldiers", "nuclear weapons treaty"):
        for mode in ("semantic", "hybrid", "keyword"):
            a, b = with_ml.search(q, k=3, mode=mode), without.search(q, k=3, mode=mode)
            assert [(h.source, h.paragraph, round(h.score, 6)) for h in a] == \
                   [(h.source, h.paragraph, round(h.score, 6)) for h in b]


def test_index_without_multilingual_vectors_says_so(both):
    _, without = both
    res = without.search("загрязнение океанов пластиком", k=2)
    assert "no multilingual vectors" in res.note and "'ru'" in res.note
    assert without.search("plastic in the oceans", k=2).note == ""


def test_filters_apply_to_foreign_questions(both):
    with_ml, _ = both
    hits = with_ml.search("пластик загрязнение океанов", k=3, mode="semantic", country="Belgium")
    assert hits and all(h.affiliation == "Belgium" for h in hits)


def test_add_and_remove_keep_one_multilingual_vector_per_passage(both, tmp_path):
    with_ml, _ = both
    more = tmp_path / "more"
    more.mkdir()
    (more / "arms.txt").write_text("Mr. Diallo (Niger): Illicit small arms fuel conflict in "
                                   "the Sahel.", encoding="utf-8")
    with_ml.add(more)
    assert ml_store.count(with_ml.db) == with_ml.info()["passages"]
    assert ml_store.missing(with_ml.db) == []
    with_ml.remove("oceans.txt")
    assert ml_store.count(with_ml.db) == with_ml.info()["passages"]
    hits = with_ml.search("пластик загрязнение океанов", k=3, mode="semantic")
    assert all(h.source != "oceans.txt" for h in hits)


def test_reopened_index_reads_stored_vectors(both):
    with_ml, _ = both
    again = Index(with_ml.path, HashingEmbedder(), FakeMultilingual())
    vecs = again.multilingual_vectors
    assert len(vecs) == with_ml.info()["passages"]
    assert vecs.matrix.dtype == np.float16
    assert again.search("塑料 海洋", k=1, mode="semantic")[0].source == "oceans.txt"


def test_an_english_question_finds_a_record_in_another_language(corpus, tmp_path):
    (corpus / "locusts_ru.txt").write_text(
        "Г-н Иванов (Россия): саранча уничтожает урожай и голод растет.", encoding="utf-8")
    idx, _ = build_index(corpus, tmp_path / "mixed", model=HashingEmbedder(),
                         multilingual=FakeMultilingual())
    assert idx.has_foreign_records
    hits = idx.search("locusts destroy crops and hunger", k=2, mode="semantic")
    assert hits[0].source == "locusts_ru.txt"
    # the English records keep their order among themselves
    english = [h.source for h in idx.search("plastic pollution of the oceans", k=4,
                                             mode="semantic") if h.source != "locusts_ru.txt"]
    assert english[0] == "oceans.txt"


def test_an_all_english_index_reads_no_multilingual_vectors_for_english_questions(both):
    with_ml, _ = both
    assert not with_ml.has_foreign_records
    with_ml.search("plastic in the oceans", k=2)
    assert with_ml._ml_vectors is None


def test_an_unsure_language_searches_both_paths_and_fuses_them(both, monkeypatch):
    """"enfants soldats" is French, but not surely: the English path and the French one
    both search, and a passage found by either is kept; a sure question takes one path."""
    from diplosearch.retrieval import pipeline

    with_ml, _ = both
    calls = []
    real = pipeline._candidates

    def spy(index, query, qvec, depth, opts, lang, *rest):
        calls.append(lang)
        return real(index, query, qvec, depth, opts, lang, *rest)

    monkeypatch.setattr(pipeline, "_candidates", spy)
    hits = with_ml.search("enfants soldats", k=3)
    assert sorted(calls) == ["en", "fr"] and hits[0].source == "children.txt"
    calls.clear()
    with_ml.search("Plastic pollution of the oceans", k=3)
    assert calls == ["en"]
    calls.clear()
    with_ml.search("enfants soldats", k=3, mode="keyword")
    assert calls == ["fr"]

"""The glossary of UN terms in six languages: how a question is matched against it, on a
small glossary of our own, and what the shipped one says of the terms the multilingual
model places wrongly."""

from __future__ import annotations

import pytest

from diplosearch.text import glossary

SMALL = ("# english\tfr\tes\tru\tar\tzh\n"
         "sanctions\tsanctions\tsanciones\tсанкции\tالجزاءات | العقوبات\t制裁\n"
         "veto\tveto | droit de veto\tderecho de veto\tправо вето | вето\tحق النقض\t否决权\n"
         "arms embargo\tembargo sur les armes\tembargo de armas\tэмбарго на поставки оружия"
         "\tحظر توريد الأسلحة\t武器禁运\n"
         "embargo\tembargo\tembargo\tэмбарго\tحظر\t禁运\n"
         "broken line\tonly three\tcells\n")
NAMES = ("# english\tfr\tes\tru\tar\tzh\n"
         "Abyei\tAbyei\tAbyei\tАбьей\tأبيي\t阿卜耶伊\n"
         "Embargo Act\tEmbargo\tEmbargo\tэмбарго\tحظر\t禁运\n")


@pytest.fixture
def small(tmp_path, monkeypatch):
    path = tmp_path / "glossary.tsv"
    path.write_text(SMALL, encoding="utf-8")
    monkeypatch.setattr(glossary, "GLOSSARY", path)
    names = tmp_path / "glossary_names.tsv"
    names.write_text(NAMES, encoding="utf-8")
    monkeypatch.setattr(glossary, "NAMES", names)
    glossary._table.cache_clear()
    yield
    glossary._table.cache_clear()


def english(question: str, language: str) -> list[tuple[str, ...]]:
    return [m.english for m in glossary.matches(question, language)]


def test_inflected_words_match_by_their_stems(small):
    assert english("нарушения режима санкций", "ru") == [("sanctions",)]
    assert english("les sanctions contre la Syrie", "fr") == [("sanctions",)]


def test_arabic_matches_without_its_vowel_marks_and_with_either_alef(small):
    assert english("الجَزاءات المفروضة", "ar") == [("sanctions",)]
    question = "فُرِضَت الجَزاءات"      # the phrase is placed where the question writes it
    found = glossary.matches(question, "ar")
    assert [question[m.start:m.end] for m in found] == ["الجَزاءات"]
    assert english("حظر توريد الاسلحة", "ar") == [("arms", "embargo")]


def test_the_longest_phrase_wins_and_phrases_do_not_overlap(small):
    found = glossary.matches("эмбарго на поставки оружия и право вето", "ru")
    assert [m.english for m in found] == [("arms", "embargo"), ("veto",)]
    question = "эмбарго на поставки оружия и право вето"
    assert [question[m.start:m.end] for m in found] == ["эмбарго на поставки оружия",
                                                         "право вето"]
    assert english("эмбарго", "ru") == [("embargo", "act")]   # with the name's line


def test_chinese_is_matched_by_its_characters(small):
    found = glossary.matches("利比亚武器禁运与制裁", "zh")
    assert [m.english for m in found] == [("arms", "embargo"), ("sanctions",)]
    assert ["利比亚武器禁运与制裁"[m.start:m.end] for m in found] == ["武器禁运", "制裁"]


def test_names_are_matched_as_words_are_unless_left_out(small):
    assert english("положение в Абьей", "ru") == [("abyei",)]
    assert english("阿卜耶伊的局势", "zh") == [("abyei",)]
    assert [m.english for m in glossary.matches("положение в Абьей", "ru", names=False)] == []
    # a name spelt as one of the words stands for both, the words' English first
    assert english("эмбарго", "ru") == [("embargo", "act")]
    assert [m.english for m in glossary.matches("эмбарго", "ru", names=False)] == [("embargo",)]


def test_english_other_languages_and_malformed_lines_match_nothing(small):
    assert english("sanctions", "en") == []
    assert english("only three", "fr") == []


@pytest.mark.parametrize("question, language, word", [
    # UN terms the multilingual model places wrongly
    ("الجزاءات", "ar", "sanctions"), ("حق النقض", "ar", "veto"),
    ("حفظة السلام", "ar", "peacekeepers"), ("наемники", "ru", "mercenaries"),
    ("否决权", "zh", "veto"), ("desertificación", "es", "desertification"),
    # names the gloss lost before the name lines
    ("МООНСДРК", "ru", "monusco"), ("беженцы рохинджа", "ru", "rohingya"),
    ("Аральского моря", "ru", "aral"), ("阿卜耶伊", "zh", "abyei"),
    ("罗兴亚难民", "zh", "rohingya"), ("布里奇敦倡议", "zh", "bridgetown"),
    ("لاجئو الروهينغيا", "ar", "rohingya"),
])
def test_the_shipped_glossary_knows_what_the_model_misplaces(question, language, word):
    assert word in {w for m in glossary.matches(question, language) for w in m.english}


def test_every_line_of_the_shipped_glossary_has_six_columns():
    for number, line in enumerate(glossary.GLOSSARY.read_text(encoding="utf-8").splitlines(), 1):
        if line and not line.startswith("#"):
            cells = line.split("\t")
            assert len(cells) == 6, number
            assert cells[0] == cells[0].lower().strip() and cells[0], number

"""The words a gloss is made of: English words of a passage, words of a question."""

from __future__ import annotations

from diplosearch.text.glosswords import arabic_bare, english_words, question_words


def test_english_words_leave_out_function_words_and_short_ones():
    words = english_words("The Council must lift the arms embargo on Libya, as it is 3 years.")
    assert words == ["council", "lift", "arms", "embargo", "libya", "years"]
    assert "the" not in words and "on" not in words and "it" not in words
    assert english_words("counter-terrorism des pour") == ["counter-terrorism"]


def test_question_words_are_words_of_three_letters_or_more_once():
    assert question_words("L'embargo sur les armes en Libye, les armes", "fr") == [
        "embargo", "sur", "les", "armes", "libye"]
    assert question_words("резолюция 2334 о поселениях", "ru") == ["резолюция", "поселениях"]


def test_chinese_question_words_are_runs_of_two_to_four_characters():
    words = question_words("利比亚武器禁运 2020", "zh")
    for run in ("利比", "利比亚", "武器", "禁运", "武器禁运"):
        assert run in words
    assert "利" not in words                      # one character alone: too ambiguous
    assert "2020" in words
    assert all(len(w) <= 4 for w in words if not w.isdigit())


def test_arabic_words_lose_article_and_attached_conjunction():
    assert arabic_bare("والأسلحة") == "أسلحة"
    assert arabic_bare("الأسلحة") == "أسلحة"
    assert arabic_bare("بالسلام") == "سلام"
    assert arabic_bare("ولد") == "ولد"              # "و" + two letters: left as it is


def test_arabic_vowel_marks_do_not_split_a_word():
    # "قُتلوا" (killed) with its damma; "عمّان" with its shadda; a tatweel in "الأمـن"
    assert question_words("قُتلوا في عمّان الأمـن", "ar") == ["قتلوا", "عمان", "الأمن"]

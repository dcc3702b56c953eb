"""Chinese words' English meanings from CC-CEDICT, as the gloss reads them."""

from __future__ import annotations

from diplosearch.text import cedict


def test_un_words_have_their_english_meanings():
    assert cedict.available()
    assert "embargo" in cedict.english_of("禁运")
    assert cedict.english_of("维和") == ("peacekeeping",)
    assert "ceasefire" in cedict.english_of("停火")
    assert {"aid", "assistance"} <= set(cedict.english_of("援助"))
    assert "refugee" in cedict.english_of("难民")


def test_usages_notes_and_function_words_are_left_out():
    words = cedict.english_of("禁运")            # "export ban (e.g. on weapons)"
    assert "weapons" not in words and "e" not in words and "on" not in words
    assert cedict.english_of("没有这个词") == ()
    assert all(w == w.lower() and len(w) >= 3 for w in cedict.english_of("安全"))

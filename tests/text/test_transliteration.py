"""Names in Arabic and Cyrillic letters spelled so that they meet their English forms."""

from __future__ import annotations

from diplosearch.text import transliteration as tr


def test_a_name_and_its_english_form_share_their_consonants():
    for word, language, english in [("دونباس", "ar", "donbas"), ("Донбассе", "ru", "donbas"),
                                    ("ميانمار", "ar", "myanmar"), ("рохинджа", "ru", "rohingya"),
                                    ("كاراباخ", "ar", "karabakh"), ("Дарфура", "ru", "darfur")]:
        spelt = tr.latin(word, language)
        assert tr.consonants(spelt) == tr.consonants(tr.latin(english)), (word, spelt)
        assert tr.likeness(spelt, tr.latin(english)) >= tr.LIKENESS[language], (word, spelt)


def test_arabic_long_vowels_are_kept_as_vowels():
    # anyascii writes alif as nothing; here it is an "a", so "فارك" meets "farc", not "africa"
    assert tr.latin("فارك", "ar") == "fark"
    assert tr.likeness(tr.latin("فارك", "ar"), tr.latin("farc")) > \
        tr.likeness(tr.latin("فارك", "ar"), tr.latin("africa"))


def test_only_a_capitalised_russian_word_may_be_a_name():
    question = "переговоры на саммите в Минске"
    assert tr.written_as_name("минске", question, "ru")
    assert not tr.written_as_name("саммите", question, "ru")
    assert tr.written_as_name("مينسك", "محادثات مينسك", "ar")   # Arabic has no capitals


def test_a_russian_adjective_is_also_read_as_the_name_it_is_made_from():
    assert tr.name_forms("берлинская", "ru") == ["берлинская", "берлин"]   # of Berlin
    stem = tr.name_forms("женевских", "ru")[-1]                              # of Geneva
    assert tr.consonants(tr.latin(stem, "ru")) == tr.consonants(tr.latin("geneva"))
    assert tr.name_forms("донбасс", "ru") == ["донбасс"]
    assert tr.name_forms("برلين", "ar") == ["برلين"]

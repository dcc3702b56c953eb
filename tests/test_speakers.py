import pytest

from diplosearch.speakers import parse_label


@pytest.mark.parametrize("text, name, affiliation, role, language", [
    ("Mr. Semerikov (spoke in Russian): I wish", "Mr. Semerikov", None, None, "Russian"),
    ("The President: I thank", "The President", None, "President", None),
    ("Mr. Amorin (Uruguay) (spoke in Spanish): x", "Mr. Amorin", "Uruguay", None, "Spanish"),
    ("Mr. Nebenzia (Russian Federation): x", "Mr. Nebenzia", "Russian Federation", None, None),
    ("Mrs. Craft (United States of America): x", "Mrs. Craft", "United States of America", None, None),
    ("The Secretary-General (spoke in French): x", "The Secretary-General", None, "Secretary-General", "French"),
    ("Mr. Michon (spoke in French) (France): x", "Mr. Michon", "France", None, "French"),
    ("Monsignor Hansen (Holy See): x", "Monsignor Hansen", "Holy See", None, None),
    ("Dato Lim Jock Hoi: x", "Dato Lim Jock Hoi", None, None, None),
    ("Hadiza (spoke in French): x", "Hadiza", None, None, "French"),
])
def test_labels(text, name, affiliation, role, language):
    speaker, cut = parse_label(text)
    assert (speaker.name, speaker.affiliation, speaker.role, speaker.language) == \
        (name, affiliation, role, language)
    assert text[cut:] == "I wish" if text.endswith("I wish") else text[cut:] in ("x", "I thank")


@pytest.mark.parametrize("text", [
    "We believe that: the Council must act.",
    "In conclusion, as the community: x",
    "Resolution 2178 (2014): foreign fighters",
    "",
])
def test_ordinary_sentences_are_not_labels(text):
    assert parse_label(text) is None


def test_every_2020_speech_file_opens_with_a_label(shared):
    folder = shared / "corpus/unsc_2020_pires/speeches_txt_2020"
    missing = []
    for f in sorted(folder.iterdir()):
        data = f.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        if parse_label(text) is None:
            missing.append(f.name)
    assert missing == []

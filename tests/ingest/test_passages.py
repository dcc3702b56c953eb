from hypothesis import given, settings
from hypothesis import strategies as st

from diplosearch.ingest.passages import sentence_spans, split_paragraph


def words(texts):
    return [len(t.split()) for t in texts]


def sentences(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_respect_abbreviations_and_symbols():
    text = ("Mr. Guterres spoke. See S/PV.8699 and resolution 2178 (2014). "
            "The U.S. delegation agreed! Did J. Smith? Yes.")
    assert sentences(text) == ["Mr. Guterres spoke.", "See S/PV.8699 and resolution 2178 (2014).",
                               "The U.S. delegation agreed!", "Did J. Smith?", "Yes."]


def test_short_paragraph_is_one_passage():
    assert split_paragraph("One sentence. Two.", words, 10) == [(0, 18)]


def test_long_paragraph_fills_each_part_with_whole_sentences_up_to_the_budget():
    text = " ".join(f"Sentence number {i} has five words." for i in range(30))  # 180 words
    parts = split_paragraph(text, words, 100)
    sizes = [len(text[s:e].split()) for s, e in parts]
    assert sizes == [96, 84]    # 16 sentences of 6 words, then the rest: not 90 + 90
    assert all(text[e - 1] == "." for _, e in parts)
    assert " ".join(text[s:e] for s, e in parts) == text


def test_a_sentence_longer_than_the_budget_is_cut_between_words():
    text = " ".join(["word"] * 25) + "."
    parts = split_paragraph(text, words, 10)
    assert [len(text[s:e].split()) for s, e in parts] == [10, 10, 5]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("abc .!?\n"), min_size=1, max_size=400),
       st.integers(min_value=1, max_value=20))
def test_split_never_loses_text_or_exceeds_the_budget(text, budget):
    parts = split_paragraph(text, words, budget)
    assert all(len(text[s:e].split()) <= budget for s, e in parts)
    assert " ".join(text[s:e] for s, e in parts).split() == text.split()

import re

from diplosearch.documents import to_passages
from diplosearch.sources import SourceFile, discover, read_source
from tests.conftest import SEED


def word_count(texts):
    return [len(re.findall(r"\w+|[^\w\s]", t)) for t in texts]


def seed_passages(seed_dir, budget=128):
    (file,) = [f for f in discover([seed_dir])]
    return read_source(file), to_passages(read_source(file), word_count, budget)


def test_seed_passages_carry_speaker_and_paragraph(seed_dir):
    src, passages = seed_passages(seed_dir)
    first = passages[0]
    assert first.text.startswith("I wish at the outset")      # the label is metadata, not text
    assert first.speaker == "Mr. Semerikov" and first.language == "Russian"
    assert first.affiliation == "Collective Security Treaty Organization"   # from the sidecar
    assert {p.paragraph for p in passages} == set(range(1, 20))
    mercury = [p for p in passages if "Operation Mercury" in p.text]
    assert len(mercury) == 1 and mercury[0].paragraph == 9


def test_passages_point_back_to_lines_and_characters(seed_dir):
    src, passages = seed_passages(seed_dir)
    lines = src.text.split("\n")
    for p in passages:
        raw = src.text[p.char_start:p.char_end]
        squash = lambda s: re.sub(r"[\s-]", "", s)  # noqa: E731
        assert squash(raw) == squash(p.text)
        assert p.text.split()[0] in lines[p.line_start - 1]
        assert p.text.split()[-1].rstrip("-") in lines[p.line_end - 1]


def test_every_word_lands_in_a_passage_within_budget(seed_dir):
    src, passages = seed_passages(seed_dir, budget=40)
    assert all(n <= 40 for n in word_count([p.text for p in passages]))
    label = "Mr. Semerikov (spoke in Russian):"
    expected = re.sub(r"-\s*\n\s*", "-", src.text.replace(label, "", 1)).split()
    assert " ".join(p.text for p in passages).split() == expected
    split = [p for p in passages if p.parts > 1]
    assert split and all(1 <= p.part <= p.parts for p in split)


def test_tiny_paragraphs_merge_with_the_next_of_the_same_statement(tmp_path):
    f = tmp_path / "rec.txt"
    f.write_text("The President: Thank you.\nI now give the floor to the representative of Chile "
                 "who will speak about the draft resolution before the Council today.\n"
                 "Mr. Soto (Chile) (spoke in Spanish): We support it.\n")
    passages = to_passages(read_source(SourceFile(f, f.name)), word_count, 128, min_tokens=8)
    assert [(p.paragraph, p.paragraph_end, p.speaker) for p in passages] == [
        (1, 2, "The President"), (3, 3, "Mr. Soto")]
    assert passages[0].text.startswith("Thank you. I now give")
    assert passages[1].affiliation == "Chile" and passages[1].statement == 2

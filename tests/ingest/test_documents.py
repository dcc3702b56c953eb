import re

from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.sources import SourceFile, discover, read_source


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


def record_source(tmp_path, text, **fields):
    from diplosearch.ingest.sources import SourceText

    f = tmp_path / "record.pdf"
    return SourceText(SourceFile(f, f.name), text, "0" * 64, "pdf", fields.pop("metadata", {}),
                      hard_wrapped=True, **fields)


def test_pdf_passages_carry_pages_notes_and_the_presidents_country(tmp_path):
    text = ("The meeting was called to order at 10 a.m.\n\n"
            "The President: I welcome the members of the\nCouncil to this meeting today.\n\n"
            "(spoke in French)\n\n"
            "We now turn to the item\non the agenda of the Council.\n\n"
            "The meeting rose at 11 a.m.\n")
    note_end = text.index("\n\n")
    page3 = text.index("We now turn")
    last = text.index("The meeting rose")
    source = record_source(tmp_path, text, pages=[(0, 2), (page3, 3)],
                           notes=[(0, note_end), (last, len(text) - 1)],
                           metadata={"president_affiliation": "Viet Nam", "language": "English"})
    passages = to_passages(source, word_count, 128, min_tokens=1)
    got = [(p.text[:12], p.page, p.speaker, p.affiliation, p.language, p.statement) for p in passages]
    assert got == [
        ("The meeting ", 2, None, None, None, None),
        ("I welcome th", 2, "The President", "Viet Nam", "English", 1),
        ("We now turn ", 3, "The President", "Viet Nam", "French", 1),
        ("The meeting ", 3, None, None, None, None),
    ]


def test_page_furniture_in_text_files_is_dropped_and_cut_paragraphs_rejoined(tmp_path):
    f = tmp_path / "S-RES-9999(2020).txt"
    recalling = ("Recalling its earlier resolutions on the situation, in particular those on "
                 "the protection of civilians and on humanitarian access, and on the")
    deciding = ("1. Decides to remain seized of the matter, and to review the situation again "
                "when the Secretary-General next reports to it on these questions.")
    noting = [f"Noting with concern point {n} of the report of the Secretary-General on the "
              "situation, and the humanitarian consequences of the fighting for civilians,"
              for n in range(1, 5)]
    # One paragraph per line, as in the shared resolutions corpus, with a page break.
    f.write_text("The Security Council,\n" + "\n".join(noting) + f"\n{recalling}\n"
                 "14-61606 (E)\n*1461606*\n\nS/RES/9999 (2020)\nsubject of this resolution,\n"
                 f"{deciding}\n2/2 14-61606\n")
    passages = to_passages(read_source(SourceFile(f, f.name)), word_count, 128, min_tokens=1)
    assert [(p.text, p.section) for p in passages] == [
        ("The Security Council,\n" + noting[0], "PP 1"),     # the opening leads into PP 1
        *[(text, f"PP {n}") for n, text in enumerate(noting[1:], start=2)],
        (recalling + " subject of this resolution,", "PP 5"),
        (deciding, "OP 1"),
    ]


def test_a_lower_case_fragment_rejoins_the_paragraph_it_broke_off(tmp_path):
    f = tmp_path / "gd.txt"
    f.write_text("Small island States face rising seas, stronger storms and the loss of their\n"
                 "world.\nWe call on the largest emitters to act now, as the science demands of all.\n")
    passages = to_passages(read_source(SourceFile(f, f.name)), word_count, 128, min_tokens=8)
    # The broken line is part of its paragraph, so the next paragraph is ¶2, not ¶3.
    assert [(p.paragraph, p.paragraph_end) for p in passages] == [(1, 1), (2, 2)]
    assert passages[0].text.endswith("loss of their world.")
    assert passages[1].text.startswith("We call on")

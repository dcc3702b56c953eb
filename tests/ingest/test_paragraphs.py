"""Paragraphs as the source has them: hard-wrapped lines joined, page breaks inside a
sentence bridged, page furniture and wordless junk never a passage, ¶ numbers counting
real paragraphs; and General Debate statements with their country and no salutation as
speaker."""

import re
import shutil

import pytest

import diplosearch as ds
from diplosearch.embed.models import HashingEmbedder
from diplosearch.ingest import furniture, textclean
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.sources import SourceFile, discover, read_source
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
GD = CORPUS / "ungdc_2015_2024" / "TXT"
SPEECHES = CORPUS / "unsc_2020_pires" / "speeches_txt_2020"
RESOLUTIONS = CORPUS / "unsc_resolutions_2005_2015" / "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex"
HASHING = HashingEmbedder()


def passages_of(path, budget=128, name=None):
    return to_passages(read_source(SourceFile(path, name or path.name)), HASHING.count_tokens,
                       budget)


def passages_of_text(tmp_path, text, name="statement.txt", budget=128, min_tokens=16):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return to_passages(read_source(SourceFile(path, name)), HASHING.count_tokens, budget,
                       min_tokens)


# -- General Debate files wrapped at ~100 characters, with page breaks mid-sentence ----
def test_a_hard_wrapped_speech_reads_as_its_paragraphs():
    passages = passages_of(GD / "Session 79 - 2024" / "CHN_79_2024.txt")
    # Before: 142 passages, one per line, such as "turbulent world. Challenges of ...".
    assert len(passages) < 60
    assert not [p.text for p in passages if p.text[:1].islower()]
    (bridged,) = [p for p in passages if "Meanwhile, we are" in p.text]
    assert "Meanwhile, we are also embracing a world full of hope." in bridged.text
    assert bridged.paragraph_end == 3       # ¶1 and ¶2 are the salutation lines
    # The next paragraph of the source is the next ¶.
    (after,) = [p for p in passages if p.text.startswith("This institution, the United Nations")]
    assert after.paragraph == 4


def test_a_blank_line_inside_a_sentence_does_not_end_the_paragraph(tmp_path):
    line = "We are facing a changing and turbulent world, and the challenges of insecurity are"
    text = (f"{line}\nincreasingly prominent. Hotspot conflicts keep emerging all over the world, and\n"
            f"the future of this planet is a cause for concern. Meanwhile, we are\n\n"
            f"also embracing a world full of hope. The aspirations of the Global South for\n"
            f"modernization have never been stronger than they are in these decisive years.\n\n"
            f"This institution, the United Nations, embodies the aspirations of the peoples of\n"
            f"the world for lasting peace and common prosperity in the century we live in.\n")
    passages = passages_of_text(tmp_path, text, budget=256, min_tokens=0)
    assert [(p.paragraph, p.text[:20]) for p in passages] == [
        (1, "We are facing a chan"), (2, "This institution, th")]
    assert "Meanwhile, we are also embracing" in passages[0].text


def test_text_with_a_paragraph_per_line_keeps_its_paragraphs(tmp_path):
    paras = ["The first paragraph says one thing and ends as paragraphs do.",
             "Climate change",
             "The second paragraph, after a heading, says another thing entirely.",
             "A third follows it, with the Secretary-General in it."]
    passages = passages_of_text(tmp_path, "\n".join(paras) + "\n", min_tokens=0)
    assert [p.text for p in passages] == paras
    assert [p.paragraph for p in passages] == [1, 2, 3, 4]


def test_a_line_broken_mid_sentence_joins_whatever_case_follows(tmp_path):
    text = ("In his report the Secretary-General reminds us that the situation in the region of the\n"
            "Sahel remains fragile, and we thank His Excellency Mr.\n"
            "Antonio Guterres for his leadership of the\nOrganization.\n")
    (passage,) = passages_of_text(tmp_path, text, min_tokens=0)
    assert passage.text == ("In his report the Secretary-General reminds us that the situation in "
                            "the region of the Sahel remains fragile, and we thank His Excellency "
                            "Mr. Antonio Guterres for his leadership of the Organization.")


def test_the_seed_keeps_its_nineteen_paragraphs():
    raw = (SHARED / "seed" / "unsc_2019-09-25_csto_semerikov.txt").read_text(encoding="utf-8")
    assert textclean.is_hard_wrapped(raw)
    assert len(textclean.paragraph_blocks(raw)) == 19


@pytest.mark.parametrize("name", ["USA_74_2019.txt", "RUS_74_2019.txt"])
def test_one_paragraph_per_line_statements_are_unchanged(name):
    raw = (GD / "Session 74 - 2019" / name).read_text(encoding="utf-8")
    lines = [line for line in raw.splitlines() if line.strip()]
    assert len(textclean.paragraph_blocks(raw)) == len(lines)


# -- page furniture and junk ------------------------------------------------------
@pytest.mark.parametrize("path, furniture_text", [
    (SPEECHES / "UNSC_2020_SPV.8721_spch018.txt", "20-03616"),
    (SPEECHES / "UNSC_2020_SPV.8704_spch002.txt", "16/01/2020 The situation in the Middle East"),
    (GD / "Session 70 - 2015" / "GRC_70_2015.txt", "15-29658"),
    (GD / "Session 70 - 2015" / "SUR_70_2015.txt", "A/70/PV.28"),
])
def test_page_furniture_glued_into_text_is_never_in_a_passage(path, furniture_text):
    assert furniture_text in path.read_text(encoding="utf-8", errors="replace")
    texts = [p.text for p in passages_of(path)]
    assert texts and not [t for t in texts if furniture_text in t]


def test_the_job_number_goes_but_the_words_around_it_stay():
    (text,) = [p.text for p in passages_of(SPEECHES / "UNSC_2020_SPV.8721_spch018.txt")
               if "peacebuilding" in p.text and "processes. We agree" in p.text]
    assert "peacebuilding processes. We agree" in text


@pytest.mark.parametrize("line", ["3", "A/70/PV.28 03/10/2015", "03/10/2015 A/70/PV.28",
                                  "24/55 15-29658", "15-29658 (E) 24/55", "*1529658*", "---",
                                  "* * *", "________________", "S/RES/1624 (2005)"])
def test_furniture_lines(line):
    assert furniture.is_furniture(line)
    assert furniture.mask(f"Text.\n{line}\nMore.").split() == ["Text.", "More."]


@pytest.mark.parametrize("text", ["available 24/7 to all", "the attacks of 9/11 and after",
                                  "resolution 2178 (2014)", "(A/51/306, para. 1)", "1. Decides"])
def test_what_is_not_furniture(text):
    assert furniture.mask(text) == text


def test_no_passage_is_a_page_number_or_has_no_word():
    for path in [RESOLUTIONS / "S-RES-1624(2005).txt", RESOLUTIONS / "S-RES-2178(2014).txt",
                 GD / "Session 79 - 2024" / "MLI_79_2024.txt"]:
        texts = [p.text for p in passages_of(path)]
        assert texts and not [t for t in texts if not re.search(r"[^\W\d_]", t)], path


def test_a_wordless_line_goes_with_the_next_paragraph(tmp_path):
    passages = passages_of_text(tmp_path, "First point made here.\n1.\nSecond point made.\n",
                                min_tokens=0)
    assert [p.text for p in passages] == ["First point made here.", "1. Second point made."]


def test_a_resolution_keeps_its_paragraph_numbers_across_page_breaks():
    passages = passages_of(RESOLUTIONS / "S-RES-1624(2005).txt")
    (recalling,) = [p for p in passages if p.text.startswith("Recalling the right to freedom")]
    # The paragraph cut by the page footer and header goes on after them.
    assert recalling.text.endswith("adopted by the General Assembly in 1966 (\"ICCPR\"),") or \
        "in Article 19 of the International Covenant" in recalling.text
    assert recalling.section == "PP 6"
    assert [p.section for p in passages if p.text.startswith("7. Decides")] == ["OP 7"]


# -- salutations and the General Debate's metadata -----------------------------
def test_a_salutation_is_never_a_speaker():
    passages = passages_of(GD / "Session 79 - 2024" / "MDV_79_2024.txt")
    assert {p.affiliation for p in passages} == {"Maldives"}
    assert {p.speaker for p in passages} == {"Mohamed Muizzu"}
    assert any("Mr President: congratulations on the assumption" in p.text for p in passages)


def test_a_salutation_opening_a_statement_is_not_a_passage_alone():
    passages = passages_of(GD / "Session 79 - 2024" / "CHN_79_2024.txt")
    assert passages[0].text.startswith("Mr. President, Colleagues, Today, humanity")
    assert (passages[0].paragraph, passages[0].paragraph_end) == (1, 3)


def test_a_general_debate_file_copied_out_keeps_its_country_and_says_what_is_missing(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ["ARM_78_2023.txt", "FRA_78_2023.txt"]:
        shutil.copy(GD / "Session 78 - 2023" / name, folder / name)
    source = read_source(SourceFile(folder / "ARM_78_2023.txt", "ARM_78_2023.txt"))
    assert source.metadata == {"body": "General Assembly", "session": "78", "year": "2023",
                               "date": "2023-09-05", "title": "General Debate, 78th session",
                               "affiliation": "Armenia"}
    assert len(source.warnings) == 1 and "Speakers_by_session.xlsx" in source.warnings[0]
    idx, report = ds.build_index([folder], tmp_path / "ix", model="hashing")
    assert len(report.warnings) == 1           # one line for the build, not one per file
    hits = idx.search("Nagorno-Karabakh", k=3)
    assert hits and {h.affiliation for h in hits} <= {"Armenia", "France"}


def test_in_the_corpus_the_workbook_gives_speaker_and_post_without_a_warning():
    source = read_source(SourceFile(GD / "Session 78 - 2023" / "ARM_78_2023.txt", "a"))
    assert source.warnings == []
    assert source.metadata["affiliation"] == "Armenia"
    assert source.metadata["speaker"] and source.metadata["role"]


def test_the_cli_prints_the_missing_workbook_once(tmp_path):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    for name in ["ARM_78_2023.txt", "FRA_78_2023.txt"]:
        shutil.copy(GD / "Session 78 - 2023" / name, tmp_path / name)
    out = CliRunner().invoke(app, ["index", "build", str(tmp_path / "ARM_78_2023.txt"),
                                   str(tmp_path / "FRA_78_2023.txt"), "--name", "gd",
                                   "--model", "hashing"])
    assert out.exit_code == 0, out.output
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "Speakers_by_session.xlsx not found" in warnings[0]


# -- invitations carried into resumptions --------------------------------------
def test_records_of_one_meeting_are_read_first_record_first(tmp_path):
    for name in ["S_PV.8699(Resumption1)_E.pdf", "S_PV.8699_E.pdf", "S_PV.8698_E.pdf",
                 "UNSC_2020_SPV.8699Resumption1_spch001.txt", "UNSC_2020_SPV.8699_spch001.txt"]:
        (tmp_path / name).write_bytes(b"x")
    assert [f.key for f in discover([tmp_path])] == [
        "S_PV.8698_E.pdf", "S_PV.8699_E.pdf", "UNSC_2020_SPV.8699_spch001.txt",
        "S_PV.8699(Resumption1)_E.pdf", "UNSC_2020_SPV.8699Resumption1_spch001.txt"]


def test_a_briefer_invited_in_the_first_record_keeps_the_affiliation_in_the_resumption():
    pdfs = CORPUS / "unsc_2020_pires" / "speeches_pdf"
    meetings: dict = {}
    for name in ["S_PV.8699_E.pdf", "S_PV.8699(Resumption1)_E.pdf"]:
        passages = to_passages(read_source(SourceFile(pdfs / name, name)), HASHING.count_tokens,
                               128, meetings=meetings)
    mardini = [p for p in passages if p.speaker == "Mr. Mardini"]
    assert mardini and {p.affiliation for p in mardini} == {"International Committee of the Red Cross"}
    # Read on its own, the resumption does not know him.
    alone = passages_of(pdfs / "S_PV.8699(Resumption1)_E.pdf")
    assert {p.affiliation for p in alone if p.speaker == "Mr. Mardini"} == {None}


def test_a_2020_speech_copied_out_says_its_table_is_missing(tmp_path):
    # A trial copied speeches out of the corpus: no dates, no briefers' affiliations, and not
    # a word about it. Inside the corpus the table is found and nothing is said.
    speeches = GD.parents[1] / "unsc_2020_pires" / "speeches_txt_2020"
    name = sorted(p.name for p in speeches.glob("UNSC_2020_SPV.*_spch00*.txt"))[0]
    shutil.copy(speeches / name, tmp_path / name)
    copied = read_source(SourceFile(tmp_path / name, name))
    assert "date" not in copied.metadata
    assert len(copied.warnings) == 1 and "unsc_2020_meta_from_RData.tsv" in copied.warnings[0]
    in_place = read_source(SourceFile(speeches / name, name))
    assert in_place.warnings == [] and in_place.metadata["date"].startswith("2020-")

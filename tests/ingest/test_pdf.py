"""PDF verbatim records: reading order, page numbers, page furniture kept out, cover
metadata, speakers, and bad PDFs reported by name."""

import importlib.util
import re

import pytest

from diplosearch.ingest.documents import to_passages
from diplosearch.embed.models import HashingEmbedder
from diplosearch.errors import SourceError
from diplosearch.ingest.sources import SourceFile, discover, read_source
from tests.conftest import REPO, SHARED

PDFS = SHARED / "corpus" / "unsc_2020_pires" / "speeches_pdf"


def count(texts):
    return HashingEmbedder().count_tokens(texts)


@pytest.fixture(scope="module")
def record_8700():
    path = PDFS / "S_PV.8700_E.pdf"
    source = read_source(SourceFile(path, path.name))
    return source, to_passages(source, count, 128)


def passage_with(passages, words):
    (found,) = [p for p in passages if words in p.text]
    return found


def test_cover_page_becomes_metadata(record_8700):
    source, passages = record_8700
    assert source.metadata == {
        "symbol": "S/PV.8700", "body": "Security Council", "meeting": "8700",
        "date": "2020-01-10", "year": "2020", "time": "3 p.m.", "place": "New York",
        "president": "Mr. Dang", "president_affiliation": "Viet Nam",
        "agenda": "The situation in the Middle East", "topic": "The situation in the Middle East",
        "language": "English"}
    cover_words = ("Provisional", "Seventy-fifth year", "Members:", "verbatimrecords@un.org")
    assert not [w for w in cover_words for p in passages if w in p.text]


def test_no_running_header_footer_or_page_number_in_any_passage(record_8700):
    _, passages = record_8700
    leaks = [p.text for p in passages if re.search(
        r"20-00806|\*2000806\*|S/PV\.8700|10/01/2020|(?<![\w/])\d{1,2}/12(?![\w/])"
        r"|This record contains", p.text)]
    assert leaks == []


def test_two_columns_read_in_order_with_printed_page_numbers(record_8700):
    source, passages = record_8700
    rule36 = passage_with(passages, "Rule 36 of the Council’s provisional rules of procedure")
    france = passage_with(passages, "It was essential that the cross-border humanitarian")
    # Left column of page 3, then its right column.
    assert (rule36.page, france.page) == (3, 3) and rule36.position < france.position
    assert source.text.index("Rule 36") < source.text.index("Mrs. Gueguen (France)")
    # A paragraph that runs from page 3 onto page 4 stays whole, cited by its first page.
    mandate = passage_with(passages, "The mandate that the Security Council has just conferred")
    assert mandate.page == 4
    assert [p.page for p in passages] == sorted(p.page for p in passages)


def test_hyphenated_line_ends_are_repaired(record_8700):
    _, passages = record_8700
    text = " ".join(p.text for p in passages)
    assert "cross-border" in text and "Secretary-General" in text
    assert not re.search(r"cross- border|crossborder|Secretary- General", text)


def test_speaker_affiliation_language_and_order(record_8700):
    _, passages = record_8700
    president = passage_with(passages, "Rule 36 of the Council’s")
    assert (president.speaker, president.affiliation, president.role, president.language) == \
        ("The President (Mr. Dang)", "Viet Nam", "President", "English")   # named by the cover
    france = passage_with(passages, "It was essential that the cross-border")
    assert (france.speaker, france.affiliation, france.language, france.statement) == \
        ("Mrs. Gueguen", "France", "French", 7)
    # "(spoke in English)" in the middle of Mr. Nebenzia's statement.
    before = passage_with(passages, "should like to propose an oral amendment")
    after = passage_with(passages, "be deleted from the current text")
    assert (before.speaker, before.language) == ("Mr. Nebenzia", "Russian")
    assert (after.speaker, after.language, after.statement) == ("Mr. Nebenzia", "English", 2)


def test_procedural_notes_and_votes_belong_to_no_speaker(record_8700):
    _, passages = record_8700
    assert passage_with(passages, "A vote was taken by show of hands. In favour: China").speaker is None
    assert passage_with(passages, "The meeting rose at 7.05 p.m.").speaker is None
    assert passage_with(passages, "The meeting was called to order").statement is None


def test_briefer_affiliation_from_rule_39_invitation():
    path = PDFS / "S_PV.8698_E.pdf"
    passages = to_passages(read_source(SourceFile(path, path.name)), count, 128)
    chambas = passage_with(passages, "I am honoured to be here today to brief the Council")
    assert (chambas.speaker, chambas.affiliation, chambas.page) == \
        ("Mr. Chambas", "United Nations", 2)
    assert chambas.role.startswith("Special Representative of the Secretary-General")


def test_indexed_pdf_is_cited_by_page(tmp_path, hashing):
    import diplosearch as ds

    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "S_PV.8701_E.pdf").write_bytes((PDFS / "S_PV.8701_E.pdf").read_bytes())
    idx, report = ds.build_index([folder], tmp_path / "x", model=hashing)
    assert report.added == ["S_PV.8701_E.pdf"]
    hit = idx.search("draft resolution adopted unanimously as resolution 2505", k=1)[0]
    assert hit.page == 2 and hit.citation.startswith("S/PV.8701, p. 2 ¶")
    assert hit.date == "2020-01-13"


def _pdf_with_text(lines):
    """A one-page PDF whose text layer holds `lines` (Helvetica, 12 pt)."""
    body = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(
        "(" + line.replace("(", r"\(").replace(")", r"\)") + ") '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(body)} >>\nstream\n{body}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _bad_pdfs(folder):
    import pypdf

    memo = ["Minutes of the neighbourhood association, spring meeting."] * 30
    (folder / "not_un.pdf").write_bytes(_pdf_with_text(memo))
    (folder / "truncated.pdf").write_bytes((PDFS / "S_PV.8701_E.pdf").read_bytes()[:3000])
    (folder / "renamed.pdf").write_bytes(b"This is a text file with a .pdf name.\n" * 20)
    blank = pypdf.PdfWriter()
    blank.add_blank_page(width=612, height=792)
    with open(folder / "scanned.pdf", "wb") as f:
        blank.write(f)
    locked = pypdf.PdfWriter(clone_from=str(PDFS / "S_PV.8701_E.pdf"))
    locked.encrypt("secret")
    with open(folder / "locked.pdf", "wb") as f:
        locked.write(f)


@pytest.mark.parametrize("name, problem", [
    ("not_un.pdf", "not a UN record"),
    ("truncated.pdf", "corrupt or unreadable PDF"),
    ("renamed.pdf", "not a PDF file"),
    ("scanned.pdf", "no text layer"),
    ("locked.pdf", "encrypted PDF"),
])
def test_bad_pdfs_are_reported_by_name(tmp_path, name, problem):
    _bad_pdfs(tmp_path)
    with pytest.raises(SourceError) as err:
        read_source(SourceFile(tmp_path / name, name))
    assert problem in str(err.value) and name in str(err.value)
    assert "\n" not in str(err.value)


def test_a_pdf_with_a_symbol_in_its_metadata_is_read(tmp_path):
    lines = ["Statement by the delegation of Kenya on the agenda item,",
             "delivered at the informal meeting of the working group."] * 10
    (tmp_path / "kenya.pdf").write_bytes(_pdf_with_text(lines))
    (tmp_path / "kenya.pdf.meta.json").write_text('{"symbol": "A/AC.109/2022/SR.1"}')
    source = read_source(SourceFile(tmp_path / "kenya.pdf", "kenya.pdf"))
    assert source.metadata["symbol"] == "A/AC.109/2022/SR.1"
    assert source.text.startswith("Statement by the delegation of Kenya") and source.pages[0][1] == 1


def test_bad_pdfs_are_skipped_and_the_build_goes_on(tmp_path, hashing):
    import diplosearch as ds

    folder = tmp_path / "mixed"
    folder.mkdir()
    _bad_pdfs(folder)
    (folder / "S_PV.8701_E.pdf").write_bytes((PDFS / "S_PV.8701_E.pdf").read_bytes())
    assert {f.key for f in discover([folder])} >= {"S_PV.8701_E.pdf", "locked.pdf"}
    idx, report = ds.build_index([folder], tmp_path / "x", model=hashing)
    assert report.added == ["S_PV.8701_E.pdf"]
    assert sorted(p.rsplit("/", 1)[-1] for p, _ in report.skipped) == sorted(
        ["locked.pdf", "not_un.pdf", "renamed.pdf", "scanned.pdf", "truncated.pdf"])


def test_attribution_against_the_text_corpus_meets_the_target():
    """The measurement shipped as scripts/measure_attribution.py, on two records."""
    spec = importlib.util.spec_from_file_location(
        "measure_attribution", REPO / "scripts" / "measure_attribution.py")
    measure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(measure)
    corpus = SHARED / "corpus" / "unsc_2020_pires"
    meetings = measure.reference(corpus, only={"8698", "8700"})
    right = judged = leaks = 0
    for name in ("S_PV.8698_E.pdf", "S_PV.8700_E.pdf"):
        tally = measure.measure_file(corpus / "speeches_pdf" / name, meetings, count, False)
        right += tally["right"]
        judged += tally["right"] + tally["wrong"] + tally["unmatched"]
        leaks += tally["furniture"]
    assert judged > 250 and right / judged >= 0.98 and leaks == 0


def _column(x0, top, texts, indent_first=True):
    """Words of one column: one line of four words per text, 12 pt apart."""
    from diplosearch.ingest.pdflayout import Word

    words = []
    for n, text in enumerate(texts):
        x = x0 + (18 if indent_first and n == 0 else 0)
        for k, word in enumerate(text.split()):
            words.append(Word(word, x + 55 * k, x + 55 * k + 40, top + 12 * n, top + 12 * n + 11))
    return words


def test_layout_reads_a_full_width_heading_then_left_then_right_column():
    from diplosearch.ingest.pdf import assemble, layout_pages
    from diplosearch.ingest.pdflayout import Word

    pages = []
    for number in (1, 2):
        header = [Word("S/PV.9999", 60, 100, 55, 66), Word(f"{number}/2", 60, 76, 717, 728)]
        heading = [Word(w, 200 + 45 * i, 240 + 45 * i, 84, 96, bold=True)
                   for i, w in enumerate("A heading set across both columns".split())]
        left = _column(60, 110, [f"left{number} line {i} words" for i in range(12)])
        right = _column(330, 110, [f"right{number} line {i} words" for i in range(12)],
                        indent_first=False)
        pages.append(header + heading + left + right)
    record = assemble(PDFS / "synthetic.pdf", layout_pages(pages, (612, 792)))
    paragraphs = record.text.split("\n\n")
    assert paragraphs[0] == "A heading set across both columns" and record.notes[0] == (0, 33)
    # The right column goes on with the left column's paragraph (it starts unindented);
    # page 2 repeats the pattern; headers and footers are gone.
    assert len(paragraphs) == 4 and paragraphs[2] == paragraphs[0]
    body = paragraphs[1].split("\n")
    assert body[:2] == ["left1 line 0 words", "left1 line 1 words"]
    assert body[11:13] == ["left1 line 11 words", "right1 line 0 words"]
    assert "S/PV.9999" not in record.text and "1/2" not in record.text
    assert record.metadata == {"symbol": "S/PV.9999"}
    assert [n for _, n in record.pages] == [1, 2]

"""`.docx` records. No real UN .docx is reachable from here (no internet, none found in the
public repositories searched), so the test document is made with python-docx from real
text: the first statements of S/PV.8700 as the 2020 corpus has them, one paragraph each,
with the record's symbol and job number in the page header as UN documents carry them,
and a table. Binary .doc is refused with one line."""

from __future__ import annotations

import pytest

import diplosearch as ds
from diplosearch.errors import SourceError
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.sources import SourceFile, read_source
from tests.conftest import SHARED

SPEECHES = SHARED / "corpus/unsc_2020_pires/speeches_txt_2020"


def statements(n: int = 4) -> list[str]:
    return [(SPEECHES / f"UNSC_2020_SPV.8700_spch{i:03}.txt").read_text(encoding="utf-8").strip()
            for i in range(1, n + 1)]


@pytest.fixture
def record(tmp_path):
    from docx import Document

    document = Document()
    document.sections[0].header.paragraphs[0].text = "S/PV.8700 20-00697"
    for text in statements():
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    for row, (vote, count) in zip(table.rows, [("In favour", "11"), ("Abstaining", "4")]):
        row.cells[0].text, row.cells[1].text = vote, count
    path = tmp_path / "S_PV.8700_E.docx"
    document.save(path)
    return path


def test_a_docx_record_reads_as_its_paragraphs_with_speakers(record, hashing):
    source = read_source(SourceFile(record, record.name))
    assert source.metadata["symbol"] == "S/PV.8700" and source.encoding == "docx"
    assert "20-00697" not in source.text                   # the page header is furniture
    assert source.text.endswith("In favour | 11\n\nAbstaining | 4")
    passages = to_passages(source, hashing.count_tokens, 128)
    speakers = []
    for p in passages:
        if p.speaker and p.speaker not in speakers:
            speakers.append(p.speaker)
    assert speakers[:2] == ["The President", "Mr. Nebenzia"]
    nebenzia = next(p for p in passages if p.speaker == "Mr. Nebenzia")
    assert (nebenzia.affiliation, nebenzia.language) == ("Russian Federation", "Russian")


def test_a_docx_is_indexed_and_cited(record, hashing):
    idx, report = ds.build_index([record], "word", model=hashing, multilingual=False)
    assert not report.skipped
    hit = idx.search("oral amendment to paragraph 6", k=1, mode="keyword")[0]
    assert hit.citation.startswith("S/PV.8700 ¶") and hit.speaker == "Mr. Nebenzia"


def test_binary_doc_is_refused_with_one_line(tmp_path, hashing):
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(SourceError, match=r"old.doc: binary Word \(.doc\) is not read; save it "
                                          r"as .docx or PDF"):
        read_source(SourceFile(old, old.name))
    (tmp_path / "note.txt").write_text("A short statement on the situation in the Middle East.")
    _, report = ds.build_index([tmp_path], "mixed", model=hashing, multilingual=False)
    assert [(path.rsplit("/", 1)[1], reason.split(";")[0]) for path, reason in report.skipped] \
        == [("old.doc", "binary Word (.doc) is not read")]


def test_a_file_that_is_not_a_docx_is_refused(tmp_path):
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    with pytest.raises(SourceError, match="not a readable .docx file"):
        read_source(SourceFile(fake, fake.name))

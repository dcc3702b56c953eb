from pathlib import Path

import pytest

from diplosearch.errors import NoSourcesError, SourceError
from diplosearch.ingest.sources import SourceFile, decode, discover, metadata_from_name, read_source


@pytest.mark.parametrize("data, text, encoding", [
    ("Côte d’Ivoire".encode("utf-8"), "Côte d’Ivoire", "utf-8"),
    ("\ufeffBOM".encode("utf-8"), "BOM", "utf-8"),
    (b"the Council\x92s view \x96 and C\xf4te", "the Council’s view – and Côte", "cp1252"),
    (b"line one\r\nline two\r", "line one\nline two\n", "utf-8"),
    ("Côte d’Ivoire\r\n".encode("utf-16"), "Côte d’Ivoire\n", "utf-16"),
])
def test_decode_utf8_with_cp1252_fallback(data, text, encoding):
    assert decode(Path("x.txt"), data) == (text, encoding)


@pytest.mark.parametrize("data, problem", [
    (b"", "file is empty"),
    (b"  \n\n ", "file is empty"),
    (b"PK\x03\x04\x00\x00binary", "binary"),
    (b"\x81\x8d\x8f\x90\x9d" * 10, "cannot decode"),
    (bytes(range(1, 9)) * 50, "binary"),
])
def test_bad_bytes_give_a_named_error(data, problem):
    with pytest.raises(SourceError) as err:
        decode(Path("bad.txt"), data)
    assert problem in str(err.value) and "bad.txt" in str(err.value)


def test_mixed_encoding_corpus_reads_without_mojibake(shared):
    folder = shared / "corpus/unsc_2020_pires/speeches_txt_2020"
    encodings = {}
    for f in sorted(folder.iterdir()):
        src = read_source(SourceFile(f, f.name))
        encodings[src.encoding] = encodings.get(src.encoding, 0) + 1
        assert "â€" not in src.text and "Ã" not in src.text, f.name
    assert encodings == {"utf-8": 1566, "cp1252": 34}


@pytest.mark.parametrize("name, meta", [
    ("UNSC_2020_SPV.8699Resumption1_spch012.txt",
     {"symbol": "S/PV.8699 (Resumption 1)", "body": "Security Council", "statement": "12"}),
    ("UNSC_2020_SPV.8698_spch004.txt",
     {"symbol": "S/PV.8698", "body": "Security Council", "statement": "4"}),
    ("S_PV.8699(Resumption2)_E.pdf", {"symbol": "S/PV.8699 (Resumption 2)", "body": "Security Council"}),
    ("S-RES-1887(2009).txt", {"symbol": "S/RES/1887 (2009)", "body": "Security Council", "year": "2009"}),
    ("notes.txt", {}),
])
def test_symbols_from_file_names(name, meta):
    assert metadata_from_name(name) == meta


def test_discover_keys_files_relative_to_the_folder(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / "a" / "b" / "two.txt").write_text("y")
    (tmp_path / "a" / "b" / "skip.pdfx").write_text("z")
    (tmp_path / "a" / ".hidden.txt").write_text("z")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    keys = [f.key for f in discover([tmp_path / "a"])]
    assert keys == ["one.txt", "b/two.txt"]


def test_discover_errors(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        discover([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoSourcesError, match="folder has no"):
        discover([tmp_path / "empty"])
    (tmp_path / "x.odt").write_text("x")
    with pytest.raises(SourceError, match="unsupported file type"):
        discover([tmp_path / "x.odt"])


def test_sidecar_metadata_and_its_errors(tmp_path):
    f = tmp_path / "speech.txt"
    f.write_text("Mr. X: Hello there.")
    (tmp_path / "speech.txt.meta.json").write_text('{"date": "2019-09-25", "affiliation": "CSTO"}')
    assert read_source(SourceFile(f, f.name)).metadata == {"date": "2019-09-25", "affiliation": "CSTO"}
    (tmp_path / "speech.txt.meta.json").write_text('{"colour": "red"}')
    with pytest.raises(SourceError, match="unknown metadata field"):
        read_source(SourceFile(f, f.name))


def test_discover_finds_pdf_records_beside_text(tmp_path):
    (tmp_path / "S_PV.8701_E.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "metadata.csv").write_text("file,date\nnotes.txt,2020-01-01\n")
    assert sorted(f.key for f in discover([tmp_path])) == ["S_PV.8701_E.pdf", "notes.txt"]
    with pytest.raises(SourceError, match=r"expected one of \.doc, \.docx, \.pdf, \.text, \.txt"):
        discover([tmp_path / "metadata.csv"])

"""Hostile and odd input: arbitrary text and bytes, broken PDFs, huge and binary files,
odd names, symlink loops, the UN's non-Latin official languages, very long queries.
Each gives a correct result or one clear line, never a traceback."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

import diplosearch as ds
from diplosearch.ingest import furniture, speakers, textclean
from diplosearch.cli import app
from diplosearch.ingest.documents import to_passages
from diplosearch.ingest.passages import split_paragraph
from diplosearch.errors import SourceError
from diplosearch.ingest.sources import SourceFile, SourceText, read_source

HASHING = ds.HashingEmbedder()
PIECES = ["Mr. Smith (France):", "The President:", "(spoke in French)", "2/5", "19-29348",
          "Mr. Nebenzia (Russian Federation) (spoke in Russian):", "-\n", "- ", "\u00ad",
          "\n", "\n\n", "  ", "\t", "Secretary-\nGeneral", "organiza-\ntion", ". ", "! ",
          "? ", "e.g.", "Mr.", "A.", "1.", "S/PV.8699", "(", ")", ":", "\x0c", "\x1c",
          "\u2028", "\x85", "\xa0", "\u3000", "الأمين العام", "安全理事会。", "Совет Безопасности",
          "word", "Council", "peace", "the"]
DOCUMENTS = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map("".join))


def _content(ch: str) -> bool:
    """What must not be lost: everything but whitespace and soft hyphens (invisible)."""
    return not ch.isspace() and ch != "\u00ad"


def _deliberately_dropped(text: str) -> dict[int, str]:
    """Offsets the reader drops on purpose, by its own rules: speaker labels (kept as the
    passage's speaker), page furniture, "(spoke in ...)" language notes, Markdown emphasis
    marks ("*Pact for the Future*"), and a document with no word at all (it has no
    passage)."""
    out: dict[int, str] = {}
    for start, end in furniture.spans(text):
        out.update(dict.fromkeys(range(start, end), "furniture"))
    masked = furniture.mask(text)
    for start, end in textclean.paragraph_blocks(masked):
        out.update(dict.fromkeys((start + i for i in textclean._emphasis_marks(
            masked[start:end])), "emphasis mark"))
        clean = textclean.clean(masked[start:end], start)
        if furniture.is_furniture(clean.text) or speakers.language_switch(clean.text):
            out.update(dict.fromkeys(range(start, end), "furniture or note"))
        elif label := speakers.parse_label(clean.text):
            stop = clean.offsets[label[1]] if label[1] < len(clean.offsets) else end
            out.update(dict.fromkeys(range(start, stop), "speaker label"))
    if not re.search(r"[^\W\d_]", "".join(c for i, c in enumerate(masked) if i not in out)):
        out.update(dict.fromkeys(range(len(text)), "no word in the document"))
    return out


def _check_nothing_lost(text: str, budget: int, min_tokens: int) -> None:
    source = SourceText(SourceFile(Path("x.txt"), "x.txt"), text, "0", "utf-8", {})
    passages = to_passages(source, HASHING.count_tokens, budget, min_tokens)
    dropped = _deliberately_dropped(text)
    cover = [0] * len(text)
    for p in passages:
        assert 0 <= p.char_start <= p.char_end <= len(text)
        for i in range(p.char_start, p.char_end):
            cover[i] += 1
        # The passage's text is its source span, less re-joined hyphens and dropped parts.
        span = iter((i, text[i]) for i in range(p.char_start, p.char_end) if _content(text[i]))
        for ch in filter(_content, p.text):
            skipped = []
            for i, src in span:
                if src == ch:
                    break
                skipped.append((i, src))
            else:
                raise AssertionError(f"{ch!r} in passage {p.position} is not in its source span")
            assert all(s == "-" or i in dropped for i, s in skipped), (skipped, p)
        assert all(s == "-" or i in dropped for i, s in span), p
    for i, ch in enumerate(text):
        if _content(ch):
            assert cover[i] == 1 or (cover[i] == 0 and i in dropped), \
                f"character {i} ({ch!r}) is in {cover[i]} passages and not dropped on purpose"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.integers(1, 40), st.integers(0, 20))
def test_every_character_lands_in_one_passage_or_a_deliberate_drop(text, budget, min_tokens):
    _check_nothing_lost(text.replace("\r\n", "\n").replace("\r", "\n"), budget, min_tokens)


def test_the_property_check_sees_deliberate_drops_and_catches_losses(monkeypatch):
    text = ("Mr. Smith (France): We support the draft resolution before the Council.\n2/5\n"
            "The President: I thank him for his statement on the draft resolution.\n")
    dropped = _deliberately_dropped(text)
    assert "".join(c if i in dropped else " " for i, c in enumerate(text)).split() == [
        "Mr.", "Smith", "(France):", "2/5", "The", "President:"]
    _check_nothing_lost(text, 20, 0)
    import tests.ingest.test_hostile as me

    real = me.to_passages
    lossy = lambda *a, **k: [p for p in real(*a, **k) if "support" not in p.text]  # noqa: E731
    monkeypatch.setattr(me, "to_passages", lossy)
    with pytest.raises(AssertionError, match="not dropped on purpose"):
        _check_nothing_lost(text, 1, 0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_are_read_or_refused_with_a_reason(tmp_path, data):
    path = tmp_path / "any.txt"
    path.write_bytes(data)
    try:
        source = read_source(SourceFile(path, path.name))
    except SourceError as exc:
        assert exc.problem and "\n" not in exc.problem
        return
    to_passages(source, HASHING.count_tokens, 32)


# -- files a user might really hand us ------------------------------------------------
def _pdf(content: bytes) -> bytes:
    """A one-page PDF drawing `content` (a content stream), with Helvetica as /F1."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for n, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objs) + 1, xref))
    return out.getvalue()


def _text_pdf() -> bytes:
    line = b"(S/PV.8699 The Security Council met to consider the situation in the Middle East.) '"
    return _pdf(b"BT /F1 10 Tf 40 800 Td 14 TL " + line * 20 + b" ET")


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_text_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BAD_PDFS = {
    "malformed.pdf": (lambda: b"%PDF-1.7\n" + os.urandom(4000), ("corrupt", "unreadable")),
    "truncated.pdf": (lambda: _text_pdf()[:400], ("corrupt", "unreadable", "truncated")),
    "encrypted.pdf": (_encrypted_pdf, ("encrypted", "password")),
    "image-only.pdf": (lambda: _pdf(b"q 200 0 0 200 100 500 cm BI /W 2 /H 2 /CS /G /BPC 8 ID "
                                    b"\x00\xff\xff\x00 EI Q"), ("no text", "scanned")),
}
LANGUAGES = {   # file name: (text, a query in the same language)
    "Заседание Совета «Безопасности».txt": (
        "Совет Безопасности обсудил положение на Ближнем Востоке и гуманитарный доступ.",
        "гуманитарный доступ"),
    "مجلس الأمن 'جلسة'.txt": ("ناقش مجلس الأمن الحالة في الشرق الأوسط ووصول المساعدات الإنسانية.",
                             "المساعدات الإنسانية"),
    '安理会 "会议".txt': ("安全理事会 讨论了 中东局势 和 人道主义 准入 问题。", "人道主义 准入"),
    "it's a \"quoted\" name.txt": ("The Council discussed piracy off the coast of Somalia and "
                                   "the safety of shipping lanes.", "piracy Somalia"),
}


@pytest.fixture
def hostile_dir(tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, (text, _) in LANGUAGES.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    for name, (make, _) in BAD_PDFS.items():
        (folder / name).write_bytes(make())
    (folder / "random.txt").write_bytes(os.urandom(5000))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\n")
    with open(folder / "huge.txt", "wb") as f:     # 500 MB, sparse: fast to make
        f.write(b"The Security Council met.\n")
        f.truncate(500 * 2**20)
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    return folder


def test_a_folder_of_hostile_files_builds_and_says_why_each_was_skipped(hostile_dir):
    out = CliRunner().invoke(app, ["index", "build", str(hostile_dir), "--name", "h", "--model",
                                   "hashing", "--format", "json", "--no-progress"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert report["added"] == len(LANGUAGES)
    for name, (_, words) in BAD_PDFS.items():
        assert any(w in skipped[name] for w in words), (name, skipped.get(name))
    assert "binary" in skipped["random.txt"]
    assert "empty" in skipped["empty.txt"] and "empty" in skipped["blank.txt"]
    assert "limit (raise it with --max-file-mb)" in skipped["huge.txt"]
    assert all("\n" not in why and "Traceback" not in why for why in skipped.values())
    assert not {"a.txt", "b.txt", "loop"} & set(skipped)   # symlinks: not followed


def test_a_huge_file_is_refused_without_being_read(hostile_dir):
    # Peak memory from VmHWM: ru_maxrss would carry over the parent's peak across exec.
    code = ("import re, sys; from pathlib import Path; "
            "from diplosearch.ingest.sources import SourceFile, read_source; "
            "from diplosearch.errors import SourceError\n"
            "try:\n    read_source(SourceFile(Path(sys.argv[1]), 'huge.txt'))\n"
            "except SourceError as e:\n    print(e.problem)\n"
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1])")
    out = subprocess.run([sys.executable, "-c", code, str(hostile_dir / "huge.txt")],
                         capture_output=True, text=True, check=True)
    problem, peak_kib = out.stdout.splitlines()
    assert problem == "file is 500 MiB, over the 200 MiB limit (raise it with --max-file-mb)"
    assert int(peak_kib) < 400 * 1024


@pytest.mark.parametrize("name", list(LANGUAGES))
def test_un_languages_and_odd_names_are_indexed_and_found(hostile_dir, name):
    CliRunner().invoke(app, ["index", "build", str(hostile_dir), "--name", "h", "--model",
                             "hashing", "--no-progress"])
    query = LANGUAGES[name][1]
    out = CliRunner().invoke(app, ["search", query, "--index", "h", "--model", "hashing",
                                   "--format", "jsonl", "-k", "1"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["source"] == name


def test_a_ten_thousand_word_query_gets_results(seed_dir):
    ds.build_index([seed_dir], "seed", model=HASHING)
    query = " ".join(["foreign terrorist fighters"] * 3334)
    out = CliRunner().invoke(app, ["search", query, "--index", "seed", "--model", "hashing",
                                   "--format", "jsonl", "-k", "3"])
    assert out.exit_code == 0, out.output
    assert "foreign terrorist fighters" in json.loads(out.stdout.splitlines()[0])["text"]


@pytest.mark.parametrize("args, message, code", [
    (["index", "build", "LOOP", "--name", "x", "--model", "hashing"], "no such file or folder", 1),
    (["index", "build", "HUGE", "--name", "x", "--model", "hashing"], "MiB limit", 1),
    (["index", "build", "RANDOM", "--name", "x", "--model", "hashing"], "binary", 1),
    (["index", "build", "ENCRYPTED", "--name", "x", "--model", "hashing"], "encrypted", 1),
    (["search", " \t ", "--index", "ok", "--model", "hashing"], "query is empty", 2),  # usage
    (["search", "peace", "--index", "nowhere"], "no index here", 1),
    (["index", "verify", "--index", "nowhere"], "no index here", 1),
    (["index", "repair", "--index", "nowhere"], "no index here", 1),
])
def test_each_bad_input_gives_one_line_and_its_exit_code(hostile_dir, args, message, code):
    ds.build_index([hostile_dir / "blank.txt", *hostile_dir.glob("it*")], "ok", model=HASHING)
    names = {"LOOP": "a.txt", "HUGE": "huge.txt", "RANDOM": "random.txt",
             "ENCRYPTED": "encrypted.pdf"}
    out = CliRunner().invoke(app, [str(hostile_dir / names[a]) if a in names else a
                                   for a in args])
    assert out.exit_code == code and out.stdout == ""
    (line,) = out.stderr.splitlines()
    assert line.startswith("error: ") and message in line


@pytest.mark.parametrize("text", [
    "安全理事会讨论了中东局势和人道主义准入问题，" * 40 + "。",        # no full stop until the end
    "安全理事会讨论了中东局势。人道主义准入问题很重要！" * 30,           # full stops, no spaces
])
def test_chinese_without_spaces_is_cut_to_fit_the_model(text):
    # One piece per character, as BERT-style tokenizers count CJK text.
    def count(texts):
        return [len(t.replace(" ", "")) for t in texts]

    spans = split_paragraph(text, count, 50)
    assert len(spans) > 1 and all(count([text[s:e]])[0] <= 50 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_the_file_size_limit_can_be_raised(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("The Security Council discussed the situation in the Middle East.\n"
                   + " " * 2 * 2**20 + "\n")                   # 2 MiB, little to embed
    refused = CliRunner().invoke(app, ["index", "build", str(big), "--name", "b", "--model",
                                       "hashing", "--max-file-mb", "1", "--no-progress"])
    assert refused.exit_code == 1 and "over the 1 MiB limit" in refused.stderr
    built = CliRunner().invoke(app, ["index", "build", str(big), "--name", "b", "--model",
                                     "hashing", "--max-file-mb", "3", "--no-progress"])
    assert built.exit_code == 0, built.output

"""Read UN records in PDF: the text layer in reading order, page by page, with the
cover page's facts as metadata.

PDFium (through pypdfium2, BSD-3/Apache-2.0) gives each character and its box; the
layout rules in `pdflayout.py` turn those into columns, lines and paragraphs, and
`cover.py` reads the cover. pypdfium2 was chosen over pdfplumber (pdfminer.six, MIT),
which gave the same text through these rules but took about 13 times the CPU time on the
2020 S/PV records, over PyMuPDF (as fast, but AGPL-licensed), and over pypdf (BSD; about
five times slower for its plain text alone). See `scripts/compare_pdf_libraries.py`.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SourceError
from . import cover, pdflayout
from .pdflayout import Page, Word

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_ITALIC = re.compile(r"italic|oblique", re.I)
_SYMBOL = re.compile(r"^[ASE]/(?:PV|RES|\d)[\w./-]*(?: \((?:Resumption \d+|\d{4})\))?$")
_FLAG_ITALIC = 64          # PDF font descriptor flag bit 7
_MIN_CHARS_PER_PAGE = 40   # fewer, and a page's "text" is furniture over a scanned image


@dataclass
class PdfText:
    """A PDF record as text: paragraphs separated by blank lines, lines as printed.

    `pages` maps offsets in `text` to printed page numbers: (offset where the page's text
    starts, page number). `notes` are [start, end) spans of headings and procedural notes.
    """

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    notes: list[tuple[int, int]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


def open_document(path: Path, data: bytes):
    """Open with PDFium, turning its failures into SourceErrors that say what is wrong."""
    import pypdfium2 as pdfium

    if b"%PDF-" not in data[:1024]:
        raise SourceError(path, "not a PDF file (no %PDF header)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise SourceError(path, "encrypted PDF (needs a password); skipped") from exc
        raise SourceError(path, f"corrupt or unreadable PDF ({exc})") from exc


def page_words(page) -> list[Word]:
    """Words of one page with their boxes (top-down points) and font style.

    PDFium puts a (generated) space or line break between words it sees apart, so a
    word is a run of other characters; only its first and last characters are measured,
    which keeps the calls into PDFium to a few per word.
    """
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    height = page.get_height()
    styles: dict[int, tuple[bool, bool]] = {}
    words: list[Word] = []
    chars: list[str] = []
    start = 0
    count = textpage.count_chars()
    for i in range(count + 1):
        code = raw.FPDFText_GetUnicode(textpage.raw, i) if i < count else 32
        # PDFium reports a hyphen that ends a line as U+0002.
        ch = "-" if code == 2 else chr(code) if 32 <= code < 0xFFFE else " "
        if not ch.isspace():
            if not chars:
                start = i
            chars.append(ch)
            if code != 2:  # PDFium puts no break after a line-end hyphen
                continue
        if chars:
            end = i if code == 2 else i - 1
            words.append(_word(raw, textpage.raw, "".join(chars), start, end, height, styles))
            chars = []
    textpage.close()
    return words


def _word(raw, textpage, text: str, first: int, last: int, height: float,
          styles: dict[int, tuple[bool, bool]]) -> Word:
    """A word from its first and last characters' boxes; its style is that of its first
    letter, so "(spoke" counts as italic."""
    a, b = raw.FS_RECTF(), raw.FS_RECTF()
    raw.FPDFText_GetLooseCharBox(textpage, first, a)
    raw.FPDFText_GetLooseCharBox(textpage, last, b)
    letter = next((k for k, ch in enumerate(text) if ch.isalpha()), 0)
    bold, italic = _style(raw, textpage, first + letter, styles)
    return Word(text, min(a.left, b.left), max(a.right, b.right), height - max(a.top, b.top),
                height - min(a.bottom, b.bottom), bold, italic)


def _style(raw, textpage, index: int, cache: dict[int, tuple[bool, bool]]) -> tuple[bool, bool]:
    """(bold, italic) of the font of character `index`, from its name, weight and flags."""
    obj = raw.FPDFText_GetTextObject(textpage, index)
    addr = ctypes.cast(obj, ctypes.c_void_p).value or 0
    if addr not in cache:
        font = raw.FPDFTextObj_GetFont(obj) if addr else None
        name, weight, flags = "", 400, 0
        if font:
            buf = ctypes.create_string_buffer(256)
            raw.FPDFFont_GetBaseFontName(font, buf, 256)
            name = buf.value.decode("latin-1")
            weight, flags = raw.FPDFFont_GetWeight(font), raw.FPDFFont_GetFlags(font)
        cache[addr] = (bool(_BOLD.search(name)) or weight >= 600,
                       bool(_ITALIC.search(name)) or bool(flags & _FLAG_ITALIC))
    return cache[addr]


def layout_pages(pages_words: list[list[Word]], size: tuple[float, float]) -> list[Page]:
    """Lines in reading order, headers and footers apart, and printed page numbers."""
    width, height = size
    pages = []
    for index, (body, margin) in enumerate(pdflayout.split_margins(pages_words, height)):
        lines = pdflayout.make_lines(body, pdflayout.find_gutter(body, width, height))
        pages.append(Page(index, pdflayout.printed_number(margin, index), lines, margin))
    return pages


def read_pdf(path: Path, data: bytes, symbol: str | None = None) -> PdfText:
    """Read a UN record PDF into text, page map, note spans and cover metadata.

    Args:
        path: the file, for messages.
        data: its bytes.
        symbol: the document's symbol when the user's metadata gives it, which makes any
            PDF with a text layer acceptable.

    Raises:
        SourceError: the file is not a readable PDF, is encrypted, has no text layer
            (a scan), or is not a UN record (no document symbol on its cover, in its page
            headers or in the metadata given for it).
    """
    import pypdfium2 as pdfium

    doc = open_document(path, data)
    try:
        words = [page_words(doc[i]) for i in range(len(doc))]
        size = doc.get_page_size(0) if len(doc) else (612.0, 792.0)
    except pdfium.PdfiumError as exc:
        raise SourceError(path, f"corrupt or unreadable PDF ({exc})") from exc
    finally:
        doc.close()
    textless = sum(1 for ws in words if sum(len(w.text) for w in ws) < _MIN_CHARS_PER_PAGE)
    if textless * 2 > len(words) or not words:
        raise SourceError(path, f"PDF has no text layer on {textless} of {len(words)} pages "
                                "(scanned images?); skipped")
    return assemble(path, layout_pages(words, size), symbol)


def assemble(path: Path, pages: list[Page], symbol: str | None = None) -> PdfText:
    """Text, page map and notes from laid-out pages; the cover page becomes metadata."""
    metadata: dict[str, str] = {}
    if pages and cover.is_cover(pages[0]):
        metadata = cover.parse(pages[0])
        pages = pages[1:]
    symbol = metadata.get("symbol") or _header_symbol(pages) or symbol
    if not symbol:
        raise SourceError(path, "not a UN record: no document symbol (such as S/PV.8699) "
                                "on its cover or in its page headers (give one in a sidecar "
                                "or metadata manifest to index it anyway)")
    metadata.setdefault("symbol", symbol)
    out = PdfText("", metadata=metadata)
    parts: list[str] = []
    offset = 0
    for para in pdflayout.paragraphs(pages):
        start = offset
        for i, (number, line) in enumerate(para.lines):
            if not out.pages or out.pages[-1][1] != number:
                out.pages.append((offset, number))
            parts.append(line + ("\n" if i < len(para.lines) - 1 else ""))
            offset += len(parts[-1])
        if para.note:
            out.notes.append((start, offset))
        parts.append("\n\n")
        offset += 2
    out.text = "".join(parts).rstrip("\n") + "\n"
    return out


def _header_symbol(pages: list[Page]) -> str | None:
    for page in pages[:3]:
        for line in page.margin:
            if _SYMBOL.match(line.text.strip()):
                return line.text.strip()
    return None

"""Word documents (`.docx`, the Office Open XML the UN's Official Document System also
serves) read into text: one paragraph of the body per paragraph of text, in order, with
each table row as one paragraph of its cells; page headers and footers (the document
symbol, the job number) are not part of the body, so they are left out. Binary Word
`.doc` files are refused with one line: nothing here reads them.

python-docx (MIT, maintained since 2013) does the reading; it is imported only when a
.docx is read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import SourceError

DOCX_SUFFIXES = {".docx"}
DOC_SUFFIXES = {".doc"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # the compound file that binary .doc is


def read_docx(path: Path, data: bytes) -> str:
    """The body's text, paragraphs separated by a blank line.

    Raises:
        SourceError: a binary .doc, a file that is not a Word document, or one with no text.
    """
    if path.suffix.lower() in DOC_SUFFIXES or data.startswith(_OLE_MAGIC):
        raise SourceError(path, "binary Word (.doc) is not read; save it as .docx or PDF "
                                "and index that")
    from docx import Document
    from docx.table import Table

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SourceError(path, f"not a readable .docx file: {exc}") from None
    paragraphs: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            paragraphs += [_row(row) for row in block.rows]
        else:
            paragraphs.append(block.text)
    text = "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    if not text:
        raise SourceError(path, "the .docx has no text in its body")
    return text


def _row(row) -> str:
    """A table row's cells, each once (merged cells repeat), joined by " | "."""
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if text and text not in cells:
            cells.append(text)
    return " | ".join(cells)

"""Find source files and read them into text: which files, which encoding, and what the
file's name, its corpus, its folder's manifest and its sidecar say about the document
(UN symbol, date, speaker...). PDF records are read by `pdf.py`."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NoSourcesError, SameNameError, SourceError
from .corpora import corpus_metadata
from .word import DOC_SUFFIXES, DOCX_SUFFIXES, read_docx
from .metadata import FIELDS as SIDECAR_FIELDS  # noqa: F401  (kept for importers)
from .metadata import SIDECAR_SUFFIX, from_manifests, read_sidecar

TEXT_SUFFIXES = {".txt", ".text"}
PDF_SUFFIXES = {".pdf"}
WORD_SUFFIXES = DOCX_SUFFIXES | DOC_SUFFIXES    # .doc only to refuse it by name
MAX_BYTES_DEFAULT = 200 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file to index and the key it is known by inside the index."""

    path: Path
    key: str


@dataclass
class SourceText:
    """A decoded source file and the document-level facts known about it."""

    file: SourceFile
    text: str
    sha256: str
    encoding: str
    metadata: dict[str, str] = field(default_factory=dict)
    # For PDFs: (offset in `text` where a page starts, page number as printed), and the
    # [start, end) spans of headings and procedural notes, which belong to no speaker.
    # Offsets of passages from a PDF point into this extracted text, not into the file.
    pages: list[tuple[int, int]] = field(default_factory=list)
    notes: list[tuple[int, int]] = field(default_factory=list)
    hard_wrapped: bool | None = None    # None: detect from the text
    # What the reader could not find or use, one line each ("speakers workbook not found").
    warnings: list[str] = field(default_factory=list)


def supported(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in _SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX)


def discover(paths: list[str | os.PathLike[str]]) -> list[SourceFile]:
    """Expand files and folders into the files to index, each with its index key.

    A file's key is its path relative to the folder it was found through (its name, when
    given directly); two files with one key are refused (`SameNameError`). Hidden files
    and folders are skipped; symlinked folders are not followed, so a symlink loop cannot
    hang a build.
    """
    found: dict[Path, SourceFile] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise SourceError(path, "no such file or folder")
        if path.is_file():
            if not supported(path):
                raise SourceError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                        f"expected one of {', '.join(sorted(_SUFFIXES))}")
            found.setdefault(path.resolve(), SourceFile(path, path.name))
            continue
        before = len(found)
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                file = Path(dirpath) / name
                if name.startswith(".") or not supported(file) or not file.is_file():
                    continue
                found.setdefault(file.resolve(), SourceFile(file, file.relative_to(path).as_posix()))
        if len(found) == before:
            raise NoSourcesError(f"{path}: folder has no {' or '.join(sorted(_SUFFIXES))} files")
    _unique_keys(found.values())
    return reading_order(list(found.values()))


def reading_order(files: list[SourceFile]) -> list[SourceFile]:
    """`files` in the order given, except that the records of one meeting are read
    together, its first record before its resumptions ("S_PV.8699(Resumption1)_E.pdf"
    sorts before "S_PV.8699_E.pdf"), so the invitations made in the first carry on."""
    def meeting(file: SourceFile) -> tuple[str, int]:
        symbol = metadata_from_name(file.path.name).get("symbol")
        if not symbol or "/PV." not in symbol:
            return str(file.path), 0
        m = re.search(r"\(Resumption (\d+)\)$", symbol)
        return f"{file.path.parent}|{symbol.split(' (')[0]}", int(m.group(1)) if m else 0

    keys = [meeting(f) for f in files]
    first: dict[str, int] = {}
    for i, (name, _) in enumerate(keys):
        first.setdefault(name, i)
    order = sorted(range(len(files)), key=lambda i: (first[keys[i][0]], keys[i][1], i))
    return [files[i] for i in order]


def _unique_keys(files) -> None:
    """Two files given in one go under one key (`a/statement.txt b/statement.txt`) would
    be one document in the index, the second replacing the first."""
    first: dict[str, SourceFile] = {}
    clashes = [(f.key, str(f.path), str(first[f.key].path)) for f in files
               if first.setdefault(f.key, f) is not f]
    if clashes:
        raise SameNameError(clashes, indexed=False)


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Bytes to text: UTF-16 with a BOM, UTF-8 (BOM allowed), else Windows-1252, else a
    SourceError.

    Windows-1252 is tried second because UN corpora mix the two (see shared/corpus
    READMEs); latin-1 is never used as a catch-all since it would turn anything into mojibake.
    """
    if not data.strip():
        raise SourceError(path, "file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:  # Windows editors save "Unicode" text as UTF-16 with a byte-order mark
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(path, "cannot decode: starts like UTF-16 but is not") from None
        return text.replace("\r\n", "\n").replace("\r", "\n"), "utf-16"
    if b"\x00" in data[:65536]:
        raise SourceError(path, "looks like a binary file (contains NUL bytes), not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > 0.01 * min(len(text), 65536):
            raise SourceError(path, "looks like a binary file (many control characters), not text")
        return text.replace("\r\n", "\n").replace("\r", "\n"), encoding.removesuffix("-sig")
    raise SourceError(path, "cannot decode: neither UTF-8 nor Windows-1252 text")


def read_source(file: SourceFile, max_bytes: int = MAX_BYTES_DEFAULT) -> SourceText:
    """Read one file (text or PDF record) with its metadata, most specific last: file
    name, corpus tables, folder manifests, sidecar.

    Raises:
        SourceError: the file, or metadata given for it, cannot be used.
    """
    try:
        size = file.path.stat().st_size
        if size > max_bytes:
            raise SourceError(file.path, f"file is {size / 2**20:.0f} MiB, over the "
                                         f"{max_bytes / 2**20:.0f} MiB limit (raise it with --max-file-mb)")
        data = file.path.read_bytes()
    except OSError as exc:
        raise SourceError(file.path, exc.strerror or str(exc)) from exc
    sha = hashlib.sha256(data).hexdigest()
    metadata = metadata_from_name(file.path.name)
    given = from_manifests(file.path, file.key)
    given.update(read_sidecar(file.path))
    if file.path.suffix.lower() in PDF_SUFFIXES:
        from .pdf import read_pdf

        record = read_pdf(file.path, data, symbol=given.get("symbol"))
        metadata.update(record.metadata)
        source = SourceText(file, record.text, sha, "pdf", metadata, record.pages, record.notes,
                            hard_wrapped=True)
    else:
        if file.path.suffix.lower() in WORD_SUFFIXES:
            text, encoding = read_docx(file.path, data), "docx"
        else:
            text, encoding = decode(file.path, data)
        warnings: list[str] = []
        metadata.update(corpus_metadata(file.path, text, warnings))
        source = SourceText(file, text, sha, encoding, metadata, warnings=warnings)
    metadata.update(given)
    return source


_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | WORD_SUFFIXES
_SPV_SPEECH = re.compile(r"SPV\.(?P<meeting>\d+)(?:Resumption(?P<res>\d+))?_spch(?P<speech>\d+)", re.I)
_SPV_PDF = re.compile(r"^S_PV\.(?P<meeting>\d+)(?:\(Resumption(?P<res>\d+)\))?", re.I)
_RES = re.compile(r"^S-RES-(?P<number>\d+)\((?P<year>\d{4})\)", re.I)


def metadata_from_name(name: str) -> dict[str, str]:
    """UN symbols encoded in the shared corpora's file names."""
    if m := _SPV_SPEECH.search(name) or _SPV_PDF.match(name):
        symbol = f"S/PV.{m.group('meeting')}"
        if m.group("res"):
            symbol += f" (Resumption {m.group('res')})"
        meta = {"symbol": symbol, "body": "Security Council"}
        if "speech" in m.groupdict() and m.group("speech"):
            meta["statement"] = str(int(m.group("speech")))
        return meta
    if m := _RES.match(name):
        return {"symbol": f"S/RES/{m.group('number')} ({m.group('year')})",
                "body": "Security Council", "year": m.group("year")}
    return {}

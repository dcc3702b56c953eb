"""Find source files and read them into text: which files, which encoding, and what the
file's name and sidecar say about the document (UN symbol, date, speaker...)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NoSourcesError, SourceError

TEXT_SUFFIXES = {".txt", ".text"}
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = {"symbol", "title", "date", "body", "speaker", "affiliation", "language", "role"}
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


def supported(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX)


def discover(paths: list[str | os.PathLike[str]]) -> list[SourceFile]:
    """Expand files and folders into the files to index, each with its index key.

    A file's key is its path relative to the folder it was found through (its name, when
    given directly). Hidden files and folders are skipped; symlinked folders are not followed,
    so a symlink loop cannot hang a build.
    """
    found: dict[Path, SourceFile] = {}
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise SourceError(path, "no such file or folder")
        if path.is_file():
            if not supported(path):
                raise SourceError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                        f"expected one of {', '.join(sorted(TEXT_SUFFIXES))}")
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
            raise NoSourcesError(f"{path}: folder has no {' or '.join(sorted(TEXT_SUFFIXES))} files")
    return list(found.values())


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Bytes to text: UTF-8 (BOM allowed), else Windows-1252, else a SourceError.

    Windows-1252 is tried second because UN corpora mix the two (see shared/corpus
    READMEs); latin-1 is never used as a catch-all since it would turn anything into mojibake.
    """
    if not data.strip():
        raise SourceError(path, "file is empty")
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
    """Read and decode one file, with metadata from its name and sidecar."""
    try:
        size = file.path.stat().st_size
        if size > max_bytes:
            raise SourceError(file.path, f"file is {size / 2**20:.0f} MiB, over the "
                                         f"{max_bytes / 2**20:.0f} MiB limit (raise it with --max-file-mb)")
        data = file.path.read_bytes()
    except OSError as exc:
        raise SourceError(file.path, exc.strerror or str(exc)) from exc
    text, encoding = decode(file.path, data)
    metadata = metadata_from_name(file.path.name)
    metadata.update(read_sidecar(file.path))
    return SourceText(file, text, hashlib.sha256(data).hexdigest(), encoding, metadata)


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


def read_sidecar(path: Path) -> dict[str, str]:
    """`<file>.meta.json` beside a source: a JSON object of document metadata."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
        if not sidecar.exists():
            return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(sidecar, f"unreadable metadata sidecar: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceError(sidecar, "metadata sidecar must be a JSON object")
    unknown = set(data) - SIDECAR_FIELDS
    if unknown:
        raise SourceError(sidecar, f"unknown metadata field(s) {sorted(unknown)}; "
                                   f"allowed: {sorted(SIDECAR_FIELDS)}")
    return {k: str(v) for k, v in data.items() if v is not None}

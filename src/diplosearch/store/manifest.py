"""manifest.json: what an index is (format, model, passage settings) and what it holds.

The manifest is a description, not the truth: the index database records the same
identity (model, dimension, passage settings) and the committed generation. A manifest
may lag the database by the commits a killed writer made before rewriting it; it must
never disagree about identity nor run ahead (see `recovery`)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from ..errors import IndexAccessError, IndexDamagedError, IndexNotFoundError

MANIFEST = "manifest.json"
FORMAT = "diplosearch-index"
FORMAT_VERSION = 1


@dataclass
class Manifest:
    model: str
    dimension: int
    max_tokens: int
    min_tokens: int
    created_at: str
    updated_at: str
    generation: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    normalized: bool = True
    metric: str = "inner_product"
    format: str = FORMAT
    format_version: int = FORMAT_VERSION
    versions: dict[str, str] = field(default_factory=dict)
    index_type: str = "auto"   # flat | ivf-sq8 | ivf-pq | auto (by size); see `ann`
    backends: list[str] = field(default_factory=list)   # what embedded it, e.g. onnx-int8
    # The second vector set, for questions in other languages (store/multilingual.py);
    # "" when the index has none (built before it existed, or with --no-multilingual).
    multilingual_model: str = ""
    multilingual_dimension: int = 0


def library_versions() -> dict[str, str]:
    out = {}
    for dist in ("diplosearch", "faiss-cpu", "numpy", "sentence-transformers", "torch"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def read_manifest(index_dir: Path) -> Manifest:
    if not index_dir.is_dir():
        if any(index_dir.parent.glob(f".{index_dir.name}.old-*")):
            raise IndexNotFoundError(f"{index_dir}: an interrupted rebuild left the old index "
                                     "beside it; `diplosearch index repair` puts it back")
        raise IndexNotFoundError(f"{index_dir}: no index here (build one with "
                                 "`diplosearch index build PATH --name NAME`)")
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexDamagedError(f"{index_dir}: not an index ({MANIFEST} is missing)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except PermissionError as exc:
        raise IndexAccessError(f"{path}: you may not read this file (ask whoever owns the "
                               "index to let you)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexDamagedError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexDamagedError(f"{path}: not a diplosearch index manifest")
    if not isinstance(data.get("format_version", 0), int):
        raise IndexDamagedError(f"{path}: manifest has invalid format_version")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise IndexDamagedError(f"{path}: index format {data.get('format_version')} is newer "
                                "than this diplosearch understands; upgrade diplosearch")
    known = set(Manifest.__dataclass_fields__)
    try:
        manifest = Manifest(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise IndexDamagedError(f"{path}: manifest is missing fields ({exc})") from exc
    wrong = _wrong_types(manifest)
    if wrong:
        raise IndexDamagedError(f"{path}: manifest has invalid {', '.join(wrong)}")
    return manifest


def _wrong_types(m: Manifest) -> list[str]:
    """Fields of a hand-edited or hostile manifest that would break code further on."""
    def positive(v) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1_000_000

    checks = {
        "model": isinstance(m.model, str) and 0 < len(m.model) <= 4096 and "\x00" not in m.model,
        "dimension": positive(m.dimension) and m.dimension <= 65536,
        "max_tokens": positive(m.max_tokens), "min_tokens": isinstance(m.min_tokens, int)
        and not isinstance(m.min_tokens, bool) and 0 <= m.min_tokens <= 1_000_000,
        "generation": isinstance(m.generation, int) and m.generation >= 0,
        "counts": isinstance(m.counts, dict)
        and all(isinstance(v, int) for v in m.counts.values()),
        "normalized": m.normalized is True, "metric": m.metric == "inner_product",
        "versions": isinstance(m.versions, dict),
        "index_type": m.index_type in ("auto", "flat", "ivf-sq8", "ivf-pq"),
        "backends": isinstance(m.backends, list) and all(isinstance(b, str) for b in m.backends),
        "multilingual_model": isinstance(m.multilingual_model, str)
        and len(m.multilingual_model) <= 4096,
        "multilingual_dimension": m.multilingual_dimension == 0 and not m.multilingual_model
        or positive(m.multilingual_dimension) and m.multilingual_dimension <= 65536,
    }
    return [name for name, ok in checks.items() if not ok]


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Replace manifest.json atomically (write a temporary file, fsync, rename)."""
    manifest.versions = library_versions()
    tmp = index_dir / f".{MANIFEST}.tmp"
    tmp.unlink(missing_ok=True)  # a leftover, or a planted link: never write through it
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with open(fd, "w", encoding="utf-8") as f:
        json.dump(asdict(manifest), f, indent=2, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / MANIFEST)

"""manifest.json: what an index is (format, model, passage settings) and what it holds."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from .errors import IndexDamagedError, IndexNotFoundError

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
        raise IndexNotFoundError(f"{index_dir}: no index here (build one with "
                                 "`diplosearch index build PATH --name NAME`)")
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexDamagedError(f"{index_dir}: not an index ({MANIFEST} is missing)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexDamagedError(f"{path}: unreadable manifest ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise IndexDamagedError(f"{path}: not a diplosearch index manifest")
    if data.get("format_version", 0) > FORMAT_VERSION:
        raise IndexDamagedError(f"{path}: index format {data.get('format_version')} is newer "
                                "than this diplosearch understands; upgrade diplosearch")
    known = set(Manifest.__dataclass_fields__)
    try:
        return Manifest(**{k: v for k, v in data.items() if k in known})
    except TypeError as exc:
        raise IndexDamagedError(f"{path}: manifest is missing fields ({exc})") from exc


def write_manifest(index_dir: Path, manifest: Manifest) -> None:
    """Replace manifest.json atomically (write a temporary file, fsync, rename)."""
    manifest.versions = library_versions()
    tmp = index_dir / f".{MANIFEST}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(asdict(manifest), f, indent=2, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, index_dir / MANIFEST)

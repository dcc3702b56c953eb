"""Metadata users attach to their own documents: a sidecar `<file>.meta.json`, or one
manifest per folder (`metadata.csv` or `metadata.jsonl`, one row per file), checked
field by field so a bad value is reported with the file and the field it is in."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path

from ..errors import SourceError

SIDECAR_SUFFIX = ".meta.json"
MANIFEST_NAMES = ("metadata.csv", "metadata.jsonl")
FIELDS = {"symbol", "title", "date", "body", "speaker", "affiliation", "language", "role",
          "topic", "session", "year", "place", "meeting", "agenda", "participant"}
KEY_FIELD = "file"

_MONTHS = {m: i for i, m in enumerate(
    ("january february march april may june july august september october november "
     "december").split(), start=1)}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})$")


def iso_date(text: str) -> str | None:
    """`2020-01-09`, `9 January 2020` or `January 9, 2020` as `2020-01-09`; else None."""
    text = " ".join(str(text).split())
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text).isoformat()
        if m := _DAY_MONTH_YEAR.match(text):
            day, month, year = m.group(1), m.group(2), m.group(3)
        elif m := _MONTH_DAY_YEAR.match(text):
            month, day, year = m.group(1), m.group(2), m.group(3)
        else:
            return None
        if month.lower() not in _MONTHS:
            return None
        return dt.date(int(year), _MONTHS[month.lower()], int(day)).isoformat()
    except ValueError:
        return None


def validate(raw: dict, source: str | Path, where: str) -> dict[str, str]:
    """Check user metadata given for `source` in `where` (a sidecar's or manifest's name
    and line) and normalise it (dates to ISO); values become strings.

    Raises:
        SourceError: for `source`, naming `where` and the field, for an unknown field or a
            bad value.
    """
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise SourceError(source, f"{where}: unknown metadata field {unknown[0]!r}; "
                                  f"allowed: {', '.join(sorted(FIELDS))}")
    out: dict[str, str] = {}
    for name, value in raw.items():
        if value is None or str(value).strip() == "":
            continue
        if isinstance(value, (dict, list)):
            raise SourceError(source, f"{where}: field {name!r}: expected text, "
                                      f"got {type(value).__name__}")
        value = str(value).strip()
        if name == "date":
            if (date := iso_date(value)) is None:
                raise SourceError(source, f"{where}: field 'date': {value!r} is not a date "
                                          "(use YYYY-MM-DD, e.g. 2020-01-09)")
            value = date
        elif name in ("year", "session", "meeting") and not value.isdigit():
            raise SourceError(source, f"{where}: field {name!r}: {value!r} is not a number")
        out[name] = value
    return out


def read_sidecar(path: Path) -> dict[str, str]:
    """`<file>.meta.json` (or `<stem>.meta.json`) beside a source: a JSON object."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.exists():
        sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
        if not sidecar.exists():
            return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(path, f"{sidecar.name}: unreadable metadata sidecar: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceError(path, f"{sidecar.name}: metadata sidecar must be a JSON object")
    return validate(data, path, sidecar.name)


def from_manifests(path: Path, key: str) -> dict[str, str]:
    """The row naming this file in `metadata.csv`/`metadata.jsonl` of its folder or of
    any folder above it, up to the one it was found through; nearer folders win.

    Raises:
        SourceError: for `path`, when a manifest that applies to it is unusable or its row
            has a bad field. Other files' rows are checked only when they are read.
    """
    out: dict[str, str] = {}
    folders = [path.parent, *path.parent.parents][:len(Path(key).parts)]
    for folder in reversed(folders):
        rel = path.relative_to(folder).as_posix()
        for name in MANIFEST_NAMES:
            manifest = folder / name
            if not manifest.is_file():
                continue
            stat = manifest.stat()
            try:
                rows = _load_manifest(manifest, stat.st_mtime_ns, stat.st_size)
            except SourceError as exc:
                raise SourceError(path, f"{exc.problem}") from exc
            if found := rows.get(rel) or rows.get(path.name):
                line, row = found
                out.update(validate(row, path, f"{manifest.name}, line {line}"))
    return out


@lru_cache(maxsize=64)
def _load_manifest(manifest: Path, mtime_ns: int, size: int) -> dict[str, tuple[int, dict]]:
    """Rows keyed by their `file` value, with their line numbers; cached per version."""
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(manifest, f"{manifest.name}: unreadable metadata manifest: {exc}") from exc
    rows = _csv_rows(manifest, text) if manifest.suffix == ".csv" else _jsonl_rows(manifest, text)
    out: dict[str, tuple[int, dict]] = {}
    for line, row in rows:
        name = str(row.pop(KEY_FIELD, "") or "").strip()
        if not name:
            raise SourceError(manifest, f"{manifest.name}, line {line}: field {KEY_FIELD!r} "
                                        "is missing or empty")
        out[name.replace("\\", "/")] = (line, row)
    return out


def _csv_rows(manifest: Path, text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if KEY_FIELD not in header:
        raise SourceError(manifest, f"{manifest.name}: no {KEY_FIELD!r} column "
                                    "(the file each row describes)")
    bad = [h for h in header if h != KEY_FIELD and h not in FIELDS]
    if bad:
        raise SourceError(manifest, f"{manifest.name}: unknown metadata column {bad[0]!r}; "
                                    f"allowed: {KEY_FIELD}, {', '.join(sorted(FIELDS))}")
    return [(reader.line_num, dict(row)) for row in reader]


def _jsonl_rows(manifest: Path, text: str) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(manifest, f"{manifest.name}, line {number}: not JSON: {exc.msg}") from exc
        if not isinstance(row, dict):
            raise SourceError(manifest, f"{manifest.name}, line {number}: each line must be "
                                        "a JSON object")
        rows.append((number, row))
    return rows

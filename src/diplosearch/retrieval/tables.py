"""Every passage of an index as a table (JSON lines, CSV or Parquet), read and written a
batch at a time, so memory stays flat however large the index (`Index.export`).

A row is a passage as `Index.passage` returns it: its citation, text and metadata (the
fields of `Hit`, less the scores and highlights a looked-up passage does not have). Parquet
needs pyarrow: pip install 'diplosearch[parquet]'.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import DiplosearchError, QueryError
from ..store import database
from .results import Hit, hit_from_row

FORMATS = ("jsonl", "csv", "parquet")
BATCH = 10_000   # passages read, held and written at a time (a Parquet row group each)
SUFFIXES = {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv",
            "parquet": "parquet", "pq": "parquet"}

Progress = Callable[[int, int], None]   # (passages written so far, passages in the index)

_RANKING = ("score", "raw_score", "highlights", "span", "window")   # what a looked-up passage has not
_FIRST = ("id", "citation", "doc", "date", "year", "session", "body", "topic", "speaker",
          "affiliation", "text")


def columns() -> list[str]:
    """The exported fields in order: the citation first, then the fields of `Hit`."""
    fields = [f for f in Hit.__dataclass_fields__ if f not in _RANKING]
    return [*(f for f in _FIRST if f in fields), *(f for f in fields if f not in _FIRST)]


def choose_format(fmt: str | None, dest: str | os.PathLike[str] | IO[str] | None) -> str:
    """`fmt`, else the format `dest`'s suffix names, else JSON lines."""
    if fmt is None:
        suffix = Path(dest).suffix.lower().lstrip(".") if isinstance(dest, (str, os.PathLike)) \
            else ""
        if suffix and suffix not in SUFFIXES:   # "passages.xlsx" must not get JSON lines
            raise QueryError(f"{dest}: the suffix .{suffix} names no export format; use "
                             f"{', '.join('.' + s for s in SUFFIXES)} or --format")
        fmt = SUFFIXES.get(suffix, "jsonl")
    if fmt not in FORMATS:
        raise QueryError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def passage_batches(index_dir: Path, batch_size: int = BATCH) -> Iterator[list[Hit]]:
    """Every passage in id order, `batch_size` at a time, all from one committed state (a
    writer may go on meanwhile). Reads on a connection of its own, closed at the end."""
    db = database.connect(index_dir)
    try:
        db.execute("BEGIN")   # one read transaction: the snapshot the whole export sees
        cursor = db.execute(f"{database.HIT_SQL} ORDER BY p.id")
        while rows := cursor.fetchmany(batch_size):
            if database.outdated(db):   # read without locks, and a writer came: see `connect`
                raise DiplosearchError(f"{index_dir}: written to while being exported (by a "
                                        "user who may only read it, the export cannot hold "
                                        "the writer off); export it again")
            yield [hit_from_row(row, None) for row in rows]
    finally:
        db.close()


def count(index_dir: Path) -> int:
    db = database.connect(index_dir)
    try:
        return database.tally(db, "passages")
    finally:
        db.close()


def export(index_dir: Path, dest: str | os.PathLike[str] | IO[str] | None = None,
           fmt: str | None = None, progress: Progress | None = None,
           batch_size: int = BATCH) -> int:
    """Write every passage of the index at `index_dir` to `dest` (see `Index.export`)."""
    fmt = choose_format(fmt, dest)
    return write(passage_batches(index_dir, batch_size), dest, fmt, count(index_dir), progress)


def write(batches: Iterable[Sequence[Hit]], dest: str | os.PathLike[str] | IO[str] | None,
          fmt: str, total: int = 0, progress: Progress | None = None) -> int:
    """Write `batches` of passages to `dest` as `fmt`; returns how many were written.

    `dest` is a path, an open text stream, or None for stdout (Parquet needs a path). A
    path is written beside itself and renamed into place when complete, so a failed or
    interrupted export leaves no half-written file behind.
    """
    if not isinstance(dest, (str, os.PathLike)):
        if fmt == "parquet":
            raise QueryError("Parquet is written to a file: give a path, not a stream")
        return _WRITERS[fmt](batches, dest or sys.stdout, total, progress)
    path = Path(dest)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "parquet":
            n = _parquet(batches, partial, total, progress)
        else:
            with open(partial, "w", encoding="utf-8", newline="") as out:
                n = _WRITERS[fmt](batches, out, total, progress)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return n


def frame(hits: Iterable[Hit]):
    """A pandas DataFrame of `hits`, one row each, columns as `export` writes them."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ImportError("to_frame() needs pandas: pip install 'diplosearch[pandas]'") from exc
    cols = columns()
    return pd.DataFrame.from_records(([getattr(h, c) for c in cols] for h in hits),
                                     columns=cols)


def _counted(batches: Iterable[Sequence[Hit]], total: int,
             progress: Progress | None) -> Iterator[Sequence[Hit]]:
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        if progress is not None:
            progress(done, total)


def _jsonl(batches, out: IO[str], total: int, progress: Progress | None) -> int:
    cols, n = columns(), 0
    for batch in _counted(batches, total, progress):
        out.writelines(json.dumps({c: getattr(h, c) for c in cols}, ensure_ascii=False) + "\n"
                       for h in batch)
        n += len(batch)
    return n


def _csv(batches, out: IO[str], total: int, progress: Progress | None) -> int:
    cols, n = columns(), 0
    writer = csv.writer(out)
    writer.writerow(cols)
    for batch in _counted(batches, total, progress):
        writer.writerows([getattr(h, c) for c in cols] for h in batch)
        n += len(batch)
    return n


def arrow_schema() -> Any:
    """The Parquet columns' types, from `Hit`'s annotations ("int | None": nullable int64)."""
    pa = _pyarrow()
    types = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
    return pa.schema([(c, types[str(Hit.__dataclass_fields__[c].type).split(" ")[0]])
                      for c in columns()])


def _parquet(batches, path: Path, total: int, progress: Progress | None) -> int:
    pa, schema, n = _pyarrow(), arrow_schema(), 0
    from pyarrow import parquet

    with parquet.ParquetWriter(path, schema, compression="zstd") as out:
        for batch in _counted(batches, total, progress):
            out.write_table(pa.table({c: [getattr(h, c) for h in batch] for c in schema.names},
                                     schema=schema))
            n += len(batch)
    return n


def _pyarrow():
    try:
        import pyarrow
    except ImportError:
        raise DiplosearchError("Parquet export needs pyarrow: pip install "
                               "'diplosearch[parquet]'") from None
    return pyarrow


_WRITERS = {"jsonl": _jsonl, "csv": _csv}

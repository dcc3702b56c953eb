"""`index export`: every passage with its citation and metadata, as a file for other tools."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from .base import IndexOpt, fail_cleanly, index_app


@index_app.command("export")
@fail_cleanly
def index_export(
    index: IndexOpt = None,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE",
        help="File to write (replaced when complete). Default: stdout (jsonl and csv).")] = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="jsonl, csv or parquet (pip install 'diplosearch[parquet]'). Default: from "
             "FILE's suffix, else jsonl.")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress on stderr.")] = True,
) -> None:
    """Export every passage with its citation and metadata (JSON lines, CSV or Parquet).

    Streams a batch at a time: memory stays flat however large the index.

    \b
    Examples:
      diplosearch index export -i unsc2020 -o passages.parquet
      diplosearch index export --format csv > passages.csv
    """
    from .. import render
    from ..index import open_index
    from ..retrieval.tables import FORMATS, choose_format

    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    fmt = choose_format(fmt, output)
    if fmt == "parquet" and output is None:
        raise typer.BadParameter("Parquet is written to a file: add --output FILE.parquet",
                                 param_hint="--format")
    idx = open_index(index)
    started = time.perf_counter()
    try:
        with render.export_progress(progress) as bar:
            n = idx.export(output, fmt, progress=bar)
    except BrokenPipeError:   # `... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(code=0) from None
    where = output if output is not None else "stdout"
    print(f"exported {n} passages of {idx.name} to {where} ({fmt}) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

"""Turning results into text for people (tables, Markdown) and scripts (JSON, JSON lines).

rich is imported inside the functions, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .index import Context
from .results import Hit, SearchResults

FORMATS = ("table", "json", "jsonl", "markdown")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _emphasised(hit: Hit):
    from rich.text import Text

    text = Text(hit.text)
    for start, end in hit.highlights:
        text.stylize("bold yellow", start, end)
    return text


def results(res: SearchResults, fmt: str) -> None:
    if fmt == "json":
        print(res.to_json())
    elif fmt == "jsonl":
        for d in res.to_dicts():
            print(json.dumps(d, ensure_ascii=False))
    elif fmt == "markdown":
        print(markdown(res))
    else:
        _table(res)


def markdown(res: SearchResults) -> str:
    lines = [f"**{len(res)} hits for** _{res.query}_", ""]
    for rank, h in enumerate(res, start=1):
        text = h.text
        for start, end in sorted(h.highlights, reverse=True):
            text = f"{text[:start]}**{text[start:end]}**{text[end:]}"
        lines += [f"{rank}. `{h.score:.3f}` **{h.citation}**  ", f"   {text}", ""]
    return "\n".join(lines)


def _table(res: SearchResults) -> None:
    from rich.table import Table

    console = _console()
    if not res:
        console.print(f"No passages found for {res.query!r}.")
        return
    table = Table(show_lines=True, title=f"{len(res)} hits for “{res.query}” in {res.index}",
                  title_justify="left")
    table.add_column("#", justify="right", style="dim")
    table.add_column("score", justify="right")
    table.add_column("citation", style="cyan", max_width=36, overflow="fold")
    table.add_column("passage", ratio=1)
    for rank, h in enumerate(res, start=1):
        table.add_row(str(rank), f"{h.score:.3f}", h.citation, _emphasised(h))
    console.print(table)


def context(ctx: Context, fmt: str) -> None:
    if fmt in ("json", "jsonl"):
        print(json.dumps(ctx.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    h = ctx.hit
    lines = [f"{h.citation}", f"{h.source}, lines {h.line_start}–{h.line_end} "
             f"(chars {h.char_start}–{h.char_end}), passage id {h.id}", ""]
    for number, text in ctx.paragraphs:
        mark = "▶ " if h.paragraph <= number <= h.paragraph_end else "  "
        lines.append(f"{mark}¶{number}  {text}")
        lines.append("")
    if fmt == "markdown":
        print("\n".join(lines))
    else:
        _console().print("\n".join(lines), markup=False)


def mapping(data: dict[str, Any] | list[dict[str, Any]], fmt: str, title: str = "") -> None:
    """Key/value facts (index info) or rows (index list)."""
    if fmt in ("json", "jsonl"):
        print(json.dumps(data, ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    from rich.table import Table

    table = Table(title=title or None, title_justify="left")
    if isinstance(data, dict):
        table.add_column("")
        table.add_column("")
        for key, value in data.items():
            table.add_row(key, json.dumps(value) if isinstance(value, (dict, list)) else str(value))
    else:
        columns = list(dict.fromkeys(k for row in data for k in row))
        for col in columns:
            table.add_column(col)
        for row in data:
            table.add_row(*(str(row.get(c, "")) for c in columns))
    _console().print(table)


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


@contextmanager
def build_progress(enabled: bool = True) -> Iterator[Any]:
    """A progress bar on stderr for builds: files read, passages embedded, passages/s."""
    if not enabled:
        yield None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    passages = {"n": 0}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("files · {task.fields[passages]} passages embedded · "
                             "{task.fields[rate]}/s"),
                  TimeElapsedColumn(), console=_console(stderr=True), transient=False) as bar:
        task = bar.add_task("indexing", total=None, passages=0, rate="–")

        def update(kind: str, n: int) -> None:
            if kind == "files":
                bar.update(task, total=n)
            elif kind == "file":
                bar.advance(task, n)
            elif kind == "passages":
                passages["n"] += n
                elapsed = bar.tasks[0].elapsed or 1e-9
                bar.update(task, passages=passages["n"], rate=f"{passages['n'] / elapsed:.0f}")

        yield update

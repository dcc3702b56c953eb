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
from .retrieval.results import Hit, SearchResults

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
        lines.append(f"{mark}{ctx.label(number)}  {text}")
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
            if isinstance(value, dict) and all(isinstance(v, dict) for v in value.values()):
                for sub, inner in value.items():   # e.g. facets: one row per facet
                    table.add_row(f"{key}: {sub}", ", ".join(f"{k} ({v})" for k, v in inner.items()))
            else:
                table.add_row(key, json.dumps(value, ensure_ascii=False)
                              if isinstance(value, (dict, list)) else str(value))
    else:
        columns = list(dict.fromkeys(k for row in data for k in row))
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in data:
            table.add_row(*(str(row.get(c, "")) for c in columns))
    _console().print(table)


def scores(rows: list[dict[str, Any]], fmt: str, title: str) -> None:
    """Evaluation results: one row per mode."""
    if fmt in ("json", "jsonl"):
        mapping(rows, fmt)
        return
    shown = [{"mode": r["mode"], "nDCG@10": f"{r['ndcg_at_10']:.4f}",
              "MRR@10": f"{r['mrr_at_10']:.4f}", "Recall@100": f"{r['recall_at_100']:.4f}",
              "queries": r["queries"], "seconds": f"{r['seconds']:.1f}"} for r in rows]
    if fmt == "markdown":
        cols = list(shown[0])
        print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
        for row in shown:
            print("| " + " | ".join(str(row[c]) for c in cols) + " |")
        return
    mapping(shown, "table", title=title)


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


@contextmanager
def waiting(message: str) -> Iterator[None]:
    """One-time work the library announced (`embed.notice`): one line on stderr, or on a
    terminal a spinner with the seconds elapsed and, at the end, how long it took."""
    import time

    if not sys.stderr.isatty():
        print(f"diplosearch: {message}", file=sys.stderr, flush=True)
        yield
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    started = time.monotonic()
    console = _console(stderr=True)
    with Progress(SpinnerColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
                  console=console, transient=True) as bar:
        bar.add_task(message, total=None)
        yield
    console.print(f"{message}: done in {time.monotonic() - started:.0f} s", markup=False)


@contextmanager
def _plain_progress(every: float = 15.0) -> Iterator[Any]:
    import time

    state = {"files": 0, "total": None, "passages": 0, "queries": 0, "start": time.monotonic(),
             "last": time.monotonic()}

    def line() -> None:
        elapsed = time.monotonic() - state["start"]
        print(f"indexing: {state['files']}/{state['total'] or '?'} files, {state['passages']} "
              f"passages embedded ({state['passages'] / max(elapsed, 1e-9):.0f}/s), "
              f"{state['queries']} queries scored, {elapsed:.0f} s", file=sys.stderr, flush=True)

    def update(kind: str, n: int) -> None:
        if kind == "files":
            state["total"] = n
        else:
            key = {"file": "files", "passages": "passages", "query": "queries"}.get(kind)
            if key:
                state[key] += n
        if time.monotonic() - state["last"] >= every:
            state["last"] = time.monotonic()
            line()

    yield update


@contextmanager
def build_progress(enabled: bool = True) -> Iterator[Any]:
    """Progress on stderr for builds: files read, passages embedded, passages/s. A live bar on
    a terminal; when stderr is a file or pipe (CI, logs), a plain line every 15 seconds."""
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        with _plain_progress() as update:
            yield update
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    passages = {"n": 0}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("files · {task.fields[passages]} passages embedded · "
                             "{task.fields[rate]}/s"),
                  TimeElapsedColumn(), console=_console(stderr=True), transient=False) as bar:
        task = bar.add_task("indexing", total=None, passages=0, rate="–")

        scoring = {"task": None}

        def update(kind: str, n: int) -> None:
            if kind == "files":
                bar.update(task, total=n)
            elif kind == "file":
                bar.advance(task, n)
            elif kind == "queries":   # evaluation: one bar per mode scored
                scoring["task"] = bar.add_task("scoring", total=n, passages="–", rate="–")
            elif kind == "query":
                bar.advance(scoring["task"], n)
            elif kind == "passages":
                passages["n"] += n
                elapsed = bar.tasks[0].elapsed or 1e-9
                bar.update(task, passages=passages["n"], rate=f"{passages['n'] / elapsed:.0f}")

        yield update

"""Turning results into text for people (tables, Markdown) and scripts (JSON, JSON lines).

rich is imported inside the functions, so importing this module costs nothing at start-up.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .index import Context
from .retrieval.results import Hit, SearchResults, short_lead

FORMATS = ("table", "json", "jsonl", "markdown")


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _emphasised(hit: Hit, styled: bool = True):
    """The hit's text with its best sentence in bold yellow on a terminal, between [[…]]
    elsewhere; "…" where the text is a window of a longer paragraph."""
    from rich.text import Text

    before, after = _clipped(hit)
    lead = Text(short_lead(hit.lead_in) + "\n", style="dim" if styled else "") \
        if hit.lead_in else Text()
    if not styled:
        return lead + Text(before + marked(hit.text, hit.highlights, PLAIN_MARKS) + after)
    text = Text(hit.text)
    for start, end in hit.highlights:
        text.stylize("bold yellow", start, end)
    return lead + Text(before) + text + Text(after)


def _clipped(hit: Hit) -> tuple[str, str]:
    """"… " and " …" where a hit's text leaves out parts of its paragraph."""
    if hit.window is None:
        return "", ""
    first, last = hit.window
    return ("… " if first > 1 else ""), (" …" if last < hit.parts else "")


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


def _hits(n: int) -> str:
    return f"{n} hit" + ("" if n == 1 else "s")


def markdown(res: SearchResults) -> str:
    lines = [f"**{_hits(len(res))} for** _{md_escape(res.query)}_", ""]
    if res.note:   # kept with the hits in saved notes, not only on stderr
        lines[1:1] = ["", f"> note: {md_escape(res.note)}"]
    for rank, h in enumerate(res, start=1):
        before, after = _clipped(h)
        text = before + marked(h.text, h.highlights, MARKDOWN_MARKS, md_escape) + after
        text = text.replace("\n", "  \n   ")   # its lines (a heading, then its paragraph)
        if h.lead_in:
            text = f"_{md_escape(short_lead(h.lead_in))}_  \n   {text}"
        group = res.group_of(h)
        tag = f"[{md_escape(group)}] " if group else ""
        lines += [f"{rank}. {tag}`{h.score:.3f}` **{h.citation}**  ", f"   {text}", ""]
    return "\n".join(lines)


def _table(res: SearchResults) -> None:
    from rich.table import Table

    console = _console()
    if not res:
        console.print(f"No passages found for {res.query!r}.")
        return
    groups = list(dict.fromkeys(res.group_of(h) for h in res)) if res.group_field else []
    title = f"{_hits(len(res))} for “{res.query}” in {res.index}" + \
        (f", in {len(groups)} groups" if groups else "")
    table = Table(show_lines=True, title=title, title_justify="left")
    table.add_column("#", justify="right", style="dim")
    if groups:
        table.add_column("group", style="bold", max_width=24, overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("citation", style="cyan", max_width=36, overflow="fold")
    table.add_column("passage", ratio=1)
    previous = None
    for rank, h in enumerate(res, start=1):
        cells = [str(rank)]
        if groups:   # each group's name on its first row, its hits below it
            group = res.group_of(h)
            cells.append(group if group != previous else "")
            previous = group
        table.add_row(*cells, f"{h.score:.3f}", h.citation, _emphasised(h, console.is_terminal))
    console.print(table)


PLAIN_MARKS = ("[[", "]]")       # the hit in plain text (a pipe, a file): visible without colour
MARKDOWN_MARKS = ("**", "**")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
# a line's list, heading, quote or rule marker; a number's backslash goes before its dot
# ("9\. Decides"): before a digit, CommonMark would show the backslash itself
_MD_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)])|)([-+#>=.)])", re.M)


def md_escape(text: str) -> str:
    """Source text as literal Markdown: its own `*`, `_`, `[`, leading `---` or `#` and the
    like must not become emphasis, links, rules or headings around our marks."""
    return _MD_LINE_START.sub(r"\1\2\\\3", _MD_SPECIAL.sub(r"\\\1", text))


def marked(text: str, spans, marks: tuple[str, str], escape=None) -> str:
    """`text` with each [start, end) span between the two marks; `escape`, if given, is
    applied to the text's own pieces (never to the marks)."""
    esc = escape or (lambda t: t)
    out, at = [], 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out += [esc(text[at:start]), marks[0], esc(text[start:end]), marks[1]]
        at = end
    out.append(esc(text[at:]))
    return "".join(out)


def context(ctx: Context, fmt: str) -> None:
    """A passage in its context: the passage marked inside its paragraph (bold on a
    terminal, [[…]] in plain text, **…** in Markdown), "…" where a long paragraph is cut."""
    if fmt in ("json", "jsonl"):
        print(json.dumps(ctx.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    h = ctx.hit
    console = _console()
    styled = fmt != "markdown" and console.is_terminal
    marks = MARKDOWN_MARKS if fmt == "markdown" else PLAIN_MARKS
    head = f"{h.citation}\n{h.source}, lines {h.line_start}–{h.line_end} " \
           f"(chars {h.char_start}–{h.char_end}), passage id {h.id}\n"
    blocks = []
    for number, text in ctx.paragraphs:
        pointer = "▶ " if h.paragraph <= number <= h.paragraph_end else "  "
        before, after = ctx.clipped.get(number, (False, False))
        spans = [ctx.marks[number]] if number in ctx.marks else []
        body = text if styled else marked(text, spans, marks,
                                          md_escape if fmt == "markdown" else None)
        prefix = f"{pointer}{ctx.label(number)}  " + ("… " if before else "")
        blocks.append((prefix, body, " …" if after else "", spans if styled else []))
    if not styled:
        print(head)
        print("\n\n".join(f"{p}{b}{a}" for p, b, a, _ in blocks))
        return
    from rich.text import Text

    out = Text(head + "\n")
    for i, (prefix, body, suffix, spans) in enumerate(blocks):
        part = Text(body)
        for start, end in spans:
            part.stylize("bold", start, end)
        out.append(("\n\n" if i else "") + prefix)
        out.append(part)
        out.append(suffix)
    console.print(out)


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
                    table.add_row(f"{key}: {sub}", _facet(sub, inner))
            else:
                table.add_row(key, _cell(value))
    else:
        columns = list(dict.fromkeys(k for row in data for k in row))
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in data:
            table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    _console().print(table)


def _cell(value: Any) -> str:
    """A value as people read it in a table cell: "onnx-int8, numpy" for a list, "python
    3.11.7, torch 2.13.0" for a mapping (JSON only for what nests deeper)."""
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return ", ".join(map(str, value))
    if isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values()):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


def _facet(name: str, values: dict[str, Any]) -> str:
    """"Kenya (36), Norway (49)"; a date range as "2015 to 2024" (years where the
    documents have no day), or "none"."""
    if name == "dates":
        low, high = values.get("from"), values.get("to")
        return "none" if low is None else low if low == high else f"{low} to {high}"
    return ", ".join(f"{k} ({v})" for k, v in values.items())


def scores(rows: list[dict[str, Any]], fmt: str, title: str) -> None:
    """Evaluation results: one row per mode."""
    if fmt in ("json", "jsonl"):
        mapping(rows, fmt)
        return
    shown = [{"mode": r["mode"], "nDCG@10": f"{r['ndcg_at_10']:.4f}",
              "MRR@10": f"{r['mrr_at_10']:.4f}", "Recall@100": f"{r['recall_at_100']:.4f}",
              "queries": r["queries"], "seconds": f"{r['seconds']:.1f}"} for r in rows]
    _rows(shown, fmt, title)


def question_scores(rows: list[dict[str, Any]], fmt: str, title: str) -> None:
    """Judged-question results: one row per language and mode, each metric with its 95 %
    interval, and recall as a share of English recall in the same mode, on the questions
    asked in both."""
    if fmt in ("json", "jsonl"):
        mapping(rows, fmt)
        return

    def ci(r: dict[str, Any], metric: str, interval: str) -> str:
        low, high = r[interval]
        return f"{r[metric]:.3f} ({low:.2f}–{high:.2f})"

    shown = [{"language": r["language"], "mode": r["mode"], "questions": r["questions"],
              "recall@10 (95 %)": ci(r, "recall_at_10", "recall_ci"),
              "MRR@10 (95 %)": ci(r, "mrr_at_10", "mrr_ci"),
              "nDCG@10 (95 %)": ci(r, "ndcg_at_10", "ndcg_ci"),
              "x en": f"{r['recall_vs_english']:.2f}"
              if r.get("recall_vs_english") is not None else ""} for r in rows]
    _rows(shown, fmt, title)


def _rows(shown: list[dict[str, Any]], fmt: str, title: str) -> None:
    """Rows of figures as a Markdown table or a terminal table."""
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
def export_progress(enabled: bool = True, every: float = 15.0, doing: str = "exporting",
                    unit: str = "passages") -> Iterator[Any]:
    """Progress on stderr for `index export` (and `fetch`: `doing`, `unit`), as
    `progress(done, total)` callbacks: a bar with rate and time left on a terminal; else a
    plain line every `every` seconds."""
    import time

    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        last = {"t": time.monotonic(), "start": time.monotonic()}

        def line(done: int, total: int) -> None:
            if time.monotonic() - last["t"] >= every:
                last["t"] = time.monotonic()
                print(f"{doing}: {done}/{total} {unit}, "
                      f"{time.monotonic() - last['start']:.0f} s", file=sys.stderr, flush=True)
        yield line
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    with Progress(TextColumn(f"[bold]{doing}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=_console(stderr=True)) as bar:
        task = bar.add_task("export", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


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


class _BuildState:
    """What a build has done so far, from the library's progress calls, and what it says:
    files read, passages embedded of those expected, rate and time left.

    Passages to embed are known file by file ("planned"), so the total is estimated from
    what has been read: by bytes when the build says how many there are (files differ
    tenfold in size, and passages follow bytes, not files: on a 240-file build the estimate
    by files went 9,996 -> 14,812 -> 3,449), else by files. The time left divides the
    passages still to embed by the rate since the first batch was embedded, which leaves
    out the reading ahead and the model loading that come before it
    (scripts/measure_estimates.py measures both over a real build)."""

    def __init__(self) -> None:
        import time

        self.clock = time.monotonic
        self.start = self.clock()
        self.files = self.total_files = self.planned = self.embedded = 0
        self.bytes_total = self.bytes_read = 0
        self.queries = self.total_queries = 0
        self.first_batch: tuple[float, int] | None = None   # (when, passages embedded then)

    def update(self, kind: str, n: int) -> None:
        if kind == "files":
            self.total_files = n
        elif kind == "bytes":
            self.bytes_total = n
        elif kind == "queries":
            self.total_queries, self.queries = n, 0
        else:
            attr = {"file": "files", "read": "bytes_read", "planned": "planned",
                    "passages": "embedded", "query": "queries"}.get(kind)
            if attr:
                setattr(self, attr, getattr(self, attr) + n)
            if kind == "passages" and self.first_batch is None:
                self.first_batch = (self.clock(), self.embedded)

    def expected(self) -> int:
        """Passages to embed in all: those planned, scaled up to what is not yet read."""
        if self.bytes_read and self.bytes_read < self.bytes_total:
            return max(self.embedded, round(self.planned * self.bytes_total / self.bytes_read))
        if not self.bytes_total and self.files and self.files < self.total_files:
            return max(self.embedded, round(self.planned * self.total_files / self.files))
        return max(self.planned, self.embedded)

    def rate(self) -> float:
        return self.embedded / max(self.clock() - self.start, 1e-9)

    def embedding_rate(self) -> float:
        """Passages per second since the first batch was embedded (overall before then)."""
        if self.first_batch is not None:
            since, done = self.first_batch
            if self.embedded > done and self.clock() > since:
                return (self.embedded - done) / (self.clock() - since)
        return self.rate()

    def seconds_left(self) -> float | None:
        rest = self.expected() - self.embedded
        if rest <= 0 or not self.embedded:
            return None
        return rest / self.embedding_rate()

    def left(self) -> str:
        seconds = self.seconds_left()
        if seconds is None:
            return ""
        seconds = int(seconds)
        return f", about {seconds // 60}:{seconds % 60:02d} left"

    def line(self) -> str:
        elapsed = int(self.clock() - self.start)
        if self.total_queries:
            return f"scoring: {self.queries}/{self.total_queries} queries, {elapsed} s"
        approx = "~" if self.files < self.total_files else ""
        return (f"indexing: {self.files}/{self.total_files} files read, {self.embedded} of "
                f"{approx}{self.expected()} passages embedded ({self.rate():.0f}/s)"
                f"{self.left()}, {elapsed} s")


@contextmanager
def _plain_progress(every: float = 15.0) -> Iterator[Any]:
    state = _BuildState()
    last = {"at": state.clock()}

    def update(kind: str, n: int) -> None:
        state.update(kind, n)
        if state.clock() - last["at"] >= every:
            last["at"] = state.clock()
            print(state.line(), file=sys.stderr, flush=True)

    yield update


@contextmanager
def build_progress(enabled: bool = True) -> Iterator[Any]:
    """Progress on stderr for builds: files read; passages embedded of those expected, with
    the rate and the time left; for evaluations, queries scored. Live bars on a terminal,
    which stop when the work does; when stderr is a file or pipe (CI, logs), a plain line
    every 15 seconds."""
    if not enabled:
        yield None
        return
    if not sys.stderr.isatty():
        with _plain_progress() as update:
            yield update
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    state = _BuildState()
    with Progress(TextColumn("[bold]{task.description:<9}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[unit]}{task.fields[note]}"), TimeElapsedColumn(),
                  console=_console(stderr=True), transient=False) as bar:
        tasks: dict[str, Any] = {}

        def show(name: str, completed: int, total: int | None, unit: str, note: str = "") -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total, unit=unit, note=note)
            bar.update(tasks[name], completed=completed, total=total, note=note)

        def update(kind: str, n: int) -> None:
            state.update(kind, n)
            if kind in ("queries", "query"):   # evaluation: a bar per mode scored
                if kind == "queries":
                    tasks.pop("scoring", None)
                show("scoring", state.queries, state.total_queries, "queries")
                return
            if state.total_files or state.files:   # not for work on stored text (upgrade)
                show("reading", state.files, state.total_files or None, "files")
            if state.planned or state.embedded:
                show("embedding", state.embedded, state.expected(), "passages",
                     f" · {state.rate():.0f}/s{state.left()}")

        yield update
        if "embedding" in tasks:   # the work is done: the bar says so, whatever was estimated
            bar.update(tasks["embedding"], total=state.embedded, note=f" · {state.rate():.0f}/s")

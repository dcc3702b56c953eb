"""A passage in its context, for `show`: the paragraphs around it, whole where they are
of readable length, with the passage marked where it lies in its paragraph.

A paragraph too long to read as one (a speech stored as one line is one "paragraph" of
1,500 words) is cut to a window of its parts: around the passage in its own paragraph, the
parts nearest to it in the paragraphs before and after.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .paragraphs import MAX_WHOLE_PARTS, expand, join_parts, shown_parts
from .results import Hit


@dataclass(frozen=True)
class Context:
    """A passage and the paragraphs around it, for `show`.

    Attributes:
        hit: the passage asked for.
        paragraphs: (paragraph number, text shown), in document order.
        ends: first paragraph → last, for tiny paragraphs stored together.
        marks: paragraph number → the passage's [start, end) in that paragraph's text.
        clipped: paragraph number → (text left out before, text left out after), for
            over-long paragraphs shown in part.
        note: how the paragraph was found in another language's record (`show --lang`).
    """

    hit: Hit
    paragraphs: list[tuple[int, str]]
    ends: dict[int, int] = field(default_factory=dict)
    marks: dict[int, tuple[int, int]] = field(default_factory=dict)
    clipped: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    note: str = ""

    def label(self, number: int) -> str:
        """"¶21", or "¶21–22" for tiny paragraphs stored together."""
        end = self.ends.get(number, number)
        return f"¶{number}" + (f"–{end}" if end > number else "")

    def to_dict(self) -> dict[str, Any]:
        return {"hit": self.hit.to_dict(),
                "paragraphs": [{"paragraph": n, "text": t,
                                "mark": list(self.marks[n]) if n in self.marks else None,
                                "clipped": list(self.clipped.get(n, (False, False)))}
                               for n, t in self.paragraphs], "note": self.note}


def around(db: sqlite3.Connection, hit: Hit, context: int, whole: bool = False) -> Context:
    """`hit` (a stored passage) with `context` paragraphs of its document on either side.
    `whole`: the paragraph was asked for, not one of its parts, so all of it is marked and
    the context's hit is the paragraph, as a search shows it."""
    if whole:
        hit = expand(db, hit)[0]
    doc_id = db.execute("SELECT doc_id FROM passages WHERE id = ?", (hit.id,)).fetchone()[0]
    rows = db.execute(
        "SELECT id, paragraph, paragraph_end, part, text FROM passages WHERE doc_id = ? AND "
        "paragraph_end >= ? AND paragraph <= ? ORDER BY position",
        (doc_id, hit.paragraph - context, hit.paragraph_end + context)).fetchall()
    groups: dict[int, list[tuple[int, int, str]]] = {}
    ends: dict[int, int] = {}
    for pid, number, end, part, text in rows:
        groups.setdefault(number, []).append((pid, part, text))
        ends[number] = max(end, ends.get(number, number))
    paragraphs, marks, clipped = [], {}, {}
    for number, parts in groups.items():
        first, last = _window(number, len(parts), hit, context)
        chosen = [(pid, text) for pid, part, text in parts if first <= part <= last]
        text, placed = join_parts(chosen)
        paragraphs.append((number, text))
        if first > 1 or last < len(parts):
            clipped[number] = (first > 1, last < len(parts))
        if number == hit.paragraph:
            span = next(((p.start, p.end) for p in placed if p.id == hit.id), None)
            marks[number] = (0, len(text)) if whole and number not in clipped else span
    return Context(hit, paragraphs, ends,
                   {n: s for n, s in marks.items() if s is not None}, clipped)


def _window(number: int, parts: int, hit: Hit, context: int) -> tuple[int, int]:
    """The parts of paragraph `number` to show: all of a readable one; of an over-long
    one, those around the hit, or the one nearest to it."""
    if parts <= MAX_WHOLE_PARTS:
        return 1, parts
    if number == hit.paragraph:
        return shown_parts(hit.part, parts, window=max(1, context))
    return (parts, parts) if number < hit.paragraph else (1, 1)

"""A hit is a paragraph, not a part of one.

Passages are cut to the model's budget for embedding, so a long paragraph is stored as
parts. Search ranks parts, then keeps each paragraph once, at its best part's rank and
score, and shows the whole paragraph with the matched part's span in it. A paragraph too
long to read as one answer (a speech stored as one line is a single "paragraph" of 1,500
words) is shown as a window: the matched part with its neighbours.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace

from ..ingest import resolutions
from .results import Hit, paragraph_citation

MAX_WHOLE_PARTS = 4   # a paragraph of up to 4 parts (~400 words) is shown whole
WINDOW = 1            # parts shown on either side of the matched one in a longer paragraph


@dataclass(frozen=True)
class Part:
    """One stored part of a shown text: its passage id and where it sits in the text."""

    id: int
    start: int
    end: int


def best_per_paragraph(db: sqlite3.Connection,
                       pairs: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """`pairs` (passage id, score, best first) with each paragraph's best part only."""
    keys = paragraph_keys(db, [pid for pid, _ in pairs])
    seen: set[tuple[int, int]] = set()
    out = []
    for pid, score in pairs:
        key = keys.get(pid)
        if key is None or key in seen:
            continue
        seen.add(key)
        out.append((pid, score))
    return out


def paragraph_keys(db: sqlite3.Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
    """Passage id → (document id, paragraph number), for the ids still in the index."""
    out: dict[int, tuple[int, int]] = {}
    cur = db.cursor()
    cur.row_factory = None
    for start in range(0, len(ids), 900):   # stay under SQLite's variable limit
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for pid, doc, para in cur.execute(
                f"SELECT id, doc_id, paragraph FROM passages WHERE id IN ({marks})", chunk):
            out[pid] = (doc, para)
    return out


def expand(db: sqlite3.Connection, hit: Hit) -> tuple[Hit, list[Part]]:
    """`hit` (a ranked part) as the paragraph it belongs to: its whole text, or for an
    over-long paragraph the window around it, with `span` the matched part's place in that
    text and `char_*`/`line_*` the source span of what is shown. Also the parts shown."""
    first, last = shown_parts(hit.part, hit.parts)
    rows = db.execute(
        "SELECT q.id, q.part, q.text, q.char_start, q.char_end, q.line_start, q.line_end "
        "FROM passages p JOIN passages q ON q.doc_id = p.doc_id AND q.paragraph = p.paragraph "
        "AND q.position BETWEEN p.position - p.part + ? AND p.position - p.part + ? "
        "WHERE p.id = ? ORDER BY q.position", (first, last, hit.id)).fetchall()
    if [r[1] for r in rows] != list(range(first, last + 1)):   # changed under us: the part alone
        first = last = hit.part
        rows = [(hit.id, hit.part, hit.text, hit.char_start, hit.char_end, hit.line_start,
                 hit.line_end)]
    text, parts = join_parts([(r[0], r[2]) for r in rows])
    matched = next(p for p in parts if p.id == hit.id)
    whole = first == 1 and last == hit.parts
    return replace(hit, text=text, span=(matched.start, matched.end), lead_in=lead_in(db, hit),
                   window=None if whole else (first, last),
                   citation=paragraph_citation(hit.citation) if whole else hit.citation,
                   char_start=rows[0][3], char_end=rows[-1][4],
                   line_start=rows[0][5], line_end=rows[-1][6]), parts


def shown_parts(part: int, parts: int, window: int = WINDOW) -> tuple[int, int]:
    """The first and last part shown for a hit on `part` of `parts`."""
    if parts <= MAX_WHOLE_PARTS:
        return 1, parts
    return max(1, part - window), min(parts, part + window)


def join_parts(parts: list[tuple[int, str]]) -> tuple[str, list[Part]]:
    """Parts' texts joined as the paragraph reads (a space between sentences, none after a
    Chinese or Japanese full stop), with where each part lies in the result."""
    text, placed = "", []
    for pid, part in parts:
        if text and not (text.endswith(_NO_SPACE_AFTER) or _cjk(text[-1]) and _cjk(part[:1])):
            text += " "
        placed.append(Part(pid, len(text), len(text) + len(part)))
        text += part
    return text, placed


_NO_SPACE_AFTER = ("。", "！", "？", "」", "』", "）")


def _cjk(ch: str) -> bool:
    return bool(ch) and "\u2e80" <= ch <= "\u9fff"


def lead_in(db: sqlite3.Connection, hit: Hit) -> str | None:
    """The opening of a resolution's paragraph, for a hit on one of its lettered
    subparagraphs: "(e) violating …" says what it is only after "9. Decides that … shall not
    apply to:". A subparagraph of a subparagraph ("(iii) resuming … production") also gets
    the one it belongs to ("(a) … for one or more of the following purposes:"), on a line
    of its own. None for anything else."""
    if not hit.section:
        return None
    rows = db.execute(
        "SELECT q.paragraph, q.id, q.text FROM passages p JOIN passages q "
        "ON q.doc_id = p.doc_id AND q.section = p.section WHERE p.id = ? ORDER BY q.position",
        (hit.id,)).fetchall()
    if not rows or rows[0][0] == hit.paragraph:
        return None
    paragraphs: dict[int, list[tuple[int, str]]] = {}    # the section's, before the hit's
    for para, pid, text in rows:
        if para < hit.paragraph:
            paragraphs.setdefault(para, []).append((pid, text))
    opening, *between = [join_parts(parts)[0] for parts in paragraphs.values()]
    parent = resolutions.belongs_to(between, hit.text)
    return opening + "\n" + parent if parent else opening

"""Reading order for pages set in columns, as UN records are: positioned words in,
paragraphs out, with running headers, footers and page numbers set apart.

It knows nothing of any PDF library (`pdf.py` supplies the words), so the same layout
rules can be checked against another extractor (`scripts/compare_pdf_libraries.py`).
Coordinates are PDF points measured from the top-left corner of the page.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field
from functools import cached_property

# What running headers and footers of UN documents hold: the symbol, "2/65", the job
# number "20-00676", "(E)", the date "09/01/2020" and the barcode "*2000676*".
_MARGIN_TEXT = re.compile(
    r"^(?:[ASE]/[\w./-]+(?: \(\d{4}\))?|\d+\s*/\s*\d+|\d{1,4}|\d{2}-\d{5}(?: \(\w\))?|\(\w\)"
    r"|\d{2}/\d{2}/\d{4}|\*\d+\*)$")
_PAGE_OF = re.compile(r"^(\d+)\s*/\s*(\d+)$")
_MARGIN_SHARE = 0.1       # headers and footers sit in the outer tenth of the page height


@dataclass(frozen=True)
class Word:
    """A word and its box on the page, with the style of its font."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool = False
    italic: bool = False


@dataclass
class Line:
    """Words on one baseline within one column (`region` 0 = left or only column,
    1 = right column, -1 = across both)."""

    words: list[Word]
    region: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @cached_property
    def letters(self) -> dict[str, int]:
        """Letters in all, and set in bold and in italics (read once the line is complete)."""
        out = {"all": 0, "bold": 0, "italic": 0}
        for w in self.words:
            n = sum(c.isalpha() for c in w.text)
            out["all"] += n
            out["bold"] += n * w.bold
            out["italic"] += n * w.italic
        return out

    def share(self, style: str) -> float:
        """Share of letters set in `style` ("bold" or "italic")."""
        return self.letters[style] / self.letters["all"] if self.letters["all"] else 0.0


@dataclass
class Page:
    """One page: its number as printed, body lines in reading order, margin lines."""

    index: int
    number: int
    body: list[Line] = field(default_factory=list)
    margin: list[Line] = field(default_factory=list)


@dataclass
class Paragraph:
    """Lines that make one paragraph; `note` marks headings and procedural notes (set
    wholly in bold or italics), which belong to no speaker."""

    lines: list[tuple[int, str]]          # (page number, line text)
    note: bool = False


def find_gutter(words: list[Word], width: float, height: float) -> float | None:
    """The x of the blank strip between two columns, or None for a single column.

    The widest x-interval in the middle third of the page that body words cross at most
    three times (a heading set across both columns may); a word-space can be wider than
    the gutter, so gaps within lines are no guide. Both sides must hold text.
    """
    body = [w for w in words if not _in_margin(w, height)]
    if len(body) < 40:            # a few lines: too little to tell columns by
        return None
    lo, hi = int(width / 3), int(2 * width / 3)
    covered = [0] * (hi - lo)
    for w in body:
        for x in range(max(lo, int(w.x0)), min(hi, int(w.x1) + 1)):
            covered[x - lo] += 1
    best, start = (0, None), None
    for i, n in enumerate(covered + [99]):
        if n <= 3 and start is None:
            start = i
        elif n > 3 and start is not None:
            best = max(best, (i - start, lo + (start + i) / 2))
            start = None
    if best[1] is None or best[0] < 3:
        return None
    left = sum(1 for w in body if w.x1 <= best[1])
    right = sum(1 for w in body if w.x0 >= best[1])
    return best[1] if min(left, right) >= 0.15 * len(body) else None


def _rows(words: list[Word]) -> list[Line]:
    """Words on one baseline as lines (all of one column, so baselines are far apart)."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w.bottom, w.x0)):
        if lines and abs(lines[-1].words[0].bottom - w.bottom) <= 0.4 * (w.bottom - w.top):
            lines[-1].words.append(w)
        else:
            lines.append(Line([w]))
    return lines


def make_lines(words: list[Word], gutter: float | None) -> list[Line]:
    """Group words into lines in reading order. Words are lined up column by column; a
    word crossing the gutter makes its line full-width, taking in the column words on its
    baseline. Full-width lines split the page into bands, and within a band the left
    column is read before the right."""
    def region(w: Word) -> int:
        if gutter is None or w.x1 <= gutter:
            return 0
        return 1 if w.x0 >= gutter else -1

    lines: list[Line] = []
    for r in (-1, 0, 1):
        for line in _rows([w for w in words if region(w) == r]):
            line.region = r
            lines.append(line)
    for full in [ln for ln in lines if ln.region == -1]:
        tolerance = 0.4 * (full.bottom - full.top)
        for line in [ln for ln in lines if ln.region != -1]:
            if abs(line.bottom - full.bottom) <= tolerance:
                full.words += line.words
                lines.remove(line)
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    tops = sorted(line.top for line in lines if line.region == -1)

    def order(line: Line) -> tuple:
        band = bisect.bisect_right(tops, line.top)   # a full-width line opens its band
        return band, line.region != -1, line.region, line.top
    return sorted(lines, key=order)


def _in_margin(word: Word, height: float) -> bool:
    return word.bottom < _MARGIN_SHARE * height or word.top > (1 - _MARGIN_SHARE) * height


def _segments(words: list[Word]) -> list[Line]:
    """Margin words as lines across the whole width, cut at wide gaps, so the symbol,
    the running title and the date of a header are told apart."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.bottom):
        if rows and abs(rows[-1][-1].bottom - w.bottom) <= 0.4 * (w.bottom - w.top):
            rows[-1].append(w)
        else:
            rows.append([w])
    lines: list[Line] = []
    for row in rows:
        lines.append(Line([], -1))
        for w in sorted(row, key=lambda w: w.x0):
            if lines[-1].words and w.x0 - lines[-1].words[-1].x1 > 1.5 * (w.bottom - w.top):
                lines.append(Line([], -1))
            lines[-1].words.append(w)
    return lines


def split_margins(pages: list[list[Word]], height: float) -> list[tuple[list[Word], list[Line]]]:
    """Set running headers and footers apart from the body, page by page.

    A line in the top or bottom margin is a header or footer when it looks like one (a
    symbol, page or job number, date) or when the same text, digits aside, recurs in the
    margins of at least half the pages (a running title such as the agenda item). Returns
    each page's body words and its header and footer lines.
    """
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text)

    segments = [_segments([w for w in words if _in_margin(w, height)]) for words in pages]
    counts: dict[str, int] = {}
    for lines in segments:
        for k in {key(line) for line in lines}:
            counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, n in counts.items() if n >= max(2, len(pages) / 2)}
    out = []
    for words, lines in zip(pages, segments):
        furniture = [ln for ln in lines if _MARGIN_TEXT.match(ln.text) or key(ln) in repeated]
        kept = {id(w) for ln in furniture for w in ln.words}
        out.append(([w for w in words if id(w) not in kept], furniture))
    return out


def printed_number(margin: list[Line], index: int) -> int:
    """The page number printed in the margin ("7/65" or "7"), else the page's position."""
    for line in margin:
        if m := _PAGE_OF.match(line.text.strip()):
            return int(m.group(1))
    for line in margin:
        if line.text.strip().isdigit() and len(line.text.strip()) <= 4:
            return int(line.text.strip())
    return index + 1


def _style(line: Line) -> str:
    if line.share("bold") >= 0.8:
        return "bold"
    return "italic" if line.share("italic") >= 0.8 else "regular"


def _pitch(pages: list[Page]) -> float:
    steps = [b.top - a.top for p in pages for a, b in zip(p.body, p.body[1:])
             if a.region == b.region and 0 < b.top - a.top < 40]
    return statistics.median(steps) if steps else 12.0


def _left_edges(page: Page) -> dict[int, float]:
    edges: dict[int, list[float]] = {}
    for line in page.body:
        edges.setdefault(line.region, []).append(line.x0)
    return {r: min(xs) for r, xs in edges.items()}


def _starts_paragraph(line: Line, prev: Line | None, left: float, same_column: bool,
                      pitch: float) -> bool:
    """First-line indent, extra space above, or (at a column top) a change of style."""
    if prev is None:
        return True
    indented = line.x0 - left > 0.35 * pitch
    if same_column:
        if line.top - prev.top > 1.3 * pitch or line.top < prev.top:
            return True
        # A block indented as a whole (a heading over several lines) stays together.
        return indented and abs(line.x0 - prev.x0) > 2
    return indented or _style(line) != _style(prev)


def paragraphs(pages: list[Page]) -> list[Paragraph]:
    """Join body lines into paragraphs, which may run on across columns and pages."""
    pitch = _pitch(pages)
    out: list[Paragraph] = []
    current: list[Line] = []
    numbers: list[int] = []
    prev: Line | None = None
    prev_key: tuple[int, int] | None = None
    for page in pages:
        edges = _left_edges(page)
        for line in page.body:
            same = prev_key == (page.index, line.region)
            if _starts_paragraph(line, prev, edges[line.region], same, pitch) and current:
                out.append(_paragraph(current, numbers))
                current, numbers = [], []
            current.append(line)
            numbers.append(page.number)
            prev, prev_key = line, (page.index, line.region)
    if current:
        out.append(_paragraph(current, numbers))
    return out


def _paragraph(lines: list[Line], numbers: list[int]) -> Paragraph:
    letters = sum(ln.letters["all"] for ln in lines) or 1
    styled = max(sum(ln.letters[s] for ln in lines) for s in ("bold", "italic"))
    return Paragraph([(n, ln.text) for n, ln in zip(numbers, lines)], note=styled / letters >= 0.8)

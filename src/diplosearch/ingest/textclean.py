"""Turn raw transcript text into clean paragraphs while remembering where every
character came from, so a passage can be cited by line and character offset.

Text extracted from UN PDF records is hard-wrapped, breaks words at line ends
("Secretary-\\nGeneral", "organiza-\\ntion") and, in some corpora, leaves a spurious
space after such a hyphen ("Secretary- General"). UN style breaks lines almost only
at real hyphens, so a hyphen is kept unless the document itself shows the joined
word and never the hyphenated one.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from . import resolutions

_WORD = re.compile(r"[^\W\d_]+")
# A hyphen at a line end (the word goes on on the next line), a hyphen followed by a
# stray space inside a word, or any other run of whitespace.
_JOINS = re.compile(
    r"(?P<wrap>(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W_]))"
    r"|(?P<gap>(?<=[^\W\d_])- (?=[^\W\d_]))"
    r"|(?P<space>\s+)"
    r"|(?P<soft>\u00ad)"
)
# Markdown emphasis some transcripts carry ("the **Summit of the Future**", "*Pact for the
# Future*"): the marks of a pair around words, not a lone asterisk ("S/2020/123*").
_EMPHASIS = re.compile(r"(\*\*)(?=[^\s*])[^*]*?(?<=[^\s*])\*\*"
                       r"|(?<![\w*])\*(?=[^\s*])[^*]*?(?<=[^\s*])\*(?![\w*])")
# "pre- and post-conflict": a hyphen-space before these words is a suspended compound.
_SUSPENDED = {"and", "or", "nor", "to", "as", "und", "et", "ou", "y", "o"}


@dataclass(frozen=True)
class CleanText:
    """Clean text plus, for each of its characters, the offset in the source."""

    text: str
    offsets: list[int] = field(repr=False)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source [start, end) offsets of the clean slice text[start:end]."""
        if end <= start:
            return (self.offsets[start], self.offsets[start]) if self.offsets else (0, 0)
        return self.offsets[start], self.offsets[end - 1] + 1


def vocabulary(raw: str) -> frozenset[str]:
    """Lower-cased words of a document, used to decide whether a broken word was a compound."""
    return frozenset(w.lower() for w in _WORD.findall(raw))


def hyphenated_pairs(raw: str) -> frozenset[str]:
    """Compounds the document writes with a hyphen inside a line, e.g. "counter-terrorism"."""
    return frozenset(m.group(0).lower() for m in re.finditer(r"[^\W\d_]+-[^\W\d_]+", raw))


def _word_before(raw: str, pos: int) -> str:
    start = pos
    while start > 0 and (raw[start - 1].isalpha()):
        start -= 1
    return raw[start:pos]


def _word_after(raw: str, pos: int) -> str:
    end = pos
    while end < len(raw) and raw[end].isalpha():
        end += 1
    return raw[pos:end]


def keep_hyphen(left: str, right: str, vocab: frozenset[str], compounds: frozenset[str]) -> bool:
    """Decide whether `left-` + `right` is a compound ("rapid-reaction") or one broken word."""
    if not left or not right or right[0].isupper() or right[0].isdigit():
        return True
    joined = (left + right).lower()
    if f"{left}-{right}".lower() in compounds:
        return True
    return joined not in vocab


def clean(raw: str, base: int = 0, vocab: frozenset[str] | None = None,
          compounds: frozenset[str] | None = None) -> CleanText:
    """Join wrapped lines and repair hyphenation in one block of raw text.

    Args:
        raw: the block's source text.
        base: offset of `raw` in the source file (added to every recorded offset).
        vocab, compounds: document-wide word sets (see `vocabulary`, `hyphenated_pairs`).
    """
    vocab = vocabulary(raw) if vocab is None else vocab
    compounds = hyphenated_pairs(raw) if compounds is None else compounds
    marks = _emphasis_marks(raw)
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _JOINS.finditer(raw):
        for i in range(pos, m.start()):
            if i not in marks:
                out.append(raw[i])
                offsets.append(base + i)
        kind = m.lastgroup
        if kind in ("wrap", "gap"):
            left, right = _word_before(raw, m.start()), _word_after(raw, m.end())
            suspended = kind == "gap" and right.lower() in _SUSPENDED
            if suspended:
                out += ["-", " "]
                offsets += [base + m.start(), base + m.start() + 1]
            elif keep_hyphen(left, right, vocab, compounds):
                out.append("-")
                offsets.append(base + m.start())
        elif kind == "space":
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(base + m.start())
        pos = m.end()
    for i in range(pos, len(raw)):
        if i not in marks:
            out.append(raw[i])
            offsets.append(base + i)
    text = "".join(out)
    # Trim the spaces that whitespace runs left at either end.
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text.rstrip(" "))
    return CleanText(text[lead:trail], offsets[lead:trail])


def _emphasis_marks(raw: str) -> set[int]:
    """Offsets of the Markdown emphasis marks in `raw`, which the clean text leaves out."""
    marks: set[int] = set()
    for m in _EMPHASIS.finditer(raw):
        width = len(m.group(1) or "*")
        marks.update(range(m.start(), m.start() + width))
        marks.update(range(m.end() - width, m.end()))
    return marks


# A line that ends a sentence: terminal punctuation, then any closing quotes, brackets or
# Markdown emphasis, or a citation in brackets after them ("…rights.” (A/70/PV.3, p. 4)").
_SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'”’»“)\]*_]*(?:\s*\([^()]{1,80}\))?$")
# Words after which no sentence (and so no paragraph) ends: a line that stops on one was
# cut by the page width or a page break, whatever case the next line starts in.
_OPEN_WORDS = frozenset("""a an the of and or nor to in into for with by on at from as that
    which whose who our its their his her your my this these those is are was were be been
    has have had will would shall should can could may must not than between among
    including such both either neither but mr mrs ms dr h.e no nos""".split())
_TITLE_DOT = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Messrs|Dr|St|No|Nos|Prof|Amb|Gen|H\.E|e\.g|i\.e)\.$",
                        re.I)


def ends_sentence(line: str) -> bool:
    """True when `line` ends a sentence ("…of peace." but not "…His Excellency Mr.")."""
    line = line.rstrip()
    return bool(_SENTENCE_END.search(line)) and not _TITLE_DOT.search(line)


def _open_end(line: str) -> bool:
    """A line that cannot end a paragraph: it stops on an article, preposition, title..."""
    if _TITLE_DOT.search(line) or line.endswith(("-", "—", "–")) and not line.endswith(" -"):
        return True
    words = line.rstrip(" *_").rsplit(None, 1)
    return bool(words) and words[-1].lower().rstrip(",") in _OPEN_WORDS and \
        not words[-1].endswith(",")


def _starts_lower(line: str) -> bool:
    return line.lstrip(" \t*_\"'“‘«")[:1].islower()


def _width(lengths: list[int]) -> int:
    """The width a hard-wrapped text is wrapped at: its long lines' length."""
    ordered = sorted(lengths)
    return ordered[int(0.9 * (len(ordered) - 1))]


def is_hard_wrapped(raw: str) -> bool:
    """True when lines look wrapped at a fixed width (PDF extraction), not one per paragraph:
    most lines are near the longest ones' length, which is that of a printed line, and most
    of them stop mid-sentence."""
    return _layout([text for _, _, text in _lines(raw)], [])[0] == "wrapped"


def _lines(raw: str) -> list[tuple[int, int, str]]:
    """(start, end, stripped text) of the lines of `raw` that are not blank."""
    out, start = [], 0
    for line in raw.split("\n"):
        if line.strip():
            out.append((start, start + len(line), line.strip()))
        start += len(line) + 1
    return out


def _layout(lines: list[str], blank: list[bool]) -> tuple[str, int, bool]:
    """How a plain text is laid out: "wrapped" at a fixed width (the width is returned too),
    "lines" (a paragraph per line: most lines end a sentence) or "loose" (broken
    anywhere, as text copied out of a PDF or a slide); and whether its blank lines
    separate paragraphs (there are some, and not after most lines)."""
    blanks_tell = 0 < sum(blank) <= 0.7 * len(blank)
    if len(lines) < 3:
        return "lines", 0, blanks_tell
    width = _width([len(line) for line in lines])
    full = sum(1 for line in lines if len(line) >= 0.7 * width)
    # A resolution's preambular paragraphs end in commas, its subparagraphs in semicolons.
    ended = sum(1 for line in lines if ends_sentence(line) or line.endswith((",", ";")))
    if ended >= 0.6 * len(lines):
        return "lines", width, blanks_tell
    if width <= 160 and full >= 0.5 * len(lines):
        return "wrapped", width, blanks_tell
    return "loose", width, blanks_tell


def paragraph_blocks(raw: str, wrapped: bool | None = None) -> list[tuple[int, int]]:
    """Source [start, end) spans of the paragraphs of `raw`.

    `wrapped=True` is text laid out by the PDF reader, where a blank line ends a paragraph
    and nothing else does; `wrapped=False` is a paragraph per line (a resolution), a line
    that goes on in lower case excepted. Otherwise (None: plain text files) lines are
    joined into paragraphs by what they look like, since the same corpus holds one-paragraph-per-line files,
    files wrapped at ~100 characters, and files with blank lines where the PDF they came
    from had a page break, inside a sentence (see `_continues`).
    """
    if wrapped:
        return [(m.start(), m.end()) for m in
                re.finditer(r"\S(?:.|\n(?![ \t\r\f\v]*(?:\n|$)))*", raw)]
    lines = _lines(raw)
    if not lines:
        return []
    texts = [text for _, _, text in lines]
    blank = [raw.count("\n", a[1], b[0]) > 1 for a, b in zip(lines, lines[1:])]
    layout, width, blanks_tell = _layout(texts, blank) if wrapped is None else ("strict", 0, False)
    spans: list[tuple[int, int]] = []
    start = lines[0][0]
    for i, (prev, nxt) in enumerate(zip(texts, texts[1:])):
        if _continues(prev, nxt, layout, width, blank[i] if blanks_tell else None):
            continue
        spans.append((start, lines[i][1]))
        start = lines[i + 1][0]
    spans.append((start, lines[-1][1]))
    return spans


def _continues(prev: str, nxt: str, layout: str, width: int, blank: bool | None) -> bool:
    """Whether line `nxt` goes on with the paragraph of line `prev`; `blank` says whether a
    blank line is between them, None when the text's blank lines say nothing.

    - A line that goes on in lower case, or follows one ending on an article, preposition
      or title ("of the", "Mr."), always continues.
    - One paragraph per line: a new line is a new paragraph, unless the one before is long
      and stops mid-sentence ("…Pakistanis killed"), which a heading never is. (A
      resolution, `strict`: see `resolutions.cut_mid_sentence`.)
    - Wrapped at a fixed width: a line well short of the width ends its paragraph; a full
      one goes on, unless it ends a sentence before a blank line.
    - Loosely broken: a paragraph ends at a sentence end (or a short line, a heading or a
      salutation), before a blank line when blank lines separate paragraphs.
    """
    if _starts_lower(nxt):
        return True
    if layout == "strict":
        return resolutions.cut_mid_sentence(prev, nxt)
    if _open_end(prev):
        return True
    ended = ends_sentence(prev)
    if layout == "lines":
        return len(prev) >= 60 and not ended and not prev.endswith(",")
    if layout == "wrapped":
        return len(prev) >= 0.75 * width and not (blank and ended)
    return not ((ended or len(prev) < 60) and blank is not False)

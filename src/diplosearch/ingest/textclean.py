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

_WORD = re.compile(r"[^\W\d_]+")
# A hyphen at a line end (the word goes on on the next line), a hyphen followed by a
# stray space inside a word, or any other run of whitespace.
_JOINS = re.compile(
    r"(?P<wrap>(?<=[^\W\d_])-[ \t]*\r?\n[ \t]*(?=[^\W_]))"
    r"|(?P<gap>(?<=[^\W\d_])- (?=[^\W\d_]))"
    r"|(?P<space>\s+)"
    r"|(?P<soft>\u00ad)"
)
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
    out: list[str] = []
    offsets: list[int] = []
    pos = 0
    for m in _JOINS.finditer(raw):
        for i in range(pos, m.start()):
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
        out.append(raw[i])
        offsets.append(base + i)
    text = "".join(out)
    # Trim the spaces that whitespace runs left at either end.
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text.rstrip(" "))
    return CleanText(text[lead:trail], offsets[lead:trail])


def is_hard_wrapped(raw: str) -> bool:
    """True when lines look wrapped at a fixed width (PDF extraction), not one per paragraph:
    mostly short lines, most of which stop mid-sentence."""
    lines = [line.rstrip() for line in raw.splitlines() if line.strip()]
    if len(lines) < 3:
        return False
    lengths = [len(line) for line in lines]
    short = sum(1 for n in lengths if n <= 100)
    ended = sum(1 for line in lines if line.endswith((".", "!", "?", ":", ";", '"', "”", "’", ")")))
    return statistics.median(lengths) <= 90 and short >= 0.7 * len(lines) and ended < 0.5 * len(lines)


def paragraph_blocks(raw: str, wrapped: bool | None = None) -> list[tuple[int, int]]:
    """Source [start, end) spans of paragraphs: blank-line separated blocks in wrapped
    text, else one paragraph per non-empty line. `wrapped` says which, when the reader
    knows (PDF text is always wrapped); None detects it."""
    spans: list[tuple[int, int]] = []
    if is_hard_wrapped(raw) if wrapped is None else wrapped:
        for m in re.finditer(r"\S(?:.|\n(?![ \t\r\f\v]*(?:\n|$)))*", raw):
            spans.append((m.start(), m.end()))
    else:
        for m in re.finditer(r"[^\n]+", raw):
            if m.group(0).strip():
                spans.append((m.start(), m.end()))
    return spans

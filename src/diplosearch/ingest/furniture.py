"""Page furniture in text extracted from UN documents: running heads, page numbers, job
numbers and barcodes that the PDF printed around the text and extraction left in it,
on lines of their own ("2", "S/RES/1624 (2005)", "A/70/PV.28 03/10/2015", "15-29658 24/55")
or glued into a line of text ("…human 24/55 15-29658 rights", "…a positive
sign.16/01/2020 The situation in the Middle East S/PV.8704 In the south…").
None of it belongs in a passage."""

from __future__ import annotations

import re

_SYMBOL = r"[ASE]/[\w./-]*\w(?:\s*\((?:\d{4}|Resumption\s*\d*)\))?"
_PV = r"[ASE]/(?:\d+/)?PV\.\d+(?:\s*\(Resumption\s*\d*\))?"
_DATE = r"(?<![\d/])\d{2}/\d{2}/\d{4}(?![\d/])"
# A job number ("11-24558 (E)"; a reissue's carries an asterisk: "11-24558* (E)", and
# extraction can glue a letter to it: "11-50244S (E)").
_JOB = r"(?<![\w-])\d{2}-\d{5}(?:\*|[A-Z](?=\s*\())?(?:\s*\([A-Z]\))?(?![\w-])"
# A reissue's footnote: "* Reissued for technical reasons on 22 January 2015.",
# "** Second reissue for technical reasons."
_REISSUE = (r"(?:_+\s*)?\*{1,2}\s*(?:\w+\s+)?[Rr]eissue[ds]?\s+for\s+technical\s+re\w*ons\b"
            r"[^\n]{0,40}")
_PAGE = r"(?<![\w/])\d{1,3}/\d{1,3}(?![\w/])"
# A running head's title between its date and symbol: words, no sentence punctuation.
_TITLE = r"(?:\s+[A-Z][^()\n.;:!?]{0,160}?)?"

# A whole line that is furniture (the paragraph rules never see it).
_LINE = re.compile(
    r"^[^\S\n]*(?:" + "|".join([
        _SYMBOL + r"(?:\s+" + _DATE + r")?",
        _DATE + r"(?:\s+" + _SYMBOL + r")?",
        _PAGE + r"(?:\s+" + _JOB + r")?",
        _JOB + r"(?:\s+" + _PAGE + r")?(?:\s+\*\d+\*)?",
        r"\d{1,3}\s+" + _JOB,          # an even page's foot: its number, then the job
                                     #   number ("10 13-26388"; 535 in 329 resolutions)
        r"\*\d{5,}\*",
        _REISSUE,
        r"\d{1,3}",                  # a page number
        r"(?:[^\w\s]|_)(?:(?:[^\w\n]|_)*(?:[^\w\s]|_))?",  # "---", "* * *", "____"
    ]) + r")[^\S\n]*$", re.M)
# Furniture glued into a line of text.
_INLINE = re.compile("|".join([
    _PAGE + r"\s+" + _JOB,
    _JOB + r"(?:\s+" + _PAGE + r")?",
    r"\*\d{7,}\*",
    r"_{4,}|-{4,}|\*{3,}",      # rules drawn with characters
    _DATE + _TITLE + r"\s+" + _PV,
    _PV + _TITLE + r"\s+" + _DATE,
]))
# What follows a record's last sentence: "The meeting rose at 4.50 p.m. 19/19".
_AFTER_CLOSE = re.compile(r"The meeting rose at (?:[^\n]{1,20}?[ap]\.\s?m|noon|midnight)\.(?P<tail>[^\w\n]*(?:\d[\d/()\s*E-]*)?)$",
                          re.M)


def spans(raw: str) -> list[tuple[int, int]]:
    """[start, end) spans of `raw` that are page furniture, in order, not overlapping."""
    found = [m.span() for m in _LINE.finditer(raw) if m.group(0).strip()]
    found += [m.span() for m in _INLINE.finditer(raw)]
    found += [m.span("tail") for m in _AFTER_CLOSE.finditer(raw) if m.group("tail").strip()]
    out: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def mask(raw: str) -> str:
    """`raw` with its furniture blanked out by spaces, so every offset still points to the
    same character of the source."""
    parts, pos = [], 0
    for start, end in spans(raw):
        parts += [raw[pos:start], re.sub(r"[^\n]", " ", raw[start:end])]
        pos = end
    parts.append(raw[pos:])
    return "".join(parts)


def is_furniture(text: str) -> bool:
    """A paragraph that is only page furniture."""
    return bool(_LINE.fullmatch(" ".join(text.split())))

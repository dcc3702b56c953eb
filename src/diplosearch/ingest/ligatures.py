"""Words that lost a ligature's letters when their text was taken out of a PDF.

Some transcripts come from PDFs whose "ti", "ft" or "ffi" ligatures the extraction dropped:
the General Debate's IRN_79_2024.txt writes "sancons" (sanctions, nine times), "vicms",
"naonal", "aer". A keyword search for "sanctions" then misses the statement, and a
quotation reads wrong.

A document is repaired only when it shows the fault many times: at least `MIN_WORDS`
distinct words that are not common English words of UN records (`text.glossary`'s words and
the function words), each of which becomes exactly one such word when one ligature's
letters are put back at one place. Only the ligatures the document lost at least
`MIN_PER_LIGATURE` times are put back. In the 1,938 General Debate statements and 1,600
Security Council speeches, that one file has 65 such words; no other has more than 2 (and
those are chance: "moon" → "motion"), so no other is touched.
"""

from __future__ import annotations

import re
from collections import Counter

from ..text.glossary import english_words
from ..text.glosswords import FUNCTION_WORDS
from .textclean import CleanText

LIGATURES = ("ti", "ft", "fi", "fl", "ff", "ffi", "ffl", "tt")
MIN_WORDS = 20          # distinct repairable words before a document counts as damaged
MIN_PER_LIGATURE = 3    # a ligature is put back only where the document lost it this often
_WORD = re.compile(r"[A-Za-z]+")


def repairs(raw: str) -> dict[str, str]:
    """Each damaged word of `raw` (as written) → the word it was, or {} for a document that
    does not show the fault."""
    known = english_words() | FUNCTION_WORDS
    if not known:
        return {}
    found: dict[str, tuple[str, str]] = {}   # written → (whole word, ligature)
    for word in set(_WORD.findall(raw)):
        lower = word.lower()
        if len(lower) < 3 or lower in known:
            continue
        whole = {(lower[:i] + lig + lower[i:], lig) for lig in LIGATURES
                 for i in range(1, len(lower) + 1)}
        whole = {(w, lig) for w, lig in whole if w in known}
        if len({w for w, _ in whole}) == 1:
            found[word] = min(whole, key=lambda pair: len(pair[1]))
    if len(found) < MIN_WORDS:
        return {}
    lost = Counter(lig for _, lig in found.values())
    return {word: _cased(whole, word) for word, (whole, lig) in found.items()
            if lost[lig] >= MIN_PER_LIGATURE}


def repair(clean: CleanText, fixes: dict[str, str]) -> CleanText:
    """`clean` with its damaged words written whole; the letters put back point at the
    source character after them (a citation's offsets still hold)."""
    if not fixes:
        return clean
    text, offsets, pos = [], [], 0
    for m in _WORD.finditer(clean.text):
        whole = fixes.get(m.group())
        if whole is None:
            continue
        text.append(clean.text[pos:m.start()])
        offsets += clean.offsets[pos:m.start()]
        text.append(whole)
        offsets += _spread(clean.offsets[m.start():m.end()], m.group(), whole)
        pos = m.end()
    text.append(clean.text[pos:])
    offsets += clean.offsets[pos:]
    return CleanText("".join(text), offsets)


def _spread(source: list[int], written: str, whole: str) -> list[int]:
    """Offsets for `whole`'s letters: those of `written`'s letters, and for the letters put
    back, the offset of the letter after them."""
    same = 0
    while same < len(written) and written[same].lower() == whole[same].lower():
        same += 1
    added = len(whole) - len(written)
    after = source[min(same, len(source) - 1)]
    return source[:same] + [after] * added + source[same:]


def _cased(whole: str, written: str) -> str:
    """`whole` in `written`'s case: "Sancons" → "Sanctions", "NAONAL" → "NATIONAL"."""
    if written.isupper() and len(written) > 1:
        return whole.upper()
    return whole[:1].upper() + whole[1:] if written[:1].isupper() else whole

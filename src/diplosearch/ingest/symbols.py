"""UN document symbols as users write them, and as the Official Document System (ODS) and
our file names spell them.

Users write `S/PV.8699`, `S/RES/2396 (2017)`, `S/PV.8699 (Resumption 1)` or a range of
meetings, `S/PV.8690-8699`. ODS knows the same documents without spaces
(`S/RES/2396(2017)`, `S/PV.8699(Resumption1)`); the index cites them with the space the
records print (`S/PV.8699 (Resumption 1)`), which is also how `sources.metadata_from_name`
reads our file names back (`S_PV.8699(Resumption1)_E.pdf`)."""

from __future__ import annotations

import re

from ..errors import QueryError

# The six official languages as ODS's `l=` parameter takes them, with the letter UN file
# names end in (S_PV.8699_E.pdf). ODS answers an unknown code (l=ja, say) with the English
# PDF rather than an error, so anything else is refused before a request is made.
LANGUAGES = {"ar": "A", "zh": "C", "en": "E", "fr": "F", "ru": "R", "es": "S"}
MAX_RANGE = 500      # a typo such as S/PV.8690-86990 should not start 78,000 requests

_RANGE = re.compile(r"^(?P<head>.*?[./])(?P<first>\d+)\s*[-–]\s*(?P<last>\d+)$")
_SUFFIX = re.compile(r"\s*\(\s*(?P<word>[A-Za-z]*)\s*(?P<number>\d*)\s*\)\s*$")
_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[/.][A-Za-z0-9.\-]+)+(?: \(.+\))?$")


def expand(symbols: list[str]) -> list[str]:
    """Each symbol as the index cites it, ranges expanded, duplicates dropped, in order.

    Raises:
        QueryError: a symbol that cannot be one, or a range that is backwards or too long.
    """
    out: list[str] = []
    for raw in symbols:
        for symbol in _expanded(raw):
            if symbol not in out:
                out.append(symbol)
    if not out:
        raise QueryError("no document symbol given (for example S/PV.8699)")
    return out


def _expanded(raw: str) -> list[str]:
    text = " ".join(str(raw).split())
    m = _RANGE.match(text)
    if not m:
        return [canonical(text)]
    first, last = m.group("first"), m.group("last")
    if len(last) < len(first):            # S/PV.8690-99 means S/PV.8690 to S/PV.8699
        last = first[:len(first) - len(last)] + last
    start, end = int(first), int(last)
    if end < start:
        raise QueryError(f"{raw!r}: the range runs backwards ({start} to {end})")
    if end - start >= MAX_RANGE:
        raise QueryError(f"{raw!r}: a range of {end - start + 1} documents; at most "
                         f"{MAX_RANGE} at a time")
    return [canonical(f"{m.group('head')}{n}") for n in range(start, end + 1)]


def canonical(text: str) -> str:
    """`S/PV.8699(Resumption1)` → `S/PV.8699 (Resumption 1)`, `S/RES/2396(2017)` →
    `S/RES/2396 (2017)`: one space before a bracket, none elsewhere; the case as given
    (records print `Add.1`, `Rev.2`).

    Raises:
        QueryError: text that is not shaped like a UN symbol.
    """
    text = " ".join(str(text).split())
    base, suffix = text, ""
    if m := _SUFFIX.search(text):
        base = text[:m.start()]
        words = (m.group("word").capitalize(), m.group("number"))
        suffix = " (" + " ".join(w for w in words if w) + ")"
    symbol = base.replace(" ", "") + suffix
    if not _SHAPE.match(symbol):
        raise QueryError(f"{text!r} is not a UN document symbol (for example S/PV.8699, "
                         "S/RES/2396 (2017), A/78/PV.5)")
    return symbol


def ods_symbol(symbol: str) -> str:
    """The symbol as ODS looks it up: no spaces (`S/PV.8699(Resumption1)`)."""
    return symbol.replace(" ", "")


def file_name(symbol: str, language: str) -> str:
    """Where a fetched record is saved: the UN's own file naming, which
    `sources.metadata_from_name` reads back (`S_PV.8699(Resumption1)_E.pdf`)."""
    return f"{ods_symbol(symbol).replace('/', '_')}_{LANGUAGES[language]}.pdf"


def languages(codes: list[str] | str) -> list[str]:
    """`"en,fr"` or `["en", "FR"]` → `["en", "fr"]`, checked against the six ODS codes.

    Raises:
        QueryError: a code that is not one of ar, en, es, fr, ru, zh.
    """
    if isinstance(codes, str):
        codes = [codes]
    out: list[str] = []
    for code in (c.strip().lower() for part in codes for c in part.split(",")):
        if not code:
            continue
        if code not in LANGUAGES:
            raise QueryError(f"{code!r} is not an official UN language code; use "
                             f"{', '.join(sorted(LANGUAGES))} (ODS would answer another code "
                             "with the English document)")
        if code not in out:
            out.append(code)
    if not out:
        raise QueryError("no language given; use some of ar, en, es, fr, ru, zh")
    return out

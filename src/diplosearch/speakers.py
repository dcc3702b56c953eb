"""Recognise the speaker label that opens a statement in a UN verbatim record:
"Mr. Amorin (Uruguay) (spoke in Spanish):", "The President:", "The Secretary-General:"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TITLES = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Lord|Lady|Baroness|Monsignor|Msgr|Archbishop|Cardinal"
    r"|Bishop|Sheikh|Sheikha|Sheikh|Prince|Princess|King|Queen|Emir|President|Vice-President"
    r"|Prime Minister|Minister|Ambassador|General|Judge|Justice|Professor|Prof|Dato|Datuk"
    r"|Dato'|Tan Sri|Archduke|Count|Countess|Baron|Father|Sister|Brother|Rabbi|Imam"
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|(?:de|da|del|der|van|von|bin|al|el|la|le|du|dos|di|ibn)\b)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}"
_LABEL = re.compile(
    rf"^(?P<name>The\s+(?:Acting\s+|Vice-|Deputy\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?"
    rf"|(?:{_TITLES})\.?\s+{_NAME}"
    rf"|{_NAME}(?=\s*\((?:[^():]{{2,120}}\)\s*\()?spoke in))"
    r"(?:\s*\((?P<affiliation>(?!spoke in)[^():]{2,120})\))?"
    r"(?:\s*\(spoke in (?P<language>[A-Z][a-z]+)[^():]{0,80}\))?"
    r"(?:\s*\((?P<affiliation_after>(?!spoke in)[^():]{2,120})\))?"  # "(spoke in French) (France)"
    r"\s*:\s*"
)


@dataclass(frozen=True)
class Speaker:
    """Who speaks, as the record's label says."""

    name: str
    affiliation: str | None = None
    role: str | None = None
    language: str | None = None
    label: str = ""


def parse_label(text: str) -> tuple[Speaker, int] | None:
    """Parse a speaker label at the start of `text`.

    Returns the speaker and the offset where the statement's own words begin, or None.
    """
    m = _LABEL.match(text)
    if not m:
        return None
    name = " ".join(m.group("name").split())
    role = name[4:] if name.startswith("The ") else None
    label = text[: m.end()].rstrip()
    affiliation = m.group("affiliation") or m.group("affiliation_after")
    speaker = Speaker(
        name=name,
        affiliation=affiliation.strip() if affiliation else None,
        role=role,
        language=m.group("language"),
        label=label,
    )
    return speaker, m.end()

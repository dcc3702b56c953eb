"""Search filters (speaker, country, document, body, dates) as one SQL condition.

The same condition narrows keyword search inside SQLite and gives the set of passage ids
that vector search may return, so a filtered search still returns k hits whenever k
matching passages exist.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, fields
from datetime import date

from ..errors import QueryError

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
# "September 2024", "Sept. 2024", "5 September 2024", "September 5, 2024" (English names:
# the UN records' own dates are written so).
_WORDS = re.compile(r"^(?:(\d{1,2}) )?([a-z]+)\.?(?: (\d{1,2}))? (\d{4})$")
_MONTHS = {name: number for number, names in enumerate(
    ["", "january jan", "february feb", "march mar", "april apr", "may", "june jun",
     "july jul", "august aug", "september sep sept", "october oct", "november nov",
     "december dec"]) for name in names.split()}
DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or a month name ('September 2024', '5 September 2024')"


@dataclass(frozen=True)
class Filters:
    """Narrow a search. Every field is optional; several fields combine with AND, several
    values of one field with OR.

    Attributes:
        speaker: part of the speaker's name ("Nebenzia"), case-insensitive.
        country: the country or organisation spoken for ("Uruguay", "European Union").
        doc: a document symbol or its start ("S/PV.87", "S/RES/2178"), or a source key.
        body: "Security Council", "General Assembly", ...
        since, until: ISO dates, inclusive (`make_filters` reads `DATE_FORMS` and widens a
            year or a month to its first or last day).
    """

    speaker: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    doc: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def sql(self) -> tuple[str, list[str]]:
        """A WHERE condition over `passages p JOIN documents d`, and its parameters."""
        parts: list[str] = []
        args: list[str] = []

        def any_of(template: str, values: tuple[str, ...], transform=lambda v: v) -> None:
            if values:
                parts.append("(" + " OR ".join([template] * len(values)) + ")")
                for v in values:
                    args.extend([transform(v)] * template.count("?"))

        any_of("p.speaker LIKE ? ESCAPE '\\'", self.speaker, lambda v: f"%{_like(v)}%")
        any_of("p.affiliation = ? COLLATE NOCASE", self.country)
        any_of("(d.symbol LIKE ? ESCAPE '\\' OR d.key LIKE ? ESCAPE '\\')", self.doc,
               lambda v: f"{_like(v)}%")
        any_of("d.body = ? COLLATE NOCASE", self.body)
        # A document known only by its year (the General Debate corpus) matches a period
        # that overlaps that year.
        if self.since:
            parts.append("COALESCE(d.date, json_extract(d.metadata, '$.year') || '-12-31') >= ?")
            args.append(self.since)
        if self.until:
            parts.append("COALESCE(d.date, json_extract(d.metadata, '$.year') || '-01-01') <= ?")
            args.append(self.until)
        return (" AND ".join(parts) or "1"), args


def make_filters(speaker=None, country=None, doc=None, body=None, since=None,
                 until=None) -> Filters:
    """Build Filters from strings or lists of strings (None or empty for no filter)."""
    def many(value) -> tuple[str, ...]:
        if value is None:
            return ()
        values = (value,) if isinstance(value, str) else tuple(value)
        return tuple(v.strip() for v in values if v and v.strip())

    return Filters(many(speaker), many(country), many(doc), many(body),
                   parse_date(since, "since", True) if since else None,
                   parse_date(until, "until", False) if until else None)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_date(value: str | date, name: str = "date", low: bool = True) -> str:
    """A date bound as an ISO date string; a year or a month widens to its first day
    (`low`) or its last. Accepts `DATE_FORMS`; QueryError names `name` otherwise."""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    parts = _date_parts(text)
    if parts is None:
        raise QueryError(f"{name} {text!r}: expected a date as {DATE_FORMS}")
    year, month, day = parts
    if month is not None and not 1 <= month <= 12:
        raise QueryError(f"{name} {text!r}: month must be in 1..12")
    try:
        if month is None:
            month, day = (1, 1) if low else (12, 31)
        elif day is None:
            day = 1 if low else calendar.monthrange(year, month)[1]
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise QueryError(f"{name} {text!r}: {exc}") from None


def _date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    m = _ISO.match(text)
    if m:
        year, month, day = m.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    m = _WORDS.match(" ".join(text.lower().replace(",", " ").split()))
    if not m or m.group(2) not in _MONTHS or (m.group(1) and m.group(3)):
        return None
    day = m.group(1) or m.group(3)
    return int(m.group(4)), _MONTHS[m.group(2)], int(day) if day else None

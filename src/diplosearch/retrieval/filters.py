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

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Filters:
    """Narrow a search. Every field is optional; several fields combine with AND, several
    values of one field with OR.

    Attributes:
        speaker: part of the speaker's name ("Nebenzia"), case-insensitive.
        country: the country or organisation spoken for ("Uruguay", "European Union").
        doc: a document symbol or its start ("S/PV.87", "S/RES/2178"), or a source key.
        body: "Security Council", "General Assembly", ...
        since, until: ISO dates, inclusive (`make_filters` widens YYYY and YYYY-MM).
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
                   _bound(since, "since", True) if since else None,
                   _bound(until, "until", False) if until else None)


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bound(value: str | date, name: str, low: bool) -> str:
    """A date bound as an ISO string; partial dates widen to the whole year or month."""
    text = value.isoformat() if isinstance(value, date) else str(value).strip()
    if not _DATE.match(text):
        raise QueryError(f"--{name} {text!r}: expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        date.fromisoformat((text + ("-01-01" if len(text) == 4 else "-01" if len(text) == 7 else "")))
    except ValueError as exc:
        raise QueryError(f"--{name} {text!r}: {exc}") from None
    if len(text) == 4:
        return text + ("-01-01" if low else "-12-31")
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return text + ("-01" if low else f"-{calendar.monthrange(year, month)[1]:02d}")
    return text

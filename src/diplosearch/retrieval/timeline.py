"""Positions over time: for one question, the best passage of each country in each period
(a year, or a meeting), so a reader can scan how positions moved.

Each period is one filtered search grouped by country (`Index.search(..., group_by=
"country")` with `since`/`until` for a year, `doc` for a meeting), so every cell is the
same ranking the search page would give for that period.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import QueryError
from ..store import database
from .results import Hit, SearchResults


class Index(Protocol):
    """What positions need of an open index; `diplosearch.index.Index` is one."""

    @property
    def db(self) -> sqlite3.Connection: ...

    def search(self, query: str, k: int = 10, **options: Any) -> SearchResults: ...

PERIODS = ("year", "meeting")
MAX_PERIODS = 24           # the latest ones; each costs one search
UNKNOWN = "(unknown)"      # pipeline.group's key for passages with no affiliation
_RESUMPTION = re.compile(r"\s*\(Resumption \d+\)$")


@dataclass(frozen=True)
class Positions:
    """Best passage per country per period, for one question.

    Attributes:
        query: the question asked.
        by: "year" or "meeting".
        periods: the periods, oldest first ("2019", or "S/PV.8716").
        cells: country → period → its best hit in that period.
    """

    query: str
    by: str
    periods: list[str]
    cells: dict[str, dict[str, Hit]] = field(default_factory=dict)

    @property
    def countries(self) -> list[str]:
        """Countries, the one with the strongest answer in any period first. Each period is a
        search of its own, whose scores are scaled to its candidates (`Hit.score`), so
        periods compare by the ranker's raw score (cosine, BM25; the fused value in hybrid)."""
        def strength(h: Hit) -> float:
            return h.raw_score if h.raw_score is not None else (h.score or 0.0)

        return sorted(self.cells, key=lambda c: (-max(map(strength, self.cells[c].values())), c))

    def rows(self) -> list[dict[str, Any]]:
        """One row per (period, country): period, country, score, citation, text, id."""
        return [{"period": p, "country": c, "score": hit.score, "citation": hit.citation,
                 "text": hit.text, "id": hit.id}
                for p in self.periods for c in self.countries
                if (hit := self.cells[c].get(p)) is not None]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "by": self.by, "periods": self.periods,
                "countries": [{"country": c, "cells": {p: h.to_dict() for p, h in
                                                       self.cells[c].items()}}
                              for c in self.countries]}

    def to_frame(self):
        """A pandas DataFrame of `rows()` (needs the `pandas` extra)."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=["period", "country", "score", "citation",
                                                  "text", "id"])


def periods(index: Index, by: str = "year") -> list[str]:
    """The periods of `index` that have passages spoken for a country, oldest first: years
    (of a document's date, or its year alone, as for General Debate statements), or meetings (document symbols, resumptions folded in)."""
    _check_by(by)
    spoken = "EXISTS (SELECT 1 FROM passages p WHERE p.doc_id = d.id AND p.affiliation IS NOT NULL)"
    if by == "year":   # dated documents, and those known only by their year
        year = f"substr({database.WHEN_SQL}, 1, 4)"
        rows = index.db.execute(f"SELECT DISTINCT {year} FROM documents d "
                                f"WHERE {year} IS NOT NULL AND {spoken} ORDER BY 1").fetchall()
        return [r[0] for r in rows][-MAX_PERIODS:]
    rows = index.db.execute(f"SELECT d.symbol, MIN(d.date) FROM documents d WHERE d.symbol "
                            f"IS NOT NULL AND {spoken} GROUP BY d.symbol").fetchall()
    first: dict[str, str] = {}
    for symbol, date in rows:
        base = _RESUMPTION.sub("", symbol)
        first[base] = min(first.get(base) or "9999", date or "9999")
    return sorted(first, key=lambda s: (first[s], s))[-MAX_PERIODS:]


def positions(index: Index, query: str, by: str = "year", *, countries: int = 10,
              mode: str = "hybrid", country=None, highlight: bool = True) -> Positions:
    """For `query`, the best passage of each of the `countries` best-answering countries in
    every period (see `periods`).

    Args:
        index: an opened index.
        query: the question.
        by: "year" or "meeting".
        countries: how many countries per period.
        mode: search mode, as in `Index.search`.
        country: only these countries (a name or a list).
        highlight: mark each passage's best-matching sentence.
    """
    if countries < 1:
        raise QueryError(f"countries must be at least 1 (got {countries})")
    found: dict[str, dict[str, Hit]] = {}
    kept: list[str] = []
    for period in periods(index, by):
        where = {"since": period, "until": period} if by == "year" else {"doc": period}
        hits = index.search(query, k=countries + 1, mode=mode, group_by="country",
                            country=country, highlight=highlight, **where)
        hits = [h for h in hits if h.affiliation and h.affiliation != UNKNOWN][:countries]
        if hits:
            kept.append(period)
        for hit in hits:
            found.setdefault(hit.affiliation, {})[period] = hit
    return Positions(query=query.strip(), by=by, periods=kept, cells=found)


def _check_by(by: str) -> None:
    if by not in PERIODS:
        raise QueryError(f"by {by!r}: expected one of {', '.join(PERIODS)}")

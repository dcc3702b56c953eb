"""The same paragraph in another official language (`show CITATION --lang fr`).

A UN record has one symbol in all six languages, and an index may hold several of them
(`diplosearch fetch S/PV.8699 --lang en,fr --add-to INDEX`). A paragraph of one is found
in another by speaker turn (the statement number) and paragraph order within the turn;
when the index has multilingual vectors, they check that choice against the turn's other
paragraphs and repair it when another is clearly closer in meaning, or find the
paragraph by meaning alone when the turns do not match. Where neither can align, it
says so rather than guessing.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import NotFoundError, QueryError
from ..store import database
from .results import LANGUAGES as NAMES
from .results import Hit, hit_from_row, language_code

MARGIN = 0.05   # cosine by which another paragraph must beat the one in order to replace it


@dataclass(frozen=True)
class Counterpart:
    """The paragraph found in the other record, and how: "order" (speaker turn and
    paragraph order), "repaired" (order, corrected by meaning) or "meaning" (the turns did
    not match; the closest paragraph in meaning). `note` says so in one sentence."""

    hit: Hit
    how: str
    note: str


def doc_language(metadata: str | dict[str, Any] | None) -> str:
    """A document's language as an ODS code; records without one are English."""
    meta = json.loads(metadata or "{}") if not isinstance(metadata, dict) else metadata
    return language_code(meta.get("language")) or "en"


def prefer_language(rows: list[sqlite3.Row], lang: str | None = None) -> list[sqlite3.Row]:
    """Rows for one citation found in several language versions of a record: those of the
    version in `lang` (default English), else those of the first document indexed."""
    docs = {row["doc_id"] for row in rows}
    if len(docs) < 2:
        return rows
    wanted = language_code(lang) or "en"
    chosen = [row for row in rows if doc_language(row["doc_metadata"]) == wanted]
    return chosen or [row for row in rows if row["doc_id"] == min(docs)]


def counterpart(db: sqlite3.Connection, hit: Hit, lang: str, vectors=None) -> Counterpart:
    """The paragraph that is `hit`'s in the `lang` version of its record.

    Raises:
        QueryError: `lang` is not an official language code.
        NotFoundError: the record is not indexed in `lang`, or cannot be aligned.
    """
    code = language_code(lang)
    if code is None:
        raise QueryError(f"{lang!r} is not an official UN language; use one of "
                         f"{', '.join(sorted(NAMES))}")
    source = db.execute("SELECT d.id, d.symbol, d.metadata FROM passages p JOIN documents d "
                        "ON d.id = p.doc_id WHERE p.id = ?", (hit.id,)).fetchone()
    if doc_language(source["metadata"]) == code:
        return Counterpart(hit, "order", f"{hit.doc} is already the {NAMES[code]} record")
    target = _target(db, source, code)
    mine, theirs = _turn(db, source["id"], hit.statement), _turn(db, target, hit.statement)
    place = mine.index(hit.paragraph) if hit.paragraph in mine else None
    by_order = theirs[place] if place is not None and place < len(theirs) else None
    query = _vector(vectors, _first_part(db, source["id"], hit.paragraph))
    if query is None:
        if by_order is None:
            raise NotFoundError(_unaligned(hit, code, len(mine), len(theirs)))
        return Counterpart(_hit(db, target, by_order), "order", _said(hit, code, "order"))
    pool = theirs or _turn(db, target, None, every=True)
    firsts = [_first_part(db, target, n) for n in pool]
    scores = vectors.scores_of(query, np.asarray(firsts, dtype=np.int64))
    best = pool[int(np.argmax(scores))]
    if by_order is not None and (best == by_order or
                                 scores.max() < scores[pool.index(by_order)] + MARGIN):
        return Counterpart(_hit(db, target, by_order), "order", _said(hit, code, "order"))
    how = "repaired" if by_order is not None else "meaning"
    return Counterpart(_hit(db, target, best), how, _said(hit, code, how))


def _target(db: sqlite3.Connection, source: sqlite3.Row, code: str) -> int:
    rows = db.execute("SELECT id, metadata FROM documents WHERE symbol = ? AND id != ?",
                      (source["symbol"], source["id"])).fetchall()
    found = [r["id"] for r in rows if doc_language(r["metadata"]) == code]
    if not found:
        held = sorted({doc_language(source["metadata"])} |
                      {doc_language(r["metadata"]) for r in rows})
        raise NotFoundError(f"{source['symbol']} is not indexed in {NAMES[code]} (this index "
                            f"holds it in {', '.join(NAMES[c] for c in held)}); fetch it with "
                            f"`diplosearch fetch \"{source['symbol']}\" --lang {code} "
                            "--add-to INDEX`")
    return found[0]


def _turn(db: sqlite3.Connection, doc_id: int, statement: int | None,
          every: bool = False) -> list[int]:
    """The paragraph numbers of one speaker turn (or of the whole record), in order."""
    if every:
        rows = db.execute("SELECT DISTINCT paragraph FROM passages WHERE doc_id = ? "
                          "ORDER BY paragraph", (doc_id,))
    else:
        rows = db.execute("SELECT DISTINCT paragraph FROM passages WHERE doc_id = ? AND "
                          "statement IS ? ORDER BY paragraph", (doc_id, statement))
    return [r[0] for r in rows]


def _first_part(db: sqlite3.Connection, doc_id: int, paragraph: int) -> int:
    return db.execute("SELECT id FROM passages WHERE doc_id = ? AND paragraph = ? "
                      "ORDER BY part LIMIT 1", (doc_id, paragraph)).fetchone()[0]


def _vector(vectors, passage_id: int) -> np.ndarray | None:
    if vectors is None or not len(vectors):
        return None
    pos = int(np.searchsorted(vectors.ids, passage_id))
    if pos >= len(vectors.ids) or vectors.ids[pos] != passage_id:
        return None
    return vectors.matrix[pos].astype(np.float32)


def _hit(db: sqlite3.Connection, doc_id: int, paragraph: int) -> Hit:
    row = db.execute(f"{database.HIT_SQL} WHERE p.doc_id = ? AND p.paragraph = ? "
                     "ORDER BY p.part LIMIT 1", (doc_id, paragraph)).fetchone()
    return hit_from_row(row, None)


def _said(hit: Hit, code: str, how: str) -> str:
    turn = f"statement {hit.statement}" if hit.statement is not None else "the opening"
    return {"order": f"the {NAMES[code]} record's paragraph in the same place: {turn}, "
                     "same paragraph order",
            "repaired": f"{turn} of the {NAMES[code]} record, the paragraph closest in meaning "
                        "(paragraph order did not match; checked with multilingual vectors)",
            "meaning": f"the turns of the {NAMES[code]} record do not match this one's; the "
                       "paragraph closest in meaning (multilingual vectors), check it"}[how]


def _unaligned(hit: Hit, code: str, mine: int, theirs: int) -> str:
    return (f"cannot align {hit.citation} with the {NAMES[code]} record: statement "
            f"{hit.statement} has {mine} paragraphs here and {theirs} there, and the index "
            "has no multilingual vectors to match them by meaning")

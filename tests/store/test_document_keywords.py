"""A resolution's whole text for keyword search (migration 011): written with its passages,
refreshed when it changes, gone with it, added to an index made before it, and used to
lift a resolution whose paragraphs do not name what the question asks about."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import diplosearch as ds
from diplosearch.retrieval import ranking
from diplosearch.store import database, migrations

RESOLUTION = """United Nations
Security Council
S/RES/{n} (2012)
Resolution {n} (2012)
Adopted by the Security Council at its 6000th meeting, on 1 March 2012
The Security Council,
Expressing grave concern at the situation in {place},
Acting under Chapter VII of the Charter of the United Nations,
1. Decides that the measures imposed by paragraph 3 of resolution 1844 shall not apply to the payment of funds necessary for the timely delivery of urgently needed assistance;
2. Decides to remain seized of the matter.
"""


def _write(folder: Path, n: int, place: str) -> Path:
    path = folder / f"S-RES-{n}(2012).txt"
    path.write_text(RESOLUTION.format(n=n, place=place), encoding="utf-8")
    return path


def _build(tmp_path: Path, hashing, places: dict[int, str]) -> tuple[ds.Index, Path]:
    """An index of one resolution per (number, place), and the folder they are in."""
    src = tmp_path / "src"
    src.mkdir()
    for n, place in places.items():
        _write(src, n, place)
    return ds.build_index([src], tmp_path / "idx", model=hashing)[0], src


def _matches(index: ds.Index, word: str) -> list[str]:
    db = sqlite3.connect(index.path / "passages.sqlite")
    try:
        return [symbol for (symbol,) in db.execute(
            "SELECT d.symbol FROM document_keywords_fts f JOIN documents d ON d.id = f.rowid "
            "WHERE document_keywords_fts MATCH ? ORDER BY d.symbol", (word,))]
    finally:
        db.close()


def test_resolutions_whole_texts_follow_their_documents(tmp_path, hashing):
    index, src = _build(tmp_path, hashing, {2060: "Somalia", 2061: "Eritrea"})
    (src / "speech.txt").write_text("Mr. Smith (Ruritania): Somalia needs help.\n")
    index.add([src / "speech.txt"])
    # the preamble's place and the operative paragraph's words are in one text; the
    # speech, not a resolution, has none
    assert _matches(index, "somalia AND timely") == ["S/RES/2060 (2012)"]
    assert _matches(index, "timely") == ["S/RES/2060 (2012)", "S/RES/2061 (2012)"]
    _write(src, 2060, "Liberia")                     # changed and added again
    index.add([src / "S-RES-2060(2012).txt"])
    assert _matches(index, "somalia") == [] and _matches(index, "liberia") == ["S/RES/2060 (2012)"]
    index.remove("S/RES/2061 (2012)")
    assert _matches(index, "eritrea") == [] and _matches(index, "timely") == ["S/RES/2060 (2012)"]
    db = sqlite3.connect(index.path / "passages.sqlite")
    migrations.register_functions(db)   # the folded table's check calls them
    try:
        assert database.keyword_errors(db) == []
        db.execute("INSERT INTO document_keywords_fts(document_keywords_fts, rank) "
                   "VALUES ('integrity-check', 1)")     # raises if out of step
    finally:
        db.close()


def test_an_index_made_before_gets_its_resolutions_texts(tmp_path, hashing):
    index, src = _build(tmp_path, hashing, {2060: "Somalia"})
    db = sqlite3.connect(index.path / "passages.sqlite", isolation_level=None)
    db.executescript("DROP TABLE document_keywords_fts; DROP TABLE document_keywords; "
                     "DELETE FROM schema_migrations WHERE name = '011_document_keywords';")
    db.close()
    assert ds.open_index(tmp_path / "idx").search("Somalia", k=1)    # a reader does without
    ds.open_index(tmp_path / "idx").add([src])                       # a write migrates it
    assert _matches(ds.open_index(tmp_path / "idx"), "somalia") == ["S/RES/2060 (2012)"]


def test_a_resolution_is_lifted_by_what_only_its_preamble_names(tmp_path, hashing):
    index, _ = _build(tmp_path, hashing, {2060: "Somalia", 2061: "Eritrea"})
    db = index.db
    op1 = {symbol: pid for pid, symbol in db.execute(
        "SELECT p.id, d.symbol FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE p.section = 'OP 1'")}
    # the two operative paragraphs are alike; Eritrea's was ahead
    pairs = [(op1["S/RES/2061 (2012)"], 0.9), (op1["S/RES/2060 (2012)"], 0.8)]
    lifted = ranking.with_document_keywords(db, pairs, "Somalia humanitarian exemption", 0.4)
    assert [pid for pid, _ in lifted] == [op1["S/RES/2060 (2012)"], op1["S/RES/2061 (2012)"]]
    assert ranking.with_document_keywords(db, pairs, "Somalia", 0.0) == pairs
    assert ranking.with_document_keywords(db, pairs, "the of", 0.4) == pairs   # no word

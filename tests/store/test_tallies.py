"""Stored counts (migration 005): kept right by triggers through every kind of write, so a
write never has to scan a large index; checked by verify, put right by repair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import diplosearch as ds
from diplosearch.store import database
from diplosearch.store.migrations import MIGRATIONS, migrate
from diplosearch.store.repair import repair_index
from diplosearch.store.verify import verify_index


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path / "passages.sqlite")


def _fts_intact(db: sqlite3.Connection) -> bool:
    try:
        db.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    return True


def _speech(folder: Path, name: str, paragraphs: list[str]) -> None:
    (folder / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def test_counts_stay_right_through_adds_changes_removes_and_compaction(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    for n in range(6):
        _speech(src, f"s{n}.txt", [f"Paragraph {i} of speech {n} on sanctions and peace."
                                   for i in range(5)])
    idx, _ = ds.build_index([src], tmp_path / "idx", model=hashing)
    _speech(src, "s0.txt", ["A new first paragraph on ceasefires.",       # changed: some reused
                            "Paragraph 1 of speech 0 on sanctions and peace."])
    _speech(src, "s9.txt", ["A speech added later on mediation."])       # new
    idx.add([src])
    idx.remove("s3.txt")
    for _ in range(70):    # many small segments: compaction merges them
        (src / "s9.txt").write_text(f"Mediation, take {_}.\n", encoding="utf-8")
        idx.add([src / "s9.txt"])
    db = _db(idx.path)
    assert database.tally_errors(db) == []
    assert database.counts(db) == {
        "documents": db.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
        "passages": db.execute("SELECT COUNT(*) FROM passages").fetchone()[0],
        "segments": db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]}
    assert database.counts(db)["documents"] == 6 and database.counts(db)["segments"] < 64
    assert _fts_intact(db)
    assert [h.doc for h in idx.search("mediation take 69", k=1, mode="keyword")] == ["s9.txt"]


def test_a_wrong_stored_count_is_reported_by_verify_and_put_right_by_repair(tmp_path, seed_dir,
                                                                            hashing):
    idx, _ = ds.build_index([seed_dir], tmp_path / "idx", model=hashing)
    db = _db(idx.path)
    db.execute("UPDATE tallies SET n = n + 5 WHERE name = 'passages'")
    db.execute("UPDATE segments SET live = live - 1")
    db.commit()
    errors = [p.what for p in verify_index(idx.path).problems if p.severity == "error"]
    assert any("stored counts disagree" in e for e in errors)
    assert "counted the documents and passages again" in repair_index(idx.path).actions
    assert database.tally_errors(db) == [] and verify_index(idx.path).ok


def test_an_index_from_before_the_counts_is_upgraded_with_them(tmp_path):
    db = sqlite3.connect(tmp_path / "old.sqlite", isolation_level=None)
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, script in MIGRATIONS:
        if name == "005_tallies":
            break
        db.executescript(f"BEGIN; {script}; INSERT INTO schema_migrations VALUES ('{name}', ''); "
                         "COMMIT;")
    db.execute("INSERT INTO segments (id, file, rows, sha256, created_at) VALUES "
               "(1, 'a', 3, '', ''), (2, 'b', 2, '', '')")
    db.execute("INSERT INTO documents (id, key, sha256, indexed_at) VALUES (1, 'd', '', '')")
    for pid, seg in ((1, 1), (2, 1), (3, 2)):
        db.execute("INSERT INTO passages (id, doc_id, segment_id, position, text, text_sha256, "
                   "paragraph, paragraph_end, part, parts, line_start, line_end, char_start, "
                   "char_end) VALUES (?, 1, ?, 0, 'peace talks', '', 1, 1, 1, 1, 1, 1, 0, 1)",
                   (pid, seg))
    assert migrate(db)[0] == "005_tallies"        # and any later ones
    assert database.counts(db) == {"documents": 1, "passages": 3, "segments": 2}
    assert database.live_counts(db) == {1: 2, 2: 1}
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("DELETE FROM documents")      # the cascade fires the passage triggers too
    assert database.counts(db)["passages"] == 0 and database.live_counts(db) == {}
    assert database.tally_errors(db) == []


def test_the_manifest_and_info_say_which_backend_embedded_the_vectors(tmp_path, seed_dir,
                                                                       hashing):
    idx, _ = ds.build_index([seed_dir], tmp_path / "idx", model=hashing)
    assert idx.manifest.backends == ["hashing"] and idx.info()["backends"] == ["hashing"]
    hashing.backend = "onnx-int8"        # as if a later add ran on another backend
    (seed_dir / "more.txt").write_text("A further statement on mediation.\n", encoding="utf-8")
    idx.add([seed_dir])
    assert ds.open_index(idx.path, model=hashing).manifest.backends == ["hashing", "onnx-int8"]
    idx.add([seed_dir])                  # nothing embedded: nothing recorded
    assert database.backends(_db(idx.path)) == ["hashing", "onnx-int8"]

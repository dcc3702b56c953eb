"""The second keyword table (migration 009, Chinese, Arabic and Russian): added to indexes
made before it, kept in step by triggers through every kind of write, checked by verify
and rebuilt by repair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import diplosearch as ds
from diplosearch.store import database, migrations
from diplosearch.store.repair import repair_index
from diplosearch.store.verify import verify_index

TEXTS = {
    "zh.txt": "中国代表表示，和平与发展是各国人民的共同愿望。",
    "ar.txt": "اعتمد مجلس الأمن اليوم القرار بالإجماع.",
    "ru.txt": "Совет Безопасности принял резолюцию о Сирии.",
    "en.txt": "The Council adopted measures against foreign terrorist fighters.",
}
TABLES = ("passages_fts", "passages_fts_folded")


def _build(tmp_path: Path, hashing) -> tuple[ds.Index, Path]:
    src = tmp_path / "src"
    src.mkdir()
    for name, text in TEXTS.items():
        (src / name).write_text(text + "\n", encoding="utf-8")
    return ds.build_index([src], tmp_path / "idx", model=hashing)[0], src


def _db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path / "passages.sqlite", isolation_level=None)
    migrations.register_functions(db)   # the folded table's view and triggers call them
    return db


def _intact(path: Path) -> bool:
    """FTS5's own token-by-token check of both tables against their content."""
    db = _db(path)
    try:
        for table in TABLES:
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError:
        return False
    finally:
        db.close()
    return True


def _docs(index: ds.Index, query: str) -> list[str]:
    return [h.doc for h in index.search(query, mode="keyword")]


def _make_old(path: Path) -> None:
    """Take the index back to the schema before migration 009, as an older diplosearch
    left it."""
    db = sqlite3.connect(path / "passages.sqlite", isolation_level=None)
    db.executescript("""
        DROP TRIGGER passages_folded_insert; DROP TRIGGER passages_folded_delete;
        DROP TRIGGER passages_folded_update; DROP TABLE passages_fts_folded;
        DROP VIEW passages_folded;
        DELETE FROM schema_migrations WHERE name = '009_keyword_scripts';
    """)
    db.close()


def test_an_older_index_is_read_as_it_is_and_upgraded_by_its_next_write(tmp_path, hashing):
    index, src = _build(tmp_path, hashing)
    index.close()
    _make_old(index.path)
    old = ds.open_index(index.path, model=hashing)          # read-only: no migration
    assert _docs(old, "foreign fighters") == ["en.txt"]
    assert _docs(old, "和平") == []                          # the main table: a clause is a word
    report = verify_index(index.path)
    assert report.ok and any("migration 009" in p.what for p in report.problems)
    old.close()
    (src / "more.txt").write_text("秘书长呼吁各方遵守国际法。\n", encoding="utf-8")
    index = ds.open_index(index.path, model=hashing)
    index.add([src])                                          # a write migrates
    assert _docs(index, "和平") == ["zh.txt"] and _docs(index, "法") == ["more.txt"]
    assert _docs(index, "резолюция") == ["ru.txt"]
    assert _intact(index.path) and verify_index(index.path).problems == []


def test_triggers_keep_both_tables_in_step(tmp_path, hashing):
    index, src = _build(tmp_path, hashing)
    (src / "zh.txt").write_text("中国代表表示，合作与发展是各国人民的共同愿望。\n", encoding="utf-8")
    index.add([src])
    assert _docs(index, "和平") == [] and _docs(index, "合作") == ["zh.txt"]
    index.remove("ar.txt")
    assert _docs(index, "الأمن") == []
    db = _db(index.path)                    # an edit of a passage's text in place
    db.execute("UPDATE passages SET text = 'Совет Безопасности принял заявление.' "
               "WHERE text LIKE 'Совет%'")
    db.execute("UPDATE passages SET text = '安理会通过了决议。' WHERE text LIKE '%terrorist%'")
    db.close()
    assert _docs(index, "резолюция") == [] and _docs(index, "заявления") == ["ru.txt"]
    assert _docs(index, "决议") == ["en.txt"]
    assert _intact(index.path)
    assert database.keyword_errors(index.db) == [] and verify_index(index.path).ok


def test_verify_finds_a_keyword_table_out_of_step_and_repair_rebuilds_it(tmp_path, hashing):
    index, _ = _build(tmp_path, hashing)
    db = _db(index.path)
    db.execute("INSERT INTO passages_fts_folded(passages_fts_folded) VALUES ('delete-all')")
    db.close()
    assert _docs(index, "和平") == []
    errors = [p for p in verify_index(index.path).problems if p.severity == "error"]
    assert len(errors) == 1 and "passages_fts_folded: 3 passage(s) missing" in errors[0].what
    actions = repair_index(index.path).actions
    assert any(a.startswith("rebuilt the keyword index") for a in actions)
    assert verify_index(index.path).problems == [] and _intact(index.path)
    assert _docs(index, "和平") == ["zh.txt"]

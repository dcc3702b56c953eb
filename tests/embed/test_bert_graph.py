"""The bundled model's ONNX export, written from its weights without torch: valid ONNX,
torch's vectors, made without importing torch, refused when the weights or the result are
not the published ones, and quantisable to int8. Other models still go through torch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diplosearch.embed import export
from diplosearch.embed.bert_graph import INPUTS, write_graph
from diplosearch.embed.models import DEFAULT_MODEL, SentenceTransformerEmbedder, default_model_path
from diplosearch.embed.onnx import FAILED, OnnxEmbedder, ensure_onnx, export_folder
from diplosearch.errors import ModelLoadError
from tests.conftest import REPO

pytestmark = pytest.mark.model

TEXTS = [
    "what measures target foreign terrorist fighters",
    "The Security Council reaffirms its commitment to the sovereignty of Libya. " * 40,
    "Le Conseil de sécurité condamne l'attaque. Совет Безопасности.",
    "Yes.",
]
HEAVY = ("torch", "sentence_transformers", "transformers")


@pytest.fixture(scope="module")
def torch_embedder():
    return SentenceTransformerEmbedder(DEFAULT_MODEL)


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A folder like the bundled model's, with its own copy of the weights."""
    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder)
    return folder


def test_the_graph_is_valid_onnx_and_holds_no_weights(tmp_path):
    onnx = pytest.importorskip("onnx")
    export.copy_checked(default_model_path() / "model.safetensors", tmp_path / export.WEIGHTS,
                        export.BUNDLED_SHA256)
    write_graph(default_model_path(), tmp_path / "model.onnx", export.WEIGHTS)
    model = onnx.load(str(tmp_path / "model.onnx"))   # reads the weights it points to
    onnx.checker.check_model(model, full_check=True)
    assert [i.name for i in model.graph.input] == list(INPUTS)
    assert [o.name for o in model.graph.output] == ["token_states"]
    assert (tmp_path / "model.onnx").stat().st_size < 100_000   # weights stay in the copy


def test_its_vectors_are_torchs(tmp_path, torch_embedder):
    written = OnnxEmbedder(DEFAULT_MODEL, default_model_path(), "onnx", tmp_path)
    cosine = (written.embed(TEXTS) * torch_embedder.embed(TEXTS)).sum(axis=1)
    assert cosine.min() >= 0.99999, cosine
    spans = [[(0, 4)], [(0, 20)], [(0, 10)], [(0, 3)]]
    _, pooled = written.embed_spans(TEXTS, spans)
    _, expected = torch_embedder.embed_spans(TEXTS, spans)
    for got, want in zip(pooled, expected):
        assert np.allclose(got, want, atol=1e-4)


def test_the_reference_vectors_are_torchs_for_the_probe_texts(torch_embedder):
    with np.load(export.REFERENCE, allow_pickle=False) as reference:
        assert tuple(reference["texts"]) == export._PROBES
        assert np.allclose(reference["vectors"], torch_embedder.embed(list(export._PROBES)),
                           atol=1e-5)


def test_a_first_search_exports_without_importing_torch(tmp_path):
    code = ("import sys; from diplosearch.embed.models import load_embedder; "
            "print(load_embedder().embed(['a question']).shape)")
    env = {**os.environ, "DIPLOSEARCH_CACHE": str(tmp_path), "PYTHONPATH": str(REPO / "src")}
    env.pop("DIPLOSEARCH_BACKEND", None)
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "(1, 384)"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert not {n for n in imported if n.split(".")[0] in HEAVY}
    folder = export_folder(default_model_path(), tmp_path)
    assert (folder / "model.onnx").is_file() and (folder / export.WEIGHTS).is_file()


def test_weights_that_are_not_the_published_ones_are_refused(model_copy, tmp_path):
    weights = model_copy / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1   # one bit of the last weight: same size, another model
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="sha256 .* is not the published"):
        ensure_onnx(model_copy, "onnx", tmp_path / "cache")
    folder = export_folder(model_copy, tmp_path / "cache")
    assert (folder / FAILED).is_file()
    assert not (folder / "model.onnx").exists() and not (folder / export.WEIGHTS).exists()


def test_an_export_that_disagrees_with_torch_is_not_kept(tmp_path, monkeypatch):
    with np.load(export.REFERENCE, allow_pickle=False) as reference:
        texts, vectors = reference["texts"], reference["vectors"]
    wrong = tmp_path / "reference.npz"
    np.savez(wrong, texts=texts, vectors=vectors[::-1])   # each text given another's vector
    monkeypatch.setattr(export, "REFERENCE", wrong)
    with pytest.raises(ModelLoadError, match="disagrees with torch"):
        ensure_onnx(default_model_path(), "onnx", tmp_path / "cache")
    folder = export_folder(default_model_path(), tmp_path / "cache")
    assert not (folder / "model.onnx").exists()
    assert not [p for p in folder.iterdir() if ".tmp-" in p.name]


def test_other_models_still_export_through_torch(model_copy, tmp_path, monkeypatch):
    traced = []

    def trace(model_dir, target, max_length):
        traced.append(model_dir)
        target.write_bytes(b"onnx")

    monkeypatch.setattr(export, "export_torch", trace)
    monkeypatch.setattr(export, "BUNDLED_SIZE", 1)   # the copy is now "another model"
    ensure_onnx(model_copy, "onnx", tmp_path / "cache")
    assert traced == [model_copy]


def test_int8_quantises_every_linear_layer(tmp_path):
    onnx = pytest.importorskip("onnx")
    path = ensure_onnx(default_model_path(), "onnx-int8", tmp_path)
    ops = [node.op_type for node in onnx.load(str(path)).graph.node]
    # 6 layers x (query, key, value, attention output, intermediate, output): the Gemms the
    # writer makes are quantised as MatMuls, none left in fp32.
    assert ops.count("MatMulInteger") == 36 and "Gemm" not in ops
    assert not [p for p in path.parent.iterdir() if ".tmp-" in p.name]

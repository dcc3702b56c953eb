"""Encoders the benchmark and the quality guard compare, all on the bundled
all-MiniLM-L6-v2, each a function from texts to float32 L2-normalised vectors."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SPEECHES = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
NAMES = ("st-fp32", "st-bf16", "onnx", "onnx-int8", "openvino", "openvino-f32")


def real_passages(count: int, counter) -> list[str]:
    """Passages as an index build makes them (128 word pieces at most)."""
    from diplosearch.ingest.documents import to_passages
    from diplosearch.ingest.sources import discover, read_source

    texts: list[str] = []
    for file in discover([SPEECHES]):
        texts += [p.text for p in to_passages(read_source(file), counter, 128)]
        if len(texts) >= count:
            break
    return texts[:count]


def sentence_transformers(dtype: str):
    import torch
    from sentence_transformers import SentenceTransformer

    from diplosearch.embed.models import default_model_path
    from diplosearch.embed.onnx import thread_count

    torch.set_num_threads(thread_count())
    model = SentenceTransformer(str(default_model_path()), device="cpu")
    if dtype == "bf16":
        model = model.to(torch.bfloat16)

    def encode(texts: list[str]) -> np.ndarray:
        out = model.encode(texts, batch_size=32, normalize_embeddings=True,
                           show_progress_bar=False, convert_to_tensor=True)
        vectors = out.float().numpy()  # renormalise: bf16 norms are only ~1
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return encode


class _OpenVinoSession:
    """Just enough of an onnxruntime session for OnnxEmbedder to run OpenVINO instead."""

    def __init__(self, onnx_path: Path, precision: str | None) -> None:
        import openvino as ov

        from diplosearch.embed.onnx import thread_count

        config = {"INFERENCE_NUM_THREADS": thread_count()}
        if precision:
            config["INFERENCE_PRECISION_HINT"] = precision
        self.compiled = ov.Core().compile_model(str(onnx_path), "CPU", config)
        self.precision = self.compiled.get_property("INFERENCE_PRECISION_HINT")
        self.names = [i.get_any_name() for i in self.compiled.inputs]

    def get_inputs(self):
        return [type("Input", (), {"name": n}) for n in self.names]

    def run(self, _outputs, feeds):
        return [self.compiled(feeds)[0]]


def onnx_embedder(variant: str, cache: Path, openvino: str | None = None):
    from diplosearch.embed.models import DEFAULT_MODEL, default_model_path
    from diplosearch.embed.onnx import OnnxEmbedder, ensure_onnx

    embedder = OnnxEmbedder(DEFAULT_MODEL, default_model_path(), variant=variant, cache=cache)
    if openvino is not None:
        path = ensure_onnx(default_model_path(), "onnx", cache)
        embedder._session = _OpenVinoSession(path, openvino or None)
    return embedder


def candidates(only: set[str] | None, cache: Path) -> dict:
    """The encoders named in `only` (all when empty), always with st-fp32, the baseline."""
    makers = {
        "st-fp32": lambda: sentence_transformers("fp32"),
        "st-bf16": lambda: sentence_transformers("bf16"),
        "onnx": lambda: onnx_embedder("onnx", cache).embed,
        "onnx-int8": lambda: onnx_embedder("onnx-int8", cache).embed,
        "openvino": lambda: onnx_embedder("onnx", cache, openvino="").embed,
        "openvino-f32": lambda: onnx_embedder("onnx", cache, openvino="f32").embed,
    }
    if importlib.util.find_spec("openvino") is None:
        makers = {k: v for k, v in makers.items() if not k.startswith("openvino")}
    return {k: v() for k, v in makers.items() if k == "st-fp32" or not only or k in only}

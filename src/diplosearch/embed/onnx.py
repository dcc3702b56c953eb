"""A sentence-transformers model run through onnxruntime: tokenizers, the exported
transformer, and mean pooling plus normalisation in numpy. No torch on this path.

The vectors are the model's own (cosine to sentence-transformers >= 0.9999 for fp32), so an
`OnnxEmbedder` carries the model's name and may query any index built with that model.
The ONNX files are made from the model folder on first use and kept in a cache folder
(`cache_dir()`): for the bundled model in about a second without torch, for other models
through torch (see `export`).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from .base import load_tokenizer, normalise, pool_spans
from .notice import announce

CACHE_ENV = "DIPLOSEARCH_CACHE"
VARIANTS = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
# What the first export costs, said before it starts: measured on the 2-core development
# machine (scripts/bench_coldstart.py --first): the bundled model written without torch
# ~1 s, any other through torch ~18 s; int8 quantisation adds ~5 s. See the README's
# "First run".
EXPORT_SECONDS = {"onnx": 20, "onnx-int8": 25}
QUICK_EXPORT_SECONDS = {"onnx": 1, "onnx-int8": 6}
# Bump when the export changes in a way that makes older cached files wrong.
EXPORT_VERSION = 1
FAILED = "export-failed.txt"  # why the last export was refused; delete it to try again
# Texts per run: smaller batches pad less and stay in cache; on 2 cores 16 beat 32 by ~10 %
# (int8: ~150 vs ~136 passages/s; fp32 wants 8-16).
BATCH = 16


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where exported models are kept: `explicit`, else `$DIPLOSEARCH_CACHE`, else
    `~/.cache/diplosearch`. Never inside site-packages, which may be read-only."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "diplosearch"


def runtime_available() -> bool:
    """onnxruntime and tokenizers are installed (checked without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "tokenizers"))


def export_available(model_dir: Path, variant: str = "onnx") -> bool:
    """What a first export of `model_dir` needs is installed: nothing more for the bundled
    model (written without torch), else torch and transformers; and onnx (the quantiser
    reads with it) for int8."""
    from .export import writes_without_torch

    needs = [] if writes_without_torch(model_dir) else ["torch", "transformers"]
    needs += ["onnx"] if variant == "onnx-int8" else []
    return all(importlib.util.find_spec(m) is not None for m in needs)


def read_settings(model_dir: Path) -> dict:
    """The parts of a sentence-transformers folder the ONNX path reproduces, or
    ModelLoadError if the folder needs something it does not do (only a transformer,
    mean pooling and, optionally, normalisation are supported)."""
    def load(name: str):
        path = model_dir / name
        try:
            return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"{path}: unreadable ({exc})") from exc

    modules = load("modules.json") or []
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules if isinstance(m, dict)]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise ModelLoadError(f"{model_dir}: the ONNX path supports transformer + pooling "
                             f"(+ normalize) models, not {kinds or 'this folder'}")
    pooling = load("1_Pooling/config.json")
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    if modes != ["pooling_mode_mean_tokens"]:
        raise ModelLoadError(f"{model_dir}: the ONNX path does mean pooling only, not {modes}")
    if not (model_dir / "tokenizer.json").is_file():
        raise ModelLoadError(f"{model_dir}: the ONNX path needs tokenizer.json")
    st = load("sentence_bert_config.json")
    return {"dimension": int(pooling["word_embedding_dimension"]),
            "max_seq_length": int(st.get("max_seq_length") or 512),
            "lowercase": bool(st.get("do_lower_case", False))}


def export_folder(model_dir: Path, cache: Path | None = None) -> Path:
    """The cache folder for this model's exports. Its name changes when the weights file
    does (size, modification time) or the export does, so stale exports are never used."""
    import hashlib

    weights = next((model_dir / n for n in ("model.safetensors", "pytorch_model.bin")
                    if (model_dir / n).is_file()), None)
    if weights is None:
        raise ModelLoadError(f"{model_dir}: no model.safetensors or pytorch_model.bin")
    st = weights.stat()
    key = f"{model_dir.resolve()}|{st.st_size}|{st.st_mtime_ns}|{EXPORT_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir(cache) / "onnx" / f"{model_dir.name}-{digest}"


def is_cached(model_dir: Path, variant: str = "onnx", cache: Path | None = None) -> bool:
    return (export_folder(model_dir, cache) / VARIANTS[variant]).is_file()


def export_failed(model_dir: Path, cache: Path | None = None) -> bool:
    """An earlier export of this model was refused (see `FAILED`): don't retry every run."""
    return (export_folder(model_dir, cache) / FAILED).is_file()


def ensure_onnx(model_dir: Path, variant: str = "onnx", cache: Path | None = None) -> Path:
    """Path of the ONNX file for `variant`, exporting (and quantising) it first if needed."""
    folder = export_folder(model_dir, cache)
    target = folder / VARIANTS[variant]
    if target.is_file():
        return target
    from . import export

    settings = read_settings(model_dir)
    quick = export.writes_without_torch(model_dir)
    seconds = (QUICK_EXPORT_SECONDS if quick else EXPORT_SECONDS)[variant]
    message = (f"preparing the model for fast CPU use, once: exporting it to ONNX"
               f"{' and int8' if variant == 'onnx-int8' else ''} into {folder.parent.parent} "
               f"(about {seconds} s)")
    try:
        with announce(message), export.export_lock(folder):
            fp32 = folder / VARIANTS["onnx"]
            if not fp32.is_file():  # another process may have made it while we waited
                try:
                    export.export_fp32(model_dir, fp32, settings["max_seq_length"])
                except ModelLoadError as exc:
                    (folder / FAILED).write_text(f"{exc}\n", encoding="utf-8")
                    raise
                export.write_json(folder / "source.json", {
                    "model_dir": str(model_dir.resolve()), "export_version": EXPORT_VERSION,
                    "opset": export.OPSET, **settings})
            if variant == "onnx-int8" and not target.is_file():
                export.quantize_int8(fp32, target)
    except OSError as exc:
        raise ModelLoadError(f"cannot write the ONNX export to {folder}: {exc}") from exc
    return target


def thread_count() -> int:
    """The CPUs this process may run on (a container's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """`base.Embedder` through onnxruntime. Loads lazily; `prepare()` loads now."""

    def __init__(self, name: str, model_dir: str | os.PathLike[str], variant: str = "onnx",
                 cache: str | os.PathLike[str] | None = None) -> None:
        if variant not in VARIANTS:
            raise ModelLoadError(f"unknown ONNX variant {variant!r}; use one of {sorted(VARIANTS)}")
        self.name = name
        self.backend = variant
        self.model_dir = Path(model_dir)
        self._cache = Path(cache) if cache else None
        self._settings = read_settings(self.model_dir)
        self.dimension = self._settings["dimension"]
        # The model reads max_seq_length pieces including [CLS] and [SEP].
        self.max_tokens = self._settings["max_seq_length"] - 2
        self._session = None
        self._tokenizer = None
        self._counter = None

    def prepare(self) -> OnnxEmbedder:
        """Export if needed and open the session; raises ModelLoadError on failure."""
        _ = self.session, self.tokenizer
        return self

    @property
    def session(self):
        if self._session is None:
            path = ensure_onnx(self.model_dir, self.backend, self._cache)
            self._session = _open_session(path)
        return self._session

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.model_dir, self._settings["max_seq_length"])
        return self._tokenizer

    def _prepare_texts(self, texts: Sequence[str]) -> list[str]:
        return [t.lower() for t in texts] if self._settings["lowercase"] else list(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_spans(texts, None)[0]

    def embed_spans(self, texts: Sequence[str], spans) -> tuple[np.ndarray, list | None]:
        """`embed`, and with `spans` one vector per character span of each text, pooled
        from the same forward pass (see `base.pool_spans`)."""
        texts = self._prepare_texts(texts)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        pooled: list = [None] * len(texts)
        # Longest first, so each batch pads to texts of about its own length.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), BATCH):
            idx = order[start:start + BATCH]
            encoded, states, mask = self._forward([texts[i] for i in idx])
            weights = mask[..., None].astype(np.float32)
            out[idx] = normalise((states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9))
            if spans is not None:
                for row, i in enumerate(idx):
                    pooled[i] = pool_spans(states[row], encoded[row].offsets, spans[i])
        return out, pooled if spans is not None else None

    def _forward(self, texts: list[str]):
        """The tokenised batch, the transformer's token states and the attention mask."""
        encoded = self.tokenizer.encode_batch(texts)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                 "attention_mask": mask,
                 "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64)}
        wanted = {i.name for i in self.session.get_inputs()}
        return encoded, self.session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0], mask

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._counter is None:  # its own tokenizer: counting must not truncate
            self._counter = load_tokenizer(self.model_dir, None)
        encoded = self._counter.encode_batch(self._prepare_texts(texts), add_special_tokens=False)
        return [len(e.ids) for e in encoded]


def _open_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = thread_count()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: the library does not print
    # Idle threads sleep instead of spinning: on a busy two-core machine spinning threads
    # steal the cores the work needs (40 sentences: 3.3 s without spinning, 6.0 s with).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelLoadError(f"cannot open {path} with onnxruntime: {exc}") from exc

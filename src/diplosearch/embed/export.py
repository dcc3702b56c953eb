"""Make the ONNX files that `onnx` runs: export a sentence-transformers folder's
transformer with torch, check it against torch, and optionally quantise it to int8.

This is the only place the ONNX path needs torch, and it runs once per model and cache:
files are written under a lock and moved into place whole, so two processes starting at
once never see (or write) a half-made model.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from .base import load_tokenizer

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Texts the export is checked on: padded rows in a batch are where tracing goes wrong.
_PROBES = ("The Security Council decides to extend the mandate.",
           "Foreign terrorist fighters " * 12, "Yes.")
MIN_EXPORT_COSINE = 0.9999


@contextmanager
def export_lock(folder: Path) -> Iterator[None]:
    """Hold `<folder>/.lock` exclusively (blocking): one exporter at a time per model."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _tmp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp-{os.getpid()}")


def export_fp32(model_dir: Path, target: Path, max_length: int) -> None:
    """Export the transformer of `model_dir` to `target` (token states out; pooling stays in
    numpy) and refuse to keep it unless it reproduces torch on padded batches."""
    torch, model = _load_torch_model(model_dir)

    class _Wrapped(torch.nn.Module):  # the exporter wants tensors in, one tensor out
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    batch = _probe_batch(model_dir, max_length)
    feeds = {k: torch.from_numpy(v) for k, v in batch.items()}
    tmp = _tmp_path(target)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, "token_states")}
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer and deprecation chatter, not problems
            expected = model(**feeds).last_hidden_state.numpy()
            # The exporter restores the wrapper's mode afterwards: a wrapper left in training
            # mode would switch the model's dropout on. The TorchScript exporter needs no
            # onnxscript; inputs go as keyword arguments.
            torch.onnx.export(_Wrapped(model).eval(), (), str(tmp), kwargs=feeds,
                              input_names=list(INPUTS), output_names=["token_states"],
                              dynamic_axes=axes, opset_version=OPSET, dynamo=False)
        _check_against_torch(tmp, batch, expected)
        os.replace(tmp, target)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"cannot export {model_dir} to ONNX: {_first_line(exc)}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of an fp32 export's weights; activations are quantised per
    batch at run time. Per channel: one scale per weight tensor (per tensor) cost
    all-MiniLM-L6-v2 mean cosine 0.95 to fp32 on UN passages, per channel keeps 0.993."""
    tmp = _tmp_path(target)
    logging.disable(logging.WARNING)  # the quantiser logs advice to the root logger
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, target)
    except Exception as exc:
        raise ModelLoadError(f"cannot quantise {source}: {_first_line(exc)}") from exc
    finally:
        logging.disable(logging.NOTSET)
        tmp.unlink(missing_ok=True)


def write_json(target: Path, data: dict) -> None:
    tmp = _tmp_path(target)
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def _load_torch_model(model_dir: Path):
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ["HF_HUB_OFFLINE"] = "1"  # a local folder needs no network
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelLoadError(f"exporting the model to ONNX needs torch and transformers "
                             f"({exc.name} is not installed)") from exc
    hf_logging.set_verbosity_error()
    try:
        # Eager attention traces to plain ONNX ops and honours the padding mask.
        model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager",
                                          trust_remote_code=False)
    except Exception as exc:
        raise ModelLoadError(f"cannot load {model_dir} for export: {_first_line(exc)}") from exc
    return torch, model.eval()


def _probe_batch(model_dir: Path, max_length: int) -> dict[str, np.ndarray]:
    enc = load_tokenizer(model_dir, max_length).encode_batch(list(_PROBES))
    return {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64)}


def _check_against_torch(path: Path, batch: dict[str, np.ndarray], expected: np.ndarray) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, batch)[0]
    mask = batch["attention_mask"][..., None].astype(np.float32)
    a, b = (expected * mask).sum(1), (got * mask).sum(1)
    cosine = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    if float(cosine.min()) < MIN_EXPORT_COSINE:
        raise ModelLoadError(f"the ONNX export of {path.parent.name} disagrees with torch "
                             f"(cosine {float(cosine.min()):.5f}); using it would change results")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

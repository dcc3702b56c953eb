"""An ONNX graph of a BERT encoder written straight from its safetensors weights: the
export of the bundled model that needs no torch.

Tracing the model through `torch.onnx.export` (`export.export_fp32`) took 19-26 s on a
2-core machine, most of it importing torch; writing the same graph from the weights takes
about a second. The graph is the BERT forward pass of `transformers`' eager attention, op
for op (embeddings, post-norm layers, exact erf GELU, additive padding mask), in fp32, so its
token states are the torch model's (cosine >= 0.99999, `export.check_reference`). Only the
plain BERT configuration is written: absolute positions, GELU, no decoder; anything else
goes through torch.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError
from . import onnx_proto

OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")

# What this writer reproduces of a config.json; other values need the torch export.
_REQUIRED = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}


def supports(model_dir: Path) -> bool:
    """The folder holds a plain BERT encoder in safetensors that `write_graph` reproduces."""
    try:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return ((model_dir / "model.safetensors").is_file()
            and all(config.get(k, v) == v for k, v in _REQUIRED.items())
            and not config.get("is_decoder", False))


def read_header(path: Path) -> dict[str, dict]:
    """Each tensor of a safetensors file: its dtype, shape and byte range in the file (the
    format is an 8-byte length, a JSON header, then raw little-endian data)."""
    try:
        with open(path, "rb") as file:
            size = struct.unpack("<Q", file.read(8))[0]
            header = json.loads(file.read(size))
    except (OSError, ValueError, struct.error) as exc:
        raise ModelLoadError(f"{path}: not a readable safetensors file ({exc})") from exc
    tensors = {}
    for name, spec in header.items():
        if name != "__metadata__":
            start, end = spec["data_offsets"]
            tensors[name.removeprefix("bert.")] = {  # a BertFor* checkpoint: its encoder
                "dtype": spec["dtype"], "shape": spec["shape"],
                "offset": 8 + size + start, "length": end - start}
    return tensors


def write_graph(model_dir: Path, target: Path, weights: str) -> None:
    """Write the BERT encoder of `model_dir` as an ONNX file at `target`: inputs `INPUTS`,
    output `token_states` [batch, sequence, hidden]. Its weights are read from the file
    named `weights` beside `target`, a copy of the folder's model.safetensors: the graph
    points into it, so writing the graph copies no weights."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    graph = _Graph(read_header(model_dir / "model.safetensors"), weights)
    try:
        states = _encoder(graph, config)
    except KeyError as exc:
        raise ModelLoadError(f"{model_dir}: weights lack {exc.args[0]}; not a BERT encoder") from exc
    target.write_bytes(graph.model(states))


class _Graph:
    """Nodes and initializers of one graph, named in order as they are added; the model's
    weights stay in the safetensors file, small constants go inside the graph."""

    def __init__(self, tensors: dict[str, dict], weights: str) -> None:
        self.tensors = tensors
        self.weights = weights
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self._count = 0

    def op(self, op_type: str, *inputs: str, **attributes) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(onnx_proto.node(op_type, inputs, [out], **attributes))
        return out

    def const(self, value, dtype=np.float32) -> str:
        array = np.asarray(value, dtype=dtype)
        name = f"const_{len(self.initializers)}"
        kind = onnx_proto.INT64 if array.dtype == np.int64 else onnx_proto.FLOAT
        self.initializers.append(onnx_proto.tensor(name, kind, array.shape, array.tobytes()))
        return name

    def weight(self, name: str) -> str:
        spec = self.tensors[name]
        if spec["dtype"] != "F32":
            raise ModelLoadError(f"tensor {name} is {spec['dtype']}; the graph writer reads F32")
        self.initializers.append(onnx_proto.external_tensor(
            name, onnx_proto.FLOAT, spec["shape"], self.weights, spec["offset"], spec["length"]))
        return name

    def width(self, name: str) -> int:
        return int(self.tensors[name]["shape"][0])

    def model(self, output: str) -> bytes:
        self.nodes.append(onnx_proto.node("Identity", [output], ["token_states"]))
        dims = ["batch", "sequence"]
        return onnx_proto.model(
            self.nodes, self.initializers,
            [onnx_proto.value_info(n, onnx_proto.INT64, dims) for n in INPUTS],
            [onnx_proto.value_info("token_states", onnx_proto.FLOAT, [*dims, "hidden"])],
            name="bert_encoder", opset=OPSET, producer="diplosearch")


def _encoder(g: _Graph, config: dict) -> str:
    """Token states [batch, sequence, hidden]. Inside, a token is a row of a 2-D matrix
    [batch * sequence, hidden], so each linear layer is one Gemm on the weights as stored."""
    eps = float(config.get("layer_norm_eps", 1e-12))
    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    x = g.op("Reshape", _embeddings(g, eps), g.const([-1, hidden], np.int64))
    # Padding: 0 where attended, the float minimum where padded, broadcast over heads and
    # query positions ([batch, 1, 1, sequence]), as transformers' eager attention adds it.
    mask = g.op("Cast", "attention_mask", to=1)
    bias = g.op("Mul", g.op("Sub", g.const(1.0), mask), g.const(np.finfo(np.float32).min))
    bias = g.op("Unsqueeze", bias, g.const([1, 2], np.int64))
    for layer in range(int(config["num_hidden_layers"])):
        x = _layer(g, x, bias, heads, f"encoder.layer.{layer}.", eps)
    shape = g.op("Concat", g.op("Shape", "input_ids"), g.const([hidden], np.int64), axis=0)
    return g.op("Reshape", x, shape)


def _embeddings(g: _Graph, eps: float) -> str:
    p = "embeddings."
    length = g.op("Gather", g.op("Shape", "input_ids"), g.const(1, np.int64), axis=0)
    positions = g.op("Range", g.const(0, np.int64), length, g.const(1, np.int64))
    x = g.op("Add", g.op("Gather", g.weight(p + "word_embeddings.weight"), "input_ids"),
             g.op("Gather", g.weight(p + "token_type_embeddings.weight"), "token_type_ids"))
    x = g.op("Add", x, g.op("Gather", g.weight(p + "position_embeddings.weight"), positions))
    return _layer_norm(g, x, p + "LayerNorm.", eps)


def _layer(g: _Graph, x: str, bias: str, heads: int, p: str, eps: float) -> str:
    attention = _attention(g, x, bias, heads, p + "attention.self.")
    x = _layer_norm(g, g.op("Add", _dense(g, attention, p + "attention.output.dense."), x),
                    p + "attention.output.LayerNorm.", eps)
    hidden = _dense(g, x, p + "intermediate.dense.")
    # Exact GELU, as transformers' "gelu": 0.5 * h * (1 + erf(h / sqrt(2)))
    erf = g.op("Erf", g.op("Div", hidden, g.const(math.sqrt(2.0))))
    hidden = g.op("Mul", g.op("Mul", hidden, g.const(0.5)), g.op("Add", erf, g.const(1.0)))
    return _layer_norm(g, g.op("Add", _dense(g, hidden, p + "output.dense."), x),
                       p + "output.LayerNorm.", eps)


def _attention(g: _Graph, x: str, bias: str, heads: int, p: str) -> str:
    width = g.width(p + "query.weight")
    heads_shape = g.op("Concat", g.op("Shape", "input_ids"),
                       g.const([heads, width // heads], np.int64), axis=0)

    def split(name: str) -> str:  # rows -> [batch, heads, sequence, head size]
        shaped = g.op("Reshape", _dense(g, x, p + name + "."), heads_shape)
        return g.op("Transpose", shaped, perm=[0, 2, 1, 3])

    query, key, value = split("query"), split("key"), split("value")
    scores = g.op("MatMul", query, g.op("Transpose", key, perm=[0, 1, 3, 2]))
    scores = g.op("Add", g.op("Mul", scores, g.const(1.0 / math.sqrt(width // heads))), bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), value)
    context = g.op("Transpose", context, perm=[0, 2, 1, 3])
    return g.op("Reshape", context, g.const([-1, width], np.int64))


def _dense(g: _Graph, x: str, p: str) -> str:
    """A linear layer as torch stores it, weights [out, in]: Gemm with transB."""
    return g.op("Gemm", x, g.weight(p + "weight"), g.weight(p + "bias"), transB=1)


def _layer_norm(g: _Graph, x: str, p: str, eps: float) -> str:
    return g.op("LayerNormalization", x, g.weight(p + "weight"), g.weight(p + "bias"),
                axis=-1, epsilon=eps)

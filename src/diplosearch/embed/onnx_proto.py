"""The few ONNX protobuf messages `bert_graph` writes, in protobuf's wire format.

Why not the `onnx` package: importing it costs ~0.9 s on a 2-core machine (most of it
`ml_dtypes`), and the torch-free export runs on the first question a new user asks. A
model is a handful of message kinds (model, graph, node, attribute, tensor, value info);
their field numbers below are those of onnx/onnx.proto (IR version 8). The tests read what
this writes back with `onnx` and check it with `onnx.checker`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

FLOAT, INT64 = 1, 7            # TensorProto.DataType
_ATTR_FLOAT, _ATTR_INT, _ATTR_INTS = 1, 2, 7   # AttributeProto.AttributeType
_EXTERNAL = 1                  # TensorProto.DataLocation


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1     # negative int64 as two's complement, as protobuf does
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes(field: int, data: bytes | str) -> bytes:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return _varint(field << 3 | 2) + _varint(len(raw)) + raw


def _repeated(field: int, messages: Iterable[bytes]) -> bytes:
    return b"".join(_bytes(field, m) for m in messages)


def attribute(name: str, value: float | int | Sequence[int]) -> bytes:
    """An AttributeProto: a float, an int or a list of ints."""
    if isinstance(value, float):
        return _bytes(1, name) + _int(20, _ATTR_FLOAT) + _varint(2 << 3 | 5) + struct.pack("<f", value)
    if isinstance(value, int):
        return _bytes(1, name) + _int(20, _ATTR_INT) + _int(3, value)
    return _bytes(1, name) + _int(20, _ATTR_INTS) + b"".join(_int(8, v) for v in value)


def node(op_type: str, inputs: Sequence[str], outputs: Sequence[str], **attributes) -> bytes:
    """A NodeProto of the default domain."""
    return (b"".join(_bytes(1, i) for i in inputs) + b"".join(_bytes(2, o) for o in outputs)
            + _bytes(4, op_type) + _repeated(5, (attribute(k, v) for k, v in attributes.items())))


def tensor(name: str, data_type: int, dims: Sequence[int], raw: bytes) -> bytes:
    """A TensorProto holding its data (little-endian raw bytes)."""
    return b"".join(_int(1, d) for d in dims) + _int(2, data_type) + _bytes(8, name) + _bytes(9, raw)


def external_tensor(name: str, data_type: int, dims: Sequence[int], location: str,
                    offset: int, length: int) -> bytes:
    """A TensorProto whose data lies in the file `location` (beside the model) at `offset`."""
    entries = (("location", location), ("offset", str(offset)), ("length", str(length)))
    return (b"".join(_int(1, d) for d in dims) + _int(2, data_type) + _bytes(8, name)
            + _repeated(13, (_bytes(1, k) + _bytes(2, v) for k, v in entries))
            + _int(14, _EXTERNAL))


def value_info(name: str, elem_type: int, dims: Sequence[str | int]) -> bytes:
    """A ValueInfoProto for a tensor: named dimensions are symbolic, numbers fixed."""
    shape = _repeated(1, (_bytes(2, d) if isinstance(d, str) else _int(1, d) for d in dims))
    return _bytes(1, name) + _bytes(2, _bytes(1, _int(1, elem_type) + _bytes(2, shape)))


def model(nodes: Sequence[bytes], initializers: Sequence[bytes], inputs: Sequence[bytes],
          outputs: Sequence[bytes], name: str, opset: int, producer: str) -> bytes:
    """A ModelProto (IR version 8) of one graph."""
    graph = (_repeated(1, nodes) + _bytes(2, name) + _repeated(5, initializers)
             + _repeated(11, inputs) + _repeated(12, outputs))
    return (_int(1, 8) + _bytes(2, producer) + _bytes(7, graph)
            + _bytes(8, _bytes(1, "") + _int(2, opset)))

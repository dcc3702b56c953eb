#!/usr/bin/env python3
"""Encoding throughput of all-MiniLM-L6-v2 on real Security Council passages: plain
sentence-transformers fp32 against each faster candidate, side by side in one run.

    python scripts/bench_encode.py [--passages 1000] [--rounds 3] [--only onnx,onnx-int8]

Candidates: st-fp32 (the baseline: SentenceTransformer.encode), st-bf16 (the same model cast
to bfloat16), onnx (diplosearch's fp32 ONNX path), onnx-int8 (its int8 dynamic
quantisation), openvino and openvino-f32 (OpenVINO on the fp32 export, default precision
and forced f32; skipped when `pip install openvino` was not done). All encode the same
passages, sorted by length, with as many threads as the process has CPUs; sentence-transformers
in its default batches of 32, the ONNX path in its own (embed.onnx.BATCH). Rounds
and chunks (--chunk passages per call) interleave the candidates, so load from other
processes falls on all of them alike; rates are medians over rounds, and the ratio of one
run is what to compare on a shared machine.

Prints one row per candidate: passages/s, ratio to st-fp32, mean and minimum cosine of its
vectors to st-fp32's. Target: >= 2x st-fp32 with mean cosine >= 0.99.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from encoders import candidates, real_passages  # scripts/encoders.py

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=200, help="passages per timed call")
    parser.add_argument("--only", default="", help="comma-separated candidates (st-fp32 always runs)")
    parser.add_argument("--cache", type=Path, help="export cache (default: a temporary folder)")
    args = parser.parse_args()

    from diplosearch.embed.models import DEFAULT_MODEL, default_model_path
    from diplosearch.embed.onnx import OnnxEmbedder, thread_count

    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        counter = OnnxEmbedder(DEFAULT_MODEL, default_model_path(), cache=cache)
        texts = real_passages(args.passages, counter.count_tokens)
        pieces = counter.count_tokens(texts)
        print(f"{len(texts)} passages, {statistics.mean(pieces):.0f} word pieces on average, "
              f"{thread_count()} threads, {args.rounds} rounds", file=sys.stderr)
        encoders = candidates(set(filter(None, args.only.split(","))), cache)
        rates: dict[str, list[float]] = {name: [] for name in encoders}
        vectors: dict[str, np.ndarray] = {}
        for name, encode in encoders.items():
            encode(texts[:32])  # warm up: first calls allocate and compile
        for r in range(args.rounds):
            elapsed, parts = time_round(encoders, texts, args.chunk, r)
            for name in encoders:
                rates[name].append(len(texts) / elapsed[name])
                vectors[name] = np.concatenate(parts[name])
        report(rates, vectors)
    return 0


def time_round(encoders: dict, texts: list[str], chunk: int, shift: int):
    """Each candidate encodes each chunk in turn, in an order that rotates from chunk to
    chunk, so a burst of load from another process costs every candidate alike."""
    names = list(encoders)
    elapsed = {name: 0.0 for name in names}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for c, start in enumerate(range(0, len(texts), chunk)):
        k = (shift + c) % len(names)
        for name in names[k:] + names[:k]:
            started = time.perf_counter()
            parts[name].append(encoders[name](texts[start:start + chunk]))
            elapsed[name] += time.perf_counter() - started
    return elapsed, parts


def report(rates: dict[str, list[float]], vectors: dict[str, np.ndarray]) -> None:
    base_rate = statistics.median(rates["st-fp32"])
    base = vectors["st-fp32"]
    print(f"{'candidate':14s} {'passages/s':>10s} {'x st-fp32':>9s} {'mean cos':>9s} "
          f"{'min cos':>8s}  rounds")
    for name, values in rates.items():
        rate = statistics.median(values)
        cos = (vectors[name] * base).sum(axis=1)
        print(f"{name:14s} {rate:10.1f} {rate / base_rate:9.2f} {cos.mean():9.5f} "
              f"{cos.min():8.5f}  {' '.join(f'{v:.1f}' for v in values)}")


if __name__ == "__main__":
    raise SystemExit(main())

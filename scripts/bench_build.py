#!/usr/bin/env python3
"""Benchmark the build pipeline against bare model.encode, warm query latency, and the
cold start of `diplosearch --help`, on real Security Council speeches.

    python scripts/bench_build.py [--files 600] [--queries 50]

Prints: passages, pipeline passages/s, bare encode passages/s on the same passage texts
and their ratio (target: pipeline overhead <= 10 %), the share of passages over the model's
limit (target 0), warm search latency p50/p95, and cold `--help` wall time (target <= 0.3 s).
Then the cost of the multilingual vectors: the first --ml-files speeches built with the
default build backend without and with them, alternating, and the ratio of the median
build times (target <= 1.5).
Timings vary run to run on shared machines; compare the ratios printed by one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEECHES = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
QUERIES = [
    "what measures target foreign terrorist fighters", "humanitarian access in Syria",
    "ceasefire violations in Libya", "protection of children in armed conflict",
    "sanctions on arms transfers", "the peace process in Colombia", "elections in Mali",
    "climate change as a threat to security", "women, peace and security agenda",
    "reform of the Security Council",
]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=600, help="speech files to index")
    parser.add_argument("--queries", type=int, default=50, help="warm queries to time")
    parser.add_argument("--ml-files", type=int, default=150,
                        help="speech files for the multilingual cost (0: skip it)")
    parser.add_argument("--ml-rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    import diplosearch as ds
    from diplosearch.embed.models import load_embedder

    files = sorted(SPEECHES.glob("*.txt"))[: args.files]
    embedder = load_embedder(backend="torch")  # bare encode below needs the torch model
    embedder.embed(["warm up the model"])
    with tempfile.TemporaryDirectory() as tmp:
        # English vectors only: the pipeline is compared with bare encode of the same model
        idx, report = ds.build_index(files, Path(tmp) / "bench", model=embedder,
                                     multilingual=False)
        texts = [r[0] for r in idx.db.execute("SELECT text FROM passages ORDER BY id")]
        n = len(texts)
        pipeline = n / report.seconds
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=32, normalize_embeddings=True)
        bare = n / (time.perf_counter() - started)
        sizes = embedder.count_tokens(texts)
        over = sum(s > embedder.max_tokens for s in sizes)
        print(f"files                 {len(files)}")
        print(f"passages              {n} (max {max(sizes)} word pieces, budget "
              f"{idx.manifest.max_tokens}, model limit {embedder.max_tokens})")
        print(f"over the model limit  {over} ({100 * over / n:.2f} %)")
        print(f"pipeline build        {pipeline:.1f} passages/s ({report.seconds:.1f} s)")
        print(f"bare model.encode     {bare:.1f} passages/s")
        print(f"pipeline overhead     {100 * (bare / pipeline - 1):+.1f} % (target <= +10 %)")

        latencies = []
        for i in range(args.queries):
            q = QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {i}")
            t = time.perf_counter()
            idx.search(q, k=10)
            latencies.append(1000 * (time.perf_counter() - t))
        print(f"warm search ({n} passages, k=10, {args.queries} queries): "
              f"p50 {percentile(latencies, .5):.1f} ms, p95 {percentile(latencies, .95):.1f} ms")

    if args.ml_files:
        multilingual_cost(ds, sorted(SPEECHES.glob("*.txt"))[: args.ml_files], args.ml_rounds)
    cli = [sys.executable, "-m", "diplosearch", "--help"]
    env = {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    walls = []
    for _ in range(7):
        t = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t)
    print(f"cold `diplosearch --help`: median {statistics.median(walls):.3f} s "
          f"(min {min(walls):.3f}, max {max(walls):.3f}; target <= 0.3 s)")
    return 0


def multilingual_cost(ds, files: list[Path], rounds: int) -> None:
    """Build time with the multilingual vectors over build time without, same files, same
    (default) build backend, alternating so that load from other processes hits both."""
    times: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for ml in ((False, True) if r % 2 == 0 else (True, False)):
                t = time.perf_counter()
                idx, report = ds.build_index(files, Path(tmp) / f"ml-{ml}", replace=True,
                                             multilingual=ml)
                times[ml].append(time.perf_counter() - t)
        n = report.passages_embedded
        db_bytes = {ml: (Path(tmp) / f"ml-{ml}" / "passages.sqlite").stat().st_size
                    for ml in (False, True)}
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"multilingual cost ({len(files)} files, {n} passages, {rounds} rounds): "
          f"build {off:.1f} s without, {on:.1f} s with; ratio {on / off:.2f} (target <= 1.5); "
          f"database {(db_bytes[True] - db_bytes[False]) / n:.0f} bytes more per passage")


if __name__ == "__main__":
    raise SystemExit(main())

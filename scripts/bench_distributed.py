#!/usr/bin/env python3
"""Throughput of the Ray build (`--engine ray`) with 1 and 2 local workers, in one run.

    python scripts/bench_distributed.py [--files 200] [--model NAME] [--cpus 2]

Builds the same Security Council speeches twice on one local Ray (`ray.init(num_cpus=N)`),
with a pool of 1 and then 2 actors, each embedding with the real bundled model on one
thread, and prints passages/s for each and their ratio (ideal: 2.0). The time counted is
the whole build: actor start and model load per worker, reading, splitting, embedding,
and the single-process merge. Needs `pip install 'diplosearch[ray]'` and 2 free cores;
on a shared machine the ratio says more about the neighbours than about Ray.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEECHES = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"


def run(corpus: Path, out: Path, model: str | None, workers: int) -> tuple[int, float]:
    from diplosearch.scale.ray_build import build_index_ray

    started = time.perf_counter()
    _, report = build_index_ray(corpus, out / f"w{workers}", model=model, workers=workers,
                                shard_dir=out / f"shards-{workers}", files_per_shard=8)
    return report.passages_embedded, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--model", default=None, help="default: the bundled all-MiniLM-L6-v2")
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        corpus = out / "corpus"
        corpus.mkdir()
        for name in sorted(os.listdir(SPEECHES))[: args.files]:
            shutil.copy(SPEECHES / name, corpus / name)
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False,
                 logging_level="WARNING")
        try:
            results = {w: run(corpus, out, args.model, w) for w in (1, 2)}
        finally:
            ray.shutdown()
    for w, (n, secs) in results.items():
        print(f"{w} worker{'s' if w > 1 else ' '}: {n} passages in {secs:6.1f} s = "
              f"{n / secs:7.1f} passages/s")
    (n1, s1), (n2, s2) = results[1], results[2]
    print(f"ratio 2 workers / 1 worker: {(n2 / s2) / (n1 / s1):.2f} (ideal 2.00; "
          f"{os.cpu_count()} CPUs on this machine)")
    sys.exit(0 if n1 == n2 else 1)


if __name__ == "__main__":
    main()

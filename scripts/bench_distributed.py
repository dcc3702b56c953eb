#!/usr/bin/env python3
"""Throughput and memory of the Ray build (`--engine ray`) with 1, 2 and 4 local workers,
beside a local build of the same files, in one run.

    python scripts/bench_distributed.py [--files 100] [--workers 1,2,4] [--no-multilingual]

Builds the same Security Council speeches with the bundled models (English vectors,
sentence vectors and, unless --no-multilingual, multilingual vectors: what a default build
stores) locally and then on one local Ray per pool size (`ray.init(num_cpus=max(workers,
cores))`, one actor per worker, each embedding on one thread), and prints, for each, the
wall time of the whole build (Ray start-up, actor start and model loads, reading,
splitting, embedding, the single-process merge), passages/s, and the peak resident memory
of each worker process (its `ru_maxrss`). On a machine with fewer cores than workers the
extra workers only share the cores: the figures then say what oversubscription costs, not
how Ray scales. Needs `pip install 'diplosearch[ray]'`.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
from speech_slice import copy_speeches  # noqa: E402  (scripts/speech_slice.py)

from diplosearch.scale.worker import ShardWorker  # noqa: E402


class MeasuredWorker(ShardWorker):
    """A worker that notes its process's peak memory after each shard."""

    log = ""

    def run(self, spec):
        out = super().run(spec)
        with open(self.log, "a") as fh:
            fh.write(f"{os.getpid()} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\n")
        return out


def ray_build(corpus: Path, out: Path, workers: int, multilingual: bool) -> tuple[int, float, list]:
    import ray

    from diplosearch.scale.ray_build import build_index_ray

    log = out / f"rss-{workers}.log"
    worker = type("Worker", (MeasuredWorker,), {"log": str(log)})
    started = time.perf_counter()
    ray.init(num_cpus=max(workers, os.cpu_count() or 1), include_dashboard=False,
             log_to_driver=False, logging_level="WARNING")
    try:
        _, report = build_index_ray(corpus, out / f"w{workers}", workers=workers,
                                    files_per_shard=8, multilingual=multilingual, worker=worker)
    finally:
        ray.shutdown()
    peak: dict[str, int] = {}
    for line in log.read_text().split("\n"):
        if line:
            pid, kb = line.split()
            peak[pid] = max(peak.get(pid, 0), int(kb))
    return report.passages_embedded, time.perf_counter() - started, sorted(peak.values())


def local_build(corpus: Path, out: Path, multilingual: bool) -> tuple[int, float]:
    from diplosearch.index import build_index

    started = time.perf_counter()
    _, report = build_index(corpus, out / "local", multilingual=multilingual)
    return report.passages_embedded, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--multilingual", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        corpus = copy_speeches(out / "corpus", args.files)
        n, secs = local_build(corpus, out, args.multilingual)
        print(f"local build : {n} passages in {secs:6.1f} s = {n / secs:6.1f} passages/s, "
              f"driver peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        base = n / secs
        for w in (int(x) for x in args.workers.split(",")):
            n, secs, peaks = ray_build(corpus, out, w, args.multilingual)
            mem = ", ".join(f"{kb / 1024:.0f}" for kb in peaks)
            print(f"ray {w} worker{'s' if w > 1 else ' '}: {n} passages in {secs:6.1f} s = "
                  f"{n / secs:6.1f} passages/s ({n / secs / base:.2f}x local); peak RSS per "
                  f"worker MB: {mem}")
    print(f"({os.cpu_count()} CPUs on this machine; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end)")


if __name__ == "__main__":
    main()

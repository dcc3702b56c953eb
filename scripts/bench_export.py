"""Export benchmark: peak memory and time of `diplosearch index export` at two sizes, to
show it streams (memory flat as the index grows 100-fold).

For each size it makes a synthetic index (text drawn from real UN General Debate
paragraphs, realistic metadata; vectors are written but export never reads them), then runs
the real command in a fresh process per format and reads that process's peak RSS from the
kernel (/proc/self/status VmHWM, as it exits). Prints one line per size and format.

Usage: python scripts/bench_export.py [--sizes 10000 1000000] [--work DIR] [--keep]
       python scripts/bench_export.py --index PATH [--index PATH ...]   (existing indexes)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from diplosearch.scale import synthetic
from diplosearch.store.manifest import read_manifest

GENERAL_DEBATE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ungdc_2015_2024"
FORMATS = ("jsonl", "csv", "parquet")


def make_index(path: Path, n: int, texts: list[str], dim: int = 384) -> None:
    rng = np.random.default_rng(1)
    cents = synthetic.centers(100, dim)
    manifest = synthetic.create(path, dim)
    for start in range(0, n, 100_000):
        vecs = synthetic.clustered(min(100_000, n - start), dim, cents, rng)
        synthetic.add(path, manifest, vecs, rng, maintain=False, texts=texts)


# Runs the CLI and prints the process's own peak RSS (VmHWM: this process image only; a
# child's wait4 ru_maxrss would also count what its parent held when it forked).
CHILD = """
import runpy, sys
sys.argv = ["diplosearch", *sys.argv[1:]]
try:
    runpy.run_module("diplosearch", run_name="__main__")
finally:
    hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM"))
    print("peak", int(hwm.split()[1]) * 1024, file=sys.stderr)
"""


def export(index: Path, out: Path, fmt: str) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of one `index export` in a fresh process."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, "index", "export", "-i", str(index),
                           "-o", str(out), "-f", fmt, "--no-progress"],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"export failed: {proc.stderr}")
    peak = next(line for line in proc.stderr.splitlines() if line.startswith("peak "))
    return seconds, int(peak.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--index", type=Path, action="append", help="existing index(es)")
    parser.add_argument("--work", type=Path, help="folder for indexes and exports")
    parser.add_argument("--keep", action="store_true", help="keep what was made")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    indexes = args.index or []
    if not indexes:
        texts = synthetic.paragraphs(GENERAL_DEBATE)
        for n in args.sizes:
            path = work / f"export-{n}"
            if not path.exists():
                t = time.perf_counter()
                make_index(path, n, texts)
                print(f"made a {n:,}-passage index in {time.perf_counter() - t:.0f} s",
                      file=sys.stderr)
            indexes.append(path)
    try:
        for index in indexes:
            n = int(read_manifest(index).counts["passages"])
            for fmt in FORMATS:
                out = work / f"{index.name}.{fmt}"
                seconds, peak = export(index, out, fmt)
                print(f"{n:>9,} passages  {fmt:8} {seconds:6.1f} s  {n / seconds:8,.0f}/s  "
                      f"peak RSS {peak / 2**20:5.0f} MiB  file {out.stat().st_size / 2**20:6.0f} MiB",
                      flush=True)
                out.unlink()
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

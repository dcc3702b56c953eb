#!/usr/bin/env python3
"""Cold start: wall time of a fresh `diplosearch search` process through the ONNX path
against the same query through sentence-transformers (torch), plus `diplosearch --help`.

    python scripts/bench_coldstart.py [--runs 5] [--index PATH] [--query "..."]

Each run is a new process, as a user typing the command gets; runs alternate between the
two paths so that load from other processes falls on both. The ONNX export is made (and
cached) by a warm-up run first: a cold search pays for it only once per machine. Prints the
median wall time of each path, their ratio (target: ONNX <= 0.5 x torch), the median
`--help` time (target <= 0.3 s) and whether the ONNX run imported torch (it must not).

    python scripts/bench_coldstart.py --multilingual NEW --index OLD [--runs 5]

instead times cold searches (auto backend) on an index without multilingual vectors (OLD)
and one with them (NEW): the English question on each (target: NEW <= 1.2 x OLD) and the
Russian form of it on NEW, alternating; and which heavy modules the Russian search imports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "what measures target foreign terrorist fighters"
RUSSIAN = "Какие меры направлены против иностранных боевиков-террористов?"
HEAVY = ("torch", "sentence_transformers", "transformers")


def command() -> list[str]:
    script = Path(sys.executable).with_name("diplosearch")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "diplosearch"]


def timed(args: list[str], backend: str | None) -> tuple[float, str]:
    env = dict(os.environ)
    env.pop("DIPLOSEARCH_BACKEND", None)
    if backend:
        env["DIPLOSEARCH_BACKEND"] = backend
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return elapsed, done.stderr


def heavy_modules(search: list[str]) -> set[str]:
    """Heavy modules a search through the ONNX path imports (by -X importtime)."""
    _, log = timed([sys.executable, "-X", "importtime", "-m", "diplosearch"] + search, "auto")
    names = {line.rsplit("|", 1)[-1].strip() for line in log.splitlines()
             if line.startswith("import time:")}
    return {n for n in names if n.split(".")[0] in HEAVY}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index", help="index name or path (default: the bundled one)")
    parser.add_argument("--query", default=QUESTION)
    parser.add_argument("--multilingual", metavar="NEW",
                        help="compare cold searches on NEW (multilingual) and --index (without)")
    args = parser.parse_args()
    base = command()
    if args.multilingual:
        return multilingual(base, args)
    search = ["search", args.query, "-k", "10", "-f", "json"]
    if args.index:
        search += ["-i", args.index]
    timed(base + search, "auto")  # makes the ONNX export if it is not cached yet
    times: dict[str, list[float]] = {"onnx (auto)": [], "torch": [], "--help": []}
    for _ in range(args.runs):
        times["onnx (auto)"].append(timed(base + search, "auto")[0])
        times["torch"].append(timed(base + search, "torch")[0])
        times["--help"].append(timed(base + ["--help"], None)[0])
    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:12s} median {medians[name]:6.2f} s   runs "
              + " ".join(f"{v:.2f}" for v in values))
    print(f"onnx / torch: {medians['onnx (auto)'] / medians['torch']:.2f} (target <= 0.5)")
    heavy = heavy_modules(search)
    print(f"heavy modules imported by the ONNX search: {', '.join(sorted(heavy)) or 'none'}")
    return 0


def multilingual(base: list[str], args) -> int:
    def search(query: str, index: str | None) -> list[str]:
        return ["search", query, "-k", "10", "-f", "json"] + (["-i", index] if index else [])
    runs = {"English, old index": search(args.query, args.index),
            "English, multilingual index": search(args.query, args.multilingual),
            "Russian, multilingual index": search(RUSSIAN, args.multilingual)}
    for cmd in runs.values():
        timed(base + cmd, "auto")   # warm the file cache and the ONNX export
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(args.runs):
        for name, cmd in runs.items():
            times[name].append(timed(base + cmd, "auto")[0])
    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:28s} median {medians[name]:6.2f} s   runs "
              + " ".join(f"{v:.2f}" for v in values))
    old, new = medians["English, old index"], medians["English, multilingual index"]
    print(f"English on multilingual / old: {new / old:.2f} (target <= 1.2)")
    for name in ("English, multilingual index", "Russian, multilingual index"):
        heavy = heavy_modules(runs[name])
        print(f"heavy modules imported ({name}): {', '.join(sorted(heavy)) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

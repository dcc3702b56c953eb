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

    python scripts/bench_coldstart.py --languages [--index PATH] [--runs 5]

instead times cold searches of the English question and its Russian form on one index
(default: the bundled one), alternating, after a warm-up run of each that fills the model
caches. Target: Russian <= 1.2 x English.

    python scripts/bench_coldstart.py --first [--runs 3]

instead times the first question after a fresh `pip install .`: the package is installed
from this checkout as a wheel into a new folder (`pip install --no-deps --target`, its
dependencies those of this interpreter; `--source` installs another checkout, e.g. an
older one for a baseline), then each run asks the founding question on the
bundled index with an empty model cache (`DIPLOSEARCH_CACHE=$(mktemp -d)`), then again with
that cache filled. Target: the first answer <= 3 s. Prints whether torch was imported and
whether unsc_2019-09-25_csto_semerikov.txt paragraph 9 came first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "what measures target foreign terrorist fighters"
RUSSIAN = "Какие меры направлены против иностранных боевиков-террористов?"
HEAVY = ("torch", "sentence_transformers", "transformers")
REPO = Path(__file__).resolve().parent.parent
ANSWER = ("unsc_2019-09-25_csto_semerikov.txt", 9)


def command() -> list[str]:
    script = Path(sys.executable).with_name("diplosearch")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "diplosearch"]


def timed(args: list[str], backend: str | None, env: dict | None = None,
          out: list | None = None) -> tuple[float, str]:
    env = {**os.environ, **(env or {})}
    env.pop("DIPLOSEARCH_BACKEND", None)
    if backend:
        env["DIPLOSEARCH_BACKEND"] = backend
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    if out is not None:
        out.append(done.stdout)
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
    parser.add_argument("--first", action="store_true",
                        help="time the first question after a fresh install, empty caches")
    parser.add_argument("--source", type=Path, default=REPO,
                        help="with --first: the checkout to install (default: this one)")
    parser.add_argument("--languages", action="store_true",
                        help="cold English vs Russian question on --index")
    args = parser.parse_args()
    if args.languages:
        return languages(args.runs, args.query, args.index)
    if args.first:
        return first_answer(args.runs, args.query, args.source)
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


def languages(runs: int, query: str, index: str | None) -> int:
    where = ["-i", index] if index else []
    searches = {"English": ["search", query, "-k", "10", "-f", "json", *where],
                "Russian": ["search", RUSSIAN, "-k", "10", "-f", "json", *where]}
    base = command()
    for cmd in searches.values():
        timed(base + cmd, "auto")   # fills the ONNX and multilingual caches
    times: dict[str, list[float]] = {name: [] for name in searches}
    cpu: dict[str, list[float]] = {name: [] for name in searches}
    for _ in range(runs):
        for name, cmd in searches.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            times[name].append(timed(base + cmd, "auto")[0])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    medians = {k: statistics.median(v) for k, v in times.items()}
    for name, values in times.items():
        print(f"{name:8s} cold search median {medians[name]:5.2f} s "
              f"(CPU {statistics.median(cpu[name]):.2f} s)   runs "
              + " ".join(f"{v:.2f}" for v in values))
    print(f"Russian / English: {medians['Russian'] / medians['English']:.2f} (target <= 1.2); "
          f"CPU time: {statistics.median(cpu['Russian']) / statistics.median(cpu['English']):.2f}"
          " (all threads summed, so work done beside the English model counts in full)")
    return 0


def first_answer(runs: int, query: str, source: Path) -> int:
    target = Path(tempfile.mkdtemp(prefix="diplosearch-install-"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(source)], check=True)
    print(f"pip install . (no deps) into {target}: {time.perf_counter() - started:.1f} s")
    search = [sys.executable, "-X", "importtime", "-m", "diplosearch", "search", query,
              "-k", "10", "-f", "json"]
    times: dict[str, list[float]] = {"first (empty cache)": [], "second (cache filled)": []}
    for _ in range(runs):
        env = {"PYTHONPATH": str(target), "DIPLOSEARCH_CACHE": tempfile.mkdtemp(),
               "DIPLOSEARCH_HOME": tempfile.mkdtemp()}
        for name in times:
            out: list[str] = []
            elapsed, log = timed(search, None, env, out)
            times[name].append(elapsed)
            hits = json.loads(out[0])
            top = (Path(hits[0]["source"]).name, hits[0]["paragraph"])
            imported = {line.rsplit("|", 1)[-1].strip() for line in log.splitlines()
                        if line.startswith("import time:")}
            heavy = sorted({n.split(".")[0] for n in imported} & set(HEAVY))
            print(f"  {name:22s} {elapsed:5.2f} s  first hit {top[0]} ¶{top[1]}"
                  f"{'' if top == ANSWER else ' (NOT the founding answer)'}; "
                  f"heavy imports: {', '.join(heavy) or 'none'}")
    for name, values in times.items():
        print(f"{name:22s} median {statistics.median(values):5.2f} s  max {max(values):5.2f} s"
              + ("  (target <= 3 s)" if name.startswith("first") else ""))
    print("(-X importtime adds a little to each run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

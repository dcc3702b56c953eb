#!/usr/bin/env python3
"""Cold searches with the language detector of ce6f166 (function words) and with today's
(fastText for Latin text that is not plainly English), everything else the same tree.

    python scripts/bench_language_coldstart.py [--runs 7] [QUERY ...]

The baseline is this checkout's src/ with text/language.py replaced by the ce6f166
module (git show), in a temporary folder; both search the bundled default index. Runs
alternate, each a new `diplosearch search QUERY -k 10 -f json` process. Prints the median
wall time of each and their ratio per query. A query the new detector routes to another
language than the old one did (a Spanish one, say) also changes path: that is no
detector cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("what measures target foreign terrorist fighters", "child soldiers",
           "Boko Haram attacks")


def baseline(folder: Path) -> Path:
    shutil.copytree(ROOT / "src", folder / "src")
    old = subprocess.run(["git", "show", "ce6f166:src/diplosearch/ingest/language.py"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    (folder / "src/diplosearch/text/language.py").write_text(old, encoding="utf-8")
    (folder / "indexes").symlink_to(ROOT / "indexes")   # the bundled index, found from src
    return folder / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    args = parser.parse_args()
    exe = Path(sys.executable).with_name("diplosearch")
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"before": baseline(Path(tmp)), "now": ROOT / "src"}
        for query in args.queries:
            times: dict[str, list[float]] = {k: [] for k in trees}
            for _ in range(args.runs + 1):               # the first round warms the caches
                for name, src in trees.items():
                    env = dict(os.environ, PYTHONPATH=str(src))
                    started = time.perf_counter()
                    subprocess.run([str(exe), "search", query, "-k", "10", "-f", "json"],
                                   env=env, capture_output=True, check=True)
                    times[name].append(time.perf_counter() - started)
            before, now = (statistics.median(v[1:]) for v in times.values())
            print(f"{query!r}: before {before:.3f} s, now {now:.3f} s, ratio {now / before:.2f}")


if __name__ == "__main__":
    main()

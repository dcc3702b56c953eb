#!/usr/bin/env python3
"""What the word-by-word gloss (issue 18) costs: builds and cold questions, this checkout
against another one (the code before it), alternating in one run so that both see the same
machine.

    git worktree add --detach ../before 3629e81
    python scripts/bench_gloss.py --old ../before [--files 100] [--runs 5]

Prints, for each checkout, the median wall time of
  - building an index of the first --files Security Council speeches of 2020 (both models,
    as `diplosearch index build` does by default; this checkout also counts and embeds the
    English words),
  - a first question in a fresh process over that checkout's bundled index, in English,
    Russian and Chinese (`diplosearch search ... -f json`; Chinese also reads CC-CEDICT),
and the ratios this/old (targets of issue 18: build <= 1.2, English cold search <= 1.1).
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

from speech_slice import copy_speeches  # scripts/speech_slice.py

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = {"en": "what measures target foreign terrorist fighters",
             "ru": "Какие меры направлены против иностранных боевиков-террористов?",
             "zh": "哪些措施针对外国恐怖主义战斗人员？",
             # a name the model cannot place, matched by its letters (Minsk)
             "ar": "ما الذي قيل عن اتفاقات مينسك في أوكرانيا؟"}


def run(tree: Path, args: list[str], home: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), DIPLOSEARCH_HOME=str(home),
               HF_HUB_OFFLINE="1")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "diplosearch", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", type=Path, required=True, help="the other checkout")
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--builds", type=int, default=3)
    args = ap.parse_args()
    trees = {"this": REPO, "old": args.old.resolve()}
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = copy_speeches(Path(tmp) / "corpus", args.files)
        for i in range(args.builds):
            for label, tree in trees.items():
                home = Path(tmp) / f"home-{label}-{i}"
                times.setdefault((label, "build"), []).append(
                    run(tree, ["index", "build", str(corpus), "--name", "bench"], home))
                shutil.rmtree(home)
        for _ in range(args.runs):
            for lang, question in QUESTIONS.items():
                for label, tree in trees.items():
                    times.setdefault((label, f"cold {lang}"), []).append(
                        run(tree, ["search", question, "-k", "10", "-f", "json"],
                            Path(tmp) / "empty-home"))
    print(f"| measure | this | old | this/old |\n|---|---|---|---|")
    for what in ["build"] + [f"cold {lang}" for lang in QUESTIONS]:
        this, old = (statistics.median(times[(label, what)]) for label in ("this", "old"))
        print(f"| {what} ({args.files} speeches)" if what == "build" else f"| {what}",
              f"| {this:.2f} s | {old:.2f} s | {this / old:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

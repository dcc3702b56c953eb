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
`--resolutions N` builds the first N Security Council resolutions of 2005-2015 instead
(what a resolution's context costs to embed: eleventh round).
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
RESOLUTIONS = (REPO.parent / "shared" / "corpus" / "unsc_resolutions_2005_2015" /
               "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex")
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
    ap.add_argument("--resolutions", type=int, default=0,
                    help="build this many resolutions instead of --files speeches")
    ap.add_argument("--no-cold", action="store_true", help="builds only")
    args = ap.parse_args()
    trees = {"this": REPO, "old": args.old.resolve()}
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if args.resolutions:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            for path in sorted(RESOLUTIONS.glob("S-RES-*.txt"))[:args.resolutions]:
                shutil.copy(path, corpus / path.name)
        else:
            corpus = copy_speeches(Path(tmp) / "corpus", args.files)
        for i in range(args.builds):
            for label, tree in trees.items():
                home = Path(tmp) / f"home-{label}-{i}"
                times.setdefault((label, "build"), []).append(
                    run(tree, ["index", "build", str(corpus), "--name", "bench"], home))
                shutil.rmtree(home)
        for _ in range(0 if args.no_cold else args.runs):
            for lang, question in QUESTIONS.items():
                for label, tree in trees.items():
                    times.setdefault((label, f"cold {lang}"), []).append(
                        run(tree, ["search", question, "-k", "10", "-f", "json"],
                            Path(tmp) / "empty-home"))
    print(f"| measure | this | old | this/old |\n|---|---|---|---|")
    built = f"{args.resolutions} resolutions" if args.resolutions else f"{args.files} speeches"
    for what in ["build"] + ([] if args.no_cold else [f"cold {lang}" for lang in QUESTIONS]):
        this, old = (statistics.median(times[(label, what)]) for label in ("this", "old"))
        print(f"| {what} ({built})" if what == "build" else f"| {what}",
              f"| {this:.2f} s | {old:.2f} s | {this / old:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

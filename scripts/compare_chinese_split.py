#!/usr/bin/env python3
"""Chinese keyword words: ours (each character a word; a query's runs as two-character
phrases) against word segmenters from PyPI (jieba, pure Python; rjieba, jieba-rs in Rust).

    PYTHONPATH=src:/where/jieba/is python scripts/compare_chinese_split.py [--questions more.jsonl]
        [--runs 5] [--repeat 50]

Neither segmenter is a dependency of diplosearch: install them anywhere for this script
(`pip install --target DIR jieba rjieba`). Text: the Chinese questions of
scripts/data/multilingual_dev.jsonl and any --questions files (the corpora are English).

Printed: cold load (a fresh process imports the splitter and cuts one sentence; time
measured inside it, median over --runs), speed in characters per µs over the questions
repeated --repeat times (best of 3), terms per question, and three questions cut each way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "安理会通过了第2334号决议，要求以色列立即停止定居点活动。"
SETUP = {   # (import, one cut of S) for the cold-load measurement
    "ours": ("from diplosearch.text import wordsplit", "wordsplit.folded_query_terms(S)"),
    "jieba": ("import jieba, logging; jieba.setLogLevel(logging.WARNING)", "jieba.lcut(S)"),
    "rjieba": ("import rjieba", "rjieba.cut(S)"),
}


def questions(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and (zh := json.loads(line).get("questions", {}).get("zh")):
                found.append(zh)
    return found


def cold_ms(name: str, runs: int) -> float | None:
    setup, call = SETUP[name]
    code = (f"import time\nS = {SENTENCE!r}\nt = time.perf_counter()\n{setup}\n{call}\n"
            "print((time.perf_counter() - t) * 1000)")
    times = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode != 0:
            return None
        times.append(float(done.stdout.split()[-1]))
    return statistics.median(times)


def splitters() -> dict[str, object]:
    from diplosearch.text import wordsplit
    found = {"ours": lambda q: [" ".join(t) for t in wordsplit.folded_query_terms(q)],
             "ours (passage side)": lambda q: [w for run in wordsplit.words(q) for w in run]}
    try:
        import logging

        import jieba
        jieba.setLogLevel(logging.WARNING)
        found["jieba"] = lambda q: [w for w in jieba.lcut(q) if w.strip()]
    except ImportError:
        print("jieba: not installed")
    try:
        import rjieba
        found["rjieba"] = lambda q: [w for w in rjieba.cut(q) if w.strip()]
    except ImportError:
        print("rjieba: not installed")
    return found


def chars_per_us(split, texts: list[str], repeat: int) -> float:
    sample = texts * repeat
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in sample:
            split(text)
        best = min(best, time.perf_counter() - started)
    return sum(map(len, sample)) / (best * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, nargs="*", default=[])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    texts = questions([ROOT / "scripts/data/multilingual_dev.jsonl", *args.questions])
    print(f"{len(texts)} Chinese questions, {sum(map(len, texts))} characters")
    found = splitters()
    for name, split in found.items():
        load = cold_ms(name, args.runs) if name in SETUP else None
        terms = statistics.mean(len(split(t)) for t in texts)
        print(f"{name:20s} cold load {'-' if load is None else f'{load:.0f} ms':>8}  "
              f"{chars_per_us(split, texts, args.repeat):6.2f} chars/us  "
              f"{terms:.1f} terms/question")
    for text in texts[:3]:
        print(text)
        for name, split in found.items():
            print(f"  {name:20s} {' | '.join(split(text))}")


if __name__ == "__main__":
    main()

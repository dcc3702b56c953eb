#!/usr/bin/env python3
"""What a ranking setting costs a warm search: the same English questions searched with the
current settings and with one setting changed, alternating in one process, so both see the
same machine. Prints p50 and p95 per setting and the ratio of the p50s.

    python scripts/bench_ranking_setting.py --index devpool-unsc2020 \
        --questions scripts/data/heldout11_unsc2020.jsonl --set feedback_adapter=-1

(The tenth round's feedback list, `feedback_adapter` .5 against -1: a second vector search.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace

import diplosearch as ds
from diplosearch.retrieval import ranking


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default=None, help="index name or path (default: the bundled)")
    ap.add_argument("--questions", required=True, help="a judged questions file (.jsonl)")
    ap.add_argument("--set", required=True, metavar="FIELD=VALUE",
                    help="the Ranking field to change, e.g. feedback_adapter=-1")
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    field, value = args.set.split("=", 1)
    base = ranking.RANKING
    changed = replace(base, **{field: type(getattr(base, field))(value)})
    idx = ds.open_index(args.index)
    with open(args.questions, encoding="utf-8") as f:
        questions = [json.loads(line)["questions"]["en"] for line in f if line.strip()]
    questions = questions[:args.count]
    for q in questions:                       # warm: models loaded, pages cached
        idx.search(q, k=10)
    times: dict[str, list[float]] = {"current": [], args.set: []}
    try:
        for _ in range(args.rounds):
            for name, settings in (("current", base), (args.set, changed)):
                ranking.RANKING = settings
                for q in questions:
                    start = time.perf_counter()
                    idx.search(q, k=10)
                    times[name].append(time.perf_counter() - start)
    finally:
        ranking.RANKING = base
    for name, t in times.items():
        print(f"{name}: p50 {1000 * statistics.median(t):.1f} ms, "
              f"p95 {1000 * sorted(t)[int(0.95 * len(t))]:.1f} ms ({len(t)} searches)")
    print(f"current / {args.set}, p50: "
          f"{statistics.median(times['current']) / statistics.median(times[args.set]):.3f}")


if __name__ == "__main__":
    main()

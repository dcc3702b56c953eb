#!/usr/bin/env python3
"""Paired comparison of two runs over the same judged questions: per language, each run's
mean recall@10, MRR@10 and nDCG@10 and the mean difference A − B with its 95 % bootstrap
interval over the questions (a gain whose interval includes zero is not a gain).

    python scripts/compare_runs.py A.json B.json [--names ours txtai]

A run is a JSON file of per-question scores, [{"id", "language", "recall", "mrr", "ndcg"}],
as `scripts/rank_variants.py --json` (its "current" entry), `scripts/peer_txtai.py --json`
and `scripts/score_revision.py` write them. Questions present in both runs are compared.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from diplosearch.evaluate import mean_ci, paired_ci

METRICS = ("recall", "mrr", "ndcg")


def load(path: Path, variant: str) -> dict[tuple[str, str], dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data[variant] if isinstance(data, dict) else data
    return {(r["id"], r["language"]): r for r in rows if r.get("mode", "hybrid") == "hybrid"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--names", nargs=2, default=["A", "B"])
    ap.add_argument("--variant", default="current", help="entry of a rank_variants file")
    args = ap.parse_args()
    a, b = load(args.a, args.variant), load(args.b, args.variant)
    common = sorted(a.keys() & b.keys())
    langs = list(dict.fromkeys(lang for _, lang in common))
    english = {}
    print(f"| language | n | metric | {args.names[0]} (95 %) | {args.names[1]} (95 %) | "
          f"{args.names[0]} − {args.names[1]} (95 %) |\n|---|---|---|---|---|---|")
    for lang in langs:
        keys = [k for k in common if k[1] == lang]
        for metric in METRICS:
            xs = [a[k][metric] for k in keys]
            ys = [b[k][metric] for k in keys]
            (ma, la, ha), (mb, lb, hb) = mean_ci(xs), mean_ci(ys)
            d, dl, dh = paired_ci(xs, ys)
            if metric == "recall":
                english.setdefault(lang, (ma, mb))
            print(f"| {lang} | {len(keys)} | {metric}@10 | {ma:.3f} ({la:.3f}–{ha:.3f}) | "
                  f"{mb:.3f} ({lb:.3f}–{hb:.3f}) | {d:+.3f} ({dl:+.3f} to {dh:+.3f}) |")
    if "en" in english:
        ra, rb = english["en"]
        print("\nrecall@10 as a share of English: " + ", ".join(
            f"{lang} {english[lang][0] / ra:.2f} / {english[lang][1] / rb:.2f}"
            for lang in langs if lang != "en") + f"  ({args.names[0]} / {args.names[1]})")


if __name__ == "__main__":
    main()

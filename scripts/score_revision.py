#!/usr/bin/env python3
"""Score another revision's code (one that predates `diplosearch eval QUESTIONS.jsonl`) on
the analysts' judged questions, exactly as that command scores: a hit's key is its source
file's name, each file once in rank order; capped recall@10, MRR@10, nDCG@10; hybrid mode.

    git worktree add --detach ../old ce6f166
    python scripts/score_revision.py --src ../old/src --corpus unsc2020 --split test --json old.json

Then `python scripts/compare_runs.py new.json old.json` gives paired intervals. The index
is `devpool-<corpus>` in $DIPLOSEARCH_HOME (see scripts/rank_variants.py).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path, PurePosixPath

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("en", "fr", "es", "ru", "ar", "zh")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, required=True, help="the revision's src/ folder")
    ap.add_argument("--corpus", nargs="+", default=["unsc2020", "ungdc"])
    ap.add_argument("--split", default="dev",
                    help="dev, test, all, or heldout, heldout3 ... heldout15, transfer, "
                         "transfer2 ... transfer6 (each its own file; the transfer sets: "
                         "--corpus unscres ungdcearly)")
    ap.add_argument("--lang", nargs="+", default=list(LANGS))
    ap.add_argument("--json", type=Path, required=True)
    args = ap.parse_args()
    sys.path.insert(0, str(args.src.resolve()))
    import diplosearch as ds

    print(f"scoring {ds.__file__}", file=sys.stderr)
    out = []
    for corpus in args.corpus:
        idx = ds.open_index(f"devpool-{corpus}")
        held = args.split.startswith(("heldout", "transfer"))
        name = f"{args.split if held else 'analyst'}_{corpus}.jsonl"
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if q["split"] != args.split and args.split != "all":
                continue
            rel = q["relevant"]
            for lang in args.lang:
                hits = idx.search(q["questions"][lang], k=10, mode="hybrid")
                keys = list(dict.fromkeys(PurePosixPath(h.source).name for h in hits))[:10]
                out.append({"id": q["id"], "language": lang, "mode": "hybrid",
                            **scores(keys, rel), "ranked": keys})
    args.json.write_text(json.dumps(out, ensure_ascii=False))
    print(f"{len(out)} searches -> {args.json}", file=sys.stderr)


def scores(keys: list[str], rel: dict[str, int], k: int = 10) -> dict[str, float]:
    wanted = {d for d, g in rel.items() if g > 0}
    dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(keys[:k]))
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:k]
    return {"recall": len(wanted & set(keys[:k])) / min(len(wanted), k),
            "mrr": next((1 / (i + 1) for i, d in enumerate(keys[:k]) if rel.get(d, 0) > 0), 0.0),
            "ndcg": dcg / sum(g / math.log2(i + 2) for i, g in enumerate(ideal))}


if __name__ == "__main__":
    main()

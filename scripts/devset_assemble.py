#!/usr/bin/env python3
"""Merge the writers' judged questions into scripts/data/analyst_<corpus>.jsonl, each with
its split fixed before any tuning: "dev" or "test" by the parity of the sha256 of its id
(so a question's half never depends on which others exist or on any result).

    python scripts/devset_assemble.py /path/to/w1.jsonl /path/to/w2.jsonl ...
    python scripts/devset_assemble.py --heldout /path/to/w4.jsonl ...   # heldout_<corpus>.jsonl
    python scripts/devset_assemble.py --heldout3 /path/to/w7.jsonl ...  # heldout3_<corpus>.jsonl
    python scripts/devset_assemble.py --heldout4 /path/to/w10.jsonl ... # heldout4_<corpus>.jsonl
    python scripts/devset_assemble.py --heldout5 /path/to/w13.jsonl ... # heldout5_<corpus>.jsonl (and so on)
    python scripts/devset_assemble.py --transfer /path/to/t1.jsonl ...  # transfer_<corpus>.jsonl

`--heldout`: a second held-out set, written after the first was spent (its test half run
more than once): every question in it is split "heldout", never tuned on, run at the end.
`--transfer`: questions over corpora nothing was ever tuned or fitted on (the resolutions,
the General Debate of 2015–2016), split "transfer": whether what was fitted carries over.

Each writer wrote queries from a disjoint part of the corpora (see
scripts/data/analyst_questions.md); relevance was judged by reading, over the whole corpus.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("en", "fr", "es", "ru", "ar", "zh")


def split_of(qid: str) -> str:
    return "dev" if hashlib.sha256(qid.encode()).digest()[0] % 2 == 0 else "test"


def main(paths: list[str]) -> None:
    flags = [p for p in paths if p.startswith(("--heldout", "--transfer"))]   # --heldout3 ...
    heldout = bool(flags)
    paths = [p for p in paths if p not in flags]
    prefix = flags[-1][2:] if heldout else "analyst"
    rows = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            missing = [lang for lang in LANGS if not rec["questions"].get(lang, "").strip()]
            if missing or not any(g == 2 for g in rec["relevant"].values()):
                sys.exit(f"{path}: line {n}: missing {missing or 'a grade-2 speech'}")
            rec["split"] = prefix if heldout else split_of(rec["id"])
            rows.append(rec)
    for corpus in sorted({r["corpus"] for r in rows}):
        out = DATA / f"{prefix}_{corpus}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows
                               if r["corpus"] == corpus), encoding="utf-8")
    by = {}
    for r in rows:
        by.setdefault((r["corpus"], r["split"]), 0)
        by[(r["corpus"], r["split"])] += 1
    print(f"{len(rows)} questions: " + ", ".join(f"{c} {s} {n}" for (c, s), n in sorted(by.items())))


if __name__ == "__main__":
    main(sys.argv[1:])

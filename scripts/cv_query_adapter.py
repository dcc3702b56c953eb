#!/usr/bin/env python3
"""The English query adapter measured out of sample, through the whole search: 5-fold
cross-validation over the spent judged questions with each writer's questions in one fold,
each fold's matrix fitted (`fit_query_adapter.fit`, λ 0.01) without them, and the fold's
questions then searched in hybrid mode with it at each strength asked for, against 0.

    python scripts/cv_query_adapter.py --lang en --field query_adapter --strength 0.5 1
    python scripts/cv_query_adapter.py --lang ru --field gloss_adapter --strength 1
    python scripts/cv_query_adapter.py --lang en --strength 0.5 1 --feedback-adapter 0.5

`--field query_adapter`: the English question's own vector (`Ranking.query_adapter`);
`gloss_adapter`: the vector of a question's English gloss, in another language.
`--feedback-adapter F`: each strength also run with the English feedback's statements found
at adapter strength F (`Ranking.feedback_adapter`). Prints per fold and, per setting,
recall@10 and MRR@10 with paired bootstrap intervals against strength 0.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import replace

import numpy as np

import fit_query_adapter as fitting
from rank_variants import questions_file

from diplosearch.embed import adapter
from diplosearch.evaluate import load_questions, question_scores
from diplosearch.index import open_index
from diplosearch.retrieval import ranking


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--field", default="query_adapter", choices=("query_adapter", "gloss_adapter"))
    ap.add_argument("--strength", type=float, nargs="+", default=[1.0])
    ap.add_argument("--lam", type=float, default=0.01)
    ap.add_argument("--feedback-adapter", type=float, nargs="*", default=[],
                    help="also run each strength with Ranking.feedback_adapter at these")
    args = ap.parse_args()
    import torch

    torch.manual_seed(0)
    order = [(corpus, j) for corpus in ("unsc2020", "ungdc") for split in fitting.SPENT
             for j in load_questions(questions_file(corpus, split),
                                     None if split == "all" else split)]
    data = fitting.Data(fitting.gather(fitting.SPENT))   # the same questions, same order
    rng = np.random.default_rng(0)
    writer = [re.match(r"(w\d+)", j.id).group(1) for _, j in order]
    fold_of = {w: i % 5 for i, w in enumerate(rng.permutation(sorted(set(writer))))}
    folds = np.array([fold_of[w] for w in writer])
    indexes = {c: open_index(f"devpool-{c}") for c in ("unsc2020", "ungdc")}
    base = ranking.RANKING
    # (strength, feedback strength; -1: the feedback's statements as searched)
    settings = [(0.0, -1.0)] + [(s, f) for s in args.strength
                                for f in [-1.0, *args.feedback_adapter]]
    scores: dict[tuple[float, float], list] = {k: [] for k in settings}
    try:
        for k in range(5):
            matrix = fitting.fit(data, np.where(folds != k)[0], args.lam).numpy()
            adapter._matrix = lambda model, m=matrix: m   # this fold's, for every model
            test = [order[i] for i in np.where(folds == k)[0]]
            for strength, feedback in scores:
                ranking.RANKING = replace(base, **{args.field: strength},
                                          feedback_adapter=feedback)
                for corpus, idx in indexes.items():
                    scores[strength, feedback] += question_scores(
                        idx, [j for c, j in test if c == corpus], [args.lang], ["hybrid"])
            print(k, {f"{s}/{f}": round(float(np.mean([x.recall for x in v])), 3)
                      for (s, f), v in scores.items()}, flush=True)
    finally:
        ranking.RANKING = base
    # against strength 0, and against the first setting asked for (e.g. the one searches use)
    pairs = [(k, (0.0, -1.0)) for k in settings[1:]] + [(k, settings[1]) for k in settings[2:]]
    for (strength, feedback), against in pairs:
        for metric in ("recall", "mrr"):
            new = np.array([getattr(x, metric) for x in scores[strength, feedback]])
            old = np.array([getattr(x, metric) for x in scores[against]])
            d = new - old
            boot = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
            print(f"{args.field} {strength} feedback {feedback} against {against} "
                  f"{args.lang} {metric}@10: {old.mean():.3f} -> "
                  f"{new.mean():.3f}, {d.mean():+.3f} ({np.percentile(boot, 2.5):+.3f}, "
                  f"{np.percentile(boot, 97.5):+.3f})")


if __name__ == "__main__":
    main()

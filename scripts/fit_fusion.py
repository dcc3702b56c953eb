#!/usr/bin/env python3
"""Learned fusion, tried: does a linear model over per-candidate features rank the right
speeches higher than today's fusion? Cross-validated by question (folds of whole
questions), on judged questions only; prints file-level recall@10 and MRR@10 of both
orderings with the paired interval, and the model's weights fitted on all the questions.

    python scripts/fit_fusion.py --split all heldout heldout3 --lang en

Indexes `devpool-<corpus>` in $DIPLOSEARCH_HOME, as for scripts/rank_variants.py.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import numpy as np

from diplosearch.evaluate import load_questions, paired_ci
from diplosearch.evaluate.metrics import mrr_at, recall_at
from diplosearch.index import open_index
from diplosearch.retrieval import keyword, pipeline, ranking
from diplosearch.store import database

DATA = Path(__file__).resolve().parent / "data"
WORD = re.compile(r"[a-z][a-z'-]+")

FEATURES = ("fused", "cosine", "cosine_gap", "bm25_share", "sem_rank", "kw_rank", "coverage",
            "statement_best", "statement_hits", "meeting_hits", "length", "procedural",
            "in_both")


def stems(text: str) -> set[str]:
    import Stemmer

    from diplosearch.text.wordsplit import STOPWORDS

    return set(Stemmer.Stemmer("english").stemWords(
        [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]))


def candidates(idx, question: str):
    """Today's fused candidates of `question` with their features and files."""
    opts = pipeline.SearchOptions(k=10)
    pairs, q = pipeline.retrieve(idx, question, None, ranking.RANKING.depth, opts)
    ids = [p for p, _ in pairs]
    sem = pipeline.vector_top(idx.vectors, q, 200, None)
    kw = keyword.search(idx.db, question, 200)
    sem_rank = {p: r for r, (p, _) in enumerate(sem, 1)}
    kw_rank = {p: r for r, (p, _) in enumerate(kw, 1)}
    bm25 = dict(kw)
    top_bm25 = max(bm25.values(), default=1.0) or 1.0
    cos = idx.vectors.vectors_of(np.array(ids)) @ q[0]
    rows = {pid: (key, doc, st, para, text) for pid, key, doc, st, para, text in database.by_ids(
        idx.db, "SELECT p.id, d.key, p.doc_id, p.statement, p.paragraph, p.text FROM passages p "
                "JOIN documents d ON d.id = p.doc_id WHERE p.id IN ({ids})", ids)}
    asked = stems(question)
    statement_cos: dict[tuple, list[float]] = {}
    meeting_n: dict[int, int] = {}
    for pid, c in zip(ids, cos):
        key, doc, st, para, _ = rows[pid]
        statement_cos.setdefault((doc, st), []).append(float(c))
        meeting_n[doc] = meeting_n.get(doc, 0) + 1
    best_cos = float(cos.max()) if len(cos) else 0.0
    feats, files, statements, paras = [], [], [], []
    for (pid, fused), c in zip(pairs, cos):
        key, doc, st, para, text = rows[pid]
        group = sorted(statement_cos[(doc, st)], reverse=True)
        feats.append([
            fused, float(c), float(c) - best_cos, bm25.get(pid, 0.0) / top_bm25,
            math.log(sem_rank.get(pid, 201)), math.log(kw_rank.get(pid, 201)),
            len(asked & stems(text)) / len(asked) if asked else 0.0,
            group[0], math.log(len(group)), math.log(meeting_n[doc]),
            math.log(len(text) + 1), float(bool(ranking._PROCEDURAL.match(text)) and len(text) < 300),
            float(pid in sem_rank and pid in kw_rank)])
        files.append(Path(key).name)
        statements.append((doc, st))
        paras.append((doc, para))
    return np.array(feats, dtype=np.float64), files, statements, paras


def ranked_files(scores, files, statements, paras, repeat: float = 1e6) -> list[str]:
    """Files of the first ten paragraphs by `scores`, a statement's later paragraphs lowered
    by `repeat` (as `ranking.with_statement_repeat`; 1e6: each statement once first), each file once."""
    order = np.argsort(-scores, kind="stable")
    best: dict = {}
    adjusted = scores.copy()
    for i in order:
        first = best.setdefault(statements[i], paras[i])
        if paras[i] != first:
            adjusted[i] -= repeat
    seen_paras, out = set(), []
    for i in np.argsort(-adjusted, kind="stable"):
        if paras[i] in seen_paras:
            continue
        seen_paras.add(paras[i])
        out.append(files[i])
        if len(seen_paras) == 10:
            break
    return list(dict.fromkeys(out))


def fit(train, LogisticRegression, StandardScaler, top: int):
    """A pairwise logistic model: within each question, a relevant candidate's features
    minus a non-relevant one's (both among the question's first `top` by today's fusion),
    labelled 1, and the reverse labelled 0."""
    scale = StandardScaler().fit(np.vstack([d[1] for d in train]))
    diffs = []
    for j, feats, files, _, _ in train:
        order = np.argsort(-feats[:, 0], kind="stable")[:top]
        x = scale.transform(feats[order])
        rel = np.array([j.relevant.get(files[i], 0) for i in order])
        pos, neg = x[rel > 0], x[rel == 0]
        if len(pos) and len(neg):
            d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1])
            diffs.append(d)
    d = np.vstack(diffs)
    x = np.vstack([d, -d])
    y = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    return scale, LogisticRegression(C=1.0, max_iter=2000, fit_intercept=False).fit(x, y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", nargs="+", default=["all"])
    ap.add_argument("--corpus", nargs="+", default=["unsc2020", "ungdc"])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--top", type=int, default=50, help="pairs among the first TOP candidates")
    ap.add_argument("--cache", type=Path, default=None, help="keep the features here (.npz)")
    args = ap.parse_args()
    data = []
    for corpus in args.corpus:
        idx = open_index(f"devpool-{corpus}")
        for split in args.split:
            prefix = split if split.startswith("heldout") else "analyst"
            for j in load_questions(DATA / f"{prefix}_{corpus}.jsonl",
                                    None if split == "all" else split):
                if args.lang in j.questions:
                    data.append((j, *candidates(idx, j.questions[args.lang])))
    print(f"{len(data)} questions, {sum(len(d[1]) for d in data)} candidates")
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    fold = rng.permutation(len(data)) % args.folds
    base_r, base_m, ours_r, ours_m = [], [], [], []
    for f in range(args.folds):
        train = [d for d, g in zip(data, fold) if g != f]
        scale, model = fit(train, LogisticRegression, StandardScaler, args.top)
        for d, g in zip(data, fold):
            if g != f:
                continue
            j, feats, files, statements, paras = d
            base = ranked_files(feats[:, 0], files, statements, paras)
            ours = ranked_files(model.decision_function(scale.transform(feats)),
                                files, statements, paras)
            base_r.append(recall_at(base, j.relevant, 10, capped=True))
            base_m.append(mrr_at(base, j.relevant, 10))
            ours_r.append(recall_at(ours, j.relevant, 10, capped=True))
            ours_m.append(mrr_at(ours, j.relevant, 10))
    for name, a, b in (("recall@10", ours_r, base_r), ("MRR@10", ours_m, base_m)):
        diff, low, high = paired_ci(a, b)
        print(f"{name}: fused {np.mean(b):.3f}  learned {np.mean(a):.3f}  "
              f"diff {diff:+.3f} [{low:+.3f}, {high:+.3f}]")
    scale, model = fit(data, LogisticRegression, StandardScaler, args.top)
    print(json.dumps(dict(zip(FEATURES, np.round(model.coef_[0] / scale.scale_, 4).tolist())),
                     indent=1))


if __name__ == "__main__":
    main()

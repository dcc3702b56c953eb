#!/usr/bin/env python3
"""Fit the English query adapter (`src/diplosearch/embed/adapter.py`) on the spent judged
questions, or measure it by cross-validation first.

The adapter is one 384 × 384 matrix W, applied to the English model's vector of a question
before the vector search (passages keep their vectors: nothing is re-embedded). It is fitted
so that, for each judged English question, the relevant speeches' best paragraphs come
first among the question's nearest 150 paragraphs: a softmax over speeches (each scored by
its best paragraph's cosine, temperature 0.05), weighted by grade, with W kept near the
identity by an L2 penalty (`--lam`).

    python scripts/fit_query_adapter.py --cv --lam 0.1 0.01   # 5-fold, by question
    python scripts/fit_query_adapter.py --cv --by writer      # 5-fold, a writer in one fold
    python scripts/fit_query_adapter.py --lam 0.01            # fit on all, write the file

`scripts/cv_query_adapter.py` measures it through the whole search (hybrid, any language).

Questions: every split named in `--split` (default: the spent ones, never a held-out set
still to run), over the indexes `devpool-unsc2020` and `devpool-ungdc` in
$DIPLOSEARCH_HOME, as `scripts/rank_variants.py` reads them. Needs torch (the test extra).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rank_variants import questions_file  # noqa: E402

from diplosearch.embed.adapter import ADAPTERS  # noqa: E402
from diplosearch.embed.models import DEFAULT_MODEL  # noqa: E402
from diplosearch.evaluate import load_questions  # noqa: E402
from diplosearch.index import open_index  # noqa: E402
from diplosearch.retrieval.pipeline import vector_top  # noqa: E402

SPENT = ["all", "heldout"] + [f"heldout{i}" for i in range(3, 12)]
PARAGRAPHS = 150   # nearest paragraphs a question's speeches are ranked among
TAU = 0.05


def gather(splits: list[str]):
    """Per English question: its vector, its nearest paragraphs' vectors, the speech index
    of each paragraph (speeches numbered in order of first appearance), each speech's grade."""
    qs, vs, fis, ys, qids = [], [], [], [], []
    for corpus in ("unsc2020", "ungdc"):
        idx = open_index(f"devpool-{corpus}")
        for split in splits:
            for j in load_questions(questions_file(corpus, split),
                                    None if split == "all" else split):
                q = np.asarray(idx.embedder.embed([j.questions["en"]]), dtype=np.float32)
                ids = np.array([p for p, _ in vector_top(idx.vectors, q, PARAGRAPHS, None)])
                keys = dict(idx.db.execute(
                    "SELECT p.id, d.key FROM passages p JOIN documents d ON d.id = p.doc_id "
                    f"WHERE p.id IN ({','.join(map(str, ids))})").fetchall())
                files = [Path(keys[int(i)]).name for i in ids]
                speeches = list(dict.fromkeys(files))
                grade = np.zeros(PARAGRAPHS, np.float32)
                grade[:len(speeches)] = [j.relevant.get(f, 0) for f in speeches]
                qs.append(q[0])
                qids.append(j.id)
                vs.append(idx.vectors.vectors_of(ids).astype(np.float32))
                fis.append([speeches.index(f) for f in files])
                ys.append((grade, min(len(j.relevant), 10)))
    return qs, vs, fis, ys, qids


class Data:
    def __init__(self, gathered) -> None:
        import torch

        qs, vs, fis, ys, self.ids = gathered
        self.Q = torch.tensor(np.stack(qs))
        self.V = torch.tensor(np.stack(vs))
        self.FI = torch.tensor(fis)
        self.Y = torch.tensor(np.stack([g for g, _ in ys]))
        self.N = torch.tensor([n for _, n in ys], dtype=torch.float32)

    def __len__(self) -> int:
        return len(self.Q)

    def speech_scores(self, W, idx):
        import torch

        q = self.Q[idx] @ W.T
        q = q / q.norm(dim=1, keepdim=True)
        s = torch.einsum("npd,nd->np", self.V[idx], q)
        out = torch.full((len(idx), PARAGRAPHS), -10.0)
        return out.scatter_reduce(1, self.FI[idx], s, reduce="amax", include_self=True)

    def recall(self, W, idx) -> np.ndarray:
        import torch

        with torch.no_grad():
            top = torch.topk(self.speech_scores(W, idx), 10, dim=1).indices
            hits = (torch.gather(self.Y[idx], 1, top) > 0).float().sum(1)
            return (hits / self.N[idx]).numpy()


def fit(data: Data, idx, lam: float, steps: int = 100, lr: float = 3e-3):
    import torch

    dim = data.Q.shape[1]
    A = torch.zeros(dim, dim, requires_grad=True)
    opt = torch.optim.Adam([A], lr=lr)
    idx = torch.as_tensor(idx)
    y = data.Y[idx]
    weight = y / y.sum(1, keepdim=True).clamp(min=1)
    eye = torch.eye(dim)
    for _ in range(steps):
        opt.zero_grad()
        logp = torch.log_softmax(data.speech_scores(eye + A, idx) / TAU, 1)
        loss = -(logp * weight).sum(1).mean() + lam * (A ** 2).sum()
        loss.backward()
        opt.step()
    return (eye + A).detach()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", nargs="+", default=SPENT)
    ap.add_argument("--lam", type=float, nargs="+", default=[0.01])
    ap.add_argument("--cv", action="store_true", help="5-fold cross-validation only")
    ap.add_argument("--by", choices=("question", "writer"), default="question",
                    help="--cv folds: questions at random, or each writer's in one fold")
    ap.add_argument("--out", type=Path, default=ADAPTERS[DEFAULT_MODEL])
    args = ap.parse_args()
    import torch

    torch.manual_seed(0)
    data = Data(gather(args.split))
    n = len(data)
    rng = np.random.default_rng(0)
    print(f"{n} English questions", file=sys.stderr)
    if args.cv:
        folds = rng.permutation(n) % 5
        if args.by == "writer":
            writer = [qid.split("-")[0] for qid in data.ids]
            fold_of = {w: i % 5 for i, w in enumerate(rng.permutation(sorted(set(writer))))}
            folds = np.array([fold_of[w] for w in writer])
        eye = torch.eye(data.Q.shape[1])
        for lam in args.lam:
            base, new = np.zeros(n), np.zeros(n)
            for k in range(5):
                test = np.where(folds == k)[0]
                W = fit(data, np.where(folds != k)[0], lam)
                base[test], new[test] = data.recall(eye, test), data.recall(W, test)
            d = new - base
            boot = [d[rng.integers(0, n, n)].mean() for _ in range(2000)]
            print(f"lam {lam}: semantic recall@10 {base.mean():.3f} -> {new.mean():.3f}, "
                  f"{d.mean():+.3f} ({np.percentile(boot, 2.5):+.3f}, "
                  f"{np.percentile(boot, 97.5):+.3f})")
        return
    W = fit(data, np.arange(n), args.lam[0])
    np.save(args.out, W.numpy().astype(np.float32))
    print(f"wrote {args.out} (lam {args.lam[0]}, {n} questions)")


if __name__ == "__main__":
    main()

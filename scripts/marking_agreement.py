#!/usr/bin/env python3
"""How often the best sentence marked from build-time pooled sentence vectors (what search
uses) is the one that embedding each sentence on its own would mark (what it did before).

For the top-k hits of each benchmark question (scripts/bench_web.py's), over every stored
part with more than one sentence: the share where both pick the same sentence, the share
where the pooled pick is among the two best by separate embedding, and the mean cosine
given up (separate-embedding score of its best sentence minus that of the pooled pick).

Usage:
  python scripts/marking_agreement.py [--index PATH] [--backend torch] [-k 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "scripts"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="index name or path (default: the bundled one)")
    parser.add_argument("--backend", default="torch", help="torch, onnx or onnx-int8")
    parser.add_argument("-k", type=int, default=10)
    args = parser.parse_args()
    import diplosearch as ds
    from bench_web import QUESTIONS
    from diplosearch.embed.models import load_embedder
    from diplosearch.ingest.passages import sentence_spans

    model = load_embedder(backend=args.backend)
    idx = ds.open_index(args.index, model=model)
    same = top2 = parts = 0
    lost: list[float] = []
    for question in QUESTIONS:
        q = model.embed([question])[0]
        ids = [h.id for h in idx.search(question, k=args.k)]
        texts = [idx.passage(i).text for i in ids]
        texts = [t for t in texts if len(sentence_spans(t)) > 1]
        if not texts:
            continue
        spans = [sentence_spans(t) for t in texts]
        _, pooled = model.embed_spans(texts, spans)
        for text, ss, vectors in zip(texts, spans, pooled):
            alone = model.embed([text[s:e] for s, e in ss]) @ q
            pick, best = int(np.argmax(vectors @ q)), int(np.argmax(alone))
            parts += 1
            same += pick == best
            top2 += pick in np.argsort(-alone)[:2]
            lost.append(float(alone[best] - alone[pick]))
    print(f"parts with >1 sentence: {parts}; same sentence {100 * same / parts:.1f} %; "
          f"pooled pick in separate top 2 {100 * top2 / parts:.1f} %; "
          f"mean cosine given up {np.mean(lost):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

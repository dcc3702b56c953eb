#!/usr/bin/env python3
"""What the model should read before a resolution's passage: each variant's texts are
embedded, its vectors put in place of the stored ones over the same index, and the
resolutions sets' questions asked; paired differences against the passage alone, with 95 %
bootstrap intervals (scripts/data/ranking_variants.md, eleventh round).

    DIPLOSEARCH_HOME=<eval home> python scripts/context_variants.py \
        --kinds leadin window subject subject-leadin subject-window built \
        --split transfer transfer2 transfer3 transfer4 --lang en

Kinds (the text the model reads, the passage shown being unchanged):
  leadin          a subparagraph's or later part's section opening, then the passage
  window          the passage before, the passage, the passage after
  subject         the resolution's countries (CLDR names) the passage does not name, then it
  subject-leadin  both
  subject-window  the countries, then the window
  built           what `ingest.resolutions.contexts` gives (the UN's names and the lead-in)
Each kind is also tried averaged with the passage's own vector ("KIND+own").

The index should hold the passages alone (built before migration 012's contexts, or a
build of speeches); vectors are cached under --cache, one .npy per kind.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

import numpy as np

from diplosearch.embed.base import embed_all
from diplosearch.evaluate import load_questions, question_scores
from diplosearch.index import open_index
from diplosearch.ingest import resolutions
from diplosearch.store import vectors as vector_store
from diplosearch.text import mentions

DATA = Path(__file__).resolve().parent / "data"


def _cldr_subjects(by_doc: dict[int, list[str]]) -> dict[int, list[str]]:
    name_of: dict[str, str] = {}
    for name, code in sorted(mentions.english_names().items(), key=lambda item: len(item[0])):
        name_of.setdefault(code, name)
    out = {}
    for doc, texts in by_doc.items():
        counts = Counter(code for t in texts for code in set(mentions.places(t, "en")))
        out[doc] = [name_of[code].title() for code, n in counts.most_common(2)
                    if n >= 3 and n >= 0.15 * len(texts)]
    return out


def variant_texts(rows: list, kind: str) -> list[str]:
    """The text the model reads for each row (id, doc, position, section, text)."""
    by_doc: dict[int, list[str]] = {}
    for _, doc, _, _, text in rows:
        by_doc.setdefault(doc, []).append(text)
    if kind == "built":
        out = []
        for doc, texts in by_doc.items():
            sections = [r[3] for r in rows if r[1] == doc]
            out += [(c or "") + t for c, t in zip(resolutions.contexts(texts, sections), texts)]
        return out
    subjects = _cldr_subjects(by_doc) if kind.startswith("subject") else {}
    out = []
    for i, (_, doc, _, section, text) in enumerate(rows):
        prev = rows[i - 1] if i and rows[i - 1][1] == doc else None
        nxt = rows[i + 1] if i + 1 < len(rows) and rows[i + 1][1] == doc else None
        if kind.endswith("window"):
            body = "\n".join(r[4] for r in (prev, rows[i], nxt) if r is not None)
        elif kind.endswith("leadin"):
            j = i
            while section and j > 0 and rows[j - 1][1] == doc and rows[j - 1][3] == section:
                j -= 1
            body = text if j == i else rows[j][4] + "\n" + text
        else:
            body = text
        missing = [n for n in subjects.get(doc, [])
                   if n.lower() not in (body if kind == "subject-window" else text).lower()]
        out.append(", ".join(missing) + ": " + body if missing else body)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="devpool-unscres")
    ap.add_argument("--kinds", nargs="+", default=["built"])
    ap.add_argument("--split", nargs="+", default=["transfer", "transfer2", "transfer3", "transfer4"])
    ap.add_argument("--lang", nargs="+", default=["en"])
    ap.add_argument("--cache", type=Path, default=Path("context-vectors"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    idx = open_index(args.index)
    rows = idx.db.execute("SELECT id, doc_id, position, section, text FROM passages "
                          "ORDER BY doc_id, position").fetchall()
    ids = np.array([r[0] for r in rows], np.int64)
    own = idx.vectors.vectors_of(ids)
    args.cache.mkdir(parents=True, exist_ok=True)

    def vectors_of(kind: str) -> np.ndarray:
        path = args.cache / f"{args.index}-{kind}.npy"
        if path.exists():
            return np.load(path)
        texts = variant_texts(rows, kind)
        changed = [k for k, t in enumerate(texts) if t != rows[k][4]]
        out = own.copy()
        started = time.time()
        if changed:
            out[changed] = embed_all(idx.embedder, [texts[k] for k in changed], 64)
        print(f"{kind}: {len(changed)} passages embedded in {time.time() - started:.0f} s",
              flush=True)
        np.save(path, out)
        return out

    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    variants = {"own": lambda: own}
    for kind in args.kinds:
        variants[kind] = lambda k=kind: vectors_of(k)
        variants[kind + "+own"] = lambda k=kind: unit(vectors_of(k) + own)
    _ = idx.vectors                   # loaded once, then replaced by each variant's
    results: dict[str, dict[tuple, tuple[float, float]]] = {}
    for name, make in variants.items():
        idx._vectors = vector_store.VectorIndex(ids, make(), own.shape[1])
        for split in args.split:
            questions = load_questions(DATA / f"{split}_unscres.jsonl", split)
            for s in question_scores(idx, questions, args.lang, ["hybrid"]):
                results.setdefault(name, {})[(split, s.id, s.language)] = (s.recall, s.mrr)
        got = np.array(list(results[name].values()))
        print(f"{name}: recall@10 {got[:, 0].mean():.3f}, MRR@10 {got[:, 1].mean():.3f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({n: {"|".join(k): v for k, v in d.items()}
                                         for n, d in results.items()}))
    rng = np.random.default_rng(0)
    base = results["own"]
    for name in variants:
        if name == "own":
            continue
        for lang in args.lang:
            keys = [k for k in base if k[2] == lang]
            for j, what in ((0, "recall@10"), (1, "MRR@10")):
                d = np.array([results[name][k][j] - base[k][j] for k in keys])
                boot = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
                print(f"{name} {lang} {what}: {d.mean():+.3f} "
                      f"({np.percentile(boot, 2.5):+.3f}, {np.percentile(boot, 97.5):+.3f})")


if __name__ == "__main__":
    main()

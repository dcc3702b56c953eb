#!/usr/bin/env python3
"""Recall@10 per language on the multilingual dev set: the same 20 questions about the 2020
Security Council speeches in English, French, Spanish, Russian, Arabic and Chinese.

    python scripts/eval_multilingual.py --build            # index the 764 speeches first
    python scripts/eval_multilingual.py [--index NAME] [--mode semantic --mode hybrid]

Data (scripts/data/):
  - multilingual_dev.jsonl: one question per line, {"id", "questions": {lang: text},
    "relevant": [speech file names]}. The questions and their five translations were
    written for this set; relevance is per speech (document level): the speeches of the
    meetings named below that treat the question's subject, found by the question's key
    terms and checked by reading (notes/15a.md says how).
  - multilingual_dev_corpus.txt: the 764 speech files of the 33 meetings indexed, from
    ../shared/corpus/unsc_2020_pires/speeches_txt_2020.

    python scripts/eval_multilingual.py --beir-languages ../shared/beir/arguana

counts the languages that routing sees in a BEIR dataset: its test queries and its passages
as `diplosearch eval` splits them. All English: English questions on that index take
exactly the English model's path, so its scores cannot move.

Recall@10 of a question: of its relevant speeches (at most 10 counted), the share found
among the speeches of the top 10 passages. The aim: every language at >= 0.8 x English.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "scripts" / "data"
CORPUS = REPO.parent / "shared" / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
LANGS = ("en", "fr", "es", "ru", "ar", "zh")


def load_dev() -> list[dict]:
    with open(DATA / "multilingual_dev.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def recall_at(found: list[str], relevant: list[str], k: int = 10) -> float:
    return len(set(found[:k]) & set(relevant)) / min(len(relevant), k)


def evaluate(index, mode: str, k: int = 10) -> dict[str, float]:
    """Mean recall@k per language for one search mode."""
    out = {}
    for lang in LANGS:
        scores = []
        for q in load_dev():
            hits = index.search(q["questions"][lang], k=k, mode=mode)
            scores.append(recall_at([Path(h.source).name for h in hits], q["relevant"], k))
        out[lang] = sum(scores) / len(scores)
    return out


def build(name: str, multilingual: bool | None) -> None:
    from diplosearch.index import build_index

    files = [CORPUS / n for n in (DATA / "multilingual_dev_corpus.txt").read_text().split()]
    _, report = build_index(files, name, replace=True, multilingual=multilingual)
    print(f"built {name}: {report.passages_embedded} passages in {report.seconds:.1f} s",
          file=sys.stderr)


def beir_languages(folder: Path) -> None:
    from collections import Counter

    from diplosearch.embed.models import load_embedder
    from diplosearch.evaluate import _sources, load_beir
    from diplosearch.ingest.documents import to_passages
    from diplosearch.text.language import detect

    corpus, queries, qrels = load_beir(folder)
    embedder = load_embedder()
    passages: Counter[str] = Counter()
    for file, load in _sources(folder / "corpus.jsonl", corpus):
        for p in to_passages(load(file), embedder.count_tokens, embedder.max_tokens, 16):
            passages[detect(p.text)] += 1
    print(f"passages: {dict(passages)}")
    print(f"test queries: {dict(Counter(detect(queries[q]) for q in queries if q in qrels))}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", default="multilingual-dev", help="index name or path")
    ap.add_argument("--mode", action="append", choices=("semantic", "hybrid", "keyword"))
    ap.add_argument("--build", action="store_true", help="(re)build the index first")
    ap.add_argument("--no-multilingual", action="store_true",
                    help="with --build: the English vectors only (today's index)")
    ap.add_argument("--beir-languages", type=Path, metavar="DIR",
                    help="only count the languages of a BEIR dataset's passages and queries")
    args = ap.parse_args()
    if args.beir_languages:
        return beir_languages(args.beir_languages)
    if args.build:
        build(args.index, False if args.no_multilingual else None)
    from diplosearch.index import open_index

    index = open_index(args.index)
    print(f"index {args.index}: multilingual model "
          f"{index.manifest.multilingual_model or '(none)'}")
    print("mode      " + " ".join(f"{lang:>6}" for lang in LANGS) + "   min/en")
    for mode in args.mode or ["semantic", "hybrid"]:
        r = evaluate(index, mode)
        ratio = min(r.values()) / r["en"] if r["en"] else 0.0
        print(f"{mode:9s} " + " ".join(f"{r[lang]:6.3f}" for lang in LANGS) + f"   {ratio:.2f}")


if __name__ == "__main__":
    main()

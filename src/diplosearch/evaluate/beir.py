"""`diplosearch eval`: ranking quality on a BEIR-format dataset, per search mode.

Documents are indexed through the same pipeline as transcripts (passages, citations);
a document's score is its best passage's score. As BEIR does, a hit whose document id
equals the query id is dropped before scoring (ArguAna's queries are also documents).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..embed.models import embed_all, load_embedder
from ..errors import DiplosearchError, IndexNotFoundError, SourceError
from ..ingest.sources import SourceFile, SourceText
from ..retrieval import pipeline
from ..retrieval.filters import Filters
from .metrics import mrr_at, ndcg_at, recall_at

DEPTH = 300   # passages retrieved per query: enough to fill 100 distinct documents


@dataclass(frozen=True)
class ModeScores:
    mode: str
    ndcg_at_10: float
    mrr_at_10: float
    recall_at_100: float
    queries: int
    seconds: float


def load_beir(folder: Path) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, int]]]:
    """(corpus id → text, query id → text, qrels query id → {doc id: relevance})."""
    need = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]
    for path in need:
        if not path.is_file():
            raise SourceError(path, "missing: a BEIR folder has corpus.jsonl, queries.jsonl "
                                    "and qrels/test.tsv")
    corpus, queries = {}, {}
    for path, out, title in ((need[0], corpus, True), (need[1], queries, False)):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    text = rec["text"]
                    if title and rec.get("title"):
                        text = f"{rec['title']} {text}"   # as BEIR and MTEB join them
                    out[str(rec["_id"])] = text
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise SourceError(path, f"line {n}: not a BEIR record ({exc})") from None
    qrels: dict[str, dict[str, int]] = {}
    with open(need[2], encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            cols = line.rstrip("\n").split("\t")
            if n == 1 and cols[0] == "query-id":
                continue
            if len(cols) != 3 or not cols[2].lstrip("-").isdigit():
                raise SourceError(need[2], f"line {n}: expected query-id, corpus-id, score")
            qrels.setdefault(cols[0], {})[cols[1]] = int(cols[2])
    return corpus, queries, qrels


def _sources(corpus_path: Path, corpus: dict[str, str]) -> list:
    def load(file: SourceFile) -> SourceText:
        text = corpus[file.key]
        return SourceText(file, text, hashlib.sha256(text.encode()).hexdigest(), "utf-8", {})

    return [(SourceFile(Path(f"{corpus_path}#{doc_id}"), doc_id), load) for doc_id in corpus]


def prepare_index(dataset: Path, corpus: dict[str, str], index: str | None, model,
                  max_tokens: int | None, progress=None):
    """Open the eval index (default: `eval-<dataset>` under the index home), adding any
    document that is new or changed; build it if it does not exist."""
    from ..index import build_from_sources, open_index

    embedder = model if hasattr(model, "embed") else load_embedder(model)
    name = index or f"eval-{dataset.resolve().name}"
    items = _sources(dataset / "corpus.jsonl", corpus)
    try:
        idx = open_index(name, embedder)
    except IndexNotFoundError:
        idx, _ = build_from_sources(items, name, embedder, progress=progress,
                                    max_tokens=max_tokens or embedder.max_tokens)
        return idx
    idx.add_sources(items, progress)
    return idx


def evaluate(dataset: str | Path, modes=("semantic", "keyword", "hybrid"), fusion: str = "score",
             index: str | None = None, model=None, max_tokens: int | None = None,
             limit: int | None = None, progress: Callable[[str, int], None] | None = None
             ) -> list[ModeScores]:
    """nDCG@10, MRR@10 and Recall@100 of each mode on a BEIR dataset's test qrels.

    Args:
        dataset: folder with corpus.jsonl, queries.jsonl, qrels/test.tsv.
        modes: search modes to score.
        fusion: fusion for hybrid mode ("score" or "rrf").
        index: eval index name or path (default `eval-<folder name>`), reused across runs.
        model: embedding model (default: the bundled all-MiniLM-L6-v2).
        max_tokens: passage budget (default: the model's limit, as published BEIR runs
            truncate documents there rather than splitting them).
        limit: score only the first N queries (for a quick look).
        progress: callback(kind, n) as for builds, plus ("queries", total) / ("query", 1).
    """
    dataset = Path(dataset)
    corpus, queries, qrels = load_beir(dataset)
    idx = prepare_index(dataset, corpus, index, model, max_tokens, progress)
    qids = [q for q in queries if q in qrels][:limit]
    if not qids:
        raise DiplosearchError(f"{dataset}: no query in queries.jsonl has a qrels entry")
    doc_of = dict(idx.db.execute("SELECT p.id, d.key FROM passages p JOIN documents d "
                                 "ON d.id = p.doc_id").fetchall())
    qvecs = embed_all(idx.embedder, [queries[q] for q in qids]) \
        if any(m != "keyword" for m in modes) else None
    results = []
    for mode in modes:
        started = time.perf_counter()
        opts = pipeline.SearchOptions(mode=mode, fusion=fusion, filters=Filters())
        if progress:
            progress("queries", len(qids))
        totals = [0.0, 0.0, 0.0]
        for n, qid in enumerate(qids):
            qvec = qvecs[n:n + 1] if qvecs is not None else None
            pairs = pipeline.ranked(idx, queries[qid][:pipeline.MAX_QUERY_CHARS], qvec, DEPTH, opts)
            docs = list(dict.fromkeys(doc_of[p] for p, _ in pairs if doc_of.get(p) != qid))
            for i, metric in enumerate((ndcg_at, mrr_at, recall_at)):
                totals[i] += metric(docs, qrels[qid])
            if progress:
                progress("query", 1)
        results.append(ModeScores(mode, *(t / len(qids) for t in totals), len(qids),
                                  time.perf_counter() - started))
    return results


def as_dicts(results: list[ModeScores]) -> list[dict]:
    return [asdict(r) for r in results]

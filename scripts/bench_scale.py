"""Scale benchmark: a synthetic index of N passages (default 1,000,000; clustered unit
vectors, realistic metadata, and text drawn from real UN General Debate paragraphs; no
model) built through the library's
segment + transaction writers. Prints, all measured in this one run:

  time to add N, ANN build time, recall@10 vs exact (200 queries), vector search p50/p95
  unfiltered and with a 1 % country filter (checking k come back), the same through the
  API (semantic mode, query vector given), RSS of a fresh reader process after loading and
  searching, disk size, memory per passage, and the cost of adding 1,000 passages to the
  N index vs to a 10k index.

  --latency: warm API latency (semantic, keyword, hybrid) at 10k and 100k passages, with
  the real query model when it loads (else a fixed vector, said so).

Usage: python scripts/bench_scale.py [--n 1000000] [--latency] [--latency-only] [--texts DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from diplosearch.store import ann, vectors
from diplosearch.scale import synthetic
from diplosearch.index import Index

K = 10
CHUNK = 100_000


class QueueEmbedder:
    """Returns the next prepared query vector: times search, not the model."""

    name, max_tokens = "sentence-transformers/all-MiniLM-L6-v2", 128

    def __init__(self, queries: np.ndarray) -> None:
        self.queries, self.dimension, self.i = queries, queries.shape[1], 0

    def embed(self, texts):
        out = self.queries[[(self.i + j) % len(self.queries) for j in range(len(texts))]]
        self.i += len(texts)
        return out

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]


def pct(xs: list[float]) -> str:
    a = np.array(xs) * 1000
    return f"p50 {np.percentile(a, 50):6.2f} ms  p95 {np.percentile(a, 95):6.2f} ms"


SPREAD = 1.0   # noise norm per unit centre: the 10th neighbour's cosine is ~0.55, as for MiniLM
# Passage text: paragraphs of the UN General Debate, drawn at random (real word frequencies,
# so keyword search does realistic work); --texts vocabulary for twelve words of a tiny one.
GENERAL_DEBATE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ungdc_2015_2024"
TEXTS: list[str] | None = None


def build(path: Path, n: int, dim: int, cents: np.ndarray, seed: int,
          index_type: str = "auto") -> tuple[float, object]:
    rng = np.random.default_rng(seed)
    manifest = synthetic.create(path, dim, index_type=index_type)
    t = time.perf_counter()
    for start in range(0, n, CHUNK):
        vecs = synthetic.clustered(min(CHUNK, n - start), dim, cents, rng, SPREAD)
        # the last chunk's add runs the post-write checks (and builds the ANN when due)
        synthetic.add(path, manifest, vecs, rng, maintain=start + CHUNK >= n, texts=TEXTS)
    return time.perf_counter() - t, manifest


def exact_top(path: Path, db, dim: int, queries: np.ndarray, k: int) -> list[set]:
    best_s = np.full((len(queries), 0), -np.inf, np.float32)
    best_i = np.zeros((len(queries), 0), np.int64)
    for _, name, rows in db.execute("SELECT id, file, rows FROM segments").fetchall():
        ids, mat = vectors.map_segment(vectors.segment_path(path, name), dim, rows)
        s = queries @ np.asarray(mat).T
        s = np.concatenate([best_s, s], 1)
        i = np.concatenate([best_i, np.broadcast_to(ids, (len(queries), len(ids)))], 1)
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(s, top, 1), np.take_along_axis(i, top, 1)
    print(f"exact 10th-neighbour cosine, mean over queries: {best_s.min(axis=1).mean():.3f} "
          f"(clusters' spread {SPREAD})")
    return [set(r.tolist()) for r in best_i]


READER = r"""
import json, sys, time, numpy as np
from diplosearch.index import Index
sys.path.insert(0, sys.argv[3])
from bench_scale import QueueEmbedder
q = np.load(sys.argv[2])
idx = Index(sys.argv[1], QueueEmbedder(q))
t = time.perf_counter(); v = idx.vectors; load = time.perf_counter() - t
for i in range(len(q)):
    idx.search("q", k=10, mode="semantic")
    idx.search("q", k=10, mode="semantic", country="Kenya")
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
print(json.dumps({"load_s": load, "rss": status["VmRSS"].strip(), "hwm": status["VmHWM"].strip(),
                  "anon": status["RssAnon"].strip(), "file": status["RssFile"].strip(),
                  "kind": type(v).__name__}))
"""


def fresh_reader(path: Path, queries: np.ndarray) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "q.npy", queries[:50])
        out = subprocess.run([sys.executable, "-c", READER, str(path), str(Path(tmp) / "q.npy"),
                              str(Path(__file__).parent)], capture_output=True, text=True,
                             check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def disk(path: Path) -> dict[str, int]:
    sizes = {"segments": 0, "ann": 0, "sqlite": 0, "other": 0}
    for f in path.rglob("*"):
        if f.is_file():
            key = "segments" if f.name.startswith("seg-") else "ann" if f.name.startswith(
                "ann-") else "sqlite" if "sqlite" in f.name else "other"
            sizes[key] += f.stat().st_size
    return sizes


def add_cost(path: Path, manifest, dim: int, cents: np.ndarray, rounds: int = 3) -> float:
    """Median seconds to add 1,000 passages (a fresh segment and transaction each time)."""
    rng = np.random.default_rng(99)
    times = []
    for _ in range(rounds):
        vecs = synthetic.clustered(1000, dim, cents, rng, SPREAD)
        t = time.perf_counter()
        synthetic.add(path, manifest, vecs, rng, texts=TEXTS)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def scale(args, work: Path) -> None:
    dim, n = args.dim, args.n
    cents = synthetic.centers(1000, dim)
    path = work / f"scale-{n}"
    secs, manifest = build(path, n, dim, cents, seed=1)
    print(f"passages: {n:,} x {dim} dims (1,000 Gaussian clusters), {n // 40:,} documents")
    print(f"time to add {n:,} (segments + SQLite/FTS5 rows, 100k per commit, then ANN): "
          f"{secs:.1f} s")
    idx = Index(path, QueueEmbedder(synthetic.clustered(args.queries, dim, cents,
                                                        np.random.default_rng(7), SPREAD)))
    kind = ann.ann_state(idx.db).get("ann_kind", "flat")
    if kind != "flat":
        t = time.perf_counter()
        idx.optimize()
        print(f"ANN ({kind}) rebuild time (`index optimize`): {time.perf_counter() - t:.1f} s")
    print(f"search structure: {kind} (index_type auto; ANN from {ann.AUTO_THRESHOLD:,})")
    queries = idx.embedder.queries
    t = time.perf_counter()
    v = idx.vectors
    print(f"reader load in this process: {time.perf_counter() - t:.2f} s")
    truth = exact_top(path, idx.db, dim, queries, K)
    lat, hits = [], []
    for q in queries:
        t = time.perf_counter()
        _, got = v.search(q[None, :], K)
        lat.append(time.perf_counter() - t)
        hits.append(got[0])
    recall = np.mean([len(set(h.tolist()) & tr) / K for h, tr in zip(hits, truth)])
    print(f"recall@10 vs exact ({len(queries)} queries): {recall:.4f}")
    print(f"vector search, unfiltered:          {pct(lat)}")
    countries = synthetic.COUNTRIES[:len(queries)]
    lat, short = [], 0
    for q, c in zip(queries, countries * 10):
        t = time.perf_counter()
        res = idx.search("q", k=K, mode="semantic", country=c)
        lat.append(time.perf_counter() - t)
        short += len(res) < K
    allowed = idx.db.execute("SELECT COUNT(*) FROM passages WHERE affiliation = ?",
                             (countries[0],)).fetchone()[0]
    print(f"API semantic, 1 % country filter ({allowed:,} passages allowed): {pct(lat)}; "
          f"queries with < {K} hits: {short}")
    lat = []
    for q in queries:
        t = time.perf_counter()
        idx.search("q", k=K, mode="semantic")
        lat.append(time.perf_counter() - t)
    print(f"API semantic, unfiltered:           {pct(lat)}")
    r = fresh_reader(path, queries)
    rss_kb = int(r["rss"].split()[0])
    print(f"fresh reader process ({r['kind']}) after 50 + 50 filtered searches: load "
          f"{r['load_s']:.2f} s, RSS {r['rss']} (anonymous {r['anon']}, file-backed {r['file']}),"
          f" peak RSS {r['hwm']} (during load); {rss_kb * 1024 / n:.0f} bytes per passage (RSS)")
    d = disk(path)
    print(f"disk: {sum(d.values()) / 2**20:,.0f} MiB total; " + ", ".join(
        f"{k} {val / 2**20:,.0f} MiB" for k, val in d.items()) +
        f"; ANN {d['ann'] / n:.0f} bytes per passage")
    big = add_cost(path, manifest, dim, cents)
    small_path = work / "scale-10k"
    _, small_manifest = build(small_path, 10_000, dim, cents, seed=2)
    small = add_cost(small_path, small_manifest, dim, cents)
    print(f"add 1,000 passages (median of 3): to {n:,}: {big * 1000:.0f} ms; to 10,000: "
          f"{small * 1000:.0f} ms;"
          f" ratio {big / small:.2f}")
    idx.close()


QUERIES = ["sanctions on terrorism financing", "protection of civilians in peacekeeping",
           "climate security and the region", "women peace and security resolution",
           "humanitarian access ceasefire", "nuclear disarmament dialogue",
           "electoral transition mission mandate", "accountability for refugees crisis"]


def latency(args, work: Path) -> None:
    try:
        from diplosearch.embed.models import load_embedder
        emb = load_embedder(None)
        emb.embed(["warm up"])
        which = f"real query model ({emb.name})"
    except Exception as exc:  # noqa: BLE001 - fall back, and say so
        emb, which = None, f"fixed query vectors (model did not load: {exc})"
    cents = synthetic.centers(1000, 384)
    for n in (10_000, 100_000):
        path = work / f"lat-{n}"
        build(path, n, 384, cents, seed=3)
        idx = Index(path, emb or QueueEmbedder(synthetic.clustered(
            64, 384, cents, np.random.default_rng(5), SPREAD)))
        idx.search(QUERIES[0], mode="hybrid")          # load vectors, warm caches
        for mode in ("semantic", "keyword", "hybrid"):
            lat = []
            for i in range(args.latency_queries):
                t = time.perf_counter()
                idx.search(QUERIES[i % len(QUERIES)], k=K, mode=mode)
                lat.append(time.perf_counter() - t)
            print(f"warm API latency, {n:>7,} passages, {mode:8s}: {pct(lat)}  [{which}]")
        idx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--latency", action="store_true", help="also warm latency at 10k/100k")
    ap.add_argument("--latency-only", action="store_true")
    ap.add_argument("--latency-queries", type=int, default=100)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--spread", type=float, default=1.0,
                    help="noise norm around each cluster centre (1.0: MiniLM-like cosines)")
    ap.add_argument("--texts", default=str(GENERAL_DEBATE),
                    help="folder of .txt files whose paragraphs become the passages' text, or "
                         "'vocabulary' for twelve words of a 30-word vocabulary (default: the "
                         "General Debate corpus in ../shared)")
    args = ap.parse_args()
    globals()["SPREAD"] = args.spread
    if args.texts != "vocabulary":
        globals()["TEXTS"] = synthetic.paragraphs(Path(args.texts))
        if not TEXTS:
            ap.error(f"{args.texts}: no paragraphs found (give a folder of .txt files, "
                     "or --texts vocabulary)")
    print(f"passage text: {f'{len(TEXTS):,} paragraphs from {args.texts}' if TEXTS else 'vocabulary'}")
    work = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.workdir))
    print(f"cpus: {os.cpu_count()}, faiss threads: default; work dir {work}")
    try:
        if not args.latency_only:
            scale(args, work)
        if args.latency or args.latency_only:
            latency(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

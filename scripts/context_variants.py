"""Scratch: resolution paragraphs embedded with their context (window / lead-in), replacing
or averaged with their own vectors; English questions of the spent resolutions sets."""
import json, os, sys, time
import numpy as np
from diplosearch.evaluate import load_questions, question_scores
from diplosearch.index import open_index
from diplosearch.embed.base import embed_all
from diplosearch.store import vectors as V

idx = open_index("devpool-unscres")
rows = idx.db.execute("SELECT id, doc_id, position, section, text FROM passages ORDER BY doc_id, position").fetchall()
ids = np.array([r[0] for r in rows], np.int64)
own = idx.vectors.vectors_of(ids)
print(len(rows), own.shape, flush=True)

def texts(kind):
    out = []
    for i, (pid, doc, pos, sec, text) in enumerate(rows):
        prev = rows[i - 1] if i and rows[i - 1][1] == doc else None
        nxt = rows[i + 1] if i + 1 < len(rows) and rows[i + 1][1] == doc else None
        if kind == "window":
            out.append("\n".join(r[4] for r in (prev, rows[i], nxt) if r is not None))
        elif kind == "leadin":
            j = i
            while sec and j > 0 and rows[j - 1][1] == doc and rows[j - 1][3] == sec:
                j -= 1
            out.append(text if j == i else rows[j][4] + "\n" + text)
        elif kind == "code":
            out.append(CODE[i] + text if CODE[i] else text)
        elif kind == "subject-window":
            subj = SUBJECTS.get(doc, [])
            win = "\n".join(r[4] for r in (prev, rows[i], nxt) if r is not None)
            miss = [n for n in subj if n.lower() not in win.lower()]
            out.append(", ".join(miss) + ": " + win if miss else win)
        elif kind in ("subject", "subject-leadin"):
            subj = SUBJECTS.get(doc, [])
            miss = [n for n in subj if n.lower() not in text.lower()]
            base = text
            if kind == "subject-leadin":
                j = i
                while sec and j > 0 and rows[j - 1][1] == doc and rows[j - 1][3] == sec:
                    j -= 1
                base = text if j == i else rows[j][4] + "\n" + text
            out.append(", ".join(miss) + ": " + base if miss else base)
        elif kind == "prev":
            out.append("\n".join(r[4] for r in (prev, rows[i]) if r is not None))
    return out

from collections import Counter
from diplosearch.text import mentions
NAME = {}
for name, code in sorted(mentions.english_names().items(), key=lambda x: len(x[0])):
    NAME.setdefault(code, name)
SUBJECTS = {}
bydoc = {}
for pid, doc, pos, sec, text in rows:
    bydoc.setdefault(doc, []).append(text)
for doc, ts in bydoc.items():
    c = Counter(code for t in ts for code in set(mentions.places(t, "en")))
    top = [(code, n) for code, n in c.most_common(2) if n >= 3 and n >= 0.15 * len(ts)]
    SUBJECTS[doc] = [NAME[code].title() for code, n in top]
import random
print(random.Random(1).sample(sorted(SUBJECTS.items()), 15), sum(bool(v) for v in SUBJECTS.values()), len(SUBJECTS), flush=True)
if os.environ.get("SUBJ_ONLY"): sys.exit()
from diplosearch.ingest import resolutions as R
CODE = []
for doc, ts in bydoc.items():
    secs = [r[3] for r in rows if r[1] == doc]
    CODE.extend(R.contexts(ts, secs))
assert len(CODE) == len(rows)
print("code subjects", sum(bool(R._subjects(ts)) for ts in bydoc.values()), flush=True)
cache = {}
def vecs(kind):
    f = f"/tmp/s11/vec_{kind}.npy"
    if os.path.exists(f):
        return np.load(f)
    t = texts(kind)
    changed = [k for k, x in enumerate(t) if x != rows[k][4]]
    out = own.copy()
    t0 = time.time()
    if changed:
        out[changed] = embed_all(idx.embedder, [t[k] for k in changed], 64)
    print(kind, len(changed), "embedded in", round(time.time() - t0), "s", flush=True)
    np.save(f, out)
    return out

def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)

variants = {"own": lambda: own}
for kind in sys.argv[1].split(","):
    variants[kind] = (lambda k=kind: vecs(k))
    variants[kind + "+own"] = (lambda k=kind: unit(vecs(k) + own))

splits = [("transfer", "transfer_unscres.jsonl"), ("transfer2", "transfer2_unscres.jsonl"),
          ("transfer3", "transfer3_unscres.jsonl"), ("transfer4", "transfer4_unscres.jsonl")]
langs = sys.argv[2].split(",") if len(sys.argv) > 2 else ["en"]
res = {}
_ = idx.vectors
for name, make in variants.items():
    idx._vectors = V.VectorIndex(ids, make(), own.shape[1])
    for split, f in splits:
        qs = load_questions(f"/work/main/scripts/data/{f}", split)
        sc = question_scores(idx, qs, langs, ["hybrid"])
        for x in sc:
            res.setdefault(name, {})[(split, x.id, x.language)] = (x.recall, x.mrr)
    r = np.array([v[0] for v in res[name].values()]); m = np.array([v[1] for v in res[name].values()])
    print(name, f"recall {r.mean():.3f} mrr {m.mean():.3f}", flush=True)
json.dump({n: {"|".join(k): v for k, v in d.items()} for n, d in res.items()}, open("/work/notes/s11/win_exp.json", "w"))
rng = np.random.default_rng(0)
base = res["own"]
for name in variants:
    if name == "own":
        continue
    for lang in langs:
        for split in [s for s, _ in splits] + ["all"]:
            keys = [k for k in base if k[2] == lang and (split == "all" or k[0] == split)]
            for j, what in ((0, "recall"), (1, "mrr")):
                d = np.array([res[name][k][j] - base[k][j] for k in keys])
                b = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(2000)]
                print(name, lang, split, what, f"{np.mean([base[k][j] for k in keys]):.3f} {d.mean():+.3f} ({np.percentile(b,2.5):+.3f}, {np.percentile(b,97.5):+.3f})")

"""Synthetic indexes for benchmarks and tests: clustered unit vectors (recall on uniform
random vectors means nothing) with realistic UN metadata and short text, written through
the same segment + one-transaction + manifest protocol as `index add`, with no model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..store import database, recovery, vectors
from ..store.locking import writer_lock
from ..store.manifest import Manifest, write_manifest

COUNTRIES = ["France", "China", "Russian Federation", "United Kingdom", "United States",
             "Germany", "Brazil", "India", "South Africa", "Kenya", "Mexico", "Japan",
             "Indonesia", "Norway", "Viet Nam", "Estonia", "Niger", "Tunisia", "Ireland",
             "Saint Vincent and the Grenadines"] + [f"Member State {i}" for i in range(80)]
BODIES = ["Security Council", "General Assembly", "Human Rights Council", "ECOSOC"]
WORDS = ["peace", "security", "council", "resolution", "sanctions", "humanitarian", "ceasefire", "mandate", "peacekeeping", "terrorism", "climate", "women", "children", "refugees", "sovereignty", "dialogue", "mission", "electoral", "transition", "accountability", "protection", "civilians", "cooperation", "development", "nuclear", "disarmament", "ceasefire", "region", "crisis", "support", "delegation"]


def clustered(n: int, dimension: int, centers: np.ndarray, rng: np.random.Generator,
              spread: float = 0.35) -> np.ndarray:
    """n unit vectors around random `centers` (Gaussian noise of `spread` per unit norm)."""
    v = centers[rng.integers(0, len(centers), n)]
    v = v + rng.normal(scale=spread / np.sqrt(dimension), size=(n, dimension)).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def centers(k: int, dimension: int, seed: int = 0) -> np.ndarray:
    c = np.random.default_rng(seed).normal(size=(k, dimension)).astype(np.float32)
    return c / np.linalg.norm(c, axis=1, keepdims=True)


def create(path: Path, dimension: int = 384, model: str = "sentence-transformers/all-MiniLM-L6-v2",
           index_type: str = "auto") -> Manifest:
    """An empty index at `path` (database, identity, manifest)."""
    path.mkdir(parents=True)
    db = database.create(path)
    now = database.now()
    manifest = Manifest(model=model, dimension=dimension, max_tokens=128, min_tokens=16,
                        created_at=now, updated_at=now, index_type=index_type)
    with database.transaction(db):
        database.set_state(db, "index_type", index_type)
    recovery.record_identity(db, manifest)
    recovery.sync_manifest(path, db, manifest)
    db.close()
    write_manifest(path, manifest)
    return manifest


def add(path: Path, manifest: Manifest, vecs: np.ndarray, rng: np.random.Generator,
        per_doc: int = 40, maintain: bool = True, texts: Sequence[str] | None = None
        ) -> np.ndarray:
    """Append `vecs` as new passages (documents of `per_doc` passages): one segment, one
    transaction, manifest, then what `index add` does after its commits (compaction and
    ANN checks, see `writer.refresh_ann`) unless `maintain` is False. Returns the ids.

    Each passage's text is drawn from `texts` (see `paragraphs`) when given, so keyword
    search meets real word frequencies; else it is twelve words of a small vocabulary."""
    with writer_lock(path):
        db = recovery.open_for_writing(path, manifest)
        try:
            next_id = int(database.get_state(db, "next_passage_id"))
            ids = np.arange(next_id, next_id + len(vecs), dtype=np.int64)
            name, sha = vectors.write_segment(path, ids, vecs)
            with database.transaction(db):
                seg_id = database.add_segment(db, name, len(ids), sha)
                _rows(db, ids, seg_id, rng, per_doc, texts)
                database.set_state(db, "next_passage_id", next_id + len(ids))
                database.set_state(db, "generation", int(database.get_state(db, "generation")) + 1)
            recovery.sync_manifest(path, db, manifest)
            if maintain:
                from ..store import writer

                writer.compact(path, db, manifest)
                writer.refresh_ann(path, db, manifest)
        finally:
            db.close()
    return ids


def paragraphs(folder: Path, min_words: int = 9) -> list[str]:
    """The paragraphs (lines of `min_words` or more) of the .txt files under `folder`, e.g.
    the UN General Debate corpus: real text for synthetic passages."""
    out: list[str] = []
    for f in sorted(folder.rglob("*.txt")):
        text = f.read_bytes().decode("utf-8", "replace")
        out += [line.strip() for line in text.splitlines() if len(line.split()) >= min_words]
    return out


def _rows(db, ids: np.ndarray, seg_id: int, rng: np.random.Generator, per_doc: int,
          texts: Sequence[str] | None = None) -> None:
    n = len(ids)
    country = rng.integers(0, len(COUNTRIES), n)
    words = rng.integers(0, len(WORDS), (n, 12))
    drawn = rng.integers(0, len(texts), n) if texts else None
    for start in range(0, n, per_doc):
        doc_ids = ids[start:start + per_doc]
        first = int(doc_ids[0])
        body = BODIES[first % len(BODIES)]
        date = f"{2000 + first % 25}-{1 + first % 12:02d}-{1 + first % 28:02d}"
        symbol = f"S/PV.{first}"
        meta = {"symbol": symbol, "date": date, "body": body}
        cur = db.execute("INSERT INTO documents (key, path, symbol, sha256, encoding, metadata, "
                         "indexed_at, date, body) VALUES (?, NULL, ?, ?, 'utf-8', ?, ?, ?, ?)",
                         (f"synthetic/{first}.txt", symbol, f"{first:064x}",
                          json.dumps(meta), database.now(), date, body))
        doc = int(cur.lastrowid)
        rows = []
        for j, pid in enumerate(doc_ids.tolist()):
            i = start + j
            c = COUNTRIES[country[i]]
            text = texts[drawn[i]] if drawn is not None else \
                f"The representative of {c} said: " + " ".join(WORDS[w] for w in words[i])
            rows.append((pid, doc, seg_id, j, text, f"{pid:064x}", j + 1, j + 1, 1, 1,
                         f"Speaker {country[i]}-{pid % 7}", c, None, "en", j, 1,
                         1, 1, 0, len(text), None))
        db.executemany(
            "INSERT INTO passages (id, doc_id, segment_id, position, text, text_sha256, "
            "paragraph, paragraph_end, part, parts, speaker, affiliation, role, language, "
            "statement, page, line_start, line_end, char_start, char_end, section) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

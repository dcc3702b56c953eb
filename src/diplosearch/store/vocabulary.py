"""The index's English words, each with a vector from the multilingual model: what a
question in another language is glossed into (`retrieval.gloss`).

Table `english_words` (migration 010): every word of the English passages
(`text.glosswords.english_words`) with how many times it was written; a word written
`MIN_COUNT` times or more gets a float16 vector from the multilingual model, once. A
build counts the words of the passages it adds inside the transaction that adds them,
and embeds the words that reached `MIN_COUNT` at its end (`embed_missing`): growing an
index embeds only its new words. Counts only grow: a removed document's words stay,
harmless (a gloss word that no passage holds matches nothing).

Size: about 1.5 KiB per embedded word on disk. The 1,600 Security Council speeches of 2020
hold 8,400 English words written three times or more (~9 s to embed on two cores), the
bundled index 2,801; vocabularies grow far slower than text (Heaps' law: about with the
square root of its length), so a million-paragraph index holds some tens of thousands, and
a search holds at most the `MAX_WORDS` most written in memory.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from ..text.glosswords import FUNCTION_WORDS, english_words

TABLE = "english_words"
DTYPE = np.dtype("<f2")
MIN_COUNT = 3        # a word written fewer times is a name's misspelling or an OCR slip
MAX_WORDS = 50_000   # the most written ones a search holds in memory (~100 MB as float32)
BATCH = 2048         # words embedded per transaction


def count(db: sqlite3.Connection, texts: Iterable[str]) -> None:
    """Add the words of English passages `texts` to the counts (in the caller's transaction)."""
    seen: Counter[str] = Counter()
    for text in texts:
        seen.update(english_words(text))
    if seen:
        db.executemany(f"INSERT INTO {TABLE} (word, count) VALUES (?, ?) ON CONFLICT(word) "
                       "DO UPDATE SET count = count + excluded.count", seen.items())


def is_empty(db: sqlite3.Connection) -> bool:
    return db.execute(f"SELECT 1 FROM {TABLE} LIMIT 1").fetchone() is None


def backfill(db: sqlite3.Connection) -> bool:
    """Count the words of every English passage (as the multilingual vectors call them) if
    the table is empty but passages are not: an index made before it. Returns whether it
    counted."""
    if not is_empty(db) or db.execute("SELECT 1 FROM passages LIMIT 1").fetchone() is None:
        return False
    with db:
        count_all(db, (r[0] for r in db.execute(
            "SELECT passage_id FROM multilingual_vectors WHERE lang = 'en'")))
    return True


def count_all(db: sqlite3.Connection, english_ids: Iterable[int] | None = None,
              chunk: int = 5000) -> None:
    """Count the words of every English passage (in the caller's transaction). With
    `english_ids`, only those passages."""
    wanted = None if english_ids is None else set(english_ids)
    cur = db.cursor()
    cur.row_factory = None
    rows = cur.execute("SELECT id, text FROM passages ORDER BY id")
    while batch := rows.fetchmany(chunk):
        count(db, (text for pid, text in batch if wanted is None or pid in wanted))


def missing(db: sqlite3.Connection) -> list[str]:
    """Words written `MIN_COUNT` times or more that have no vector yet."""
    return [r[0] for r in db.execute(
        f"SELECT word FROM {TABLE} WHERE vector IS NULL AND count >= ? ORDER BY word",
        (MIN_COUNT,))]


def embed_missing(db: sqlite3.Connection, embedder,
                  on_batch: Callable[[int], None] | None = None) -> int:
    """Give every word that lacks one its vector, a batch per transaction (a kill loses at
    most one batch; the next build goes on). Returns how many words were embedded."""
    words = missing(db)
    for start in range(0, len(words), BATCH):
        part = words[start:start + BATCH]
        vecs = np.ascontiguousarray(embedder.embed(part), dtype=DTYPE)
        with db:
            db.executemany(f"UPDATE {TABLE} SET vector = ? WHERE word = ?",
                           ((row.tobytes(), word) for row, word in zip(vecs, part)))
        if on_batch:
            on_batch(len(part))
    return len(words)


def capitalised(db: sqlite3.Connection, word: str, sample: int = 30) -> float:
    """How often `word` is written with a capital in the passages that hold it, 0 to 1,
    over at most `sample` of them (0 for a word none holds): a name's share is near 1, a
    common word's about its share of sentence openings."""
    rows = db.execute("SELECT p.text FROM passages_fts f JOIN passages p ON p.id = f.rowid "
                      "WHERE passages_fts MATCH ? LIMIT ?",
                      ('"' + word.replace('"', '') + '"', sample)).fetchall()
    found = [m.group(0) for (text,) in rows
             for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)]
    return sum(w[0].isupper() for w in found) / len(found) if found else 0.0


def counted(db: sqlite3.Connection) -> bool:
    """Whether the index keeps its English words (an index made before migration 010, or
    not yet upgraded, does not)."""
    try:
        return not is_empty(db)
    except sqlite3.OperationalError:
        return False


def embedded(db: sqlite3.Connection) -> int:
    try:
        return int(db.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE vector IS NOT NULL")
                   .fetchone()[0])
    except sqlite3.OperationalError:   # an index from before migration 010
        return 0


class WordVectors:
    """The embedded words in memory, and the function words' vectors beside them: a
    question's word closest to a function word glosses into nothing."""

    def __init__(self, words: list[str], matrix: np.ndarray) -> None:
        self.words = words
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.positions = {w: j for j, w in enumerate(words)}       # word → its row
        self.is_function_word = np.array([w in FUNCTION_WORDS for w in words], dtype=bool)

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def load(cls, db: sqlite3.Connection, embedder, dimension: int) -> WordVectors:
        """The `MAX_WORDS` most written embedded words (none for an index from before
        migration 010)."""
        cur = db.cursor()
        cur.row_factory = None
        try:
            rows = cur.execute(f"SELECT word, vector FROM {TABLE} WHERE vector IS NOT NULL "
                               "ORDER BY count DESC, word LIMIT ?", (MAX_WORDS,)).fetchall()
        except sqlite3.OperationalError:
            rows = []
        if not rows:
            return cls([], np.zeros((0, dimension), np.float32))
        stop = sorted(FUNCTION_WORDS)
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=DTYPE).reshape(len(rows), -1)
        return cls([r[0] for r in rows] + stop,
                   np.vstack([matrix.astype(np.float32), _function_vectors(embedder, stop)]))


_FUNCTION_VECTORS: dict[str, np.ndarray] = {}


def _function_vectors(embedder, stop: list[str]) -> np.ndarray:
    name = getattr(embedder, "name", "")
    if name not in _FUNCTION_VECTORS:
        _FUNCTION_VECTORS[name] = np.asarray(embedder.embed(stop), dtype=np.float32)
    return _FUNCTION_VECTORS[name]

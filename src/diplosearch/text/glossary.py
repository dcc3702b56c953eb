"""A glossary of the words of English UN records in the five other official languages.

The word-by-word gloss (`retrieval.gloss`) finds each word of a question's English
meaning through the multilingual model, which places UN terms poorly: "الجزاءات"
(sanctions) lands nearest "breaching", "حق النقض" (veto) nearest "rights-based", "наемники"
(mercenaries) nearest "combatants". This glossary says it instead, where it holds the word.

`glossary.tsv` lists the English words and two-word terms used in at least eight passages of
the two bundled corpora (the 2020 Security Council speeches and the General Debate of 2023
and 2024; names left out), each with the usual translations of UN documents in French,
Spanish, Russian, Arabic and Chinese. It was written for diplosearch (issue 18), from that
list of words alone, and is under the project's licence.

A question is matched against it phrase by phrase, longest first: words are compared by
their Snowball stems (Arabic after its marks are taken out and its letter forms unified),
Chinese by its characters. `matches` returns the English words of each phrase found and
where the phrase stands in the question.

`glossary_names.tsv` does the same for the corpora's names that CLDR's country names
(`text.mentions`) leave out: places, missions and bodies, peoples and their adjectives,
people, agreements ("Abyei", "MONUSCO", "Rohingya", "Syrian", "Guterres"), listed by
`scripts/glossary_names.py` from the names written in at least four speeches, and written in
the five languages the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import stemmers
from .stemmers import ARABIC_FORMS
from .wordsplit import ARABIC_MARKS

GLOSSARY = Path(__file__).with_name("glossary.tsv")
NAMES = Path(__file__).with_name("glossary_names.tsv")
LANGUAGES = ("fr", "es", "ru", "ar", "zh")
_COLUMNS = ("en", *LANGUAGES)
_SNOWBALL = {"fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
_ARABIC_MARKS = re.compile(ARABIC_MARKS)   # as the keyword table's words are read
_WORD = re.compile(r"\w+")
ENGLISH_PER_PHRASE = 3   # English words at most for one phrase of the question


@dataclass(frozen=True)
class Match:
    english: tuple[str, ...]   # the English words the phrase stands for
    start: int                 # where the phrase stands in the question (characters)
    end: int


def key(word: str, language: str) -> str:
    """How a word of `language` is compared: lower-cased and Snowball-stemmed (Arabic
    first without marks or tatweel, its alef, yeh and teh marbuta forms unified)."""
    word = unicodedata.normalize("NFKC", word).lower()
    if language == "ar":
        word = _ARABIC_MARKS.sub("", word).translate(ARABIC_FORMS)
    return stemmers.snowball(_SNOWBALL[language])(word) if language in _SNOWBALL else word


def load(language: str, names: bool = True) -> int:
    """Read the glossary's phrases in `language` now (once per process, ~50 ms), e.g. on
    another thread while the multilingual model loads; returns how many it holds."""
    return len(_table(language, names)[0])


def matches(question: str, language: str, names: bool = True) -> list[Match]:
    """The glossary's phrases found in `question` (in `language`), in the question's order,
    none overlapping: at each place the longest phrase the glossary holds (with `names`,
    its name lines too)."""
    table, longest = _table(language, names)
    if not table:
        return []
    if language == "zh":
        units = [(ch, i, i + 1) for i, ch in enumerate(question)]
        keys = [ch for ch, _, _ in units]
    else:
        # Arabic's marks split a word for `\w`: words are read without them, and placed
        # back where the question writes them
        at = [i for i, ch in enumerate(question)
              if language != "ar" or not _ARABIC_MARKS.match(ch)]
        text = "".join(question[i] for i in at)
        units = [(m.group(), at[m.start()], at[m.end() - 1] + 1) for m in _WORD.finditer(text)]
        keys = [key(w, language) for w, _, _ in units]
    found, i = [], 0
    while i < len(units):
        for n in range(min(longest, len(units) - i), 0, -1):
            english = table.get(tuple(keys[i:i + n]))
            if english:
                found.append(Match(english, units[i][1], units[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    return found


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The glossary's English words and names of one word, lower-cased: the common words of
    English UN records, e.g. to tell a word from one that lost letters (`ingest.ligatures`)."""
    return frozenset(cells[0].lower() for cells in _rows(GLOSSARY, NAMES) if " " not in cells[0])


@functools.lru_cache(maxsize=2 * len(LANGUAGES))
def _table(language: str, names: bool = True) -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    """Phrase (its words' keys; Chinese: its characters) → English words (lower-cased), and
    the longest phrase's length. A phrase that stands for several English words keeps them
    in the files' order (the words' file first, each most frequent in the corpora first), at
    most `ENGLISH_PER_PHRASE`."""
    if language not in LANGUAGES:
        return {}, 0
    column = _COLUMNS.index(language)
    table: dict[tuple[str, ...], list[str]] = {}
    for cells in _rows(GLOSSARY, NAMES) if names else _rows(GLOSSARY):
        english = cells[0].lower().split()
        for variant in cells[column].split("|"):
            variant = variant.strip()
            if not variant:
                continue
            phrase = tuple(variant.replace(" ", "")) if language == "zh" else \
                tuple(key(w, language) for w in _WORD.findall(
                    _ARABIC_MARKS.sub("", variant) if language == "ar" else variant))
            if phrase:   # "Газа": both "gases" (the words' line) and "gaza"
                words = table.setdefault(phrase, [])
                words += [w for w in english if w not in words]
    longest = max((len(p) for p in table), default=0)
    return {p: tuple(w[:ENGLISH_PER_PHRASE]) for p, w in table.items()}, longest


def _rows(*paths: Path) -> Iterator[list[str]]:
    """The six cells of each line of `paths`, in order (comments, lines of another shape and
    missing files left out)."""
    for path in paths:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                cells = line.split("\t")
                if len(cells) == len(_COLUMNS) and not line.startswith("#"):
                    yield cells

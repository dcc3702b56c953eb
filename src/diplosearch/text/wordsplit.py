"""Keyword-search words for the scripts that SQLite's unicode61 tokenizer does not split well.

unicode61 splits text at spaces and punctuation. That serves English, French and Spanish,
but not Chinese (no spaces: a whole clause is one token), nor Arabic (short-vowel marks
are separators to it, so a word written with them falls apart, and the article and
attached conjunctions stay on the word), nor Russian case endings ("резолюция",
"резолюции" and "резолюцию" are three different words to it).

`fold` turns a passage with Han, kana, Arabic or Cyrillic letters into the text that the
second FTS5 table (migration 009) indexes: each Han or kana character a word of its own,
so that a query word of one or two characters, as most Chinese words are, matches as a
phrase; Arabic without marks or tatweel, its alef, yeh and teh marbuta forms unified, and
Arabic and Russian words stemmed (`stemmers`: light10 and Dolamic-Savoy by default, or
Snowball). Other words pass through for FTS5 to
lower-case and Porter-stem as in the main table. Text with none of these scripts needs
no second entry (`needs_fold` is false) and costs the second table nothing.

What `fold` returns is part of the index format: the delete trigger removes a passage's
words by folding its text again. So an index records the stemmer it was made with, and
its connections fold with that one (`store.migrations.register_functions`); any other
change to the output needs a migration that recreates the table with SQL functions of new
names (`store.migrations.FOLD_FUNCTIONS`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import groupby

from . import stemmers
from .stemmers import LIGHT

_WORD = re.compile(r"\w+")
_ASCII = bytes(range(128))
# Short vowels, shadda, sukun, Quranic marks, superscript alef and tatweel: not letters.
ARABIC_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
# Lucene's default English stop words, the list Anserini's BM25 baselines use. Dropping
# them keeps long queries fast (their posting lists are the longest) and barely moves BM25.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split())


def needs_fold(text: str | None) -> bool:
    """Whether `text` has letters that the second keyword table handles."""
    if not text or text.isascii():
        return False
    # Look only at the non-ASCII characters: an English passage with a few curly
    # quotes and dashes is checked in microseconds, not by a scan of all its characters.
    rest = text.encode("utf-8").translate(None, _ASCII).decode("utf-8")
    return any(map(_folded, rest))


def fold(text: str | None, stemmer: str = LIGHT) -> str:
    """The words of `text` for the second keyword table, space-separated ("" if none)."""
    if not needs_fold(text):
        return ""
    return " ".join(w for run in words(text, stemmer) for w in run)


def words(text: str, stemmer: str = LIGHT) -> list[tuple[str, ...]]:
    """The folded words of `text` in order: a run of Han or kana characters as the tuple
    of its characters, any other word as a tuple of one (lower-cased; Arabic and Russian
    stemmed by `stemmer`, one of `stemmers.STEMMERS`)."""
    text = unicodedata.normalize("NFC", text)
    chars = set(text)
    if any(map(_arabic, chars)):
        text = re.sub(ARABIC_MARKS, "", text)      # compiled on first use, then cached
    han = any(map(is_han, chars))
    out: list[tuple[str, ...]] = []
    for word in _WORD.findall(text):
        if not han or word.isascii() or not any(map(is_han, word)):
            out.append((stem(word.lower(), stemmer),))
            continue
        for han, part in groupby(word, key=is_han):     # "2334号决议": 2334, then 号决议
            out.append(tuple(part) if han else (stem("".join(part).lower(), stemmer),))
    return out


# Scripts by code point, compared directly: a regular-expression class this wide takes
# Python's `re` 10-15 ms to compile, which every cold start would pay.
def is_han(char: str) -> bool:
    """Whether `char` is a Han ideograph or kana (a word of its own when folded)."""
    return ("\u4e00" <= char <= "\u9fff" or "\u3040" <= char <= "\u30ff"
            or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
            or "\U00020000" <= char <= "\U0002fa1f")


def _arabic(char: str) -> bool:
    return ("\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"
            or "\u08a0" <= char <= "\u08ff" or "\ufb50" <= char <= "\ufdff"
            or "\ufe70" <= char <= "\ufefc")


def _cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _folded(char: str) -> bool:
    return is_han(char) or _arabic(char) or _cyrillic(char)


@lru_cache(maxsize=65536)
def stem(word: str, stemmer: str = LIGHT) -> str:
    """An Arabic or Russian word's stem by `stemmer`; any other word unchanged."""
    if word.isascii():
        return word
    if any(map(_arabic, word)):
        return stemmers.arabic(word, stemmer)
    if any(map(_cyrillic, word)):
        return stemmers.russian(word, stemmer)
    return word


def query_terms(query: str) -> list[tuple[str, ...]]:
    """The terms of a keyword query for the main table, each a phrase of its words.

    A chunk joined by punctuation ("S/PV.8699", "rapid-reaction") is one phrase, so it
    matches as written; a "quoted phrase" in the query stays a phrase; stop words alone
    are no term.
    """
    terms: list[tuple[str, ...]] = []
    for phrase, chunk in re.findall(r'"([^"]+)"|(\S+)', query):
        found = tuple(re.findall(r"\w+", (phrase or chunk).lower()))
        if len(found) > 1 or (found and found[0] not in STOPWORDS):
            terms.append(found)
    return terms


def folded_query_terms(query: str, stemmer: str = LIGHT) -> list[tuple[str, ...]]:
    """The terms of a keyword query for the second table: its words folded as passages
    are (`words`, with the index's `stemmer`), each term a phrase.

    A run of Chinese characters becomes its overlapping two-character phrases, since a
    query is not cut into words (one character alone stays one term): a passage holding
    the whole run matches all of them. A "quoted phrase" stays one phrase; words joined
    by punctuation ("S/PV.8699") a phrase, as in `query_terms`.
    """
    terms: list[tuple[str, ...]] = []
    for quoted, chunk in re.findall(r'"([^"]+)"|(\S+)', query):
        runs = words(quoted or chunk, stemmer)
        if quoted:
            terms += [tuple(w for run in runs for w in run)] if runs else []
            continue
        joined: list[str] = []
        for run in [*runs, None]:
            if run is not None and not is_han(run[0][0]):
                joined.append(run[0])
                continue
            if len(joined) > 1 or (joined and joined[0] not in STOPWORDS):
                terms.append(tuple(joined))
            joined = []
            if run is not None:
                terms += [run[i:i + 2] for i in range(max(1, len(run) - 1))]
    return terms


def match_words(text: str) -> set[str]:
    """The words of `text` that a keyword query would match on, for choosing the sentence
    to highlight: unstemmed lower-case words; for Chinese, Arabic or Russian text the
    folded words (single characters, light stems)."""
    if needs_fold(text):
        return {w for run in words(text) for w in run} - STOPWORDS
    return set(re.findall(r"\w+", text.lower())) - STOPWORDS

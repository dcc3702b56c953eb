"""A word-by-word English gloss of a question in another language, for English records.

No translation model ships on PyPI for these languages (issue 18's note lists what was
checked), but the multilingual model places single words across languages well enough:
"armes" lands nearest "weapons", "المدنيين" nearest "civilians", "减少" nearest "reducing".
So each word of the question (`text.glosswords.question_words`) is looked up among the
index's own English words (`store.vocabulary`), and the closest one or two above `floor`
stand for it; a word closest to an English function word glosses into nothing. Countries
the question names are glossed exactly, from CLDR's names (`text.mentions.places`), and a
Chinese word by its CC-CEDICT meanings first (`text.cedict`), where the index holds them.
An Arabic or Russian word that glosses into nothing may be a name the model cannot place
("دونباس", "рохинджа"): it is matched by its letters (`text.transliteration`) to a word the
index writes with a capital nearly always ("donbas", "rohingya").

UN terms the model places wrongly ("الجزاءات", sanctions, lands nearest "breaching") and
names it places nowhere ("阿卜耶伊", Abyei) are glossed by a glossary of the records' words
and names in the six languages (`text.glossary`) where it holds them: its English words
stand for the term's words.

The gloss is an English keyword question (BM25 over the English records) and, embedded by
the English model, an English semantic one; `pipeline` fuses both with the multilingual
model's lists. It lifted recall@10 by 0.06 to 0.14 in each language on the 160 tuning
questions, and by 0.06 to 0.17 on two held-out sets of 70 (scripts/data/ranking_variants.md).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import weakref

import numpy as np

from ..store import snapshot
from ..store.vocabulary import WordVectors, capitalised
from ..text import cedict, glossary as un_glossary, mentions, transliteration
from ..text.glosswords import FUNCTION_WORDS, arabic_bare, question_words

_WORDS = re.compile(r"\w+")
HAN_LENGTH_BONUS = 0.02   # per character: a longer Chinese run wins a near tie ("哥伦比亚")
DICTIONARY_BONUS = 0.15   # CC-CEDICT's meaning over the model's nearest word (0.05 / 0.15 /
                          # 0.3 measured; scripts/data/ranking_variants.md)

_CACHE: dict[tuple[str, int], WordVectors] = {}


def _state(db: sqlite3.Connection) -> tuple[str, int]:
    """The database's file and committed state: what cached words and glosses depend on."""
    return db.execute("PRAGMA database_list").fetchone()[2], snapshot.generation(db)


def words_of(db: sqlite3.Connection, embedder) -> WordVectors:
    """The index's embedded English words, loaded once per committed state."""
    key = _state(db)
    if key not in _CACHE:
        if len(_CACHE) > 4:
            _CACHE.clear()
        _CACHE[key] = WordVectors.load(db, embedder, embedder.dimension)
    return _CACHE[key]


def gloss(db: sqlite3.Connection, embedder, question: str, language: str,
          floor: float = 0.7, per_word: int = 2, margin: float = 0.05,
          dictionary: float = DICTIONARY_BONUS, names: bool = True,
          glossary: str = "off", glossary_names: bool = True) -> list[str]:
    """English words standing for `question` (in `language`, not English), in the
    question's order; [] when the index keeps no English words (made before them).

    Args:
        embedder: the multilingual model (the one the index's words were embedded with).
        floor: the least cosine at which an English word stands for a question's word
            (a search takes it from `ranking.RANKING` through `with_settings`: 0.6, and
            0.7 for Chinese runs).
        per_word: at most this many English words per word of the question, each within
            `margin` of the closest.
        dictionary: how far CC-CEDICT's meanings of a Chinese word are lifted above
            `floor` (0: the dictionary is not used).
        names: an Arabic or Russian word that glosses into nothing is matched by its letters
            to a name the index writes (`_name_of`).
        glossary: the UN terms the question holds, from `text.glossary`: "replace" (their
            English words stand for the phrase's words, which the model no longer glosses;
            a search's choice, through `with_settings`), "add" (beside the model's words)
            or "off". A phrase of one word the model takes for a function word ("أي",
            which) or a Chinese phrase of one character is left out: too many words hold it.
        glossary_names: the glossary's name lines too ("Abyei", "Rohingya").
    """
    key = (_state(db), getattr(embedder, "name", ""), question, language, floor, per_word,
           margin, dictionary, names, glossary, glossary_names)
    if key not in _GLOSSES:
        if len(_GLOSSES) > 256:
            _GLOSSES.clear()
        _GLOSSES[key] = _gloss(words_of(db, embedder), embedder, question, language, floor,
                               per_word, margin, dictionary,
                               db if names and language in transliteration.LIKENESS else None,
                               glossary, glossary_names)
    return list(_GLOSSES[key])


def with_settings(db: sqlite3.Connection, embedder, question: str, language: str,
                  settings) -> list[str]:
    """`gloss` with the ranking's settings (`ranking.Ranking`): what a search searches for,
    and what its note says it searched for."""
    floor = settings.gloss_floor_zh if language == "zh" else settings.gloss_floor
    return gloss(db, embedder, question, language, floor,
                 settings.gloss_per_word, settings.gloss_margin, settings.gloss_dictionary,
                 settings.gloss_names, settings.gloss_glossary,
                 settings.gloss_glossary_names)


_GLOSSES: dict[tuple, tuple[str, ...]] = {}   # a search glosses its question once, not per pass


def _gloss(vocab: WordVectors, embedder, question: str, language: str, floor: float,
           per_word: int, margin: float, dictionary: float,
           names_in: sqlite3.Connection | None = None,
           glossary: str = "off", glossary_names: bool = True) -> tuple[str, ...]:
    # months by their English names, from the tables (the model places "فبراير" nowhere)
    months, month_tokens = mentions.month_words(question)
    tokens = [t for t in question_words(question, language)
              if mentions.fold(t) not in month_tokens]
    found = un_glossary.matches(question, language, glossary_names) \
        if glossary != "off" else []
    if not len(vocab) or not (tokens or months or found):
        return ()
    if not tokens:
        found = _meaningful(found, question, language, [], np.zeros(0, bool))
        return tuple(dict.fromkeys(_places(question, language) + months
                                   + [w for m in found for w in m.english]))
    sims = np.asarray(embedder.embed(tokens), dtype=np.float32) @ vocab.matrix.T
    if language == "ar":   # the word without its article or attached conjunction, if closer
        bare = [arabic_bare(t) for t in tokens]
        sims = np.maximum(sims, np.asarray(embedder.embed(bare), dtype=np.float32) @ vocab.matrix.T)
    known = _prefer_dictionary(sims, tokens, vocab, floor, dictionary) \
        if language == "zh" and dictionary > 0 else set()
    stop = vocab.is_function_word
    function_like = stop[sims.argmax(axis=1)]
    function_like[list(known)] = False          # the dictionary gives it a meaning
    sims[:, stop] = -1.0
    best = np.where(function_like, 0.0, sims.max(axis=1))
    found = _meaningful(found, question, language, tokens, function_like) if found else []
    if glossary == "replace" and found:   # the glossary's words stand for its phrases
        covered = _covered(question, language, found)
        for i, t in enumerate(tokens):
            if t in covered:
                best[i], function_like[i] = 0.0, True
    chosen = _places(question, language) + months + [w for m in found for w in m.english]
    kept = _kept(tokens, best, question, language, floor)   # in the question's order
    taken = set(kept)
    # with names, every token, in the question's order too (tokens are in that order for
    # every language but Chinese, whose runs come by length, and Chinese has no names here)
    for i in kept if names_in is None else range(len(tokens)):
        if i in taken:
            top = np.argsort(-sims[i])[:per_word]
            chosen += [vocab.words[j] for j in top
                       if sims[i, j] >= max(floor, sims[i, top[0]] - margin)]
        elif not function_like[i] and transliteration.written_as_name(tokens[i], question,
                                                                      language):
            chosen += _name_of(names_in, vocab, tokens[i], language)
    return tuple(dict.fromkeys(chosen))


def _meaningful(found: list, question: str, language: str, tokens: list[str],
                function_like: np.ndarray) -> list:
    """The glossary's phrases `found`, less those too loose to stand for anything: one word
    that the model takes for a function word or that is too short to be looked up ("أي",
    which, is among the glossary's words for "namely"), or one Chinese character (too many
    words hold it)."""
    where = {t: i for i, t in enumerate(tokens)}
    kept = []
    for m in found:
        phrase = question[m.start:m.end]
        if language == "zh":
            if len(phrase) > 1:
                kept.append(m)
            continue
        words = question_words(phrase, language)
        one = len(_WORDS.findall(phrase)) == 1
        if not one or (words and words[0] in where and not function_like[where[words[0]]]):
            kept.append(m)
    return kept


def _covered(question: str, language: str, found) -> set[str]:
    """The question's words inside the glossary's phrases `found` (Chinese: the runs that
    overlap one, since runs are cut anywhere)."""
    spans = [(m.start, m.end) for m in found]
    if language == "zh":
        return {t for t in question_words(question, language)
                for at in [question.find(t)] if any(at < b and a < at + len(t) for a, b in spans)}
    text = question.lower()
    return {w for a, b in spans for w in question_words(text[a:b], language)}


NAME_CAPITALISED = 0.9   # a name is written with a capital at least this often


def _name_of(db: sqlite3.Connection, vocab: WordVectors, token: str, language: str) -> list[str]:
    """The index's English word that `token` transcribes, as a list of none or one: among
    the words with the same consonants (`text.transliteration`), the likest, if it is a
    name (written with a capital nearly always) and like enough."""
    if language == "ar":
        token = arabic_bare(token)
    for form in transliteration.name_forms(token, language):
        spelt = transliteration.latin(form, language)
        key = transliteration.consonants(spelt)
        if len(key) < transliteration.MIN_CONSONANTS:
            continue
        scored = sorted(((transliteration.likeness(spelt, transliteration.latin(w)), w)
                         for w in _by_consonants(vocab).get(key, ())), reverse=True)
        for score, word in scored:
            if score < transliteration.LIKENESS[language]:
                break
            if capitalised(db, word) >= NAME_CAPITALISED:
                return [word]
    return []


_CONSONANTS: weakref.WeakKeyDictionary[WordVectors, dict[str, list[str]]] = \
    weakref.WeakKeyDictionary()


def _by_consonants(vocab: WordVectors) -> dict[str, list[str]]:
    """The vocabulary's words by their consonants, made once per loaded vocabulary (and
    dropped with it)."""
    if vocab not in _CONSONANTS:
        table: dict[str, list[str]] = {}
        for word, stop in zip(vocab.words, vocab.is_function_word):
            if not stop:
                table.setdefault(transliteration.consonants(transliteration.latin(word)),
                                 []).append(word)
        _CONSONANTS[vocab] = table
    return _CONSONANTS[vocab]


def _prefer_dictionary(sims: np.ndarray, tokens: list[str], vocab: WordVectors,
                       floor: float, bonus: float) -> set[int]:
    """Lift, for each Chinese run CC-CEDICT holds, its dictionary meanings that the index
    holds to at least `floor` plus `bonus`: they stand for the run before the
    model's nearest words, and a run the dictionary knows wins the segmentation. Returns
    the runs lifted."""
    where = vocab.positions
    lifted = set()
    for i, token in enumerate(tokens):
        for word in cedict.english_of(token):
            j = where.get(word)
            if j is not None:
                sims[i, j] = max(sims[i, j], floor) + bonus
                lifted.add(i)
    return lifted


def _kept(tokens: list[str], best: np.ndarray, question: str, language: str,
          floor: float) -> list[int]:
    """The tokens that gloss: those whose closest English word is at `floor` or above; for
    Chinese, runs chosen closest (and longest) first, none overlapping one chosen before."""
    if language != "zh":
        return [i for i in range(len(tokens)) if best[i] >= floor]
    taken: list[tuple[int, int]] = []
    kept = []
    for i in np.argsort(-(best + HAN_LENGTH_BONUS * np.array([len(t) for t in tokens]))):
        if best[i] < floor:
            continue
        at = question.find(tokens[i])
        span = (at, at + len(tokens[i]))
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        taken.append(span)
        kept.append(int(i))
    return sorted(kept, key=lambda i: question.find(tokens[i]))


def _places(question: str, language: str) -> list[str]:
    """The English names of the countries the question names, as words."""
    english = _english_names()
    return [w for code in mentions.places(question, language) if code in english
            for w in english[code].split() if w not in FUNCTION_WORDS]


@functools.lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    """ISO code → its first CLDR English name, lower-cased ("Congo - Kinshasa": "congo")."""
    english: dict[str, str] = {}
    for name, code in mentions.english_names().items():
        english.setdefault(code, name.split(" - ")[0].lower())
    return english

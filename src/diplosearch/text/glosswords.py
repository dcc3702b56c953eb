"""The words a word-by-word English gloss is made of, on both sides.

On the index's side, the English words of its passages (`english_words`): what a question
in another language can be glossed into. On the question's side, the words it is glossed
word by word from (`question_words`): each word of at least three letters, and for
Chinese, which has no spaces, every run of two to four Han characters (the gloss keeps
the runs that find an English word, longest and closest first, none overlapping). An
Arabic word is also looked up without its article or attached conjunction
(`arabic_bare`).

`FUNCTION_WORDS`: English words that carry no subject, and the French and Spanish ones
that English UN records quote. They are never a gloss, but they stay in the lookup: a
question's word whose closest English word is one of them ("les", "для", "على") is a
function word itself and glosses into nothing.
"""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset("""
a about above after again against all also although am among an and any are as at be because
been before being below between both but by can could did do does doing down during each
either even ever every few for from further had has have having he her here hers herself him
himself his how however i if in into is it its itself just least less let like many may me
might more most much must my myself neither no nor not now of off on once only or other ought
our ours ourselves out over own per perhaps quite rather same shall she should since so some
still such than that the their theirs them themselves then there therefore these they this
those though through thus to too under until up upon us very via was we were what whatever
when where whereas whether which while who whom whose why will with within without would yet
you your yours yourself mr mrs ms
des pour par para del les por une est dans sur los las que con sus ses aux ont fait
""".split())

_ENGLISH_WORD = re.compile(r"[a-z][a-z-]{2,}")
_WORD = re.compile(r"\w+")
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")   # tatweel, short vowels, shadda
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_OR_DIGITS = re.compile(r"[A-Za-z0-9]{2,}")
# The article and the conjunctions and prepositions written onto an Arabic word, longest first.
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")


def english_words(text: str) -> list[str]:
    """The words of an English passage that a gloss may use: lower-cased, three letters
    or more (hyphenated compounds whole), function words left out."""
    return [w for w in _ENGLISH_WORD.findall(text.lower()) if w not in FUNCTION_WORDS]


def question_words(question: str, language: str) -> list[str]:
    """The words of a question in `language` to look up, each once, in order. Arabic's
    short vowels and tatweel are taken out first: they would split a word in two
    ("قُتلوا" is one word, "killed", not "ق" and "تلوا")."""
    question = _ARABIC_MARKS.sub("", question)
    if language == "zh":
        found = [run[i:i + n] for run in _HAN_RUN.findall(question)
                 for n in (2, 3, 4) for i in range(len(run) - n + 1)]
        found += _LATIN_OR_DIGITS.findall(question)
    else:
        found = [w for w in _WORD.findall(question.lower()) if len(w) >= 3 and not w.isdigit()]
    return list(dict.fromkeys(found))


def arabic_bare(word: str) -> str:
    """`word` without its article or an attached conjunction or preposition, when at least
    three letters remain ("والأسلحة" → "أسلحة"); else `word`."""
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word

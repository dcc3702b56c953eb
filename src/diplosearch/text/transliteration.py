"""Names written in Arabic or Cyrillic letters, matched to the English words they transcribe.

The multilingual model places common words across languages, but not most names: it
glosses "دونباس" (Donbas), "الأونروا" (UNRWA) and "рохинджа" (Rohingya) into nothing, or
into noise. A name is written by its sounds, so its letters say what it is: each word is
put into Latin letters by anyascii (`latin`), spelled the same way as the English word
is (digraphs and near sounds folded: "kh" and "h", "dzh" and "j" and "g", "v" and "f",
"p" and "b"), and two words can match when their consonants agree (`consonants`), the
vowels decide between them (`likeness`): "دونباس" → "dunbas", consonants "dnbs", as
"donbas". Arabic writes no short vowels, so its forms are shorter and match less
closely than Russian ones.
"""

from __future__ import annotations

import difflib
import functools
import re

# Arabic letters anyascii writes as nothing or as an apostrophe, which are vowels here:
# alif and alif maqsura, hamza seats, ta marbuta (a final "-a"), and ain.
_ARABIC_VOWELS = str.maketrans({"ا": "a", "ى": "a", "آ": "a", "أ": "a", "إ": "i", "ؤ": "u",
                                "ئ": "i", "ة": "a", "ع": "a", "ء": "", "ـ": ""})
# One spelling for what transcriptions write several ways, longest first.
_SPELLINGS = (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("sh", "s"), ("ch", "s"), ("ts", "s"),
              ("th", "t"), ("ph", "f"), ("gh", "g"), ("ck", "k"), ("q", "k"), ("c", "k"),
              ("x", "ks"), ("v", "f"), ("p", "b"), ("z", "s"), ("j", "g"), ("w", "u"))
_NOT_LETTER = re.compile(r"[^a-z]")
_DOUBLED = re.compile(r"(.)\1+")
# vowels, and "h": silent in English spellings ("Rohingya"), often dropped between scripts
_VOWELS_AND_H = re.compile(r"[aeiouyh]")
# Minimal likeness of a name's Latin form to an English word with the same consonants:
# Arabic forms lack their short vowels, so they reach less far.
LIKENESS = {"ar": 0.65, "ru": 0.8}
# Fewer consonants than this say too little: "قوات" (forces) is "kuat", as "kuwait".
MIN_CONSONANTS = 3


@functools.lru_cache(maxsize=65536)
def latin(word: str, language: str = "en") -> str:
    """`word` in lower-case Latin letters, spelled as names are compared here."""
    from anyascii import anyascii

    if language == "ar":
        word = word.translate(_ARABIC_VOWELS)
    spelt = _NOT_LETTER.sub("", anyascii(word).lower())
    for written, said in _SPELLINGS:
        spelt = spelt.replace(written, said)
    return _DOUBLED.sub(r"\1", spelt)


def consonants(spelt: str) -> str:
    """The consonants of a `latin` form: what two transcriptions of one name share."""
    return _VOWELS_AND_H.sub("", spelt)


def likeness(a: str, b: str) -> float:
    """How alike two `latin` forms are, 0 to 1 (difflib's ratio)."""
    return difflib.SequenceMatcher(None, a, b).ratio()


_RUSSIAN_ADJECTIVE = re.compile(r"(?<=\w{3})[сц]к(?:ая|ий|ое|ой|их|ую|им|ими|ого|ому|ом|ие|ых|ым|ыми|ый)$")


def name_forms(word: str, language: str) -> list[str]:
    """`word`, and for Russian the name an adjective is made from: "берлинская" (of Berlin)
    → "берлин", "бриджтаунской" → "бриджтаун"."""
    stem = _RUSSIAN_ADJECTIVE.sub("", word) if language == "ru" else word
    return [word, stem] if stem != word else [word]


def written_as_name(word: str, text: str, language: str) -> bool:
    """Whether `word` (lower-cased) may be a name where `text` writes it: Russian writes
    names with a capital ("Донбасс", not "саммит"); Arabic has no capitals, so any word."""
    if language != "ru":
        return True
    found = re.search(rf"(?<!\w){re.escape(word)}", text, re.IGNORECASE)
    return bool(found) and found.group(0)[0].isupper()

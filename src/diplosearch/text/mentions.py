"""What a question names, in any of the six UN languages: the months and years it asks
about (`periods`) and the countries (`places`, as ISO 3166 alpha-2 codes).

Search uses them as soft priors, never as filters ("in January 2020", "в январе 2020
года", "2020年1月" lift the statements of that month; "利比亚" lifts Libya's own statements
and brings Libya's English name to the keyword side). The names come from the Unicode
CLDR (`names.json`, written by scripts/make_name_tables.py), so no library is loaded to
read a question.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_YEAR = re.compile(r"(?<![\d/.#-])(19[4-9]\d|20\d\d)(?![\d/])")
_RESOLUTION_YEAR = re.compile(r"\d\s*\(\s*(?:19|20)\d\d\s*\)")    # "2504 (2020)": a resolution's
_HAN_DATE = re.compile(r"(?:((?:19|20)\d\d)\s*年\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")
_WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")
_HAN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
                "十": 10, "十一": 11, "十二": 12}
# English words that are month names only when capitalised ("what may be done")
_EN_AMBIGUOUS = {"may", "march"}


@dataclass(frozen=True)
class Period:
    """A month of a year, a month of any year (year None) or a whole year (month None)."""

    year: int | None
    month: int | None

    def matches(self, date: str | None) -> bool:
        """Whether an ISO date ("2020-01-08", "2020-01" or "2020") falls in this period."""
        if not date:
            return False
        parts = date.split("-")
        if self.year is not None and parts[0] != str(self.year):
            return False
        if self.month is not None:
            return len(parts) > 1 and parts[1].isdigit() and int(parts[1]) == self.month
        return True


@lru_cache(maxsize=1)
def _tables() -> dict:
    with open(Path(__file__).with_name("names.json"), encoding="utf-8") as f:
        data = json.load(f)
    months: dict[str, int] = {}
    for lang, forms in data["months"].items():
        if lang == "zh":
            continue           # read by _HAN_DATE
        for form, n in forms.items():
            if lang == "en" and len(form) < 4 and form != "may":
                continue       # "jan", "mar": abbreviations are not how questions name months
            months[fold(form)] = n
            if lang == "ru" and form[-1] in "ьая":   # "в январе", "в мае": the prepositional
                months[fold(form[:-1] + "е")] = n
    # a name with another in brackets ("Myanmar (Burma)", "Мьянма (Бирма)") is also named
    # by its first part alone, as questions name it
    places = {lang: {fold(variant): code for name, code in forms.items()
                     for variant in dict.fromkeys((name, _BRACKETED.split(name)[0]))
                     if len(fold(variant)) >= 2}
              for lang, forms in data["places"].items()}
    english_months = {n: fold(form) for form, n in sorted(data["months"]["en"].items(),
                                                           key=lambda item: len(item[0]))}
    return {"months": months, "places": places, "english_months": english_months,
            "phrases": {form: n for form, n in months.items() if " " in form}}


_BRACKETED = re.compile(r"\s*[(（]")


def fold(text: str) -> str:
    """Lower case without accents or Arabic short vowels, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = kept.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ё", "е")
    return " ".join(_WORD.findall(kept)) if not _has_han(kept) else kept


def _plain(text: str) -> str:
    """`text` without accents or Arabic short vowels, its case kept ("May" is a month)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return kept.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ё", "е")


def _has_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def periods(question: str) -> list[Period]:
    """The months and years `question` names, each once: "in January 2020" → (2020, 1),
    "in July" → (None, 7), "in 2023" → (2023, None). A resolution's year ("2504 (2020)")
    and document symbols ("S/2019/1005") are not periods."""
    text = _RESOLUTION_YEAR.sub(" ", _plain(question))
    found: list[Period] = []
    for m in _HAN_DATE.finditer(text):
        month = int(m.group(2)) if m.group(2).isdigit() else _HAN_NUMBERS.get(m.group(2))
        if month and 1 <= month <= 12:
            found.append(Period(int(m.group(1)) if m.group(1) else None, month))
        text = text.replace(m.group(0), " ")
    months = _tables()["months"]
    for phrase, month in _tables()["phrases"].items():    # "كانون الثاني 2020"
        at = text.find(phrase)
        if at >= 0:
            year = _YEAR.search(text[at + len(phrase):at + len(phrase) + 12])
            found.append(Period(int(year.group(1)) if year else None, month))
            text = text[:at] + " " + text[at + len(phrase) + (year.end() if year else 0):]
    tokens = re.findall(r"(?:19|20)\d\d|[^\W\d_]+", text)
    used_years: set[int] = set()
    for i, token in enumerate(tokens):
        month = months.get(fold(token))
        if month is None or (token.lower() in _EN_AMBIGUOUS and not token[0].isupper()):
            continue
        year = next((int(t) for t in tokens[i + 1:i + 3] if t.isdigit()), None)
        if year is not None:
            used_years.add(year)
        found.append(Period(year, month))
    found += [Period(int(y), None) for y in _YEAR.findall(text) if int(y) not in used_years]
    return list(dict.fromkeys(found))


def month_words(question: str) -> tuple[list[str], set[str]]:
    """The English names of the months `question` names in any of the six languages
    ("فبراير", "в январе", "كانون الثاني", "2020年1月" → "february", "january"), and the
    folded words that named them."""
    tables = _tables()
    text = fold(question)
    english, words = [], set()
    for m in _HAN_DATE.finditer(question):                # "2020年1月"
        month = int(m.group(2)) if m.group(2).isdigit() else _HAN_NUMBERS.get(m.group(2))
        if month and 1 <= month <= 12:
            english.append(tables["english_months"][month])
    for phrase, month in tables["phrases"].items():
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            english.append(tables["english_months"][month])
            words.update(phrase.split())
    for word in text.split():
        month = tables["months"].get(word)
        if month is not None and word not in words and word not in _EN_AMBIGUOUS:
            english.append(tables["english_months"][month])
            words.add(word)
    return list(dict.fromkeys(english)), words


def places(question: str, language: str) -> list[str]:
    """ISO 3166 alpha-2 codes of the countries `question` names in `language` (one of the
    six), by their CLDR names ("Libye", "Ливии", "ليبيا", "利比亚" → LY). Russian case
    endings and Arabic's attached prepositions are forgiven; elsewhere a name matches
    whole words."""
    text = fold(question)
    found = []
    for name, code in _tables()["places"].get(language, {}).items():
        if _names(text, name):
            found.append(code)
    return list(dict.fromkeys(found))


def english_names() -> dict[str, str]:
    """CLDR's English country names → ISO 3166 alpha-2 code."""
    return _tables()["places"]["en"]


def _names(text: str, name: str) -> bool:
    if _has_han(name):
        return name in text
    if name not in text and not _cyrillic(name):
        return False
    if _arabic(name):
        return name in text
    if _cyrillic(name):   # a stem per word, then any ending of up to two letters
        stems = [w[:-1] if len(w) > 4 and w[-1] in "аяыиьйоеу" else w for w in name.split()]
        pattern = r"\b" + r"\s+".join(re.escape(s) + r"\w{0,2}" for s in stems) + r"\b"
        return re.search(pattern, text) is not None
    return re.search(r"\b" + re.escape(name) + r"\b", text) is not None


def _arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)

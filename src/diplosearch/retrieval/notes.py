"""What a search tells its reader beside the hits (`SearchResults.note`): how a question in
another language was read, why one may find little, which of its numbers and names the
index does not hold, what a long question lost, which dates an index holds. Each function
returns one clause, or "" when it has nothing to say.

`index` and `opts` are `pipeline`'s Index and SearchOptions (not imported: pipeline imports
this module).
"""

from __future__ import annotations

import re

from ..store import vocabulary
from ..text.language import ENGLISH, detect, identify
from ..text.glosswords import FUNCTION_WORDS
from ..text.wordsplit import STOPWORDS
from . import gloss, keyword, ranking


def for_reader(index, query: str, opts, hits: list) -> str:
    """Every note that applies, in one line."""
    lang = identify(query).language    # as the search read it
    return "; ".join(n for n in (language_note(index, query, opts),
                                 absent_note(index, query, lang),
                                 gloss_note(index, query, opts, lang),
                                 length_note(index, query, opts),
                                 dates_note(index, opts, hits)) if n)


def language_note(index, query: str, opts) -> str:
    """Why a question in another language may find little: this index has no multilingual
    vectors (built before them, or without them), so only the English model read it; or
    keyword mode matched its own words against records in English."""
    lang = detect(query)
    if lang == ENGLISH:
        return ""
    if opts.mode == "keyword":
        # Only a script says surely that a word cannot be in English records ("embargo",
        # "locusts" may be read as Spanish); without multilingual vectors, the records'
        # languages are unknown
        if lang not in ("ru", "ar", "zh") or not index.knows_languages \
                or index.has_foreign_records:
            return ""
        return (f"this question looks {lang!r}; keyword mode matches its own words, and "
                f"index {index.name!r} holds records in English only: ask in hybrid or "
                "semantic mode to search them in English")
    if index.multilingual_vectors is not None:
        return ""
    return (f"this question looks {lang!r}, not English, but index {index.name!r} has no "
            "multilingual vectors, so only the English model searched it; rebuild the index "
            "(`diplosearch index build ... --replace`) to search it in any UN language")


_NUMBER = re.compile(r"(?<![\w/.])\d{3,}(?![\w/])")       # "2533", not "S/PV.8699" or "1,200"
# a capitalised word: "Nebenzia", "Al-Hol"
_NAME = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)*(?![\w'’-])")


def absent_note(index, query: str, lang: str) -> str:
    """The numbers and names of the question that no passage of the index holds
    ("resolution 2533" where only 2532 and 2534 are; a misspelt name): its hits are the
    closest without them, which an analyst should know before reading them as the answer."""
    words = _NUMBER.findall(query)
    if lang == ENGLISH:   # "What", "How": function words, not names
        words += [w for w in _NAME.findall(query)
                  if w.lower() not in STOPWORDS and w.lower() not in FUNCTION_WORDS]
    missing = []
    for word in dict.fromkeys(words):
        expression = keyword.match_expression(word)
        if expression and not index.db.execute(
                "SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT 1",
                (expression,)).fetchone():
            missing.append(word)
    if not missing:
        return ""
    return (f"no passage of index {index.name!r} holds {', '.join(missing)}: these hits are "
            "the closest without " + ("it" if len(missing) == 1 else "them"))


def gloss_note(index, query: str, opts, lang: str) -> str:
    """Which English words a question in another language (`lang`, as identified) was
    searched for (`gloss`), so an analyst sees how it was read; or why there were none."""
    if lang == ENGLISH or opts.mode == "keyword" or index.multilingual_vectors is None:
        return ""
    settings = ranking.RANKING
    if settings.gloss_keywords <= 0 and settings.gloss_semantic <= 0:
        return ""
    if not vocabulary.counted(index.db):
        return (f"index {index.name!r} keeps no English words to gloss this question into, so "
                f"it was searched by meaning only; `diplosearch index upgrade {index.name}` "
                "adds them")
    words = gloss.with_settings(index.db, index.multilingual_embedder, query, lang, settings)
    if not words:
        return ("no word of this question matched an English word of the index closely "
                "enough; it was searched by meaning only")
    return f"English words searched for: {' '.join(words)}"


def dates_note(index, opts, hits: list) -> str:
    """Why a date filter found nothing: the dates the index's documents do have."""
    if hits or not (opts.filters.since or opts.filters.until):
        return ""
    low, high = index.db.execute(
        "SELECT min(d), max(d) FROM (SELECT COALESCE(date, json_extract(metadata, '$.year')) "
        "AS d FROM documents)").fetchone()
    if low is None:
        return ""
    held = low if low == high else f"{low} to {high}"
    return f"no passage is dated within the dates asked for; index {index.name!r} holds {held}"


def length_note(index, query: str, opts) -> str:
    """Why part of a long question may not count: the English model reads only its first
    `max_tokens` word pieces (keyword search reads every word)."""
    limit = index.embedder.max_tokens if opts.mode != "keyword" else None
    if limit is None or len(query) <= limit:   # a piece is at least one character
        return ""
    pieces = index.embedder.count_tokens([query])[0]
    if pieces <= limit:
        return ""
    return (f"this question is {pieces} word pieces long, but the model reads only the first "
            f"{limit}: the rest did not count in the semantic search (keyword search reads "
            "it all); put its point first, or shorten it")

"""Country and body filter values as people type them, mapped to the spellings an index
holds, so a filter forgives (issue 13, point 8) and never fails silently.

A country may be given by its ISO 3166 alpha-3 code ("USA", "gbr"), a short form ("UK",
"Russia", "DRC", "Ivory Coast", "Türkiye"/"Turkey") or any name UN records use for it
("United Republic of Tanzania", "Bolivia (Plurinational State of)"), in any case, with or
without accents. It matches every spelling of that country the index holds, so "Turkey"
finds passages filed under "Turkey" and under "Türkiye". A body may be "GA", "SC" or
(part of) its name. A value that matches nothing in the index raises `FilterValueError`
naming the closest values it does hold.

ISO names and codes come from the `iso3166` package (ISO 3166-1 only, 9 kB, no data
files); pycountry has the same table plus 8 MB of translations and subdivisions we do
not use. The short forms, older names and UN styles are ours (`ALIASES`).
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import unicodedata
from dataclasses import replace
from functools import lru_cache

from ..errors import FilterValueError
from .filters import Filters

# Short, older and styled names → ISO 3166 alpha-3. ISO's own names and codes, their
# inversions ("Korea, Republic of" → "Republic of Korea") and unambiguous heads ("Bolivia"
# from "Bolivia, Plurinational State of") need no entry. Keys are `normal` forms.
ALIASES = {
    "us": "USA", "u s": "USA", "u s a": "USA", "united states": "USA", "america": "USA",
    "uk": "GBR", "u k": "GBR", "united kingdom": "GBR", "britain": "GBR", "great britain": "GBR",
    "russia": "RUS", "ussr": "RUS", "soviet union": "RUS",
    "prc": "CHN", "people s republic of china": "CHN",
    "syria": "SYR",
    "drc": "COD", "dr congo": "COD", "congo kinshasa": "COD", "zaire": "COD",
    "democratic republic of congo": "COD", "congo brazzaville": "COG",
    "republic of the congo": "COG", "republic of congo": "COG",
    # "Korea" alone is the Republic of Korea, as that state styles itself in short.
    "korea": "KOR", "south korea": "KOR", "rok": "KOR",
    "north korea": "PRK", "dprk": "PRK",
    "vietnam": "VNM", "laos": "LAO", "lao": "LAO", "lao pdr": "LAO",
    "turkey": "TUR", "ivory coast": "CIV",
    "czech republic": "CZE", "swaziland": "SWZ", "macedonia": "MKD",
    "the former yugoslav republic of macedonia": "MKD", "cape verde": "CPV", "burma": "MMR",
    "east timor": "TLS", "brunei": "BRN", "uae": "ARE", "vatican": "VAT",
    "holy see vatican city state": "VAT", "holland": "NLD", "the netherlands": "NLD",
    "nauru": "NRU",   # iso3166 3.0 spells it "Naoero"
    "bosnia": "BIH", "argentine republic": "ARG", "swiss confederation": "CHE",
    "french republic": "FRA", "gabonese republic": "GAB", "hellenic republic": "GRC",
    "italian republic": "ITA", "kyrgyz republic": "KGZ", "lebanese republic": "LBN",
    "united mexican states": "MEX", "portuguese republic": "PRT", "slovak republic": "SVK",
    "st kitts and nevis": "KNA", "st lucia": "LCA", "st vincent and the grenadines": "VCT",
    "saint vincent and grenadines": "VCT",
}
# Organisations that speak in UN bodies, as records and tables abbreviate them.
ORGANISATIONS = {"eu": "European Union", "un": "United Nations", "au": "African Union",
                 "icrc": "International Committee of the Red Cross",
                 "arab league": "League of Arab States"}
BODIES = {"ga": "General Assembly", "unga": "General Assembly",
          "sc": "Security Council", "unsc": "Security Council",
          "ecosoc": "Economic and Social Council", "hrc": "Human Rights Council"}
# "Republic of Kenya", "Kingdom of the Netherlands", "Socialist Republic of Viet Nam"
_STYLED = re.compile(r"^(?:the )?(?:[a-z]+ ){0,3}(?:republic|kingdom|state|states|commonwealth|"
                     r"principality|duchy|sultanate|federation|union) of (?:the )?(.+)$")


def normal(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: "Côte d’Ivoire" → "cote d ivoire"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "MC")
    return " ".join(re.sub(r"\W+", " ", text.lower().replace("&", " and ")).split())


@lru_cache(maxsize=1)
def _codes() -> dict[str, str]:
    """`normal` name or code → alpha-3: ISO 3166-1, then our aliases."""
    import iso3166

    table: dict[str, str] = {}
    heads: dict[str, set[str]] = {}
    for c in iso3166.countries:
        table[c.alpha3.lower()] = c.alpha3
        for name in (c.name, c.apolitical_name):
            table[normal(name)] = c.alpha3
            if "," in name:
                head, tail = (part.strip() for part in name.split(",", 1))
                table[normal(f"{tail} {head}")] = c.alpha3
                heads.setdefault(normal(head), set()).add(c.alpha3)
    for head, codes in heads.items():   # "Bolivia", but not "Congo" (two countries)
        if len(codes) == 1:
            table.setdefault(head, next(iter(codes)))
    table.update(ALIASES)
    return table


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """The ISO 3166 alpha-3 code a country's name, short form or code stands for, or None
    (organisations, misspellings)."""
    key, codes = normal(name), _codes()
    if key in codes:
        return codes[key]
    styled = _STYLED.match(key)
    return codes.get(styled.group(1)) if styled else None


@lru_cache(maxsize=4096)
def _organisation(name: str) -> str:
    key = normal(name)
    return normal(ORGANISATIONS.get(key, name))


def match_country(value: str, known: list[str]) -> list[str]:
    """The values of `known` (an index's spellings) that the country `value` stands for."""
    code, org = country_code(value), _organisation(value)
    return [k for k in known if (code is not None and country_code(k) == code)
            or _organisation(k) == org]


def match_body(value: str, known: list[str]) -> list[str]:
    """The values of `known` that the body `value` stands for: same name, an abbreviation,
    or words all found in the name ("assembly")."""
    key = normal(value)
    target = normal(BODIES.get(key, value))
    return [k for k in known if normal(k) == target or set(key.split()) <= set(normal(k).split())]


def known_countries(db: sqlite3.Connection) -> list[str]:
    """Every affiliation in the index, case-insensitively distinct. One index seek per
    value (passages_affiliation), not a scan of the passages."""
    found: list[str] = []
    last = ""
    while row := db.execute("SELECT affiliation FROM passages WHERE affiliation > ? COLLATE "
                            "NOCASE ORDER BY affiliation COLLATE NOCASE LIMIT 1", (last,)).fetchone():
        found.append(last := row[0])
    return found


def known_bodies(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT body FROM documents WHERE body IS NOT "
                                     "NULL ORDER BY 1")]


def resolve(db: sqlite3.Connection, filters: Filters, index_name: str) -> Filters:
    """`filters` with each country and body value replaced by the index's own spellings.

    Raises:
        FilterValueError: a value matches nothing in the index (one line, naming the
            closest values it holds), or a date bound is given to an index with no dates.
    """
    if (filters.since or filters.until) and not db.execute(
            "SELECT 1 FROM documents WHERE date IS NOT NULL "
            "OR json_extract(metadata, '$.year') IS NOT NULL LIMIT 1").fetchone():
        which = " and ".join(n for n in ("since", "until") if getattr(filters, n))
        raise FilterValueError(f"{which}: index {index_name!r} holds no dated documents, so a "
                               "date filter matches nothing (dates come from a corpus's "
                               "metadata or a sidecar file)")
    if not (filters.country or filters.body):
        return filters
    out = filters
    if filters.country:
        out = replace(out, country=_resolve("country", filters.country, known_countries(db),
                                            match_country, index_name))
    if filters.body:
        out = replace(out, body=_resolve("body", filters.body, known_bodies(db), match_body,
                                         index_name))
    return out


def _resolve(kind: str, values: tuple[str, ...], known: list[str], match,
             index_name: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for value in values:
        matched = match(value, known)
        if not matched:
            raise FilterValueError(_no_match(kind, value, known, index_name))
        found.update(dict.fromkeys(matched))
    return tuple(found)


def _no_match(kind: str, value: str, known: list[str], index_name: str) -> str:
    if not known:
        return f"{kind} {value!r}: index {index_name!r} has no passages with a {kind}"
    by_normal = {normal(k): k for k in known}
    code = country_code(value) if kind == "country" else None
    probes = [normal(value)] + ([normal(_iso_name(code))] if code else [])
    close: list[str] = []
    for probe in probes:
        close += [by_normal[m] for m in difflib.get_close_matches(probe, by_normal, n=3, cutoff=0.6)
                  if by_normal[m] not in close]
    what = f"{kind} {value!r}" + (f" ({_iso_name(code)})" if code else "")
    if close:
        hint = f"closest: {', '.join(close[:3])}"
    elif len(known) <= 4:
        hint = f"it holds {', '.join(known)}"
    else:
        hint = f"it holds {len(known)}, e.g. {', '.join(known[:3])} (`diplosearch index info`)"
    return f"{what} matches nothing in index {index_name!r}; {hint}"


def _iso_name(code: str) -> str:
    """ISO's name, uninverted: "Democratic People's Republic of Korea"."""
    import iso3166

    country = iso3166.countries_by_alpha3.get(code)
    if country is None:
        return code
    head, _, tail = country.name.partition(", ")
    return f"{tail} {head}" if tail else head


def named_in(db: sqlite3.Connection, question: str, language: str) -> set[str]:
    """The index's affiliations that `question` names: its own spellings found as words
    in an English question ("Russian Federation", "Syria"), and in any of the six languages
    the countries CLDR names ("Libye", "Ливии", "利比亚"), matched to the index's spellings."""
    from iso3166 import countries_by_alpha2

    from ..text.mentions import places

    known = known_countries(db)
    found = set()
    if language == "en":
        words = f" {normal(question)} "
        found |= {k for k in known if len(normal(k)) > 2 and f" {normal(k)} " in words}
        found |= {k for k in known for alias, code in ALIASES.items()
                  if f" {alias} " in words and country_code(k) == code}
    for code in places(question, language):
        country = countries_by_alpha2.get(code)
        if country is not None:
            found |= set(match_country(country.alpha3, known))
    return found

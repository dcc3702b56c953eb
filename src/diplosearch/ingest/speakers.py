"""Recognise the speaker label that opens a statement in a UN verbatim record:
"Mr. Amorin (Uruguay) (spoke in Spanish):", "The President:", "The Secretary-General:";
the "(spoke in English)" note that switches language within a statement; and the
President's rule 39 invitations, which name each briefer's post."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .speaker_languages import other_language_switch, parse_other_label

_TITLES = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Lord|Lady|Baroness|Monsignor|Msgr|Archbishop|Cardinal"
    r"|Bishop|Sheikh|Sheikha|Sheikh|Prince|Princess|King|Queen|Emir|President|Vice-President"
    r"|Prime Minister|Minister|Ambassador|General|Judge|Justice|Professor|Prof|Dato|Datuk"
    r"|Dato'|Tan Sri|Archduke|Count|Countess|Baron|Father|Sister|Brother|Rabbi|Imam"
)
# Latin-1 and Latin Extended-A capitals too: "Mr. Šimonović (Croatia):".
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*|(?:de|da|del|der|van|von|bin|al|el|la|le|du|dos|di|ibn)\b)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}"
_LABEL = re.compile(
    rf"^(?P<name>The\s+(?:Acting\s+|Vice-|Deputy\s+)?[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?"
    rf"|(?:{_TITLES})\.?\s+{_NAME}"
    rf"|{_NAME}(?=\s*\((?:[^():]{{2,120}}\)\s*\()?spoke in))"
    r"(?:\s*\((?P<affiliation>(?!spoke\b)[^():.]{2,120})\))?"
    # PDF extraction sometimes moves the statement's first words into the label:
    # "The President (spoke I thank Mr. Voronkov for his briefing. in French):" (37 of the
    # 2020 speech files). Those words ("moved") belong to the statement, not the label.
    r"(?:\s*\(spoke (?:(?P<moved>[^():]{1,200}?) )?in (?P<language>[A-Z][a-z]+)[^():]{0,80}\))?"
    r"(?:\s*\((?P<affiliation_after>(?!spoke\b)[^():.]{2,120})\))?"  # "(spoke in French) (France)"
    r"\s*:\s*"
)


@dataclass(frozen=True)
class Speaker:
    """Who speaks, as the record's label says."""

    name: str
    affiliation: str | None = None
    role: str | None = None
    language: str | None = None
    label: str = ""


def parse_label(text: str) -> tuple[Speaker, int] | None:
    """Parse a speaker label at the start of `text`.

    Returns the speaker and the offset where the statement's own words begin, or None.
    Words that PDF extraction moved into the label are in `moved_words(text)`.
    """
    m = _LABEL.match(text)
    if not m:
        if other := parse_other_label(text):       # "Le Président :", "主席："…
            name, affiliation, role, language, end = other
            return Speaker(name, affiliation, role, language, text[:end].rstrip()), end
        return None
    name = " ".join(m.group("name").split())
    # "Mr. President: congratulations on…" is said to the chair; a label that names a
    # language or a delegation ("Mr. President (spoke in French):") is still a label.
    if is_salutation(name) and not (m.group("language") or m.group("affiliation")
                                    or m.group("affiliation_after")):
        return None
    role = name[4:] if name.startswith("The ") else None
    label = text[: m.end()].rstrip()
    affiliation = m.group("affiliation") or m.group("affiliation_after")
    speaker = Speaker(
        name=name,
        affiliation=affiliation.strip() if affiliation else None,
        role=role,
        language=m.group("language"),
        label=label,
    )
    return speaker, m.end()


def is_salutation(name: str) -> bool:
    """"Mr. President", "Madam President", "Mr. Secretary-General", "Excellencies": how a
    speaker addresses the chair, never who speaks (that is "The President")."""
    words = [w.lower().strip(".,") for w in name.replace("-", " ").split()]
    return bool(words) and words[0] not in ("the",) and all(w in _SALUTATION for w in words)


def moved_words(text: str) -> tuple[int, int] | None:
    """The [start, end) span of statement words found inside the label, if any."""
    m = _LABEL.match(text)
    return m.span("moved") if m and m.group("moved") else None


_SALUTATION = frozenset("""mr mrs ms madam madame mister sir your his her excellency excellencies
    president vice co chair chairman chairperson chairwoman secretary general deputy under
    distinguished delegates colleagues ladies gentlemen friends of the assembly council
    moderator honourable honorable""".split())
_SWITCH = re.compile(r"^\(spoke in (?P<language>[A-Z][a-z]+)\)$")
_INVITEE = re.compile(r"(?:(?:His|Her) Excellency\s+)?\b(?P<title>Mr|Mrs|Ms|Miss|Dr|Sir|Dame|"
                      r"Monsignor|Archbishop|Cardinal|Judge|Professor)\.?\s+(?P<name>[^,]+),\s*")
_OBSERVER = re.compile(r"(?:Delegation|Observer|Representative|Mission) of (?:the )?(.+?) "
                       r"to the United Nations")
_HEAD_OF = re.compile(r"^(?:Vice-)?(?:Chair|Chairperson|Chairman|President|Director|Executive "
                      r"Director|Head|Secretary-General|Director-General|[Oo]bserver) of (?:the )?(.+)$")
# A minister's or envoy's post names the country last: "Minister for Foreign Affairs of Y".
_OFFICE_OF = re.compile(r"^(?:Deputy |Vice-|First |Prime )*(?:Minister|Secretary|President"
                        r"|Permanent Representative|Special Envoy)\b.*? of (?:the )?([A-Z].+)$")
# "I now give the floor to …": whom the President calls next, up to the sentence's end (a
# period not closing a title such as "Mr.").
_FLOOR = re.compile(r"\bgive the floor to (?P<who>(?:\b(?:Mrs|Mr|Ms|Dr|St)\.|[^.])+)")
_FLOOR_PERSON = re.compile(r"^(?:(?:His|Her) (?:Excellency|Royal Highness|Majesty)\s+)?"
                           r"(?P<title>Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Monsignor|Archbishop|Judge"
                           r"|Professor)\.?\s+(?P<name>[^,]+?)(?:,\s*(?P<post>.+))?$")
_FLOOR_POST = re.compile(r"^the (?P<post>(?:representative|observer|Permanent (?:Representative|Observer)"
                         r"|(?:Vice-)?Chair(?:person|man)?|President|Head|Director)\b.*)$", re.I)
_UN_SECRETARIAT = {"Secretary-General", "Deputy Secretary-General"}


def language_switch(text: str) -> str | None:
    """The language named by a paragraph that is only "(spoke in English)", else None."""
    m = _SWITCH.match(text.strip())
    return m.group("language") if m else other_language_switch(text)


def role_affiliation(role: str | None) -> str | None:
    """Whom a role speaks for when the label names no one: the Secretary-General, the
    United Nations."""
    return "United Nations" if role in _UN_SECRETARIAT else None


def affiliation_of_post(post: str) -> str | None:
    """The organisation a briefer's post belongs to, e.g. "Head of Delegation of the
    European Union to the United Nations" -> "European Union"; posts of the Secretariat
    and its missions -> "United Nations"."""
    post = " ".join(post.replace("- ", "-").split())
    if m := _OBSERVER.search(post):
        return m.group(1)
    if "Secretary-General" in post or "United Nations" in post:
        return "United Nations"
    if m := _HEAD_OF.match(post) or _OFFICE_OF.match(post):
        return m.group(1)
    if m := re.match(r"^(?:[Tt]he )?(?:representative|Permanent Representative) of (?:the )?(.+)$", post):
        return m.group(1)
    return None


def floor_given(text: str) -> Speaker | None:
    """Whom a President's paragraph gives the floor to last, as far as it says: "I now
    give the floor to the observer of the League of Arab States" → (affiliation League of
    Arab States, role "observer of the League of Arab States"); "… to His Excellency
    Mr. X, Minister for Foreign Affairs of Y" → Mr. X, Y. The next label that names no
    affiliation of its own takes it (`documents`). None when no floor is given, or to a
    name alone ("I now give the floor to Mr. Mardini")."""
    found = list(_FLOOR.finditer(" ".join(text.split())))
    if not found:
        return None
    who = found[-1].group("who").strip(" ,;")
    if m := _FLOOR_PERSON.match(who):
        post = (m.group("post") or "").strip() or None
        name = f"{m.group('title')}. {' '.join(m.group('name').split())}"
        affiliation = affiliation_of_post(post) if post else None
        return Speaker(name, affiliation, post) if affiliation else None
    if m := _FLOOR_POST.match(who):
        post = m.group("post")
        if affiliation := affiliation_of_post(post):
            return Speaker("", affiliation, post)
    return None


def invitations(text: str) -> dict[str, Speaker]:
    """Briefers invited under rule 39 in a President's paragraph, keyed by title and
    surname as their label will read ("Mr. Chambas"), with affiliation and post."""
    if "rule 39" not in text or "invite" not in text:
        return {}
    tail = " ".join(text.split("invite", 1)[1].split())
    tail = tail.split(":", 1)[1] if ":" in tail else tail
    # The invitation ends at "to participate in this meeting"; in a one-line record the
    # President's next sentences follow on the same line and are no one's post.
    tail = re.split(r",?\s*to participate in (?:this|the) meeting", tail, maxsplit=1)[0]
    tail = tail.rstrip(". ")
    found: dict[str, Speaker] = {}
    matches = list(_INVITEE.finditer(tail))
    for m, nxt in zip(matches, matches[1:] + [None]):
        post = tail[m.end(): nxt.start() if nxt else len(tail)]
        post = re.sub(r"(?:,\s*|\s+)(?:and\s*)?$", "", post.strip()).strip(" ,")
        title, name = m.group("title"), " ".join(m.group("name").split())
        key = f"{title}. {name.split()[-1]}"
        found[key] = Speaker(f"{title}. {name}", affiliation_of_post(post), post or None)
    return found

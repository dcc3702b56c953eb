"""Paragraph numbering of UN resolutions, so a passage can be cited as
`S/RES/2178 (2014), OP 6`: preambular paragraphs (PP) are counted from the opening
"The Security Council," to the first numbered paragraph; operative paragraphs (OP) carry
their printed number, and their lettered subparagraphs belong to them. And what the model
reads before each passage (`contexts`): the countries the resolution is about, and a
subparagraph's lead-in."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .countries import COUNTRIES

_OPENING = re.compile(r"^The (?:Security Council|General Assembly|Economic and Social Council)"
                      r"\s*,?\s*$")
_OPERATIVE = re.compile(r"^(\d{1,3})\s*\.\s+\S")
# A subparagraph's marker: "(a)", "(aa)", "(iii)"
MARKER = r"\((?:[a-z]{1,2}|[ivxl]+)\)"
_SUBPARAGRAPH = re.compile(rf"^{MARKER}\s")


def is_resolution(metadata: dict[str, str]) -> bool:
    """Resolutions are known by their symbol: S/RES/…, A/RES/…, E/RES/…."""
    return "/RES/" in metadata.get("symbol", "")


_ENDS = (",", ";", ".", ":")     # how every paragraph of a resolution ends


def _is_heading(text: str) -> bool:
    """Headings between operative paragraphs ("International Cooperation") end in no
    punctuation, unlike every paragraph of a resolution."""
    return not text.rstrip().endswith(_ENDS) and len(text.split()) <= 15


def cut_mid_sentence(line: str, next_line: str) -> bool:
    """Whether a resolution's `line` is a paragraph the page ended in mid-sentence, going on
    in `next_line` ("…and decides further that all" | "Member States shall ensure…"): it
    ends on none of . , ; : and is no heading, and `next_line` opens no paragraph of its
    own (an operative number, a subparagraph's letter)."""
    following = next_line.strip()
    return (not line.rstrip().endswith(_ENDS) and not _is_heading(line)
            and not (_OPERATIVE.match(following) or _SUBPARAGRAPH.match(following)))


def sections(texts: list[str]) -> list[tuple[str | None, bool]]:
    """(`PP n` or `OP n`, whether it is a heading) for each paragraph of a resolution;
    (None, False) for its title block.

    A heading ("Arms embargo", "International Cooperation"), and the opening "The Security
    Council,", takes the section of the paragraph under it: it leads into that paragraph
    and is searched and shown with it, never as a passage of its own (a hit reading only
    "Arms embargo" cites nothing). One with no paragraph under it keeps None."""
    out: list[tuple[str | None, bool]] = []
    state, preamble, operative = "title", 0, 0
    waiting: list[int] = []        # headings waiting for the paragraph under them
    for text in texts:
        text = text.strip()
        if state == "title":
            if _OPENING.match(text):     # "The Security Council," leads into PP 1
                state = "preamble"
                waiting.append(len(out))
            out.append((None, state == "preamble"))
            continue
        if m := _OPERATIVE.match(text):
            state, operative = "operative", int(m.group(1))
            section = f"OP {operative}"
        elif _is_heading(text):
            waiting.append(len(out))
            out.append((None, True))
            continue
        elif state == "preamble":
            if not _SUBPARAGRAPH.match(text) or not preamble:
                preamble += 1
            section = f"PP {preamble}"
        else:
            section = f"OP {operative}"
        for i in waiting:
            out[i] = (section, True)
        waiting.clear()
        out.append((section, False))
    return out


_LETTERED = re.compile(r"^\([a-z]\)\s")
_ROMAN = re.compile(r"^\((?:i{1,3}|iv|vi{0,3}|ix|xi{0,2})\)\s")


def belongs_to(before: list[str], text: str) -> str | None:
    """The lettered subparagraph that a roman-numbered one (`text`, "(iii) resuming …")
    belongs to, among the paragraphs `before` it in its section: the nearest that leads
    into a list ("(a) … for one or more of the following purposes:"); None for any other
    `text`. "(i)" after "(h)" is a letter, not a number."""
    if not _ROMAN.match(text) or (text.startswith("(i)") and before
                                  and before[-1].startswith("(h)")):
        return None
    return next((p for p in reversed(before)
                 if _LETTERED.match(p) and p.rstrip().endswith(":")), None)


def subparagraph_at(texts: list[str], markers: list[str]) -> int | None:
    """Where in a section's passages (`texts`, in order) its subparagraph `markers` begin,
    outermost first ("(a)", then the "(iii)" after it): a passage that opens with the
    marker, or one where it follows a list's ";" or ":" ("(iii) …; (iv) …"), never a
    reference ("paragraph 9 (a) of resolution 1970"). 0 for no markers, None if one is not
    found."""
    at: int | None = 0
    for marker in markers:
        begins = re.compile(rf"(?:^|[;:]\s*){re.escape(marker)}\s", re.M)
        at = next((i for i in range(at, len(texts)) if begins.search(texts[i])), None)
        if at is None:
            return None
    return at


def contexts(texts: list[str], sections: list[str | None]) -> list[str | None]:
    """What the model reads before each passage of a resolution, None for none: the
    countries the resolution is about where the passage does not name them ("Yemen: "),
    and, for a lettered subparagraph or a later part of a paragraph, the passage its
    section opens with ("11. Decides that all Member States shall … :").

    A resolution's paragraph seldom says whom it is for ("(c) to freeze without delay the
    funds …"): the Council named the country in the preamble and the lead-in. Only the
    vectors read the context; the passage shown and cited stays as printed. English
    recall@10 against the passage alone: +0.019 (−0.001, +0.041) on the 152 spent questions
    over the 679 resolutions it was chosen on (English vectors swapped in; +0.011 built
    into an index), +0.009 (−0.020, +0.045) on 40 untouched ones
    (scripts/data/ranking_variants.md, eleventh round).
    """
    subjects = _subjects(texts)
    out: list[str | None] = []
    opening = 0                    # where the current section began
    for i, (text, section) in enumerate(zip(texts, sections)):
        if not i or section is None or section != sections[i - 1]:
            opening = i
        missing = [name for name in subjects if _plain(name) not in _plain(text)]
        context = (", ".join(missing) + ": " if missing else "") + \
            (texts[opening] + "\n" if opening != i else "")
        out.append(context or None)
    return out


def _plain(text: str) -> str:
    return text.lower().replace("\u2019", "'")


def _subjects(texts: list[str]) -> list[str]:
    """The (at most two) countries a resolution is about: those named in at least three of
    its passages and in at least 15 % of them, most named first, by their UN names."""
    pattern, names = _country_names()
    counts = Counter(name for text in texts
                     for name in {names[m.group(0)] for m in pattern.finditer(text)})
    return [name for name, n in counts.most_common(2) if n >= 3 and n >= 0.15 * len(texts)]


# Named as subjects of resolutions, though not (or no longer) Member States' names: the
# name the resolution prints → the name it is given
_ALSO = {"Kosovo": "Kosovo", "Western Sahara": "Western Sahara", "Darfur": "Darfur",
         "Libyan Arab Jamahiriya": "Libya", "Syria": "Syrian Arab Republic"}


@lru_cache(maxsize=1)
def _country_names() -> tuple[re.Pattern[str], dict[str, str]]:
    """A pattern for the countries' UN names as resolutions print them ("the Democratic
    Republic of the Congo", "the Islamic Republic of Iran" as Iran), longest first so
    that "Guinea-Bissau" is not read as Guinea; and each spelling → the name given."""
    names = dict(_ALSO)
    for code, name in COUNTRIES.items():
        if code != "EU":
            short = name.split(" (")[0]        # "Iran (Islamic Republic of)" → "Iran"
            names[short] = names[short.replace("'", "\u2019")] = short   # "Côte d’Ivoire"
    spellings = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, spellings)) + r")\b"), names

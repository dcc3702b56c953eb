"""From a decoded source to citable passages: paragraphs, speakers, statements, parts,
pages (PDF records) and paragraph numbers (resolutions)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from . import furniture, ligatures, resolutions, textclean
from .passages import TokenCounter, model_text, split_paragraph
from .sources import SourceText
from .speakers import (
    Speaker,
    floor_given,
    invitations,
    language_switch,
    moved_words,
    parse_label,
    role_affiliation,
)


_WORD = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Passage:
    """One embeddable unit of a document, with everything needed to cite it."""

    position: int
    text: str
    paragraph: int
    paragraph_end: int
    part: int
    parts: int
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    speaker: str | None = None
    affiliation: str | None = None
    role: str | None = None
    language: str | None = None
    statement: int | None = None
    page: int | None = None
    section: str | None = None      # "OP 6" / "PP 3" in resolutions
    context: str | None = None      # read by the model before `text`, never shown: a
                                    #   resolution's subject and lead-in (`resolutions.contexts`)

    @property
    def embedded(self) -> str:
        """What the model reads: the context, then the text."""
        return model_text(self.text, self.context)


@dataclass
class _Paragraph:
    number: int
    clean: textclean.CleanText
    speaker: Speaker | None
    statement: int | None
    tokens: int = 0
    section: str | None = None
    heading: bool = False          # a resolution's heading, leading into what follows


class _Statements:
    """Who is speaking, paragraph by paragraph: labels open statements, "(spoke in …)"
    notes switch language, headings and procedural notes belong to no one, and the
    President's rule 39 invitations say whom a briefer speaks for."""

    def __init__(self, meta: dict[str, str], invited: dict[str, Speaker] | None = None) -> None:
        self.meta = meta
        self.first = int(meta["statement"]) if meta.get("statement") else 1
        self.speaker = Speaker(meta["speaker"], meta.get("affiliation"), meta.get("role"),
                               meta.get("language")) if meta.get("speaker") else None
        self.statement = self.first if self.speaker else None
        self.last: int | None = self.statement
        self.spoken = False
        self.invited: dict[str, Speaker] = invited if invited is not None else {}
        self.floor: Speaker | None = None    # whom the President last gave the floor to

    def read(self, number: int, clean: textclean.CleanText, note: bool,
             labels: bool = True) -> _Paragraph | None:
        """The paragraph with its speaker, or None when it is only a language note."""
        if language := language_switch(clean.text):
            if self.speaker:
                self.speaker = replace(self.speaker, language=language)
            return None
        if note:
            self.speaker = self.statement = None
            return _Paragraph(number, clean, None, None)
        if labels and (label := parse_label(clean.text)):
            found, cut = label
            self.speaker, self.floor = self._fill(found), None
            self.last = self.first if self.last is None or not self.spoken else self.last + 1
            self.statement = self.last
            clean = _statement_text(clean, cut)
        if self.speaker and self.speaker.role == "President":
            self.invited.update(invitations(clean.text))
            self.floor = floor_given(clean.text) or self.floor
        if not clean.text:
            return None
        self.spoken = self.spoken or self.speaker is not None
        return _Paragraph(number, clean, self.speaker, self.statement)

    def _fill(self, found: Speaker) -> Speaker:
        """Complete a label from what else is known: the document's metadata when it names
        the same speaker (or the file is one statement, as in per-speech corpora), the
        cover's president, the Secretariat, the briefer's invitation, or the President's
        words giving the floor ("to the observer of the League of Arab States")."""
        meta, affiliation, role = self.meta, found.affiliation, found.role
        if meta.get("speaker") == found.name or (meta.get("statement") and not self.spoken):
            affiliation = affiliation or meta.get("affiliation")
            role = role or meta.get("role")
        if affiliation is None:
            words = found.name.split()
            invited = self.invited.get(f"{words[0]} {words[-1]}")
            president = meta.get("president_affiliation") if role == "President" else None
            affiliation = president or role_affiliation(role) or (
                invited.affiliation if invited else None)
            role = role or (invited.role if invited else None)
        if affiliation is None and role is None and (floor := self._floor_for(found.name)):
            affiliation, role = floor.affiliation, floor.role
        return Speaker(self._named(found), affiliation, role,
                       found.language or meta.get("language"), found.label)

    def _named(self, found: Speaker) -> str:
        """"The President" (or "Le Président", "主席"…) with the person the cover (or the
        corpus table) names: "The President (Mr. Dang)", so a search by speaker finds the
        President's words."""
        meta = self.meta
        who = meta.get("president") or (meta.get("speaker") if meta.get("role") == "President"
                                         else None)
        if found.role != "President" or not who or who == found.name:
            return found.name
        return f"{found.name} ({who})"


    def _floor_for(self, name: str) -> Speaker | None:
        """The floor just given, when it was given to no one by name or to this speaker."""
        floor = self.floor
        if floor is None or (floor.name and floor.name.split()[-1] != name.split()[-1]):
            return None
        return floor


def meeting_of(metadata: dict[str, str]) -> str | None:
    """The meeting a record belongs to: "S/PV.8699" for S/PV.8699 (Resumption 1) too."""
    symbol = metadata.get("symbol", "")
    return re.sub(r"\s*\(Resumption\s*\d*\)$", "", symbol) if "/PV." in symbol else None


def _paragraphs(source: SourceText, meetings: dict[str, dict] | None = None) -> list[_Paragraph]:
    """The document's paragraphs, numbered as read: page furniture left out, a paragraph
    of no words (a list number, a stray mark) kept with the paragraph after it."""
    raw = furniture.mask(source.text)
    vocab, compounds = textclean.vocabulary(raw), textclean.hyphenated_pairs(raw)
    fixes = ligatures.repairs(raw)   # {} unless the text lost ligatures ("sancons")
    meeting = meeting_of(source.metadata)
    # A meeting's resumptions are read with the invitations of its records read before; any
    # other document reads only its own (the 2020 files of one meeting, a speech each, stay
    # apart: a local build and a Ray build, whose workers see different files, then agree),
    # and leaves its invitations for the resumptions.
    shared = meetings.setdefault(meeting, {}) if meetings is not None and meeting else None
    resumption = "(Resumption" in source.metadata.get("symbol", "")
    statements = _Statements(source.metadata, shared if resumption else None)
    resolution = resolutions.is_resolution(source.metadata)
    notes = {start for start, _ in source.notes}
    out: list[_Paragraph] = []
    page_break = False
    wordless: textclean.CleanText | None = None
    # A resolution is a paragraph per line; PDF records come laid out in paragraphs.
    wrapped = False if resolution else source.hard_wrapped
    for start, end in textclean.paragraph_blocks(raw, wrapped):
        clean = ligatures.repair(textclean.clean(raw[start:end], start, vocab, compounds), fixes)
        if furniture.is_furniture(clean.text):
            page_break = True
            continue
        # A PDF paragraph cut by a page break goes on, in lower case, on the next page.
        if page_break and out and clean.text[:1].islower():
            out[-1].clean = _join(out[-1].clean, clean)
            page_break = False
            continue
        page_break = False
        if not _WORD.search(clean.text):
            wordless = clean if wordless is None else _join(wordless, clean)
            continue
        paragraph = statements.read(len(out) + 1, clean, start in notes, labels=not resolution)
        if paragraph:
            if wordless is not None:
                paragraph.clean, wordless = _join(wordless, paragraph.clean), None
            out.append(paragraph)
    if wordless is not None and out:
        out[-1].clean = _join(out[-1].clean, wordless)
    if shared is not None and not resumption:
        shared.update(statements.invited)
    if resolution:
        for p, (section, heading) in zip(out, resolutions.sections([p.clean.text for p in out])):
            p.section, p.heading = section, heading
    return out


def _join(a: textclean.CleanText, b: textclean.CleanText, sep: str = " ") -> textclean.CleanText:
    return textclean.CleanText(a.text + sep + b.text, a.offsets + [a.offsets[-1] + 1] + b.offsets)


def _same_unit(a: _Paragraph, b: _Paragraph) -> bool:
    return a.statement == b.statement and a.speaker == b.speaker and a.section == b.section


def _statement_text(clean: textclean.CleanText, cut: int) -> textclean.CleanText:
    """The paragraph without its label, with any words extraction moved into the label
    put back in front, so no statement text is lost."""
    moved = moved_words(clean.text)
    text, offsets = clean.text[cut:], clean.offsets[cut:]
    if moved:
        s, e = moved
        text = clean.text[s:e] + " " + text
        offsets = clean.offsets[s:e] + [clean.offsets[e - 1]] + offsets
    return textclean.CleanText(text, offsets)


def _merge_small(paragraphs: list[_Paragraph], budget: int, min_tokens: int) -> list[list[_Paragraph]]:
    """Group each tiny paragraph with the next one of the same statement (or resolution
    paragraph), when they fit."""
    groups: list[list[_Paragraph]] = []
    for p in paragraphs:
        if groups:
            last = groups[-1]
            size = sum(q.tokens for q in last)
            same = _same_unit(last[-1], p)
            # A tiny piece that starts in lower case ("world.") ends the sentence of the
            # paragraph before it, broken off by the extraction: it joins that one.
            continues = p.tokens < min_tokens and p.clean.text[:1].islower()
            # A tiny group (a salutation, a heading) goes with what follows even when that
            # is long: they are cut into parts together, so it is never a passage alone.
            # So does a paragraph that ends on a comma ("Excellencies, Ladies and
            # Gentlemen,"): it is said to, or leads into, the one after it. (Not in
            # resolutions, whose numbered paragraphs end on commas by design; there a
            # heading leads into the paragraph under it.)
            addressed = last[-1].section is None and _addresses(last[-1].clean.text)
            if same and (size < min_tokens or addressed or last[-1].heading or
                         (continues and size + p.tokens <= budget)):
                last.append(p)
                continue
        groups.append([p])
    # A tiny paragraph at the end of a statement joins the one before it instead.
    if len(groups) > 1 and sum(q.tokens for q in groups[-1]) < min_tokens:
        prev, tail = groups[-2], groups[-1]
        if _same_unit(prev[-1], tail[0]) and sum(q.tokens for q in prev + tail) <= budget:
            groups[-2:] = [prev + tail]
    return groups


_SALUTATION = re.compile(r"^[*_•\-\s]*(?:Mr\b|Madam|Madame|Mister|Your|His|Her|H\.\s?E\.|"
                         r"Excellenc|Honou?rable|Distinguished|Dear|Ladies|President|Secretary)")


def _addresses(text: str) -> bool:
    """A paragraph that leads into the next: it ends on a comma ("Excellencies, Ladies and
    Gentlemen,"), or is a salutation that ends no sentence ("Your Excellency Mr. Volkan
    Bozkir, President of the General Assembly")."""
    text = text.rstrip("*_ ")
    return text.endswith(",") or (bool(_SALUTATION.match(text)) and
                                  not textclean.ends_sentence(text))


def _page_of(source: SourceText, offset: int) -> int | None:
    """The printed page a character of a PDF's text is on."""
    if not source.pages:
        return None
    i = bisect.bisect_right([start for start, _ in source.pages], offset) - 1
    return source.pages[max(i, 0)][1]


def leave_invitations(source: SourceText, meetings: dict[str, dict]) -> None:
    """Do to `meetings` what `to_passages` does, without the split: a meeting's first
    record leaves its invitations there for the resumptions read after it. A Ray worker
    reads so the records of a meeting that other workers index (`scale.worker`)."""
    _paragraphs(source, meetings)


def to_passages(source: SourceText, count: TokenCounter, budget: int,
                min_tokens: int = 16, meetings: dict[str, dict] | None = None) -> list[Passage]:
    """Split a decoded source into passages of at most `budget` word pieces each.

    Args:
        meetings: shared by the documents of one build, so that briefers invited under
            rule 39 in a meeting's first record keep their affiliation in its
            `(Resumption N)` records read after it (`sources.discover` orders them so).
    """
    paragraphs = _paragraphs(source, meetings)
    if not paragraphs:
        return []
    for p, n in zip(paragraphs, count([p.clean.text for p in paragraphs])):
        p.tokens = n
    line_starts = [0] + [i + 1 for i, ch in enumerate(source.text) if ch == "\n"]
    passages: list[Passage] = []
    for group in _merge_small(paragraphs, budget, min_tokens):
        # The parts of a group all cite its paragraphs (first to last), as one unit.
        # A heading stays on a line of its own above the paragraph it leads into.
        first, clean = group[0], group[0].clean
        for prev, p in zip(group, group[1:]):
            clean = _join(clean, p.clean, "\n" if prev.heading else " ")
        spans = split_paragraph(clean.text, count, budget)
        for part, (s, e) in enumerate(spans, start=1):
            c0, c1 = clean.source_span(s, e)
            sp = first.speaker
            passages.append(Passage(
                position=len(passages), text=clean.text[s:e],
                paragraph=first.number, paragraph_end=group[-1].number,
                part=part, parts=len(spans),
                line_start=bisect.bisect_right(line_starts, c0),
                line_end=bisect.bisect_right(line_starts, max(c0, c1 - 1)),
                char_start=c0, char_end=c1,
                speaker=sp.name if sp else None,
                affiliation=sp.affiliation if sp else source.metadata.get("affiliation"),
                role=sp.role if sp else None, language=sp.language if sp else None,
                statement=first.statement, page=_page_of(source, c0), section=first.section,
            ))
    if resolutions.is_resolution(source.metadata):
        found = resolutions.contexts([p.text for p in passages], [p.section for p in passages])
        passages = [replace(p, context=c) for p, c in zip(passages, found)]
    return passages

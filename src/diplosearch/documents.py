"""From a decoded source to citable passages: paragraphs, speakers, statements, parts."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from . import textclean
from .passages import TokenCounter, split_paragraph
from .sources import SourceText
from .speakers import Speaker, parse_label


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


@dataclass
class _Paragraph:
    number: int
    clean: textclean.CleanText
    speaker: Speaker | None
    statement: int | None
    tokens: int = 0


def _paragraphs(source: SourceText) -> list[_Paragraph]:
    raw = source.text
    vocab, compounds = textclean.vocabulary(raw), textclean.hyphenated_pairs(raw)
    meta = source.metadata
    default = Speaker(meta["speaker"], meta.get("affiliation"), meta.get("role"),
                      meta.get("language")) if meta.get("speaker") else None
    first_statement = int(meta["statement"]) if meta.get("statement") else 1
    speaker, statement = default, (first_statement if default else None)
    out: list[_Paragraph] = []
    for number, (start, end) in enumerate(textclean.paragraph_blocks(raw), start=1):
        clean = textclean.clean(raw[start:end], start, vocab, compounds)
        label = parse_label(clean.text)
        if label:
            found, cut = label
            speaker = _fill(found, meta)
            statement = first_statement if statement is None or not out else statement + 1
            clean = textclean.CleanText(clean.text[cut:], clean.offsets[cut:])
        if clean.text:
            out.append(_Paragraph(number, clean, speaker, statement))
    return out


def _fill(found: Speaker, meta: dict[str, str]) -> Speaker:
    """Complete a label from the document's metadata when it names the same speaker
    ("Mr. Semerikov (spoke in Russian):" + a sidecar giving his organisation)."""
    if meta.get("speaker") and meta["speaker"] == found.name:
        return Speaker(found.name, found.affiliation or meta.get("affiliation"),
                       found.role or meta.get("role"), found.language or meta.get("language"),
                       found.label)
    return found


def _merge_small(paragraphs: list[_Paragraph], budget: int, min_tokens: int) -> list[list[_Paragraph]]:
    """Group each tiny paragraph with the next one of the same statement, when they fit."""
    groups: list[list[_Paragraph]] = []
    for p in paragraphs:
        if groups:
            last = groups[-1]
            size = sum(q.tokens for q in last)
            same = last[-1].statement == p.statement and last[-1].speaker == p.speaker
            if same and size < min_tokens and size + p.tokens <= budget:
                last.append(p)
                continue
        groups.append([p])
    # A tiny paragraph at the end of a statement joins the one before it instead.
    if len(groups) > 1 and sum(q.tokens for q in groups[-1]) < min_tokens:
        prev, tail = groups[-2], groups[-1]
        if prev[-1].statement == tail[0].statement and sum(q.tokens for q in prev + tail) <= budget:
            groups[-2:] = [prev + tail]
    return groups


def to_passages(source: SourceText, count: TokenCounter, budget: int,
                min_tokens: int = 16) -> list[Passage]:
    """Split a decoded source into passages of at most `budget` word pieces each."""
    paragraphs = _paragraphs(source)
    if not paragraphs:
        return []
    for p, n in zip(paragraphs, count([p.clean.text for p in paragraphs])):
        p.tokens = n
    line_starts = [0] + [i + 1 for i, ch in enumerate(source.text) if ch == "\n"]
    passages: list[Passage] = []
    for group in _merge_small(paragraphs, budget, min_tokens):
        first = group[0]
        if len(group) > 1:
            spans = [(group, None)]
        else:
            spans = [(group, span) for span in split_paragraph(first.clean.text, count, budget)]
        for part, (members, span) in enumerate(spans, start=1):
            if span is None:
                text = " ".join(p.clean.text for p in members)
                c0 = members[0].clean.source_span(0, 1)[0]
                c1 = members[-1].clean.source_span(0, len(members[-1].clean.text))[1]
            else:
                text = first.clean.text[span[0]:span[1]]
                c0, c1 = first.clean.source_span(*span)
            sp = first.speaker
            passages.append(Passage(
                position=len(passages), text=text, paragraph=first.number,
                paragraph_end=members[-1].number, part=part, parts=len(spans),
                line_start=bisect.bisect_right(line_starts, c0),
                line_end=bisect.bisect_right(line_starts, max(c0, c1 - 1)),
                char_start=c0, char_end=c1,
                speaker=sp.name if sp else None, affiliation=sp.affiliation if sp else None,
                role=sp.role if sp else None, language=sp.language if sp else None,
                statement=first.statement,
            ))
    return passages

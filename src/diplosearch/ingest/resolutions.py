"""Paragraph numbering of UN resolutions, so a passage can be cited as
`S/RES/2178 (2014), OP 6`: preambular paragraphs (PP) are counted from the opening
"The Security Council," to the first numbered paragraph; operative paragraphs (OP) carry
their printed number, and their lettered subparagraphs belong to them."""

from __future__ import annotations

import re

_OPENING = re.compile(r"^The (?:Security Council|General Assembly|Economic and Social Council)"
                      r"\s*,?\s*$")
_OPERATIVE = re.compile(r"^(\d{1,3})\s*\.\s+\S")
_SUBPARAGRAPH = re.compile(r"^\((?:[a-z]{1,2}|[ivxl]+)\)\s")
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

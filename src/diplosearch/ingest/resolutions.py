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


def _is_heading(text: str) -> bool:
    """Headings between operative paragraphs ("International Cooperation") end in no
    punctuation, unlike every paragraph of a resolution."""
    return not text.rstrip().endswith((",", ";", ".", ":")) and len(text.split()) <= 15


def sections(texts: list[str]) -> list[str | None]:
    """`PP n` / `OP n` for each paragraph of a resolution, None for its title block and
    headings."""
    out: list[str | None] = []
    state, preamble, operative = "title", 0, 0
    for text in texts:
        text = text.strip()
        if state == "title":
            if _OPENING.match(text):
                state = "preamble"
            out.append(None)
        elif m := _OPERATIVE.match(text):
            state, operative = "operative", int(m.group(1))
            out.append(f"OP {operative}")
        elif _is_heading(text):
            out.append(None)
        elif state == "preamble":
            if not _SUBPARAGRAPH.match(text) or not preamble:
                preamble += 1
            out.append(f"PP {preamble}")
        else:
            out.append(f"OP {operative}")
    return out

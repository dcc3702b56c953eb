"""The cover page of a UN meeting record: symbol, meeting, date, place, president and
agenda become document metadata; its fixed notices never become passages."""

from __future__ import annotations

import re

from .metadata import iso_date
from .pdflayout import Page

_SYMBOL = re.compile(r"\b([ASE])\s*/\s*((?:\d+\s*/\s*)?PV\s*\.\s*\d+)"
                     r"(?:\s*\(\s*(Resumption\s*\d*)\s*\))?")
_MEETING = re.compile(r"\b(\d+)\s*(?:st|nd|rd|th)\s+(?:plenary\s+)?meeting\b")
_WHEN = re.compile(r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+"
                   r"(?P<date>\d{1,2}\s+\w+\s+\d{4})(?:,\s*(?P<time>.+))?$")
_PRESIDENT = re.compile(r"^President\s*:\s*(?P<name>.+?)[\s.]*(?:\((?P<of>[^()]+)\))?\s*$")
_LANGUAGE = re.compile(r"text of speeches delivered in (\w+)")
_NOTICE = "This record contains"
_BODIES = ("Security Council", "General Assembly", "Economic and Social Council")


def is_cover(page: Page) -> bool:
    """A meeting record's cover: a "President:" line and an "Agenda" heading."""
    texts = [line.text.strip() for line in page.body]
    return any(re.match(r"President\s*:", t) for t in texts) and any(
        t == "Agenda" or t.startswith(_NOTICE) for t in texts)


def parse(page: Page) -> dict[str, str]:
    """Document metadata from a cover page; keys absent when the cover lacks them."""
    texts = [line.text.strip() for line in page.body]
    meta: dict[str, str] = {}
    joined = "\n".join(texts)
    if m := _SYMBOL.search(joined):
        symbol = m.group(1) + "/" + "".join(m.group(2).split())
        if m.group(3):
            number = re.sub(r"\D", "", m.group(3))
            symbol += f" (Resumption {number})" if number else " (Resumption)"
        meta["symbol"] = symbol
    if m := _MEETING.search(joined):
        meta["meeting"] = m.group(1)
    for body in _BODIES:
        if body in joined.split(_NOTICE)[0]:
            meta["body"] = body
            break
    for i, text in enumerate(texts):
        if m := _WHEN.match(text):
            meta.update(_when(m, texts[i + 1] if i + 1 < len(texts) else ""))
        elif m := _PRESIDENT.match(text):
            meta["president"] = re.sub(r"(?:\s*\.)+$", "", m.group("name")).strip()
            if m.group("of"):
                meta["president_affiliation"] = m.group("of").strip()
    meta.update(_agenda(texts))
    if m := _LANGUAGE.search(" ".join(texts)):
        meta["language"] = m.group(1)
    return meta


def _when(m: re.Match, next_line: str) -> dict[str, str]:
    out: dict[str, str] = {}
    date = iso_date(m.group("date"))
    if date:
        out["date"], out["year"] = date, date[:4]
    if m.group("time"):
        out["time"] = m.group("time").strip()
    # The place is printed on the line below the date ("New York", "Geneva").
    if next_line and ":" not in next_line and len(next_line) < 40:
        out["place"] = next_line.replace("Provisional", "").strip()
    return out


def _agenda(texts: list[str]) -> dict[str, str]:
    """Agenda items between the "Agenda" heading and the notice: an item's wrapped
    lines are joined, items are separated by "; "."""
    if "Agenda" not in texts:
        return {}
    items: list[str] = []
    for text in texts[texts.index("Agenda") + 1:]:
        if text.startswith(_NOTICE):
            break
        if items and text[:1].islower():
            items[-1] += " " + text
        else:
            items.append(text)
    if not items:
        return {}
    return {"agenda": "; ".join(items), "topic": items[0]}

"""Metadata for the shared UN corpora, recognised by their file names: the 2020 Security
Council speeches (metadata TSV), the General Debate statements (speakers workbook) and
Security Council resolutions (adoption line). Each corpus's table is looked for beside
the corpus, read once per process, and used only when present."""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

from ..errors import SourceError
from .countries import country_name
from .metadata import iso_date

UNSC_2020_TSV = Path("..") / "derived" / "unsc_2020_meta_from_RData.tsv"
UNGDC_XLSX = "Speakers_by_session.xlsx"

_UNSC_SPEECH = re.compile(r"^UNSC_\d{4}_SPV\.\d+(?:Resumption\d+)?_spch\d+\.txt$", re.I)
_UNGDC = re.compile(r"^(?P<iso>[A-Z]{2,3})_(?P<session>\d{1,3})_(?P<year>\d{4})\.txt$")
_ADOPTED = re.compile(r"Adopted by the Security Council at its (\d+)\w*\s+meeting,?\s+on\s+"
                      r"(\d{1,2}\s+\w+\s+\d{4})")
# The TSV codes a few affiliations by abbreviation; speaker labels spell them out.
_AFFILIATIONS = {"UN": "United Nations", "EU": "European Union", "USA": "United States of America"}
_ROLES = {"The President": "President"}


def corpus_metadata(path: Path, text: str = "",
                    warnings: list[str] | None = None) -> dict[str, str]:
    """What the shared corpora's own tables say about the file at `path`; a table that
    should be there and is not is reported by one line appended to `warnings`.

    Raises:
        SourceError: a corpus table exists but cannot be read (naming it).
    """
    name = path.name
    if _UNSC_SPEECH.match(name):
        return _unsc_2020(path, warnings)
    # "USA_74_2019.txt": General Assembly session N opens in year 1945 + N.
    if (m := _UNGDC.match(name)) and int(m.group("year")) - int(m.group("session")) == 1945:
        return _ungdc(path, m, warnings)
    if name.upper().startswith("S-RES-") and text:
        return resolution_adoption(text)
    return {}


def _unsc_2020(path: Path, warnings: list[str] | None = None) -> dict[str, str]:
    table = path.parent / UNSC_2020_TSV
    if not table.is_file():
        # Copied out of the corpus folder, a speech keeps its text but loses its date and
        # the speaker's country: say so rather than index it silently without them.
        if warnings is not None:
            warnings.append(f"{UNSC_2020_TSV.name} not found at {UNSC_2020_TSV} from "
                            f"{path.parent}: the 2020 speeches there get no date, topic or "
                            "table affiliation (speaker labels in the text still count)")
        return {}
    row = _tsv(table.resolve()).get(path.name)
    if not row:
        return {}
    meta = {"date": iso_date(row.get("date", "")) or "", "topic": row.get("topic", ""),
            "speaker": row.get("speaker", ""), "year": row.get("year", "").split(".")[0],
            "affiliation": _AFFILIATIONS.get(row.get("country", ""), row.get("country", "")),
            "participant": row.get("participanttype", ""),
            # Speeches are as printed in the English record: English unless "spoke in".
            "language": "English"}
    if role := _ROLES.get(row.get("participanttype", "")):
        meta["role"] = role
    return {k: v.strip() for k, v in meta.items() if v and v.strip()}


@lru_cache(maxsize=4)
def _tsv(table: Path) -> dict[str, dict[str, str]]:
    try:
        with table.open(encoding="utf-8", newline="") as f:
            return {row["filename"]: row for row in csv.DictReader(f, delimiter="\t")}
    except (OSError, UnicodeDecodeError, KeyError, csv.Error) as exc:
        raise SourceError(table, f"unreadable corpus metadata table: {exc}") from exc


def _ungdc(path: Path, m: re.Match, warnings: list[str] | None) -> dict[str, str]:
    """A General Debate statement: body, session and year from the file name, the country
    from its ISO code, the speaker and post from the speakers workbook when it is found
    (in the file's folder or up to two above it, as in the corpus's own layout)."""
    iso, session, year = m.group("iso"), m.group("session"), m.group("year")
    meta = {"body": "General Assembly", "session": session, "year": year,
            "title": f"General Debate, {int(session)}th session"}
    if (opening := session_opening(int(session))) and opening.year == int(year):
        meta["date"] = opening.isoformat()
    country = country_name(iso)
    workbook = next((folder / UNGDC_XLSX for folder in [path.parent, *path.parent.parents][:3]
                     if (folder / UNGDC_XLSX).is_file()), None)
    if workbook is None:
        if warnings is not None:
            warnings.append(f"{UNGDC_XLSX} not found beside the General Debate files in "
                            f"{path.parent}: speakers and posts left out (country, session "
                            "and year come from the file names)")
    else:
        by_year, countries = _speakers(workbook.resolve())
        country = country or countries.get(iso)
        if row := by_year.get((int(year), iso)):
            meta.update({k: v for k, v in row.items() if v and k != "affiliation"})
    if country:
        meta["affiliation"] = country
    return meta


def session_opening(session: int) -> dt.date | None:
    """The day a regular session of the General Assembly opened, by its rules of procedure
    (rule 1): the Tuesday of the third week of September from the 58th session (2003),
    of the second week from the 78th (2023), counting from the first week with a working
    day in September. Gives 15 September 2015 (70th) ... 5 September 2023 (78th) and
    10 September 2024 (79th), the days those sessions opened. None before the 58th.
    A General Debate statement is dated so: the corpus gives its session, not its day."""
    if session < 58:
        return None
    first = dt.date(1945 + session, 9, 1)
    monday = first - dt.timedelta(days=first.weekday())
    if first.weekday() >= 5:             # 1 September a Saturday or Sunday: no working day
        monday += dt.timedelta(days=7)
    week = 2 if session >= 78 else 3
    return monday + dt.timedelta(days=7 * (week - 1) + 1)


@lru_cache(maxsize=2)
def _speakers(workbook: Path) -> tuple[dict[tuple[int, str], dict[str, str]], dict[str, str]]:
    """(year, ISO code) → speaker, post and country as named that year; ISO code → its
    latest name, for years the workbook lacks."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise SourceError(workbook, "reading the speakers workbook needs openpyxl") from exc
    try:
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise SourceError(workbook, f"unreadable speakers workbook: {exc}") from exc
    header = [str(h or "").strip() for h in rows[0]] if rows else []
    need = ["Year", "ISO Code", "Country", "Name of Person Speaking", "Post"]
    if missing := [h for h in need if h not in header]:
        raise SourceError(workbook, f"speakers workbook has no {missing[0]!r} column")
    col = {h: header.index(h) for h in need}
    by_year: dict[tuple[int, str], dict[str, str]] = {}
    countries: dict[str, str] = {}
    for row in sorted(rows[1:], key=lambda r: int(r[col["Year"]] or 0)):
        # one line: a few names are broken over two lines in the cell ("...\nSovaleni")
        cell = lambda h: " ".join(str(row[col[h]] or "").split())  # noqa: E731
        if not cell("ISO Code") or not cell("Year").isdigit():
            continue
        countries[cell("ISO Code")] = cell("Country")
        by_year[(int(cell("Year")), cell("ISO Code"))] = {
            "speaker": cell("Name of Person Speaking"), "role": cell("Post"),
            "affiliation": cell("Country")}
    return by_year, countries


def resolution_adoption(text: str) -> dict[str, str]:
    """Date and meeting from a resolution's "Adopted by the Security Council at its
    6191st meeting, on 24 September 2009"."""
    m = _ADOPTED.search(" ".join(text[:3000].split()))
    if not m:
        return {}
    out = {"meeting": m.group(1)}
    if date := iso_date(m.group(2)):
        out["date"] = date
    return out

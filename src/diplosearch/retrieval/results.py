"""What a search returns: `Hit`s with their citations, as plain objects, JSON or a DataFrame."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

from ..ingest import resolutions


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph (or a passage looked up by id) and where exactly it comes from.

    A search hit's `text` is the whole paragraph the matched part belongs to, or, for a
    paragraph too long to read as one answer, a `window` of parts around the match;
    `span` is where the matched part lies in `text`, `highlights` its best sentence, and
    `part`/`parts`, `id` and `char_*`/`line_*` (the source span of `text`) say the rest.
    """

    score: float | None           # None for a passage looked up rather than ranked
    text: str
    citation: str
    doc: str                      # UN symbol where known, else the source's key
    source: str                   # path of the source, relative to the folder indexed
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
    section: str | None = None    # "OP 6" / "PP 3" in resolutions
    date: str | None = None
    body: str | None = None
    year: int | None = None       # of `date`, or as the corpus gives it (General Debate)
    session: int | None = None    # of the General Assembly, where known
    topic: str | None = None      # the meeting's agenda item, where the record or corpus gives it
    id: int = 0
    # `score` is in [0, 1] in every mode, `raw_score` is what the ranker computed (cosine,
    # BM25, fused value, cross-encoder output); see `retrieval.fusion.unit_scores`.
    raw_score: float | None = None
    highlights: tuple[tuple[int, int], ...] = field(default=())
    span: tuple[int, int] | None = None     # the matched part's [start, end) in `text`
    window: tuple[int, int] | None = None   # first and last part in `text`, when not all
    lead_in: str | None = None    # a resolution's lettered subparagraph: the opening of its
                                  #   paragraph ("9. Decides that … shall not apply to:")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["highlights"] = [list(span) for span in self.highlights]
        for key in ("span", "window"):
            out[key] = list(out[key]) if out[key] is not None else None
        return out


def cite(doc: str, paragraph: int, paragraph_end: int = 0, part: int = 1, parts: int = 1,
         speaker: str | None = None, affiliation: str | None = None, page: int | None = None,
         statement: int | None = None, per_statement: bool = False,
         section: str | None = None) -> str:
    """The short citation, e.g. `S/PV.8699, p. 7 ¶12 — Mr. Amorin (Uruguay)`.

    A per-speech file (one statement of a meeting per file) names its statement, since its
    paragraphs are counted within the statement: `S/PV.8699 #12 ¶1`. A resolution names
    the paragraph as numbered in it: `S/RES/2178 (2014), OP 6 ¶23`.
    """
    where = doc
    if page is not None:
        where += f", p. {page}"
    if section:
        where += f", {section}"
    if per_statement and statement is not None:
        where += f" #{statement}"
    para = f"¶{paragraph}" + (f"–{paragraph_end}" if paragraph_end > paragraph else "")
    if parts > 1:
        para += f" ({part}/{parts})"
    out = f"{where} {para}"
    if speaker:
        out += f" — {speaker}" + (f" ({affiliation})" if affiliation else "")
    return out


# The six official languages: a record held in several cites its non-English versions with
# the language's name after the symbol ("S/PV.8699 (French), p. 6 ¶43"), since their
# paragraphs are numbered apart.
LANGUAGES = {"ar": "Arabic", "zh": "Chinese", "en": "English", "fr": "French", "ru": "Russian",
             "es": "Spanish"}
_LANGUAGE_CODES = {name.lower(): code for code, name in LANGUAGES.items()}
_CITED_LANGUAGE = re.compile(r" \((?P<name>Arabic|Chinese|French|Russian|Spanish)\)$")


def language_code(value: str | None) -> str | None:
    """"fr", "FR" or "French" → "fr"; None for anything else."""
    text = (value or "").strip().lower()
    return text if text in LANGUAGES else _LANGUAGE_CODES.get(text)


def cited_doc(doc: str, metadata: dict[str, Any]) -> str:
    """The document as its citations name it: the symbol, with the language's name for a
    version in another official language than English."""
    code = language_code(metadata.get("language"))
    return f"{doc} ({LANGUAGES[code]})" if code and code != "en" else doc


_CITATION = re.compile(r"^(?P<doc>.+?)(?:, p\. \d+)?(?:, [OP]P \d+)?(?: #(?P<statement>\d+))? "
                       r"¶(?P<paragraph>\d+)(?:[–-]\d+)?(?: \((?P<part>\d+)/(?P<parts>\d+)\))?(?: — .*)?$")


def paragraph_citation(citation: str) -> str:
    """A part's citation without its part: `S/PV.8699 ¶12 (2/3) — …` → `S/PV.8699 ¶12 — …`."""
    return re.sub(r"(¶\d+(?:–\d+)?) \(\d+/\d+\)", r"\1", citation, count=1)


# A resolution's paragraph as analysts cite it: "S/RES/1970 (2011), OP 9", "… PP 3", and a
# subparagraph of it: "… OP 9 (a)", "… OP 16 (a) (iii)".
_SECTION_CITATION = re.compile(r"^(?P<doc>.+?),?\s+(?P<kind>[OP]P)\s*(?P<number>\d+)"
                               rf"(?P<subs>(?:\s*{resolutions.MARKER})*)$", re.I)


def parse_section_citation(text: str) -> tuple[str, str, list[str]] | None:
    """("S/RES/1970 (2011)", "OP 9", ["(a)"]) for "S/RES/1970 (2011), OP 9 (a)" (a
    resolution's operative or preambular paragraph, cited without ¶, and the
    subparagraphs named after it, outermost first), else None."""
    m = _SECTION_CITATION.match(text.strip())
    if not m:
        return None
    subs = re.findall(resolutions.MARKER, m.group("subs").lower())
    return m.group("doc"), f"{m.group('kind').upper()} {m.group('number')}", subs


def parse_citation(text: str) -> dict[str, Any] | None:
    """Split a citation string back into doc, its language when named ("fr" for
    "S/PV.8699 (French) ¶4"), statement, paragraph, part and parts (the number of parts
    the citation claims, None when it names no part)."""
    m = _CITATION.match(text.strip())
    if not m:
        return None
    doc, lang = m.group("doc"), None
    if named := _CITED_LANGUAGE.search(doc):
        doc, lang = doc[:named.start()], language_code(named.group("name"))
    return {
        "doc": doc,
        "lang": lang,
        "statement": int(m.group("statement")) if m.group("statement") else None,
        "paragraph": int(m.group("paragraph")),
        "part": int(m.group("part")) if m.group("part") else 1,
        "parts": int(m.group("parts")) if m.group("parts") else None,
    }


class SearchResults(list):
    """A list of `Hit`s that also renders itself in notebooks and converts to pandas."""

    def __init__(self, hits=(), query: str = "", index: str = "", note: str = "",
                 group_field: str | None = None) -> None:
        super().__init__(hits)
        self.query = query
        self.index = index
        self.note = note   # a caveat for the reader, e.g. a foreign question, no multilingual vectors
        self.group_field = group_field     # the Hit field hits were grouped by, if any

    def group_of(self, hit: Hit) -> str | None:
        """The group `hit` was put in (its country, speaker or document), when grouped."""
        if self.group_field is None:
            return None
        return getattr(hit, self.group_field) or "(unknown)"

    def to_dicts(self) -> list[dict[str, Any]]:
        if self.group_field is None:
            return [hit.to_dict() for hit in self]
        return [{**hit.to_dict(), "group": self.group_of(hit)} for hit in self]

    def to_json(self) -> str:
        return json.dumps(self.to_dicts(), ensure_ascii=False, indent=2)

    def to_frame(self):
        """A pandas DataFrame, one row per hit (needs the `pandas` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("to_frame() needs pandas: pip install 'diplosearch[pandas]'") from exc
        columns = list(Hit.__dataclass_fields__)
        return pd.DataFrame([hit.to_dict() for hit in self], columns=columns)

    def __repr__(self) -> str:
        lines = [f"SearchResults({len(self)} hits for {self.query!r})", "  score  citation"]
        lines += [f"  {h.score:.3f}  {h.citation}" for h in self]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{h.score:.3f}</td><td>{html.escape(h.citation)}</td>"
            f"<td>{emphasise_html(h.text, h.highlights)}</td></tr>" for h in self)
        return (f"<p>{len(self)} hits for <b>{html.escape(self.query)}</b></p>"
                f"<table><tr><th>score</th><th>citation</th><th>passage</th></tr>{rows}</table>")


def short_lead(lead: str | None, chars: int = 200) -> str:
    """A subparagraph's lead-in (`Hit.lead_in`) to show above it, on one line: whole up to
    `chars` characters, else its first words and its last (where it says "… shall not
    apply to:")."""
    lead = " ".join((lead or "").split())
    if len(lead) <= chars:
        return lead
    return lead[:chars // 2].rsplit(" ", 1)[0] + " … " + lead[-(chars // 2):].split(" ", 1)[-1]


def emphasise_html(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Escape `text` and wrap the highlighted spans in <mark>."""
    out, pos = [], 0
    for start, end in sorted(spans):
        out += [html.escape(text[pos:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def hit_from_row(row: sqlite3.Row, score: float | None,
                 raw_score: float | None = None) -> Hit:
    """A `Hit` from a row of `database.HIT_SQL` (passage, document and citation fields)."""
    meta = json.loads(row["doc_metadata"] or "{}")
    doc = row["symbol"] or row["doc_key"]
    citation = cite(cited_doc(doc, meta), row["paragraph"], row["paragraph_end"], row["part"],
                    row["parts"],
                    row["speaker"], row["affiliation"], row["page"], row["statement"],
                    per_statement="statement" in meta, section=row["section"])
    return Hit(score=score, text=row["text"], citation=citation, doc=doc, source=row["doc_key"],
               paragraph=row["paragraph"], paragraph_end=row["paragraph_end"], part=row["part"],
               parts=row["parts"], line_start=row["line_start"], line_end=row["line_end"],
               char_start=row["char_start"], char_end=row["char_end"], speaker=row["speaker"],
               affiliation=row["affiliation"], role=row["role"], language=row["language"],
               statement=row["statement"], page=row["page"], section=row["section"],
               date=meta.get("date"), body=meta.get("body"), year=_number(meta, "year"),
               session=_number(meta, "session"), topic=meta.get("topic"), id=row["id"],
               raw_score=raw_score)


def _number(meta: dict[str, Any], name: str) -> int | None:
    """`year` (else the year of `date`) or `session` from a document's metadata."""
    value = str(meta.get(name) or "")
    if not value and name == "year":
        value = str(meta.get("date") or "")[:4]
    return int(value) if value.isdigit() else None

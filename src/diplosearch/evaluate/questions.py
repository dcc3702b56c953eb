"""`diplosearch eval QUESTIONS.jsonl`: how well an index answers a team's own judged
questions, per language and search mode, with bootstrap confidence intervals.

The file has one JSON object per line:

    {"id": "q1",
     "questions": {"en": "Which members backed the arms embargo on Libya?", "fr": "..."},
     "relevant": {"UNSC_2020_SPV.8699_spch012.txt": 2, "S/PV.8700 #3 ¶2": 1},
     "split": "dev"}

`question` (one English text) may stand for `questions`, and `relevant` may be a list
(every key graded 1). A key is judged at the level it is written at: a file name, a path
as indexed or a document (UN symbol) matches every hit from that file or document; a
citation (anything with ¶, as a search prints it, without the speaker) matches the hits of
that paragraph. Grades: 2 answers the question, 1 answers it in part; recall and MRR count
both, nDCG weighs them. `split` (optional) lets a team tune on one half and test on the
other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DiplosearchError, SourceError
from ..retrieval.results import Hit, parse_citation
from ..text.language import UN_LANGUAGES
from .metrics import mean_ci, mrr_at, ndcg_at, recall_at

AT = 10


@dataclass(frozen=True)
class Judged:
    """One judged question: its text per language and its relevant keys with grades."""

    id: str
    questions: dict[str, str]
    relevant: dict[str, int]
    split: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)   # any other field of the line


@dataclass(frozen=True)
class QuestionScores:
    """One question asked in one language and mode: its metrics and the keys ranked."""

    id: str
    language: str
    mode: str
    recall: float
    mrr: float
    ndcg: float
    ranked: tuple[str, ...]


@dataclass(frozen=True)
class LanguageScores:
    """The mean of each metric over a language's questions in one mode, and its 95 %
    bootstrap interval (low, high)."""

    language: str
    mode: str
    questions: int
    recall_at_10: float
    recall_ci: tuple[float, float]
    mrr_at_10: float
    mrr_ci: tuple[float, float]
    ndcg_at_10: float
    ndcg_ci: tuple[float, float]
    # this language's recall over English recall in the same mode, on the questions asked
    # in both (None for English, or when no question was asked in both)
    recall_vs_english: float | None = None


def load_questions(path: str | os.PathLike[str], split: str | None = None) -> list[Judged]:
    """The judged questions of a JSON-lines file (see the module's docstring); only those
    of `split` when given. SourceError names the line of anything malformed."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, f"cannot read the questions ({exc})") from None
    out, seen = [], set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        judged = _judged(path, n, line)
        if judged.id in seen:
            raise SourceError(path, f"line {n}: question id {judged.id!r} appears twice")
        seen.add(judged.id)
        if split is None or judged.split == split:
            out.append(judged)
    if not out:
        raise SourceError(path, "no judged question" + (f" in split {split!r}" if split else ""))
    return out


def _judged(path: Path, n: int, line: str) -> Judged:
    def bad(why: str) -> SourceError:
        return SourceError(path, f"line {n}: {why}")

    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise bad(f"not JSON ({exc.msg})") from None
    if not isinstance(rec, dict) or "id" not in rec:
        raise bad("expected an object with an \"id\"")
    questions = rec.get("questions") or ({"en": rec["question"]} if "question" in rec else None)
    if not isinstance(questions, dict) or not questions or \
            not all(isinstance(q, str) and q.strip() for q in questions.values()):
        raise bad("expected \"questions\": {language: text} (or \"question\": text)")
    odd = sorted(set(questions) - set(UN_LANGUAGES))
    if odd:
        raise bad(f"language {', '.join(map(repr, odd))} is not one of {', '.join(UN_LANGUAGES)}")
    relevant = rec.get("relevant")
    if isinstance(relevant, list):
        relevant = {str(key): 1 for key in relevant}
    if not isinstance(relevant, dict) or not relevant or \
            not all(isinstance(g, int) and g >= 0 for g in relevant.values()):
        raise bad("expected \"relevant\": {key: grade 1 or 2} or a list of keys")
    if not any(g > 0 for g in relevant.values()):
        raise bad("no key graded above 0: nothing to find")
    meta = {k: v for k, v in rec.items() if k not in ("id", "questions", "question",
                                                       "relevant", "split")}
    return Judged(str(rec["id"]), dict(questions), {str(k): g for k, g in relevant.items()},
                  rec.get("split"), meta)


def _citation_key(text: str) -> tuple | None:
    """A citation as (doc, statement, paragraph), whatever its page, part or speaker."""
    head = text.split(" — ")[0]
    found = parse_citation(head)
    if found is None:
        return None
    doc = found["doc"].split(", p. ")[0].split(", OP ")[0].split(", PP ")[0]
    return doc, found["statement"], found["paragraph"]


class _Matcher:
    """Turns hits into the keys a question was judged by."""

    def __init__(self, relevant: dict[str, int]) -> None:
        self.citations = {c: key for key in relevant if "¶" in key
                          if (c := _citation_key(key)) is not None}
        self.files = {key for key in relevant if "¶" not in key}

    def key(self, hit: Hit) -> str:
        if self.citations:
            found = _citation_key(hit.citation)
            if found in self.citations:
                return self.citations[found]
        for name in (hit.source, PurePosixPath(hit.source).name, hit.doc):
            if name in self.files:
                return name
        return PurePosixPath(hit.source).name or hit.doc


def ranked_keys(hits: Sequence[Hit], relevant: dict[str, int]) -> list[str]:
    """The judged keys of `hits` in rank order, each once (a file's second hit adds
    nothing: the analyst has found that speech)."""
    match = _Matcher(relevant)
    return list(dict.fromkeys(match.key(h) for h in hits))


def question_scores(index, judged: Iterable[Judged], languages: Sequence[str] | None = None,
                    modes: Sequence[str] = ("hybrid",), k: int = AT,
                    progress: Callable[[str, int], None] | None = None,
                    search: Callable[..., Sequence[Hit]] | None = None) -> list[QuestionScores]:
    """Each question in each of `languages` (default: every language it is written in) and
    `modes`, asked of `index` for its first `k` hits. `search(text, k, mode)` replaces
    `index.search` (an experiment's variant of the ranking)."""
    judged = list(judged)
    ask = search or (lambda text, n, mode: index.search(text, k=n, mode=mode))
    jobs = [(j, lang, mode) for mode in modes for j in judged for lang in j.questions
            if languages is None or lang in languages]
    if progress:
        progress("queries", len(jobs))
    out = []
    for j, lang, mode in jobs:
        keys = ranked_keys(ask(j.questions[lang], k, mode), j.relevant)
        out.append(QuestionScores(j.id, lang, mode, recall_at(keys, j.relevant, k, capped=True),
                                  mrr_at(keys, j.relevant, k), ndcg_at(keys, j.relevant, k),
                                  tuple(keys[:k])))
        if progress:
            progress("query", 1)
    return out


def summarise(scores: Sequence[QuestionScores]) -> list[LanguageScores]:
    """Means and intervals per (language, mode), in the order first seen."""
    groups: dict[tuple[str, str], list[QuestionScores]] = {}
    for s in scores:
        groups.setdefault((s.language, s.mode), []).append(s)
    rows = []
    for (lang, mode), group in groups.items():
        stats = [mean_ci([getattr(s, m) for s in group]) for m in ("recall", "mrr", "ndcg")]
        english = {s.id: s.recall for s in groups.get(("en", mode), [])}
        shared = [s for s in group if s.id in english]
        base = sum(english[s.id] for s in shared)
        ratio = sum(s.recall for s in shared) / base if lang != "en" and shared and base else None
        rows.append(LanguageScores(lang, mode, len(group),
                                   *(v for mean, low, high in stats for v in (mean, (low, high))),
                                   ratio))
    return rows


def unmatched(index, judged: Sequence[Judged]) -> list[str]:
    """The relevant keys that name nothing in `index`: a file, path or document it does not
    hold, a citation of no paragraph of it. A typo would otherwise score as a plain miss."""
    names = set()
    for key, path, symbol in index.db.execute("SELECT key, path, symbol FROM documents"):
        names.update(n for n in (key, PurePosixPath(key).name, path, symbol) if n)
    cited = set()
    keys = {key for j in judged for key in j.relevant}
    for key in keys:
        if "¶" in key and (c := _citation_key(key)) is not None and _cited(index, c):
            cited.add(key)
    return sorted(k for k in keys if k not in names and k not in cited)


def _cited(index, citation: tuple) -> bool:
    doc, statement, paragraph = citation
    sql = ("SELECT 1 FROM passages p JOIN documents d ON d.id = p.doc_id WHERE "
           "(d.symbol = ? OR d.key = ?) AND p.paragraph = ?")
    args = [doc, doc, paragraph]
    if statement is not None:
        sql += " AND p.statement = ?"
        args.append(statement)
    return index.db.execute(sql + " LIMIT 1", args).fetchone() is not None


def evaluate_questions(questions: str | os.PathLike[str] | Sequence[Judged], index=None,
                       modes: Sequence[str] = ("hybrid", "semantic", "keyword"),
                       languages: Sequence[str] | None = None, split: str | None = None,
                       progress: Callable[[str, int], None] | None = None
                       ) -> list[LanguageScores]:
    """Recall@10, MRR@10 and nDCG@10 of `index` on judged questions, per language and mode,
    each with its 95 % bootstrap interval over the questions.

    Args:
        questions: a JSON-lines file (see this module's docstring) or loaded `Judged`s.
        index: an open `Index`, or a name or path (None: the bundled default index).
        modes: search modes to score.
        languages: languages to ask in (default: all the file has).
        split: only the questions of this split ("dev", "test", ...).
        progress: callback(kind, n): ("queries", total) once, then ("query", 1) each.
    """
    from ..index import Index, open_index

    judged = load_questions(questions, split) if isinstance(questions, (str, os.PathLike)) \
        else [j for j in questions if split is None or j.split == split]
    if not judged:
        raise DiplosearchError("no judged question to score" + (f" in split {split!r}" if split else ""))
    idx = index if isinstance(index, Index) else open_index(index)
    return summarise(question_scores(idx, judged, languages, modes, progress=progress))


def rows_as_dicts(rows: Sequence[LanguageScores]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = asdict(r)
        for key in ("recall_ci", "mrr_ci", "ndcg_ci"):
            d[key] = list(d[key])
        out.append(d)
    return out

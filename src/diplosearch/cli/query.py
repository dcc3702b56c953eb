"""`search`, `show` and `eval`: asking an index, reading a hit in place, measuring ranking."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..retrieval.filters import DATE_FORMS
from ..retrieval.fusion import FUSIONS, MODES
from .base import (FormatOpt, HitsFormatOpt, IndexOpt, Many, ModelOpt, app, check_format,
                   date_value, fail_cleanly, one_of)


@app.command()
@fail_cleanly
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY",
                                         help="A question or statement in plain language.")],
    index: IndexOpt = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=1000, metavar="N",
                                   help="Number of hits (with --group-by: of groups).")] = 10,
    mode: Annotated[str, typer.Option(
        "--mode", metavar="MODE", callback=one_of(*MODES),
        help="hybrid (keyword + semantic, fused), semantic or keyword (BM25).")] = "hybrid",
    fusion: Annotated[str, typer.Option(
        metavar="METHOD", callback=one_of(*FUSIONS),
        help="How hybrid fuses the two lists: score (normalised scores, 50:50) or rrf "
             "(reciprocal rank).")] = "score",
    speaker: Annotated[Many, typer.Option(metavar="NAME", help="Speaker name contains this (repeatable).")] = None,
    country: Annotated[Many, typer.Option(
        metavar="NAME", help="Country or organisation spoken for: a name, short form or ISO code "
                             "(Russia, USA, UK, DRC, Türkiye; any case), or e.g. 'European "
                             "Union' (repeatable).")] = None,
    doc: Annotated[Many, typer.Option(
        metavar="SYMBOL", help="Document symbol or its start, e.g. S/PV.87 or S/RES/2178 (repeatable).")] = None,
    body: Annotated[Many, typer.Option(
        metavar="BODY", help="'Security Council' (SC) or 'General Assembly' (GA) (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(
        metavar="DATE", callback=date_value, help=f"From this date: {DATE_FORMS}.")] = None,
    until: Annotated[Optional[str], typer.Option(
        metavar="DATE", callback=date_value, help="Up to this date (inclusive), as --since.")] = None,
    group_by: Annotated[Optional[str], typer.Option(
        "--group-by", metavar="FIELD",   # retrieval.pipeline.GROUP_FIELDS, not imported: --help stays instant
        callback=one_of("country", "speaker", "doc"), help="country, speaker or doc: the best passage of each, side by side.")] = None,
    per_group: Annotated[int, typer.Option("--per-group", min=1, help="Hits per group.")] = 1,
    rerank: Annotated[Optional[str], typer.Option(
        metavar="MODEL", help="Rescore candidates with this CrossEncoder (model folder, or a hub name).")] = None,
    fmt: HitsFormatOpt = "table",
    model: ModelOpt = None,
    highlight: Annotated[bool, typer.Option(help="Emphasise each hit's best-matching sentence.")] = True,
) -> None:
    """Find the passages that best answer QUERY, each with its citation.

    Scores are 0-1 in every mode: semantic (cosine) and keyword (BM25) scores are min-max
    normalised over the query's top 100 candidates, hybrid averages the two (1: first in
    both lists). They rank hits for one query. JSON adds raw_score, the ranker's own value.

    QUERY may be in any UN language (English, French, Spanish, Russian, Arabic, Chinese).
    One in another language is searched by meaning and by its word-by-word English gloss;
    a note on stderr says which English words were searched for. Keyword mode matches the
    query's own words only: over English records, ask other languages in hybrid mode.

    \b
    Examples:
      diplosearch search "sanctions on arms transfers" -k 5 --format json
      diplosearch search "sanctions contre la Syrie"
      diplosearch search "return of foreign fighters" --country "Russian Federation" --since 2020
      diplosearch search "climate and security" --group-by country --mode semantic
    """
    check_format(fmt)
    if rerank:   # before the index and model load: offline, this fails in milliseconds
        from ..embed.rerank import check_reranker

        check_reranker(rerank)
    from .. import render
    from ..index import open_index

    res = open_index(index, model).search(
        query, k=k, mode=mode, fusion=fusion, speaker=speaker, country=country, doc=doc,
        body=body, since=since, until=until, group_by=group_by, per_group=per_group,
        rerank=rerank, highlight=highlight)
    if res.note and fmt != "markdown":   # markdown keeps it with the hits (no second copy)
        print(f"note: {res.note}", file=sys.stderr)
    render.results(res, fmt)


@app.command()
@fail_cleanly
def show(
    ref: Annotated[str, typer.Argument(metavar="REF", help="A passage id (from JSON output) or a citation, "
                                            "e.g. 'S/PV.8699 ¶12', 'S/PV.8699 #12 ¶1' or, for "
                                            "a resolution, 'S/RES/1970 (2011), OP 9'.")],
    index: IndexOpt = None,
    context: Annotated[int, typer.Option("--context", "-c", min=0, max=50,
                                         help="Paragraphs to show on each side.")] = 1,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", "-l", metavar="CODE",
        help="The same paragraph in the record's version in this official language (ar, "
             "en, es, fr, ru, zh), when the index holds it (see `fetch`).")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Show a passage in context, with the paragraphs around it.

    \b
    Example:
      diplosearch show "S/PV.8699 ¶45" -i un --lang fr
    """
    import sys

    from .. import render
    from ..index import open_index

    check_format(fmt)
    shown = open_index(index).show(ref, context=context, lang=lang)
    if shown.note and fmt not in ("json", "jsonl"):
        print(shown.note, file=sys.stderr)
    render.context(shown, fmt)


@app.command("eval")
@fail_cleanly
def eval_(
    dataset: Annotated[Path, typer.Argument(metavar="DATA",
        help="Judged questions (a .jsonl file: questions per language and their relevant "
             "files or citations), or a BEIR-format folder (corpus.jsonl, queries.jsonl, "
             "qrels/test.tsv).")],
    mode: Annotated[Many, typer.Option(
        "--mode", metavar="MODE", callback=one_of(*MODES),
        help="Modes to score (repeatable). Default: semantic, keyword, hybrid.")] = None,
    fusion: Annotated[str, typer.Option(metavar="METHOD", callback=one_of(*FUSIONS),
                                        help="BEIR: fusion for hybrid, score or rrf.")] = "score",
    index: Annotated[Optional[str], typer.Option(
        "--index", "-i", metavar="NAME", help="Questions: the index to ask (default: the bundled one). "
                              "BEIR: eval index name or path (default eval-<folder>); reused.")] = None,
    lang: Annotated[Many, typer.Option(
        "--lang", metavar="LANG", help="Questions: ask only in these languages (repeatable or "
                                       "comma-separated: en,fr). Default: every one the file has.")] = None,
    per_question: Annotated[Optional[Path], typer.Option(
        "--per-question", metavar="FILE", help="Questions: also write each question's scores "
        "in each language and mode, with the keys it found, as JSON lines.")] = None,
    split: Annotated[Optional[str], typer.Option(
        metavar="NAME", help="Questions: only those whose \"split\" is NAME (e.g. dev, test).")] = None,
    model: ModelOpt = None,
    max_tokens: Annotated[Optional[int], typer.Option(
        min=16, help="BEIR: passage budget (default: the model's limit, as in published runs).")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="BEIR: score only the first N queries.")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Measure ranking quality on your own judged questions, or on a BEIR dataset.

    Questions (a .jsonl file): recall@10, MRR@10 and nDCG@10 per language and mode, each
    with its 95 % bootstrap interval over the questions; "x en" is the language's recall
    as a share of English recall. One line per question:
    {"id": "q1", "questions": {"en": "...", "fr": "..."}, "relevant": {"file.txt": 2,
    "S/PV.8700 #3 ¶2": 1}, "split": "dev"}  (2: answers it, 1: in part). A file name or
    document matches every hit from it; a citation, the hits of that paragraph.

    BEIR (a folder): nDCG@10, MRR@10 and Recall@100 per mode.

    \b
    Examples:
      diplosearch eval questions.jsonl -i unsc2020 --lang en,fr --split test
      diplosearch eval ../shared/beir/arguana --format json
    """
    import time

    from .. import render

    check_format(fmt)
    started = time.perf_counter()
    modes = tuple(mode or ("semantic", "keyword", "hybrid"))
    if not dataset.exists():
        from ..errors import SourceError

        raise SourceError(dataset, "no such file or folder: give a judged-questions .jsonl "
                                   "file or a BEIR folder")
    if dataset.is_file():
        import json
        from dataclasses import asdict

        from ..evaluate import (load_questions, question_scores, rows_as_dicts, summarise,
                                unmatched)
        from ..index import open_index

        langs = [x.strip() for v in lang or () for x in v.split(",") if x.strip()] or None
        judged = load_questions(dataset, split)
        idx = open_index(index, model)
        missing = unmatched(idx, judged)
        keys = len({key for j in judged for key in j.relevant})
        if missing and len(missing) == keys:   # nothing to find: figures would all be 0
            from ..errors import QueryError

            raise QueryError(f"{dataset}: none of its {keys} relevant keys names a document "
                             f"of index {idx.name!r} (e.g. {missing[0]!r}); is it the index "
                             "these questions were judged on?")
        if missing:   # a typo scores as a plain miss: say so before the figures
            print(f"warning: {dataset}: {len(missing)} of its {keys} relevant keys name "
                  f"nothing in index {idx.name!r}, so they can only count as misses: "
                  + ", ".join(missing[:8]) + (", … (--per-question FILE lists each question's)"
                                              if len(missing) > 8 else ""), file=sys.stderr)
        with render.build_progress(progress) as bar:
            scored = question_scores(idx, judged, langs, modes, progress=bar)
        if per_question is not None:   # which question failed, and what came instead
            per_question.write_text("".join(json.dumps(asdict(s), ensure_ascii=False) + "\n"
                                            for s in scored), encoding="utf-8")
        rows = summarise(scored)
        render.question_scores(rows_as_dicts(rows), fmt, title=f"{dataset} on {idx.name}"
                               + (f", split {split}" if split else ""))
    else:
        from ..evaluate import as_dicts, evaluate

        with render.build_progress(progress) as bar:
            results = evaluate(dataset, modes=modes, fusion=fusion, index=index, model=model,
                               max_tokens=max_tokens, limit=limit, progress=bar)
        render.scores(as_dicts(results), fmt, title=f"{dataset} (fusion {fusion})")
    print(f"eval took {time.perf_counter() - started:.1f} s", file=sys.stderr)

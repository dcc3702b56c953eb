#!/usr/bin/env python3
"""Ranking variants measured one by one on the analysts' judged questions, against the
current settings, with paired bootstrap intervals (a gain whose interval includes zero is
not a gain).

    python scripts/rank_variants.py --split dev                       # every variant
    python scripts/rank_variants.py --split dev --only depth300 --lang en
    python scripts/rank_variants.py --split test --only current       # once, at the end
    python scripts/rank_variants.py --split heldout --only current no-gloss   # the second set

Questions: scripts/data/analyst_<corpus>.jsonl (`--corpus unsc2020 ungdc`), asked of the
index named `devpool-<corpus>` in $DIPLOSEARCH_HOME (build them with
`diplosearch index build ../shared/corpus/unsc_2020_pires/speeches_txt_2020 --name
devpool-unsc2020` and the General Debate's sessions 78 and 79 as `devpool-ungdc`; for the
transfer set, the resolutions as `devpool-unscres` and the General Debate's sessions 70 and
71 as `devpool-ungdcearly`).
Prints one row per variant, mode and language: recall@10, MRR@10 and the paired
difference to `current` on each; `--json FILE` keeps every per-question score.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from diplosearch.evaluate import load_questions, paired_ci, question_scores
from diplosearch.index import open_index
from diplosearch.retrieval import ranking

DATA = Path(__file__).resolve().parent / "data"

# name → changes to the current settings; each is one lever, measured alone
VARIANTS: dict[str, dict] = {
    "current": {},
    "glossary-add": {"gloss_glossary": "add"},
    "glossary-off": {"gloss_glossary": "off"},
    "names-off": {"gloss_glossary_names": False},
    "adapter-off": {"query_adapter": 0.0, "feedback_adapter": -1.0},
    # the English adapter at .5, feedback drawn as searched: the settings before the tenth round
    "adapter05": {"query_adapter": 0.5, "feedback_adapter": -1.0},
    "adapter1-feedback-as-searched": {"feedback_adapter": -1.0},
    "gloss-adapter-off": {"gloss_adapter": 0.0},
    # a resolution's whole-text BM25 added to its paragraphs (migration 011)
    "dockw0": {"document_keywords": 0.0},
    "dockw0.1": {"document_keywords": 0.1},
    "dockw0.2": {"document_keywords": 0.2},
    "dockw0.4": {"document_keywords": 0.4},
    "dockw0.6": {"document_keywords": 0.6},
    "dockw0.8": {"document_keywords": 0.8},
    "dockw-english-only": {"document_keywords_gloss": False},
    # the settings before the eighth round (the eleventh set)
    "before-round8": {"gloss_glossary_names": False, "query_adapter": 0.0,
                      "feedback_adapter": -1.0, "gloss_adapter": 0.0},
    "before-round7": {"gloss_glossary": "off"},   # the settings before it (the ninth set)
    "repeat0": {"statement_repeat": 0.0},
    # resolutions (the transfer set): a resolution's best paragraphs as evidence for each
    # of its candidates, as a Security Council meeting's are
    "evidence-res": {"evidence_symbols": ("S/PV.", "S/RES/")},
    "evidence-everywhere": {"evidence_symbols": ()},
    "no-evidence": {"meeting_evidence": 0.0, "paragraph_evidence": 0.0},
    "before-round3": {"meeting_evidence": 0.0, "paragraph_evidence": 0.0,
                      "statement_repeat": 0.0},
    "meeting0.2": {"meeting_evidence": 0.2},
    "meeting0.45": {"meeting_evidence": 0.45},
    "meeting0.3x5": {"meeting_evidence": 0.3, "meeting_paragraphs": 5},
    "meeting0.3x10": {"meeting_evidence": 0.3, "meeting_paragraphs": 10},
    "meeting0.3+evidence0.3": {"meeting_evidence": 0.3, "paragraph_evidence": 0.3},
    "meeting0.3+repeat0": {"meeting_evidence": 0.3, "statement_repeat": 0.0},
    "spv0.3+evidence0.3": {"meeting_evidence": 0.3, "paragraph_evidence": 0.3,
                           "evidence_symbols": ("S/PV.",)},
    "spv0.3": {"meeting_evidence": 0.3, "evidence_symbols": ("S/PV.",)},
    "meeting0.45+evidence0.3": {"meeting_evidence": 0.45, "paragraph_evidence": 0.3},
    "meeting0.3+evidence0.6": {"meeting_evidence": 0.3, "paragraph_evidence": 0.6},
    "meeting0.2+evidence0.3": {"meeting_evidence": 0.2, "paragraph_evidence": 0.3},
    "meeting0.3+evidence0.3+repeat1": {"meeting_evidence": 0.3, "paragraph_evidence": 0.3,
                                       "statement_repeat": 1.0},
    "meeting0.3+repeat1": {"meeting_evidence": 0.3, "statement_repeat": 1.0},
    "repeat0.2": {"statement_repeat": 0.2},
    "repeat1": {"statement_repeat": 1.0},
    "repeat04": {"statement_repeat": 0.4},   # the placement before the ninth round
    "depth50": {"depth": 50},
    "depth200": {"depth": 200},
    "depth300": {"depth": 300},
    "weight0.4": {"semantic_weight": 0.4},
    "weight0.6": {"semantic_weight": 0.6},
    "weight0.7": {"semantic_weight": 0.7},
    "rocchio0.5": {"rocchio": 0.5},
    "rocchio1": {"rocchio": 1.0},
    "evidence0.3": {"paragraph_evidence": 0.3},
    "evidence0.6": {"paragraph_evidence": 0.6},
    "meeting0.3": {"meeting_evidence": 0.3},
    "meeting0.6": {"meeting_evidence": 0.6},
    "meeting1": {"meeting_evidence": 1.0},
    "meeting0.6x5": {"meeting_evidence": 0.6, "meeting_paragraphs": 5},
    "rrf": {"fusion": "rrf"},
    "date0.1": {"date_prior": 0.1},
    "date0.2": {"date_prior": 0.2},
    "date0.4": {"date_prior": 0.4},
    "place0.1": {"place_prior": 0.1},
    "place0.2": {"place_prior": 0.2},
    "other-no-asis": {"foreign_other": (1.0, 0.0, 1.0)},
    "other-ml2": {"foreign_other": (2.0, 0.0, 1.0)},
    "other-fb2": {"foreign_other": (1.0, 0.0, 2.0)},
    "latin-asis2": {"foreign_latin": (1.0, 2.0, 1.0)},
    "latin-fb2": {"foreign_latin": (1.0, 1.0, 2.0)},
    "feedback3": {"feedback_passages": 3},
    "feedback10": {"feedback_passages": 10},
    "unsure-both": {"unsure_both": True},
    "expand10": {"expansion_terms": 10},
    "expand20": {"expansion_terms": 20},
    "expand10w0.5": {"expansion_terms": 10, "expansion_weight": 0.5},
    "no-date": {"date_prior": 0.0},
    "old-foreign": {"foreign_other": (1.0, 1.0, 1.0)},
    "header0.1": {"header_prior": 0.1},
    "header0.2": {"header_prior": 0.2},
    "header0.4": {"header_prior": 0.4},
    "procedural0.2": {"procedural_penalty": 0.2},
    "procedural0.5": {"procedural_penalty": 0.5},
    "no-dictionary": {"gloss_dictionary": 0.0},
    "no-procedural": {"procedural_penalty": 0.0},
    "before-round": {"gloss_dictionary": 0.0, "procedural_penalty": 0.0},
    "no-gloss": {"gloss_keywords": 0.0, "gloss_semantic": 0.0, "procedural_penalty": 0.0},
    "gloss-keywords-only": {"gloss_semantic": 0.0},
    "gloss-semantic-only": {"gloss_keywords": 0.0},
    "gloss-floor0.65": {"gloss_floor": 0.65},
    "gloss-floor0.75": {"gloss_floor": 0.75},
    "gloss-semantic1": {"gloss_semantic": 1.0},
    "gloss-semantic3": {"gloss_semantic": 3.0},
    "gloss-per-word1": {"gloss_per_word": 1},
    "gloss-per-word3": {"gloss_per_word": 3},
    "gloss-keywords0.7": {"gloss_keywords": 0.7},
    # names matched by their letters in the gloss (fifth round)
    "no-names": {"gloss_names": False},
    # English keyword feedback (fourth round): these settings against none
    "no-en-feedback": {"english_feedback_weight": 0.0},
    "en-feedback2": {"english_feedback": 2},
    "en-feedback5": {"english_feedback": 5},
    "en-feedback10": {"english_feedback": 10},
    "en-feedback-w0.25": {"english_feedback_weight": 0.25},
    "en-feedback-w0.5": {"english_feedback_weight": 0.5},
    "en-feedback-w0.35": {"english_feedback_weight": 0.35},
    # sixth round: the gloss settings again, on the 526 spent questions (all five languages)
    "gloss-keywords0.3": {"gloss_keywords": 0.3},
    "expand-w0.3": {"expansion_weight": 0.3},
    "expand-w0.7": {"expansion_weight": 0.7},
    "gloss-margin0.02": {"gloss_margin": 0.02},
    "gloss-margin0.1": {"gloss_margin": 0.1},
    "gloss-floor0.6": {"gloss_floor": 0.6},
    "gloss-floor0.65+semantic3": {"gloss_floor": 0.65, "gloss_semantic": 3.0},
    "gloss-floor0.65+keywords0.7": {"gloss_floor": 0.65, "gloss_keywords": 0.7},
    "gloss-keywords1": {"gloss_keywords": 1.0},
    "gloss-floor0.55": {"gloss_floor": 0.55},
    "gloss-floor0.5": {"gloss_floor": 0.5},
    "gloss-floor0.6+keywords0.7": {"gloss_floor": 0.6, "gloss_keywords": 0.7},
    "round5-floor": {"gloss_floor": 0.7},      # the floor before the sixth round, everywhere
    "before-round6": {"gloss_floor": 0.7, "gloss_keywords": 0.5},   # the settings before it
}


def run(variant: str, corpus: str, split: str, langs, modes, prefix: str = "devpool") -> list:
    judged = load_questions(questions_file(corpus, split), None if split == "all" else split)
    idx = open_index(f"{prefix}-{corpus}")
    changes = dict(VARIANTS[variant])
    fusion = changes.pop("fusion", "score")       # a search option, not a setting
    saved = ranking.RANKING
    ranking.RANKING = replace(saved, **changes)
    try:
        return question_scores(idx, judged, langs, modes, search=lambda text, k, mode:
                               idx.search(text, k=k, mode=mode, fusion=fusion))
    finally:
        ranking.RANKING = saved


def questions_file(corpus: str, split: str) -> Path:
    """analyst_<corpus>.jsonl (splits dev and test), or heldout_<corpus>.jsonl and
    heldout3_<corpus>.jsonl ... heldout15_<corpus>.jsonl (splits heldout, heldout3 ... heldout15:
    the second to fifteenth held-out sets, each written after the one before was
    spent), or transfer_<corpus>.jsonl (split transfer: corpora never tuned on)."""
    held = split.startswith(("heldout", "transfer"))
    return DATA / f"{split if held else 'analyst'}_{corpus}.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", nargs="+", default=["dev"],
                    help="dev, test, all (both), heldout, heldout3 ... heldout15, transfer, "
                         "transfer2 ... transfer6; several are asked together")
    ap.add_argument("--corpus", nargs="+", default=None,
                    help="default: unsc2020 ungdc; unscres ungdcearly for --split transfer; "
                         "unscres for transfer2 ... transfer6")
    ap.add_argument("--only", nargs="+", default=list(VARIANTS))
    ap.add_argument("--lang", nargs="+", default=None)
    ap.add_argument("--mode", nargs="+", default=["hybrid"])
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--prefix", default="devpool",
                    help="indexes named PREFIX-<corpus> (another build of the same corpus)")
    args = ap.parse_args()
    names = ["current"] + [v for v in args.only if v != "current"]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    resolutions_only = [["transfer2"], ["transfer3"], ["transfer4"], ["transfer5"], ["transfer6"]]
    corpora = args.corpus or (["unscres"] if args.split in resolutions_only else
                              ["unscres", "ungdcearly"] if args.split == ["transfer"]
                              else ["unsc2020", "ungdc"])
    results = {}
    for name in names:
        started = time.perf_counter()
        scores = [s for split in args.split for corpus in corpora
                  for s in run(name, corpus, split, args.lang, args.mode, args.prefix)]
        results[name] = scores
        print(f"# {name}: {len(scores)} searches in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)
        report(name, scores, results["current"])
    if args.json:
        args.json.write_text(json.dumps({n: [s.__dict__ for s in v] for n, v in results.items()},
                                        ensure_ascii=False, default=list))


def report(name: str, scores: list, base: list) -> None:
    groups: dict[tuple[str, str], list] = {}
    for s in scores:
        groups.setdefault((s.mode, s.language), []).append(s)
    ref = {(s.mode, s.language, s.id): s for s in base}
    for (mode, lang), group in groups.items():
        line = f"{name:14} {mode:8} {lang:3} n={len(group):3}"
        for metric in ("recall", "mrr"):
            ours = [getattr(s, metric) for s in group]
            theirs = [getattr(ref[(mode, lang, s.id)], metric) for s in group]
            mean = sum(ours) / len(ours)
            diff, low, high = paired_ci(ours, theirs)
            line += f"  {metric}@10 {mean:.3f} ({diff:+.3f} [{low:+.3f}, {high:+.3f}])"
        print(line, flush=True)


if __name__ == "__main__":
    main()

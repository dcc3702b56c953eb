"""Measuring ranking quality: `beir` scores a BEIR-format dataset per search mode; `questions`
scores an index on a team's own judged questions, per language and mode, with confidence
intervals; `metrics` holds the measures and the bootstrap both use.

May import: index, retrieval, store, embed, ingest (the layers below it)."""

from .beir import DEPTH, ModeScores, _sources, as_dicts, evaluate, load_beir, prepare_index
from .metrics import mean_ci, mrr_at, ndcg_at, paired_ci, recall_at
from .questions import (Judged, LanguageScores, QuestionScores, evaluate_questions,
                        load_questions, question_scores, ranked_keys, rows_as_dicts, summarise,
                        unmatched)

__all__ = ["DEPTH", "Judged", "LanguageScores", "ModeScores", "QuestionScores", "as_dicts",
           "evaluate", "evaluate_questions", "load_beir", "load_questions", "mean_ci", "mrr_at",
           "ndcg_at", "paired_ci", "prepare_index", "question_scores", "ranked_keys",
           "recall_at", "rows_as_dicts", "summarise", "unmatched", "_sources"]

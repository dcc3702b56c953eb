"""`diplosearch eval QUESTIONS.jsonl`: a team's own judged questions, per language and mode."""

import json

import pytest
from typer.testing import CliRunner

import diplosearch as ds
from diplosearch.cli import app
from diplosearch.evaluate import (evaluate_questions, load_questions, mean_ci, paired_ci,
                                  ranked_keys, recall_at)
from diplosearch.retrieval.results import Hit
from tests.conftest import QUESTION

SEED = "unsc_2019-09-25_csto_semerikov.txt"


def hit(source, paragraph=1, citation=None, doc=None):
    doc = doc or source
    return Hit(score=1.0, text="t", citation=citation or f"{doc} ¶{paragraph}", doc=doc,
               source=source, paragraph=paragraph, paragraph_end=paragraph, part=1, parts=1,
               line_start=1, line_end=1, char_start=0, char_end=1)


def test_hits_become_the_keys_they_were_judged_by():
    hits = [hit("a/x.txt", 3, doc="x.txt"), hit("a/x.txt", 4, doc="x.txt"), hit("y.txt", 1, doc="S/PV.8700",
                                                        citation="S/PV.8700 #3 ¶1 (2/17) — Mr. A (B)")]
    # a file name matches every hit from the file, once; a symbol matches its document
    assert ranked_keys(hits, {"x.txt": 2, "S/PV.8700": 1}) == ["x.txt", "S/PV.8700"]
    # a citation matches its paragraph only, whatever part or speaker the hit shows
    assert ranked_keys(hits, {"x.txt ¶4": 2, "S/PV.8700 #3 ¶1": 1}) == \
        ["x.txt", "x.txt ¶4", "S/PV.8700 #3 ¶1"]


def test_capped_recall_and_intervals():
    rel = {f"d{i}": 1 for i in range(20)}
    assert recall_at([f"d{i}" for i in range(10)], rel, 10, capped=True) == 1.0
    assert recall_at([f"d{i}" for i in range(10)], rel, 10) == 0.5
    mean, low, high = mean_ci([0.0, 1.0] * 20)
    assert mean == 0.5 and 0.3 < low < 0.5 < high < 0.7
    assert mean_ci([0.7] * 5) == pytest.approx((0.7, 0.7, 0.7))
    diff, low, high = paired_ci([1.0, 0.5, 0.5], [0.5, 0.5, 0.5])
    assert diff == pytest.approx(1 / 6) and low == 0.0 and high == pytest.approx(0.5)


@pytest.mark.parametrize("line, message", [
    ("{nope", "line 1: not JSON"),
    ('{"questions": {"en": "x"}, "relevant": ["a"]}', 'line 1: expected an object with an "id"'),
    ('{"id": 1, "relevant": ["a"]}', "line 1: expected \"questions\""),
    ('{"id": 1, "question": "x", "relevant": {"a": "2"}}', "line 1: expected \"relevant\""),
    ('{"id": 1, "question": "x", "relevant": {"a": 0}}', "line 1: no key graded above 0"),
    ('{"id": 1, "questions": {"xx": "q"}, "relevant": ["a"]}', "line 1: language 'xx' is not one of"),
])
def test_bad_question_files_are_named_by_line(tmp_path, line, message):
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(ds.SourceError, match=message):
        load_questions(path)


def test_duplicate_ids_and_empty_splits_are_refused(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": 1, "question": "x", "relevant": ["a"], "split": "dev"}\n' * 2)
    with pytest.raises(ds.SourceError, match="line 2: question id '1' appears twice"):
        load_questions(path)
    path.write_text('{"id": 1, "question": "x", "relevant": ["a"], "split": "dev"}\n')
    with pytest.raises(ds.SourceError, match="no judged question in split 'test'"):
        load_questions(path, split="test")


@pytest.fixture
def judged(tmp_path):
    path = tmp_path / "questions.jsonl"
    rows = [{"id": "ftf", "questions": {"en": QUESTION, "fr": "combattants terroristes étrangers"},
             "relevant": {f"{SEED} ¶9": 2, f"{SEED} ¶8": 1}, "split": "dev"},
            {"id": "mercury", "question": "Operation Mercury", "relevant": [SEED], "split": "test"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_scores_per_language_and_mode(judged, seed_dir, hashing):
    idx = ds.build_index([seed_dir], "seed", model=hashing, multilingual=False)[0]
    rows = evaluate_questions(judged, idx, modes=("keyword", "hybrid"))
    assert [(r.language, r.mode, r.questions) for r in rows] == [
        ("en", "keyword", 2), ("fr", "keyword", 1), ("en", "hybrid", 2), ("fr", "hybrid", 1)]
    en_keyword = rows[0]
    # "Operation Mercury" is in ¶9 only: keyword search puts it first, and the one file counts
    assert en_keyword.recall_ci[0] <= en_keyword.recall_at_10 <= en_keyword.recall_ci[1]
    assert 0 < en_keyword.mrr_at_10 <= 1
    dev = evaluate_questions(judged, idx, modes=("keyword",), split="test")
    assert [(r.language, r.questions, r.recall_at_10, r.mrr_at_10) for r in dev] == \
        [("en", 1, 1.0, 1.0)]


def test_cli_prints_intervals_and_json(judged, seed_dir, hashing, tmp_path):
    ds.build_index([seed_dir], tmp_path / "idx", model=hashing, multilingual=False)
    runner = CliRunner()
    out = runner.invoke(app, ["eval", str(judged), "-i", str(tmp_path / "idx"), "--mode",
                              "keyword", "--lang", "en", "--no-progress", "-f", "json",
                              "--per-question", str(tmp_path / "each.jsonl")])
    assert out.exit_code == 0, out.output
    each = [json.loads(line) for line in (tmp_path / "each.jsonl").read_text().splitlines()]
    assert [(e["id"], e["language"], e["mode"]) for e in each] == \
        [("ftf", "en", "keyword"), ("mercury", "en", "keyword")]
    assert each[1]["recall"] == 1.0 and each[1]["ranked"][0] == SEED
    rows = json.loads(out.stdout)
    assert [(r["language"], r["mode"], r["questions"]) for r in rows] == [("en", "keyword", 2)]
    assert set(rows[0]) >= {"recall_at_10", "recall_ci", "mrr_at_10", "mrr_ci", "ndcg_at_10"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{nope\n")
    out = runner.invoke(app, ["eval", str(bad), "-i", str(tmp_path / "idx"), "--no-progress"])
    assert out.exit_code == 1 and "bad.jsonl: line 1: not JSON" in out.output


def test_x_en_compares_the_same_questions():
    from diplosearch.evaluate import QuestionScores, summarise

    def q(i, lang, recall):
        return QuestionScores(i, lang, "hybrid", recall, 1.0, recall, ())

    # English is asked three times, Chinese once: its ratio is over q1 alone (0.6 / 0.8)
    rows = summarise([q("q1", "en", 0.8), q("q2", "en", 0.2), q("q3", "en", 0.5),
                      q("q1", "zh", 0.6)])
    zh = next(r for r in rows if r.language == "zh")
    assert zh.recall_vs_english == pytest.approx(0.75)
    assert next(r for r in rows if r.language == "en").recall_vs_english is None


def test_keys_that_name_nothing_in_the_index_are_warned_of(judged, seed_dir, hashing, tmp_path):
    ds.build_index([seed_dir], tmp_path / "idx", model=hashing, multilingual=False)
    path = tmp_path / "typos.jsonl"
    path.write_text(json.dumps({"id": "t", "question": "Operation Mercury", "relevant": {
        SEED: 2, "nosuchfile.txt": 2, f"{SEED} ¶99": 1, f"{SEED} ¶9": 1}}) + "\n")
    out = CliRunner().invoke(app, ["eval", str(path), "-i", str(tmp_path / "idx"), "--mode",
                                   "keyword", "--no-progress", "-f", "json"])
    assert out.exit_code == 0, out.output
    warning = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and "2 of its 4 relevant keys name nothing" in warning[0]
    assert "nosuchfile.txt" in warning[0] and "¶99" in warning[0] and "¶9," not in warning[0]


def test_questions_judged_on_another_index_are_refused(seed_dir, hashing, tmp_path):
    ds.build_index([seed_dir], tmp_path / "idx", model=hashing, multilingual=False)
    path = tmp_path / "other.jsonl"
    path.write_text(json.dumps({"id": "t", "question": "Operation Mercury", "relevant": {
        "UNSC_2020_SPV.8699_spch012.txt": 2, "FRA_79_2024.txt": 1}}) + "\n")
    out = CliRunner().invoke(app, ["eval", str(path), "-i", str(tmp_path / "idx"),
                                   "--no-progress"])
    assert out.exit_code == 2
    assert "none of its 2 relevant keys names a document of index" in out.stderr
    assert out.stdout == ""


def test_a_missing_path_is_named_in_one_line(tmp_path):
    out = CliRunner().invoke(app, ["eval", str(tmp_path / "nonexist.jsonl"), "--no-progress"])
    assert out.exit_code == 1
    assert "nonexist.jsonl: no such file or folder" in out.output and "corpus.jsonl" not in out.output

"""What a newcomer reads: bad usage in one line, a note for a question longer than the
model reads, documents as a table, no "serving" before an error, and the indexes that
exist when a name opens none."""

import json
import sys

import pytest

from tests.cli_support import run, seed_index  # noqa: F401  (seed_index: a fixture)



@pytest.mark.parametrize("args, message", [
    (["search", "x", "-k", "abc"], "error: Invalid value for '-k' / '--top'"),
    (["index", "add", "somewhere"], "error: Missing option '--index' / '-i'"),
    (["serch", "x"], "error: No such command 'serch'. Did you mean 'search'"),
    (["search", "x", "--format", "xml"], "error: Invalid value for --format: 'xml' is not one"),
    (["--versio"], "error: No such option: --versio"),
])
def test_bad_usage_is_one_line_naming_the_help(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" not in result.output and "Try '" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(message) and line.endswith("--help`)"), line


def test_no_arguments_still_show_the_help():
    result = run("index")
    assert "Usage: " in result.output and "Commands" in result.output


LONG = " ".join(["the council calls on member states to prevent the travel of fighters"] * 30)


@pytest.mark.parametrize("query, mode, noted", [
    (LONG, "hybrid", True), (LONG, "semantic", True), (LONG, "keyword", False),
    ("what measures target foreign terrorist fighters", "hybrid", False),
])
def test_a_question_longer_than_the_model_reads_gets_a_note(seed_index, query, mode, noted):
    result = run("search", query, "-i", seed_index, "--mode", mode, "-k", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    note = "note: this question is 360 word pieces long, but the model reads only the first 254"
    assert (note in result.output) == noted, result.output


def test_info_lists_documents_as_a_table_not_json(seed_index):
    result = run("index", "info", "-i", seed_index, "--documents")
    assert result.exit_code == 0, result.output
    assert '{"key"' not in result.output and "documents of index seed" in result.output
    assert "unsc_2019-09-25_csto" in result.output   # the key, folded in its cell
    as_json = json.loads(run("index", "info", "-i", seed_index, "--documents", "-f", "json").output)
    assert as_json["documents_list"][0]["key"] == "unsc_2019-09-25_csto_semerikov.txt"


def test_serve_without_the_web_extra_says_so_before_serving(seed_index, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)   # as if it were not installed
    result = run("serve", "-i", seed_index)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("error: the web page needs the web extra (uvicorn is missing)")


def test_an_unknown_index_name_lists_those_that_exist(seed_index):
    result = run("search", "x", "-i", "sede")
    assert result.exit_code == 1
    assert "no index here" in result.output
    assert "the indexes you can name: seed, default" in result.output
    by_path = run("search", "x", "-i", "./sede")
    assert "indexes you can name" not in by_path.output


def test_markdown_carries_the_search_note_once(seed_index):
    result = run("search", LONG, "-i", seed_index, "-k", "1", "-f", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.count("this question is 360 word pieces long") == 1, result.output
    assert "> note: this question is 360" in result.output

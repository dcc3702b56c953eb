"""The CLI's edges: bad usage exits 2 naming what was wrong, library errors exit 1, and what
the help and the public namespace say."""

import json

import pytest

import diplosearch
from tests.cli_support import run, seed_index  # noqa: F401  (seed_index: a fixture)
from tests.conftest import QUESTION



@pytest.mark.parametrize("args, message, code", [
    (["search", "x", "--mode", "bogus"], "'bogus' is not one of hybrid, semantic, keyword", 2),
    (["search", "x", "--fusion", "max"], "'max' is not one of score, rrf", 2),
    (["search", "x", "--group-by", "year"], "'year' is not one of country, speaker, doc", 2),
    (["search", "x", "--since", "2020-13"], "'2020-13': month must be in 1..12", 2),
    (["search", "x", "--until", "2020-02-30"], "day is out of range for month", 2),
    (["search", "x", "--until", "2020-13"], "month must be in 1..12", 2),
    (["search", "x", "--since", "Septembre 2024"], "a month name ('September 2024'", 2),
    (["search", "?!...;;"], "has no word to search for", 2),
    (["search", "   "], "query is empty", 2),
    (["eval", ".", "--mode", "fuzzy"], "'fuzzy' is not one of", 2),
    (["eval", ".", "--fusion", "max"], "'max' is not one of", 2),
    (["show", "not a citation"], "neither a passage id nor a citation", 2),
    (["show", "unsc_2019-09-25_csto_semerikov.txt ¶9 (1/5)"], "in 2 parts, not 5", 1),
    (["show", "unsc_2019-09-25_csto_semerikov.txt ¶99"], "no passage", 1),
    (["search", "x", "-i", "nowhere"], "no index here", 1),
])
def test_usage_exits_2_and_library_errors_1(seed_index, args, message, code):
    if args[0] == "show":
        args = [*args, "-i", seed_index]
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    if code == 1 or args[1] in ("?!...;;", "   ", "not a citation"):
        assert result.output.startswith("error: ") and result.output.count("\n") == 1


@pytest.mark.parametrize("since, until, hits", [
    ("2019", "2019", 3), ("September 2019", "Sept. 2019", 3), ("25 September 2019", None, 3),
    ("September 25, 2019", "2019-09-25", 3), ("2019-9", "2019-09", 3), ("October 2019", None, 0),
    (None, "August 2019", 0),
])
def test_dates_in_every_form(seed_index, since, until, hits):
    args = ["search", QUESTION, "-i", seed_index, "-k", "3", "-f", "json"]
    args += ["--since", since] if since else []
    args += ["--until", until] if until else []
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == hits


def test_show_accepts_the_citation_a_search_printed(seed_index):
    hit = json.loads(run("search", QUESTION, "-i", seed_index, "-k", "1", "-f", "json").stdout)[0]
    assert hit["parts"] == 2   # the refusal above is about a real two-part paragraph
    assert run("show", hit["citation"], "-i", seed_index).exit_code == 0


def test_non_latin_words_are_searchable(seed_index):
    result = run("search", "安理会 مجلس", "-i", seed_index, "-k", "1", "-f", "json")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command, wanted, unwanted", [
    (["index", "verify"], "jsonl (the same JSON on one line)", "one hit per line"),
    (["index", "list"], "jsonl (the same JSON on one line)", "one hit per line"),
    (["search"], "jsonl (one hit per line)", None),
    (["search"], "'September 2024'", None),
    (["search"], "Scores are 0-1 in every mode", None),
])
def test_help_wording(command, wanted, unwanted):
    result = run(*command, "--help")
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and wanted in text
    assert unwanted is None or unwanted not in text


def test_public_namespace_lists_each_name_once():
    diplosearch.search, diplosearch.build_index   # imported names must not appear twice
    names = dir(diplosearch)
    assert len(names) == len(set(names))
    assert {"search", "build_index", "Index", "Hit", "__version__"} <= set(names)
    assert not {"Any", "TYPE_CHECKING", "importlib", "annotations"} & set(names)


def test_a_reader_that_stops_early_is_no_error():
    """`diplosearch search ... | head`: the reader has what it wanted; exit 0, nothing said."""
    import subprocess
    import sys

    run = subprocess.run(f"{sys.executable} -m diplosearch search 'what measures target "
                         "foreign terrorist fighters' -k 10 -f jsonl | head -c 10 >/dev/null; "
                         "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash",
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Error" not in run.stderr, run.stderr

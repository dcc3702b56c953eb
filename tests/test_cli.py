"""The CLI through typer's CliRunner: outputs, and a table of errors with their exit codes."""

import json

import pytest

import diplosearch as ds
from tests.cli_support import run
from tests.conftest import QUESTION


@pytest.fixture
def built(seed_dir):
    result = run("index", "build", seed_dir, "--name", "seed", "--model", "hashing", "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_build_prints_a_summary(built):
    assert built["added"] == 1 and built["skipped"] == [] and built["passages_embedded"] > 0


@pytest.mark.parametrize("fmt", ["json", "jsonl", "markdown", "table"])
def test_search_formats_all_carry_the_citation(built, fmt):
    result = run("search", QUESTION, "--index", "seed", "-k", "3", "--format", fmt)
    assert result.exit_code == 0, result.output
    cite = "unsc_2019-09-25_csto_semerikov.txt ¶9"
    if fmt == "json":
        hits = json.loads(result.stdout)
        assert len(hits) == 3 and hits[0]["citation"].startswith(cite)
        assert hits[0]["paragraph"] == 9 and hits[0]["line_start"] > 0 and hits[0]["highlights"]
    elif fmt == "jsonl":
        lines = result.stdout.strip().splitlines()
        assert len(lines) == 3 and json.loads(lines[0])["citation"].startswith(cite)
    else:
        assert cite.split()[1] in result.stdout and "Semerikov" in result.stdout


def test_show_prints_context(built):
    hit = json.loads(run("search", QUESTION, "-i", "seed", "-k", "1", "-f", "json").stdout)[0]
    result = run("show", hit["citation"], "-i", "seed", "--context", "1")
    assert result.exit_code == 0, result.output
    assert "▶ ¶9" in result.stdout and "¶8" in result.stdout and "¶10" in result.stdout


@pytest.mark.parametrize("fmt, opening, closing", [("markdown", "**", "**"),
                                                    ("table", "[[", "]]")])
def test_show_marks_the_passage_inside_its_paragraph(built, fmt, opening, closing):
    hit = json.loads(run("search", QUESTION, "-i", "seed", "-k", "1", "-f", "json").stdout)[0]
    result = run("show", hit["id"], "-i", "seed", "--context", "1", "--format", fmt)
    assert result.exit_code == 0, result.output
    part = hit["text"][slice(*hit["span"])]
    assert f"{opening}{part}{closing}" in result.stdout     # the matched part, in its ¶9
    assert result.stdout.count(opening) == (2 if opening == closing else 1)   # nothing else


def test_show_is_bold_on_a_terminal(built, monkeypatch):
    from rich.console import Console

    from diplosearch import render

    monkeypatch.setattr(render, "_console", lambda stderr=False: Console(
        force_terminal=True, color_system="standard", width=200))
    result = run("show", "unsc_2019-09-25_csto_semerikov.txt ¶9", "-i", "seed")
    assert result.exit_code == 0, result.output
    assert "\x1b[1m" in result.stdout and "[[" not in result.stdout


def test_show_cuts_an_over_long_paragraph_to_a_window(seed_dir, shared, hashing):
    import shutil

    import diplosearch as ds
    speech = "UNSC_2020_SPV.8714_spch017.txt"
    shutil.copy(shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020" / speech, seed_dir)
    idx = ds.build_index([seed_dir], "long", model=hashing)[0]
    ref = f"{speech} ¶1 (8/{idx.passage(speech + ' ¶1').parts})"
    result = run("show", ref, "-i", "long", "--context", "2", "--format", "markdown")
    assert result.exit_code == 0, result.output
    shown = result.stdout.split("▶ ¶1", 1)[1]
    words = len((shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020" / speech)
                .read_text().split())
    assert len(shown.split()) < words / 2                       # a window, not the speech
    assert shown.lstrip().startswith("… ") and shown.rstrip().endswith("…")
    assert f"**{idx.passage(ref).text}**" in shown


def test_add_remove_info_list(built, seed_dir):
    result = run("index", "add", seed_dir, "-i", "seed", "-f", "json")
    assert json.loads(result.stdout)["unchanged"] == 1
    info = json.loads(run("index", "info", "-i", "seed", "-f", "json").stdout)
    assert info["documents"] == 1 and info["model"] == "diplosearch/hashing-384"
    names = [r["name"] for r in json.loads(run("index", "list", "-f", "json").stdout)]
    assert "seed" in names and "default" in names
    result = run("index", "remove", "unsc_2019-09-25_csto_semerikov.txt", "-i", "seed")
    assert result.exit_code == 0 and "removed" in result.output


@pytest.mark.parametrize("args, message, code", [
    (["search", "", "-i", "seed"], "query is empty", 2),
    (["search", "x", "-i", "missing"], "no index here", 1),
    (["search", "x", "-i", "seed", "-f", "xml"], "is not one of", 2),
    (["search", "x", "-i", "seed", "-k", "0"], "greater than or equal to 1", 2),
    (["index", "build", "nowhere", "--name", "n", "--model", "hashing"], "no such file or folder", 1),
    (["index", "build", "{empty_dir}", "--name", "n", "--model", "hashing"], "folder has no", 1),
    (["index", "build", "{blank}", "--name", "n", "--model", "hashing"], "file is empty", 1),
    (["index", "build", "{binary}", "--name", "n", "--model", "hashing"], "binary", 1),
    (["index", "build", "{seed}", "--name", "seed", "--model", "hashing"], "already exists", 1),
    (["index", "add", "{seed}", "-i", "seed", "--model", "default"], "built with model", 1),
    (["index", "remove", "nothing.txt", "-i", "seed"], "no document", 1),
    (["show", "12345", "-i", "seed"], "no passage", 1),
    (["index", "add", "{seed}"], "Missing option", 2),
])
def test_errors_are_one_line_with_exit_codes(built, seed_dir, tmp_path, args, message, code):
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "blank.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    subs = {"{empty_dir}": tmp_path / "empty_dir", "{blank}": tmp_path / "blank.txt",
            "{binary}": tmp_path / "binary.txt", "{seed}": seed_dir}
    result = run(*[subs.get(a, a) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    if code == 1:
        assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_damaged_index_is_one_line(built, isolated_home):
    (isolated_home / "seed" / "passages.sqlite").unlink()
    result = run("search", "x", "-i", "seed")
    assert result.exit_code == 1 and "passages.sqlite is missing" in result.output


def test_help_teaches():
    result = run("--help")
    assert result.exit_code == 0 and "diplosearch search" in result.output
    build_help = run("index", "build", "--help").output
    assert "Example:" in build_help and "--name" in build_help


def test_add_refuses_a_different_document_of_the_same_name(tmp_path, shared):
    """Issue 13 point 4, both cases: `statement.txt` in two folders, and a General Debate
    file named like an indexed one; exit 1, one line naming both paths, index unchanged;
    --replace-same-name replaces."""
    for folder, text in (("meeting1", "Kenya calls for a ceasefire in the region.\n"),
                         ("meeting2", "Norway will fund the climate and security mechanism.\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "statement.txt").write_text(text, encoding="utf-8")
    speech = shared / "corpus" / "ungdc_2015_2024/TXT/Session 79 - 2024/USA_79_2024.txt"
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / speech.name).write_text("Not the US statement.\n", encoding="utf-8")
    assert run("index", "build", tmp_path / "meeting1", speech, "--name", "n", "--model",
               "hashing", "--no-progress").exit_code == 0
    before = json.loads(run("index", "info", "-i", "n", "-f", "json").stdout)
    for new, old in ((tmp_path / "meeting2", tmp_path / "meeting1" / "statement.txt"),
                     (tmp_path / "drafts" / speech.name, speech)):
        result = run("index", "add", new, "-i", "n", "--no-progress")
        assert result.exit_code == 1, result.output
        assert result.output.startswith("error: ") and result.output.count("\n") == 1
        assert str(old.resolve()) in result.output and "--replace-same-name" in result.output
    after = json.loads(run("index", "info", "-i", "n", "-f", "json").stdout)
    assert (after["documents"], after["generation"]) == (2, before["generation"])
    result = run("index", "add", tmp_path / "meeting2", "-i", "n", "--replace-same-name",
                 "--no-progress", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["updated"] == 1
    hit = json.loads(run("search", "ceasefire fund", "-i", "n", "-k", "1", "-f", "json").stdout)[0]
    assert hit["source"] == "statement.txt" and "Norway" in hit["text"]


def test_grouped_results_show_their_groups(tmp_path, hashing):
    # A trial: `--group-by country` printed a flat list with no group named.
    for name, who in (("a.txt", "Mr. Smith (France)"), ("b.txt", "Mr. Lee (Kenya)")):
        (tmp_path / name).write_text(f"{who}: We support sanctions on arms transfers.\n\n"
                                     f"{who}: Sanctions must be targeted and humane.\n")
    ds.build_index([tmp_path / "a.txt", tmp_path / "b.txt"], "grouped", model=hashing)
    out = run("search", "sanctions", "-i", "grouped", "--model", "hashing",
              "--group-by", "country", "--per-group", "2", "-k", "2", "-f", "json")
    assert out.exit_code == 0, out.output
    groups = [h["group"] for h in json.loads(out.stdout)]
    assert sorted(set(groups)) == ["France", "Kenya"] and len(groups) == 4
    table = run("search", "sanctions", "-i", "grouped", "--model", "hashing",
                "--group-by", "country", "-k", "2")
    assert "in 2 groups" in table.stdout and "France" in table.stdout

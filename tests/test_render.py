"""Build progress tells the truth: files read, passages embedded of those expected, rate and
time left; queries only when an evaluation scores them."""

import pytest

from diplosearch import build_index, render


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def state_at(events, seconds):
    state = render._BuildState()
    state.clock = clock = Clock()
    state.start = 0.0
    for kind, n in events:
        state.update(kind, n)
    clock.now = seconds
    return state


def test_passages_expected_are_scaled_from_the_files_read():
    state = state_at([("files", 4), ("file", 1), ("planned", 60), ("file", 1), ("planned", 40),
                      ("passages", 50)], seconds=10)
    assert state.expected() == 200
    assert state.line() == ("indexing: 2/4 files read, 50 of ~200 passages embedded (5/s), "
                            "about 0:30 left, 10 s")


def test_once_every_file_is_read_the_total_is_exact_and_the_bar_keeps_going():
    state = state_at([("files", 2), ("file", 2), ("planned", 300), ("passages", 100)], seconds=20)
    assert state.line() == ("indexing: 2/2 files read, 100 of 300 passages embedded (5/s), "
                            "about 0:40 left, 20 s")
    state.update("passages", 200)
    assert "300 of 300 passages" in state.line() and "left" not in state.line()


def test_no_counters_that_do_not_apply():
    build = state_at([("files", 1), ("file", 1), ("planned", 5), ("passages", 5)], 1).line()
    assert "quer" not in build
    scoring = state_at([("queries", 10), ("query", 3)], 4).line()
    assert scoring == "scoring: 3/10 queries, 4 s"


def test_plain_progress_reports_a_real_build(seed_dir, hashing, capsys):
    with render._plain_progress(every=0) as update:
        build_index(seed_dir, "seed", model=hashing, progress=update)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1].startswith("indexing: 1/1 files read, ")
    embedded = lines[-1].split("files read, ")[1].split(" of ")
    assert int(embedded[0]) > 0 and embedded[1].startswith(embedded[0] + " passages")


def timed_state(events):
    """A state fed (seconds, kind, n) events at those times."""
    state = render._BuildState()
    state.clock = clock = Clock()
    state.start = 0.0
    for at, kind, n in events:
        clock.now = at
        state.update(kind, n)
    return state


def test_expected_passages_follow_bytes_read_not_files():
    # A big file first: by files, 1 of 4 files read means 4 x its 60 passages; by bytes,
    # 600 of 1,000 bytes read means 100.
    state = state_at([("files", 4), ("bytes", 1000), ("read", 600), ("file", 1),
                      ("planned", 60)], seconds=1)
    assert state.expected() == 100
    state.update("read", 400)   # every byte read: what was planned is the total
    assert state.expected() == 60


def test_without_sizes_the_files_read_still_scale_it():
    state = state_at([("files", 4), ("file", 1), ("planned", 60)], seconds=1)
    assert state.expected() == 240


def test_time_left_runs_at_the_rate_since_the_first_batch():
    # 40 s of reading ahead and loading, then 10 passages/s: 600 to go is a minute, not the
    # 3.5 minutes the overall rate (200 in 60 s) would say.
    state = timed_state([(0, "files", 2), (0, "bytes", 100), (1, "read", 100), (1, "file", 2),
                         (1, "planned", 800), (45, "passages", 50), (60, "passages", 150)])
    assert state.expected() == 800
    assert state.seconds_left() == 60
    assert state.line().endswith("about 1:00 left, 60 s")


def test_a_real_build_reports_every_byte_it_reads(seed_dir, hashing):
    calls = []
    build_index(seed_dir, "seed", model=hashing, progress=lambda kind, n: calls.append((kind, n)))
    total = sum(p.stat().st_size for p in seed_dir.iterdir() if p.suffix == ".txt")
    sizes = sum(p.stat().st_size for p in seed_dir.iterdir())
    assert [n for kind, n in calls if kind == "bytes"] == [sum(n for kind, n in calls
                                                              if kind == "read")]
    assert sum(n for kind, n in calls if kind == "read") in (total, sizes)


def test_passages_count_once_both_models_have_embedded_them():
    from concurrent.futures import Future

    from diplosearch.store.writer import _BothModels

    shown = []
    both = _BothModels(lambda kind, n: shown.append((kind, n)), two=True)
    both.on_english(128)
    both.on_english(128)          # the multilingual model has done none yet
    assert shown == []
    both.on_second(200)
    both.on_english(44)           # English done with all 300
    assert shown == [("passages", 200)]
    pending = Future()
    both.on_second(100)
    pending.set_result("vectors")
    assert both.wait(pending) == "vectors"
    assert shown == [("passages", 200), ("passages", 100)]
    alone = []
    english_only = _BothModels(lambda kind, n: alone.append(n), two=False)
    english_only.on_english(128)
    assert alone == [128]


def test_markdown_keeps_the_search_note_with_the_hits():
    from diplosearch.retrieval.results import SearchResults

    shown = render.markdown(SearchResults([], query="санкции", index="ix",
                                          note="English words searched for: sanctions"))
    assert "> note: English words searched for: sanctions" in shown
    assert "note" not in render.markdown(SearchResults([], query="sanctions", index="ix"))


@pytest.mark.parametrize("text, literal", [
    ("9. Decides that", "9\\. Decides that"),         # no ordered list; no "\9" shown
    ("Arms embargo\n12) the", "Arms embargo\n12\\) the"),
    ("- a", "\\- a"), ("# h", "\\# h"), ("a 9. b", "a 9. b"), ("(a) x", "(a) x"),
])
def test_markdown_keeps_a_line_start_literal(text, literal):
    assert render.md_escape(text) == literal


def test_markdown_keeps_a_heading_on_a_line_of_its_own(tmp_path, hashing):
    src = tmp_path / "src"
    src.mkdir()
    (src / "S-RES-1970(2011).txt").write_text(
        "United Nations\nS/RES/1970 (2011)\nThe Security Council,\nActing under Chapter VII,\n"
        "Arms embargo\n9. Decides that all Member States shall immediately take the necessary "
        "measures to prevent the supply of arms to the Libyan Arab Jamahiriya;\n",
        encoding="utf-8")
    index = build_index([src], tmp_path / "idx", model=hashing)[0]
    shown = render.markdown(index.search("supply of arms", k=1, mode="keyword"))
    assert "Arms embargo  \n   9\\. Decides" in shown      # a hard break, in the list item

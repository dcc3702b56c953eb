"""Build progress tells the truth: files read, passages embedded of those expected, rate and
time left; queries only when an evaluation scores them."""

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

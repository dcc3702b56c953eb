"""Asking for more hits adds hits below; it never reorders the ones above (issue 18)."""

import shutil

import pytest

import diplosearch as ds

QUESTIONS = ["humanitarian access in Syria", "arms embargo on Libya",
             "what measures target foreign terrorist fighters", "women peace and security",
             "elections in Mali"]


@pytest.fixture(scope="module")
def meetings_index(tmp_path_factory, shared):
    """Three meetings of 2020 (59 speeches, about 600 parts): k = 100 needs deeper passes
    than the first pass's candidates give."""
    folder = tmp_path_factory.mktemp("meetings")
    speeches = shared / "corpus" / "unsc_2020_pires" / "speeches_txt_2020"
    for path in sorted(speeches.glob("UNSC_2020_SPV.870[0-3]_*.txt")):
        shutil.copy(path, folder / path.name)
    return ds.build_index([folder], tmp_path_factory.mktemp("home") / "meetings",
                          model=ds.HashingEmbedder(), multilingual=False)[0]


@pytest.mark.parametrize("mode, fusion", [("hybrid", "score"), ("hybrid", "rrf"),
                                          ("semantic", "score"), ("keyword", "score")])
def test_more_hits_never_reorder_the_first(meetings_index, mode, fusion):
    for question in QUESTIONS:
        runs = {k: [h.id for h in meetings_index.search(question, k=k, mode=mode, fusion=fusion)]
                for k in (5, 10, 50, 100)}
        if mode != "keyword":   # keyword hits end where the question's words do
            assert len(runs[100]) > 50, "the slice must need a deeper pass for k=100"
        for small, large in ((5, 10), (10, 50), (50, 100)):
            assert runs[large][:small] == runs[small], (question, mode, small, large)


def test_scores_fall_down_a_deepened_list(meetings_index):
    hits = meetings_index.search("arms embargo on Libya", k=100)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({(h.source, h.paragraph) for h in hits}) == len(hits)

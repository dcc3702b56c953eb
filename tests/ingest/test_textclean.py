import re

import pytest

from diplosearch.ingest import textclean
from tests.conftest import SEED, SHARED


def clean_text(raw: str) -> str:
    return textclean.clean(raw).text


@pytest.mark.parametrize("raw, expected", [
    ("the Secretary-\nGeneral said", "the Secretary-General said"),
    ("the seventy-\nthird session", "the seventy-third session"),
    ("our collective rapid-\nreaction force", "our collective rapid-reaction force"),
    ("the Secretary- General said", "the Secretary-General said"),
    ("pre- and post-conflict", "pre- and post-conflict"),
    ("an organiza-\ntion that is an organization", "an organization that is an organization"),
    ("hard\nwrapped   lines\n", "hard wrapped lines"),
    ("soft\u00adhyphen", "softhyphen"),
])
def test_clean_repairs_wrapping_and_hyphenation(raw, expected):
    assert clean_text(raw) == expected


def test_seed_compounds_keep_their_hyphen():
    raw = SEED.read_text(encoding="utf-8")
    vocab, compounds = textclean.vocabulary(raw), textclean.hyphenated_pairs(raw)
    text = " ".join(textclean.clean(raw[s:e], s, vocab, compounds).text
                    for s, e in textclean.paragraph_blocks(raw))
    for word in ("Secretary-General", "seventy-third", "rapid-reaction", "counter-terrorism",
                 "Counter-Terrorism"):
        assert word in text
    assert "- " not in re.sub(r" - ", " ", text).replace("- and", "")
    assert "\n" not in text


def test_offsets_point_back_into_the_source():
    raw = "Intro line\nsecond line of the Secretary-\nGeneral text.\n"
    ct = textclean.clean(raw)
    start = ct.text.index("Secretary")
    s, e = ct.source_span(start, len(ct.text))
    assert raw[s:e] == "Secretary-\nGeneral text."
    assert len(ct.offsets) == len(ct.text)


def test_paragraphs_in_wrapped_and_line_per_paragraph_text():
    seed = SEED.read_text(encoding="utf-8")
    assert textclean.is_hard_wrapped(seed)
    assert len(textclean.paragraph_blocks(seed)) == 19
    gd = (SHARED / "corpus/ungdc_2015_2024/TXT/Session 74 - 2019/USA_74_2019.txt").read_text()
    assert not textclean.is_hard_wrapped(gd)
    assert len(textclean.paragraph_blocks(gd)) == len([l for l in gd.splitlines() if l.strip()])


@pytest.mark.parametrize("raw, expected", [
    # as the General Debate's 2024 files write it (AND_79_2024.txt)
    ("the **Summit of the Future**, from which derives the *Pact for the Future*, to which",
     "the Summit of the Future, from which derives the Pact for the Future, to which"),
    ("Or rather: **What conquest, and what legacy?** There",
     "Or rather: What conquest, and what legacy? There"),
    ("**a peaceful\nworld** for all", "a peaceful world for all"),
    # not emphasis: a reissued symbol, arithmetic, a lone pair of stars, snake_case
    ("see S/2020/123* and 5 * 3 = 15", "see S/2020/123* and 5 * 3 = 15"),
    ("a ** b", "a ** b"),
    ("snake_case and __init__", "snake_case and __init__"),
])
def test_clean_leaves_out_markdown_emphasis_marks(raw, expected):
    clean = textclean.clean(raw)
    assert clean.text == expected
    # every character still points at the same character of the source
    assert all(raw[o] == ch or ch == " " for o, ch in zip(clean.offsets, clean.text))

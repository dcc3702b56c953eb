"""The words keyword search indexes and matches, from the one package that makes them."""

from __future__ import annotations

import pytest

from diplosearch.text import wordsplit


@pytest.mark.parametrize("query, terms", [
    ("the Council and S/PV.8699", [("council",), ("s", "pv", "8699")]),
    ('"the rule of law" in Syria', [("the", "rule", "of", "law"), ("syria",)]),
    ("rapid-reaction force", [("rapid", "reaction"), ("force",)]),
    ("the of and", []),
])
def test_query_terms(query, terms):
    assert wordsplit.query_terms(query) == terms


@pytest.mark.parametrize("query, terms", [
    ("安理会决议", [("安", "理"), ("理", "会"), ("会", "决"), ("决", "议")]),
    ("резолюция о Сирии", [("резолюц",), ("о",), ("сир",)]),
    ("الأَمْنِ", [("امن",)]),
])
def test_folded_query_terms(query, terms):
    assert wordsplit.folded_query_terms(query) == terms


def test_match_words_are_folded_only_where_a_script_needs_it():
    assert wordsplit.match_words("The Council adopted resolutions") == {
        "council", "adopted", "resolutions"}
    assert wordsplit.match_words("Совет принял резолюции") == {"совет", "принял", "резолюц"}
    assert wordsplit.match_words("安理会") == {"安", "理", "会"}

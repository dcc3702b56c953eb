"""The two stemmer sets on real words of UN debates: what each conflates and what it misses."""

from __future__ import annotations

import pytest

from diplosearch.errors import QueryError
from diplosearch.text import stemmers, wordsplit

RESOLUTION = ["резолюция", "резолюции", "резолюцию", "резолюцией", "резолюций", "резолюциями"]


@pytest.mark.parametrize("stemmer", stemmers.STEMMERS)
def test_both_conflate_russian_case_forms(stemmer):
    assert {stemmers.russian(w, stemmer) for w in RESOLUTION} == {"резолюц"}
    assert {stemmers.arabic(w, stemmer) for w in ("القرار", "قرار", "القرارات")} == {"قرار"}


def test_light10_takes_conjunction_and_article_off_where_snowball_does_not():
    security = ["الأمن", "أمن", "والأمن", "بالأمن", "للأمن"]
    assert {stemmers.arabic(w, "light") for w in security} == {"امن"}
    assert [stemmers.arabic(w, "snowball") for w in security] == [
        "امن", "امن", "والام", "بالام", "امن"]


def test_snowball_takes_the_russian_instrumental_off_where_the_light_stemmer_does_not():
    forms = ["безопасность", "безопасности", "безопасностью"]
    assert [stemmers.russian(w, "light") for w in forms] == [
        "безопасност", "безопасност", "безопасностью"]
    assert {stemmers.russian(w, "snowball") for w in forms} == {"безопасн"}


def test_fold_and_query_terms_take_the_stemmer():
    text = "Совет Безопасности принял резолюцию"
    assert wordsplit.fold(text) == "совет безопасност принял резолюц"
    assert wordsplit.fold(text, "snowball") == "совет безопасн приня резолюц"
    assert wordsplit.folded_query_terms("безопасностью", "snowball") == [("безопасн",)]


def test_the_choice_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(stemmers.ENVIRONMENT, raising=False)
    assert stemmers.chosen() == "light"
    monkeypatch.setenv(stemmers.ENVIRONMENT, " Snowball ")
    assert stemmers.chosen() == "snowball"
    monkeypatch.setenv(stemmers.ENVIRONMENT, "lucene")
    with pytest.raises(QueryError, match="DIPLOSEARCH_STEMMER='lucene'"):
        stemmers.chosen()

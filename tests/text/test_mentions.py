"""Months, years and countries a question names, in the six UN languages (issue 18: the
question's dates and names as soft priors)."""

import pytest

from diplosearch.text.mentions import Period, month_words, periods, places


@pytest.mark.parametrize("question, expected", [
    ("By the end of January 2020, how many people had been displaced in Idlib?", [Period(2020, 1)]),
    ("в январе 2020 года в Ливии", [Period(2020, 1)]),
    ("¿Qué dijo Francia en febrero de 2020?", [Period(2020, 2)]),
    ("Qu'a dit la Chine en juillet 2020 ?", [Period(2020, 7)]),
    ("2020年1月利比亚武器禁运", [Period(2020, 1)]),
    ("ما موقف روسيا في كانون الثاني 2020", [Period(2020, 1)]),
    ("ما موقف روسيا في يناير", [Period(None, 1)]),
    ("What did Guyana say in 2024?", [Period(2024, None)]),
    # a resolution's year, a document symbol and the verb "may" are no periods
    ("When resolution 2504 (2020) renewed aid, what may follow S/2019/1005?", []),
])
def test_periods(question, expected):
    assert periods(question) == expected


def test_a_period_matches_dates_and_years():
    assert Period(2020, 1).matches("2020-01-08") and not Period(2020, 1).matches("2020-02-01")
    assert Period(None, 7).matches("2021-07-30") and Period(2023, None).matches("2023")
    assert not Period(2020, 1).matches("2020") and not Period(2020, None).matches(None)


@pytest.mark.parametrize("question, language, expected", [
    ("arms embargo on Libya", "en", ["LY"]),
    ("embargo sur les armes à destination de la Libye", "fr", ["LY"]),
    ("embargo de armas a Libia", "es", ["LY"]),
    ("эмбарго на поставки оружия в Ливию", "ru", ["LY"]),     # accusative
    ("حظر الأسلحة على ليبيا", "ar", ["LY"]),
    ("利比亚武器禁运", "zh", ["LY"]),
    ("позиция России и Китая по Сирии", "ru", ["CN", "RU", "SY"]),
    ("humanitarian access", "en", []),
    # CLDR writes "Myanmar (Burma)": a question names it by its first part
    ("Rohingya refugees return Myanmar", "en", ["MM"]),
    ("возвращение беженцев рохинджа в Мьянму", "ru", ["MM"]),
    ("عودة اللاجئين الروهينغا إلى ميانمار", "ar", ["MM"]),
    ("retour des réfugiés rohingya au Myanmar", "fr", ["MM"]),
])
def test_places(question, language, expected):
    assert sorted(places(question, language)) == expected


@pytest.mark.parametrize("question, months", [
    ("كم عدد الجنود الذين قتلوا في فبراير 2020", ["february"]),
    ("в январе 2020 года", ["january"]),
    ("خلال كانون الثاني 2020", ["january"]),
    ("en juillet et en août", ["july", "august"]),
    ("2020年1月的会议", ["january"]),
    ("What may be done in Syria?", []),              # "may" in lower case: not a month
])
def test_month_words_are_the_english_names_of_the_months_named(question, months):
    assert month_words(question)[0] == months

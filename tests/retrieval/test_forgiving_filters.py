"""Filters that forgive (issue 13, point 8): country codes, short forms, case and accents;
body abbreviations; and a value that matches nothing is one line with the closest known
values, never a silent empty list, in the Python API, the CLI and the web API."""

from __future__ import annotations

import json

import pytest

import diplosearch as ds
from diplosearch.retrieval.names import country_code, match_body, match_country, normal

# Spellings the shared corpora give affiliations: the 2020 Security Council speeches'
# table and the General Debate speakers workbook (several per country, across years).
KNOWN = ["United States of America", "USA", "United Kingdom",
         "United Kingdom of Great Britain and Northern Ireland", "Russian Federation",
         "China", "Islamic Republic of Iran", "Syrian Arab Republic",
         "Democratic Republic of the Congo", "Democratic Republic of Congo", "Congo",
         "Bolivarian Republic of Venezuela", "Plurinational State of Bolivia", "Tanzania",
         "Republic of Korea", "North Korea", "Viet Nam", "Lao People's Democratic Republic",
         "Republic of Moldova", "Turkey", "Türkiye", "Cote d'Ivoire", "Niger", "Nigeria",
         "Guinea", "Guinea-Bissau", "European Union", "Kenya"]


@pytest.mark.parametrize("typed, expected", [
    ("USA", {"United States of America", "USA"}),
    ("usa", {"United States of America", "USA"}),
    ("United States", {"United States of America", "USA"}),
    ("US", {"United States of America", "USA"}),
    ("UK", {"United Kingdom", "United Kingdom of Great Britain and Northern Ireland"}),
    ("GBR", {"United Kingdom", "United Kingdom of Great Britain and Northern Ireland"}),
    ("Russia", {"Russian Federation"}),
    ("rus", {"Russian Federation"}),
    ("China", {"China"}),
    ("Iran", {"Islamic Republic of Iran"}),
    ("Iran (Islamic Republic of)", {"Islamic Republic of Iran"}),
    ("Syria", {"Syrian Arab Republic"}),
    ("DRC", {"Democratic Republic of the Congo", "Democratic Republic of Congo"}),
    ("Congo", {"Congo"}),        # the Republic of the Congo, not the DRC
    ("Venezuela", {"Bolivarian Republic of Venezuela"}),
    ("Bolivia", {"Plurinational State of Bolivia"}),
    ("United Republic of Tanzania", {"Tanzania"}),
    ("Korea", {"Republic of Korea"}),
    ("ROK", {"Republic of Korea"}),
    ("DPRK", {"North Korea"}),
    ("Democratic People's Republic of Korea", {"North Korea"}),
    ("Vietnam", {"Viet Nam"}),
    ("Laos", {"Lao People's Democratic Republic"}),
    ("Moldova", {"Republic of Moldova"}),
    ("Turkey", {"Turkey", "Türkiye"}),
    ("TURKIYE", {"Turkey", "Türkiye"}),
    ("Côte d'Ivoire", {"Cote d'Ivoire"}),
    ("Ivory Coast", {"Cote d'Ivoire"}),
    ("niger", {"Niger"}),        # not Nigeria
    ("Guinea", {"Guinea"}),      # not Guinea-Bissau
    ("EU", {"European Union"}),
    ("KEN", {"Kenya"}),
])
def test_country_forms_map_to_every_spelling_in_the_index(typed, expected):
    assert set(match_country(typed, KNOWN)) == expected


@pytest.mark.parametrize("typed", ["Chine", "Atlantis", "Kenia ", "Nigera"])
def test_a_misspelling_matches_nothing(typed):
    assert match_country(typed, KNOWN) == []


def test_codes_and_normal_forms():
    assert normal("  Côte d’Ivoire ") == "cote d ivoire"
    assert country_code("Socialist Republic of Viet Nam") == "VNM"
    assert country_code("Kingdom of the Netherlands") == "NLD"
    assert country_code("Nauru") == "NRU"
    assert country_code("European Union") is None


@pytest.mark.parametrize("typed, expected", [
    ("GA", ["General Assembly"]), ("general assembly", ["General Assembly"]),
    ("Assembly", ["General Assembly"]), ("SC", ["Security Council"]),
    ("UNSC", ["Security Council"]), ("Security council", ["Security Council"]),
    ("ECOSOC", []),
])
def test_body_forms(typed, expected):
    assert match_body(typed, ["General Assembly", "Security Council"]) == expected


# -- on an index: the Security Council's 2020 speeches and General Debate statements ----
SPEECHES = "unsc_2020_pires/speeches_txt_2020"
SC_FILES = ["UNSC_2020_SPV.8744_spch003.txt",          # United States of America
            "UNSC_2020_SPV.8764_spch010.txt",          # United Kingdom
            "UNSC_2020_SPV.8764_spch013.txt",          # Russian Federation
            "UNSC_2020_SPV.8743_spch023.txt",          # China
            "UNSC_2020_SPV.8727_spch033.txt"]          # Turkey
GD_FILES = ["Session 79 - 2024/COD_79_2024.txt", "Session 79 - 2024/PRK_79_2024.txt",
            "Session 79 - 2024/TUR_79_2024.txt"]


@pytest.fixture(scope="module")
def index(shared, tmp_path_factory):
    corpus = shared / "corpus"
    files = [corpus / SPEECHES / f for f in SC_FILES] + \
            [corpus / "ungdc_2015_2024" / "TXT" / f for f in GD_FILES]
    path = tmp_path_factory.mktemp("filters") / "idx"
    return ds.build_index(files, path, model=ds.HashingEmbedder())[0]


def _affiliations(hits) -> set[str]:
    return {h.affiliation for h in hits}


@pytest.mark.parametrize("typed, code", [("USA", "USA"), ("United States", "USA"),
                                         ("uk", "GBR"), ("Russia", "RUS"), ("CHN", "CHN"),
                                         ("DRC", "COD"), ("DPRK", "PRK"), ("Türkiye", "TUR")])
def test_search_with_a_forgiving_country(index, typed, code):
    hits = index.search("peace and security", k=5, country=typed)
    assert len(hits) >= 1
    assert {country_code(a) for a in _affiliations(hits)} == {code}


def test_a_country_spelt_two_ways_finds_both(index):
    # "Turkey" in the Council's 2020 table, the workbook's name in the General Debate
    hits = index.search("peace", k=50, country="Turkey", group_by="doc")
    assert {h.doc for h in hits} >= {"S/PV.8727", "TUR_79_2024.txt"}


def test_bodies(index):
    assert {h.body for h in index.search("peace", k=20, body="GA")} == {"General Assembly"}
    assert {h.body for h in index.search("peace", k=20, body="sc")} == {"Security Council"}


@pytest.mark.parametrize("kwargs, message", [
    ({"country": "Chine"}, "country 'Chine' matches nothing in index 'idx'; closest: China"),
    ({"country": "Kenya"}, "country 'Kenya' (Kenya) matches nothing in index 'idx'"),
    ({"body": "Human Rights Council"}, "body 'Human Rights Council' matches nothing"),
])
def test_no_match_is_an_error_naming_the_closest(index, kwargs, message):
    with pytest.raises(ds.FilterValueError) as refused:
        index.search("peace", **kwargs)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_cli_exits_1_with_one_line(index):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    run = CliRunner().invoke
    result = run(app, ["search", "peace", "-i", str(index.path), "--country", "Chine"])
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert result.output.startswith("error: country 'Chine'") and "China" in result.output
    result = run(app, ["search", "peace", "-i", str(index.path), "--country", "USA",
                       "--body", "SC", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert {h["affiliation"] for h in json.loads(result.stdout)} == {"United States of America"}


def test_web_api_forgives_and_explains(index):
    from fastapi.testclient import TestClient

    from diplosearch.web import create_app

    with TestClient(create_app(index.path)) as client:
        found = client.get("/api/search", params={"q": "peace", "country": "russia"})
        assert found.status_code == 200
        assert {h["affiliation"] for h in found.json()["hits"]} == {"Russian Federation"}
        refused = client.get("/api/search", params={"q": "peace", "country": "Chine"})
        assert refused.status_code == 400 and "closest: China" in refused.json()["detail"]
        page = client.get("/", params={"q": "peace", "country": "Chine"})
        assert page.status_code == 400 and "closest: China" in page.text


def test_a_date_filter_on_an_index_without_dates_says_so(tmp_path, hashing):
    # A trial copied speeches out of the corpus folder (so no metadata table, no dates) and
    # got an empty list for --since: silent, like the misspelt countries were.
    (tmp_path / "a.txt").write_text("The Council discussed sanctions on arms transfers.\n")
    idx, _ = ds.build_index([tmp_path / "a.txt"], "undated", model=hashing)
    with pytest.raises(ds.FilterValueError, match="holds no dated documents"):
        idx.search("sanctions", since="2020")
    assert idx.search("sanctions")          # without the filter it is found

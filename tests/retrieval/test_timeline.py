"""Positions over time: the best passage per country per year or meeting, checked on a
small index whose dates, symbols and countries are known."""

from __future__ import annotations

import json

import pytest

import diplosearch as ds
from diplosearch.retrieval.timeline import periods, positions
from tests.conftest import QUESTION

CSTO = "Collective Security Treaty Organization"
STATEMENT = ("The Council must act against foreign terrorist fighters: we call for measures "
             "that stop their travel, prosecute their crimes and end their recruitment.\n\n"
             "We also thank the presidency for convening this meeting on terrorism.\n")
DOCS = {  # file: (date, symbol, affiliation)
    "tunisia_2020.txt": ("2020-02-07", "S/PV.8716", "Tunisia"),
    "tunisia_2021.txt": ("2021-05-01", "S/PV.8800 (Resumption 1)", "Tunisia"),
    "kazakhstan_2021.txt": ("2021-06-01", "S/PV.8800", "Kazakhstan"),
    "resolution_2015.txt": ("2015-12-09", "S/RES/2250 (2015)", None),  # nobody's position
}


@pytest.fixture
def index(seed_dir, hashing):
    for name, (date, symbol, affiliation) in DOCS.items():
        (seed_dir / name).write_text(STATEMENT, encoding="utf-8")
        meta = {"date": date, "symbol": symbol, **({"affiliation": affiliation,
                                                   "speaker": "Mr. X"} if affiliation else {})}
        (seed_dir / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return ds.build_index([seed_dir], "timeline", model=hashing)[0]


def test_periods_are_those_with_a_country_speaking(index):
    assert periods(index, "year") == ["2019", "2020", "2021"]  # not 2015: no country spoke
    # the seed statement has no symbol; a resumption belongs to its meeting
    assert periods(index, "meeting") == ["S/PV.8716", "S/PV.8800"]


def test_best_passage_per_country_per_year(index):
    found = positions(index, QUESTION, by="year")
    assert found.periods == ["2019", "2020", "2021"]
    assert set(found.cells) == {CSTO, "Tunisia", "Kazakhstan"}
    assert set(found.cells["Tunisia"]) == {"2020", "2021"}
    assert set(found.cells["Kazakhstan"]) == {"2021"}
    assert found.cells["Tunisia"]["2021"].date == "2021-05-01"
    assert found.cells[CSTO]["2019"].citation.startswith("unsc_2019-09-25_csto_semerikov.txt ¶")
    # each cell is the same passage a filtered, grouped search ranks first
    best = index.search(QUESTION, k=1, country="Tunisia", since="2021", until="2021")[0]
    assert found.cells["Tunisia"]["2021"].id == best.id


def test_per_meeting_and_limits(index):
    found = positions(index, QUESTION, by="meeting", countries=1)
    assert found.periods == ["S/PV.8716", "S/PV.8800"]
    assert sum(len(c) for c in found.cells.values()) == 2  # one country per meeting
    only = positions(index, QUESTION, by="year", country="Kazakhstan")
    assert only.periods == ["2021"] and list(only.cells) == ["Kazakhstan"]


def test_rows_and_frame(index):
    found = positions(index, QUESTION, by="year")
    rows = found.rows()
    assert len(rows) == 4 and [r["period"] for r in rows] == ["2019", "2020", "2021", "2021"]
    frame = found.to_frame()
    assert list(frame.columns) == ["period", "country", "score", "citation", "text", "id"]
    assert frame.pivot(index="country", columns="period", values="id").shape == (3, 3)
    data = found.to_dict()
    assert data["periods"] == found.periods and len(data["countries"]) == 3


@pytest.mark.parametrize("kwargs, message", [({"by": "decade"}, "by 'decade'"),
                                             ({"countries": 0}, "countries must be")])
def test_refusals(index, kwargs, message):
    with pytest.raises(ds.QueryError, match=message):
        positions(index, QUESTION, **kwargs)


GD = "ungdc_2015_2024/TXT"
GD_FILES = ["Session 78 - 2023/USA_78_2023.txt", "Session 78 - 2023/KEN_78_2023.txt",
            "Session 79 - 2024/USA_79_2024.txt", "Session 79 - 2024/NOR_79_2024.txt"]


@pytest.fixture
def general_debate(shared, hashing):
    """General Debate statements, read from the corpus folder: each has its year and
    session (from its file name), dated the day the session opened."""
    return ds.build_index([shared / "corpus" / GD / f for f in GD_FILES], "gd", model=hashing)[0]


def test_year_dated_documents_have_positions_over_time(general_debate):
    """Issue 13, point 9: positions(idx, "climate finance", by="year") was empty."""
    assert periods(general_debate, "year") == ["2023", "2024"]
    found = positions(general_debate, "climate finance", by="year")
    rows = found.rows()
    assert {(r["period"], r["country"]) for r in rows} == {
        ("2023", "United States of America"), ("2023", "Kenya"),
        ("2024", "United States of America"), ("2024", "Norway")}
    assert found.cells["Kenya"]["2023"].source == "KEN_78_2023.txt"


def test_info_shows_years_when_documents_have_no_day(tmp_path, hashing):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    folder = tmp_path / "yearly"
    folder.mkdir()
    for year in (2023, 2024):
        (folder / f"{year}.txt").write_text(f"A statement on climate finance made in {year}.")
    (folder / "metadata.csv").write_text("file,year\n2023.txt,2023\n2024.txt,2024\n")
    idx, _ = ds.build_index([folder], "yearly", model=hashing)
    assert idx.facets()["dates"] == {"from": "2023", "to": "2024"}
    result = CliRunner().invoke(app, ["index", "info", "-i", "yearly"])
    assert result.exit_code == 0 and "2023 to 2024" in result.stdout
    assert "None" not in result.stdout


def test_general_debate_statements_are_dated_by_their_session(general_debate):
    assert general_debate.facets()["dates"] == {"from": "2023-09-05", "to": "2024-09-10"}

"""The web page and JSON API through FastAPI's TestClient: what a browser or a script gets
back, the bounds on what a request may ask, escaping of document text, and the pages shown
when something is wrong. The browser itself is driven in test_browser.py."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

import diplosearch as ds
from diplosearch.web import LOOPBACK_NAMES, create_app, is_loopback
from tests.conftest import QUESTION

SEED_CITE = "unsc_2019-09-25_csto_semerikov.txt ¶9"
CSTO = "Collective Security Treaty Organization"
HOSTILE = "<script>alert('owned')</script>"


@pytest.fixture
def seed_index(seed_dir, hashing):
    ds.build_index([seed_dir], "seed", model=hashing)
    return "seed"


@pytest.fixture
def client(seed_index):
    with TestClient(create_app(seed_index)) as c:
        yield c


@pytest.fixture
def hostile_client(seed_dir, hashing, tmp_path):
    """An index whose transcript, speaker and affiliation all carry markup."""
    (seed_dir / "hostile.txt").write_text(
        f"The intruder wrote {HOSTILE} into the record, and "
        f"<img src=x onerror=alert(2)> as well, to see whether the page runs it.\n\n"
        "A second paragraph, so the passage has neighbours to show.\n", encoding="utf-8")
    (seed_dir / "hostile.meta.json").write_text(json.dumps(
        {"date": "2021-03-01", "speaker": "Mr. <b>Mallory</b>",
         "affiliation": f"Evil{HOSTILE}land"}), encoding="utf-8")
    ds.build_index([seed_dir], "hostile", model=hashing)
    with TestClient(create_app("hostile")) as c:
        yield c


def search(client, **params):
    response = client.get("/api/search", params={"q": QUESTION, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_api_search_returns_library_hits(client):
    data = search(client, k=3)
    assert data["count"] == 3 and data["index"] == "seed" and data["query"] == QUESTION
    top = data["hits"][0]
    assert top["citation"].startswith(SEED_CITE) and top["paragraph"] == 9
    assert top["highlights"] and top["line_start"] > 0
    assert set(top) == set(ds.Hit.__dataclass_fields__)  # Hit.to_dict(), field for field


def test_api_and_page_say_when_a_foreign_question_meets_an_english_only_index(client):
    response = client.get("/api/search", params={"q": "иностранные боевики-террористы"})
    assert response.status_code == 200 and "no multilingual vectors" in response.json()["note"]
    assert search(client)["note"] == ""
    page = client.get("/", params={"q": "иностранные боевики-террористы"})
    assert "no multilingual vectors" in page.text


def test_api_search_matches_the_library(client, seed_index):
    expected = ds.open_index(seed_index).search(QUESTION, k=5, mode="keyword")
    got = search(client, k=5, mode="keyword")["hits"]
    assert [h["id"] for h in got] == [h.id for h in expected]


@pytest.mark.parametrize("params, expect", [
    ({"country": CSTO}, 5),
    ({"country": CSTO.lower()}, 5),
    ({"since": "2020"}, 0),          # the seed statement is of 2019-09-25
    ({"until": "2019-12"}, 5),
    ({"speaker": "Semerikov"}, 5),
])
def test_api_search_filters(client, params, expect):
    hits = search(client, k=5, **params)["hits"]
    assert len(hits) == expect
    assert all(h["affiliation"] == CSTO for h in hits)


def test_api_unknown_country_is_a_400_naming_what_there_is(client):
    response = client.get("/api/search", params={"q": QUESTION, "country": "Atlantis"})
    assert response.status_code == 400
    assert "country 'Atlantis' matches nothing" in response.json()["detail"]


def test_api_passage_in_context(client):
    top = search(client, k=1)["hits"][0]
    data = client.get(f"/api/passages/{top['id']}", params={"context": 1}).json()
    assert data["hit"]["id"] == top["id"] and data["hit"]["paragraph"] == top["paragraph"]
    assert [p["paragraph"] for p in data["paragraphs"]] == [8, 9, 10]
    assert "Mercury" in data["paragraphs"][1]["text"]
    # the hit (its matched part) is marked where it lies in its paragraph
    start, end = data["paragraphs"][1]["mark"]
    assert data["paragraphs"][1]["text"][start:end] == top["text"][slice(*top["span"])]
    assert data["paragraphs"][0]["mark"] is None and data["paragraphs"][1]["clipped"] == [False, False]


def test_a_hit_is_the_whole_paragraph_with_its_span(client):
    top = search(client, k=3)["hits"][0]
    assert top["window"] is None and top["parts"] > 1
    assert "Operation Mercury" in top["text"] and "2396 (2017)" in top["text"]
    start, end = top["span"]
    assert 0 <= start < end <= len(top["text"])
    page = client.get(f"/passages/{top['id']}").text
    assert "<mark>" in page


@pytest.mark.parametrize("path, params, field", [
    ("/api/search", {"q": "x" * 501}, "q"),
    ("/api/search", {"q": ""}, "q"),
    ("/api/search", {}, "q"),
    ("/api/search", {"q": "a", "k": 0}, "k"),
    ("/api/search", {"q": "a", "k": 51}, "k"),
    ("/api/search", {"q": "a", "mode": "fuzzy"}, "mode"),
    ("/api/search", {"q": "a", "since": "2019" * 11}, "since"),
    ("/api/search", {"q": "a", "group_by": "planet"}, "group_by"),
    ("/api/search", {"q": "a", "country": ["x"] * 21}, "country"),
    ("/api/passages/1", {"context": 11}, "context"),
    ("/api/passages/0", {}, "id"),
    ("/api/positions", {"q": "a", "by": "decade"}, "by"),
])
def test_api_bounds_give_422_naming_the_field(client, path, params, field):
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert field in [e["loc"][-1] for e in response.json()["detail"]]


@pytest.mark.parametrize("params, message", [
    ({"q": "a", "since": "2019-13"}, "since '2019-13': month must be in 1..12"),
    ({"q": "a", "until": "last year"}, "until 'last year': expected a date as YYYY"),
    ({"q": "?!...;;"}, "has no word to search for"),
])
def test_library_refusals_name_api_parameters(client, params, message):
    response = client.get("/api/search", params=params)
    detail = response.json()["detail"]
    assert response.status_code == 400 and message in detail and "--" not in detail


def test_api_accepts_month_names(client):
    hits = search(client, since="September 2019", until="Sept. 2019")["hits"]
    assert hits and all(h["date"] == "2019-09-25" for h in hits)


def test_library_refusals_are_400_and_404(client):
    response = client.get("/api/passages/999999")
    assert response.status_code == 404 and "no passage 999999" in response.json()["detail"]


@pytest.mark.parametrize("params", [{"q": "x" * 501}, {"k": "0", "q": "a"}, {"mode": "fuzzy"}])
def test_page_bounds_give_a_readable_page(client, params):
    response = client.get("/", params=params)
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert 'class="error"' in response.text and "Traceback" not in response.text


def test_search_page_shows_citation_passage_and_context_link(client):
    response = client.get("/", params={"q": QUESTION, "k": 3})
    assert response.status_code == 200
    page = response.text
    assert page.count('class="hit"') == 3
    assert SEED_CITE in page and "<mark>" in page
    assert re.search(r'<a class="expand" data-id="\d+" href="/passages/\d+\?context=2"', page)
    assert f'<option value="{CSTO}"' in page  # the country filter offers the index's countries


def test_passage_page_is_the_no_script_context(client):
    top = search(client, k=1)["hits"][0]
    page = client.get(f"/passages/{top['id']}", params={"context": 1}).text
    assert SEED_CITE in page and "¶8" in page and "¶10" in page and 'class="here"' in page


def test_document_text_is_escaped_everywhere(hostile_client):
    hits = search(hostile_client, q="intruder wrote alert record", mode="keyword", k=3)["hits"]
    hostile = next(h for h in hits if h["source"] == "hostile.txt")
    assert HOSTILE in hostile["text"] and HOSTILE in hostile["affiliation"]  # JSON keeps data
    pages = [
        hostile_client.get("/", params={"q": "intruder wrote alert", "mode": "keyword"}).text,
        hostile_client.get(f"/passages/{hostile['id']}").text,
        hostile_client.get("/positions", params={"q": "intruder wrote alert", "mode": "keyword",
                                                 "by": "year"}).text,
        hostile_client.get("/", params={"q": HOSTILE, "mode": "keyword"}).text,  # the query too
    ]
    for page in pages:
        assert "&lt;script&gt;alert(" in page
        assert "<img src=x" not in page
        assert re.findall(r"<script\b[^>]*>", page) == ['<script src="/static/app.js" defer>']


def test_pages_forbid_inline_scripts(client):
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_missing_index_gives_a_readable_page(isolated_home):
    with TestClient(create_app("nosuch"), raise_server_exceptions=False) as c:
        page = c.get("/", params={"q": QUESTION})
        api = c.get("/api/search", params={"q": QUESTION})
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "This index cannot be opened" in page.text and "no index here" in page.text
    assert "diplosearch index build" in page.text and "Traceback" not in page.text
    assert api.status_code == 503 and "no index here" in api.json()["detail"]


def test_index_built_after_start_is_picked_up(seed_dir, hashing):
    with TestClient(create_app("later")) as c:
        assert c.get("/api/index").status_code == 503
        ds.build_index([seed_dir], "later", model=hashing)
        assert c.get("/api/index").json()["documents"] == 1


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_read_only(client, method):
    assert getattr(client, method)("/api/search", params={"q": "a"}).status_code == 405


def test_host_check_against_dns_rebinding(seed_index):
    with TestClient(create_app(seed_index, allowed_hosts=LOOPBACK_NAMES)) as c:
        assert c.get("/api/index", headers={"host": "127.0.0.1:8000"}).status_code == 200
        assert c.get("/api/index", headers={"host": "evil.example"}).status_code == 400


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True),
                                            ("::1", True), ("0.0.0.0", False),
                                            ("192.168.1.5", False), ("example.org", False)])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_openapi_describes_the_api(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/passages/{id}", "/api/positions", "/api/index"} <= set(spec["paths"])
    assert "/" not in spec["paths"]  # pages are for people, not the API
    hit = spec["components"]["schemas"]["Hit"]["properties"]
    assert {"citation", "paragraph", "highlights", "id"} <= set(hit)
    search_params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert search_params["q"]["schema"]["maxLength"] == 500
    assert search_params["k"]["schema"]["maximum"] == 50


def test_positions_page_and_api(client):
    data = client.get("/api/positions", params={"q": QUESTION, "by": "year"}).json()
    assert data["periods"] == ["2019"]
    assert data["countries"][0]["country"] == CSTO
    assert data["countries"][0]["cells"]["2019"]["citation"].startswith("unsc_2019-09-25")
    page = client.get("/positions", params={"q": QUESTION}).text
    assert '<th scope="col">2019</th>' in page and f'<th scope="row">{CSTO}</th>' in page


def test_serve_refuses_a_bad_port():
    from typer.testing import CliRunner

    from diplosearch.cli import app

    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.output


@pytest.mark.model
def test_mission_question_over_the_default_index():
    """The founding question, asked through the API of a server over the bundled index."""
    with TestClient(create_app()) as c:
        response = c.get("/api/search", params={"q": QUESTION, "k": 10})
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    mercury = [h for h in hits if h["source"] == "unsc_2019-09-25_csto_semerikov.txt"
               and h["paragraph"] == 9]
    assert mercury, [h["citation"] for h in hits]
    assert mercury[0]["citation"].startswith(SEED_CITE)
    assert "Semerikov (Collective Security Treaty Organization)" in mercury[0]["citation"]

"""`fetch`: UN documents by symbol from a real HTTP server on 127.0.0.1 that answers as ODS
does (tests/ods_server.py), serving real records; never the internet."""

from __future__ import annotations

import hashlib
import json

import pytest

from diplosearch.errors import FetchError, QueryError
from diplosearch.ingest import fetch as fetch_module
from diplosearch.ingest.fetch import USER_AGENT, fetch
from diplosearch.ingest.sources import SourceFile, read_source
from diplosearch.ingest.symbols import canonical, expand, file_name, languages
from tests.ods_server import PDFS, OdsServer


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Pauses are recorded, not slept; no proxy from the test machine's environment."""
    pauses: list[float] = []
    monkeypatch.setattr(fetch_module, "_sleep", pauses.append)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return pauses


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("written, expected", [
    (["S/PV.8699"], ["S/PV.8699"]),
    (["S/RES/2396 (2017)"], ["S/RES/2396 (2017)"]),
    (["S/RES/2396(2017)"], ["S/RES/2396 (2017)"]),
    (["S/PV.8699 (Resumption 1)"], ["S/PV.8699 (Resumption 1)"]),
    (["S/PV.8699(Resumption1)", "S/PV.8699 (Resumption 1)"], ["S/PV.8699 (Resumption 1)"]),
    (["S/PV.8690-8692"], ["S/PV.8690", "S/PV.8691", "S/PV.8692"]),
    (["S/PV.8698–99"], ["S/PV.8698", "S/PV.8699"]),
    (["A/78/PV.5-6"], ["A/78/PV.5", "A/78/PV.6"]),
])
def test_symbols_as_users_write_them(written, expected):
    assert expand(written) == expected


@pytest.mark.parametrize("written, problem", [
    (["S/PV.8699-8600"], "backwards"), (["S/PV.1-9999"], "at most"),
    (["hello"], "not a UN document symbol"), ([], "no document symbol"),
])
def test_unusable_symbols_are_refused(written, problem):
    with pytest.raises(QueryError, match=problem):
        expand(written)


def test_file_names_and_languages_as_ods_has_them():
    assert file_name(canonical("S/PV.8699(Resumption1)"), "en") == "S_PV.8699(Resumption1)_E.pdf"
    assert file_name("S/RES/2396 (2017)", "zh") == "S_RES_2396(2017)_C.pdf"
    assert languages("en, FR,zh,en") == ["en", "fr", "zh"]
    with pytest.raises(QueryError, match="answer another code with the English"):
        languages("en,ja")


def test_fetch_saves_real_pdfs_with_a_manifest_and_metadata(tmp_path, no_waiting):
    out = tmp_path / "docs"
    with OdsServer() as ods:
        report = fetch(["S/PV.8699", "S/PV.8699 (Resumption 1)"], out, "en,fr", base=ods.url,
                       delay=0.5)
    names = sorted(p.name for p in report.files)
    assert names == ["S_PV.8699(Resumption1)_E.pdf", "S_PV.8699(Resumption1)_F.pdf",
                     "S_PV.8699_E.pdf", "S_PV.8699_F.pdf"]
    assert (out / "S_PV.8699_E.pdf").read_bytes() == (PDFS / "S_PV.8699_E.pdf").read_bytes()
    rows = [json.loads(line) for line in (out / "fetched.jsonl").read_text().splitlines()]
    assert {(r["symbol"], r["language"]) for r in rows} == {
        ("S/PV.8699", "en"), ("S/PV.8699", "fr"), ("S/PV.8699 (Resumption 1)", "en"),
        ("S/PV.8699 (Resumption 1)", "fr")}
    first = rows[0]
    assert first["sha256"] == sha(out / first["file"]) and first["date"].startswith("20")
    assert first["url"].startswith(ods.url + "/doc/undoc/gen/en/")
    # The request as ODS takes it: the symbol without spaces, the language, t=pdf, our name.
    path, headers = ods.requests[4]     # access, PDF, access, PDF, then this
    assert path == "/api/symbol/access?s=S%2FPV.8699%28Resumption1%29&l=en&t=pdf"
    assert headers["user-agent"] == USER_AGENT and "diplosearch" in USER_AGENT
    assert no_waiting == pytest.approx([0.5] * 3, abs=0.1)   # a pause between documents
    meta = {json.loads(line)["file"]: json.loads(line)
            for line in (out / "metadata.jsonl").read_text().splitlines()}
    assert meta["S_PV.8699_F.pdf"] == {"file": "S_PV.8699_F.pdf", "symbol": "S/PV.8699",
                                      "language": "fr", "body": "Security Council"}


def test_a_fetched_record_reads_with_its_symbol_and_language(tmp_path):
    with OdsServer() as ods:
        report = fetch("S/PV.8699 (Resumption 1)", tmp_path, "fr", base=ods.url, delay=0)
    source = read_source(SourceFile(report.files[0], report.files[0].name))
    assert source.metadata["symbol"] == "S/PV.8699 (Resumption 1)"
    assert source.metadata["language"] == "fr"


def test_an_unknown_symbol_is_one_miss_and_the_rest_go_on(tmp_path):
    with OdsServer(faults={"S/PV.8703": "error"}) as ods:
        report = fetch(["S/PV.1", "S/PV.8703", "S/PV.8700"], tmp_path, "en", base=ods.url, delay=0)
    assert [p.name for p in report.files] == ["S_PV.8700_E.pdf"]
    assert [(e.symbol, e.language) for e in report.missing] == [("S/PV.1", "en"), ("S/PV.8703", "en")]
    assert "answered text/html, not a PDF" in str(report.missing[0])
    assert "error page: no such document, or the request was refused" in str(report.missing[1])
    assert not (tmp_path / "S_PV.1_E.pdf").exists()


def test_a_429_and_a_dropped_connection_are_retried(tmp_path, no_waiting):
    with OdsServer(faults={"S/PV.8700": "busy", "S/PV.8701": "drop"}) as ods:
        report = fetch(["S/PV.8700", "S/PV.8701"], tmp_path, "en", base=ods.url, delay=0,
                       backoff=3.0)
    assert not report.missing
    for name in ("S_PV.8700_E.pdf", "S_PV.8701_E.pdf"):
        assert sha(tmp_path / name) == sha(PDFS / name)        # whole, not the half sent
    assert not list(tmp_path.glob("*.part"))
    assert 0.0 in no_waiting and 3.0 in no_waiting   # Retry-After: 0, then the backoff


def test_a_server_that_keeps_failing_gives_up_with_one_line(tmp_path, no_waiting):
    with OdsServer(faults={"S/PV.8700": "busy"}) as ods:
        report = fetch("S/PV.8700", tmp_path, "en", base=ods.url, delay=0, retries=0)
    assert [e.problem for e in report.missing] == ["gave up after 1 tries: HTTP 429"]


def test_an_upper_case_redirect_path_is_tried_in_lower_case(tmp_path):
    with OdsServer(faults={"S/PV.8702": "upper"}) as ods:
        report = fetch("S/PV.8702", tmp_path, "en", base=ods.url, delay=0)
    assert not report.missing and sha(report.files[0]) == sha(PDFS / "S_PV.8702_E.pdf")


def test_a_second_run_keeps_intact_files_and_refetches_damaged_ones(tmp_path):
    with OdsServer() as ods:
        fetch(["S/PV.8699", "S/PV.8700"], tmp_path, "en", base=ods.url, delay=0)
        asked = len(ods.requests)
        (tmp_path / "S_PV.8700_E.pdf").write_bytes(b"%PDF-1.4 damaged")
        report = fetch(["S/PV.8699", "S/PV.8700"], tmp_path, "en", base=ods.url, delay=0)
        again = ods.requests[asked:]
    assert [d.symbol for d in report.kept] == ["S/PV.8699"]
    assert [d.symbol for d in report.fetched] == ["S/PV.8700"]
    assert all("8699" not in path for path, _ in again)
    assert sha(tmp_path / "S_PV.8700_E.pdf") == sha(PDFS / "S_PV.8700_E.pdf")


def test_the_user_agent_can_be_set(tmp_path, monkeypatch):
    monkeypatch.setenv("DIPLOSEARCH_USER_AGENT", "diplosearch (research; me@example.org)")
    with OdsServer() as ods:
        fetch("S/PV.8699", tmp_path, "en", base=ods.url, delay=0)
    assert {h["user-agent"] for _, h in ods.requests} == {"diplosearch (research; me@example.org)"}


def test_proxies_come_from_the_environment(tmp_path, monkeypatch):
    # The local server plays the proxy: the request for an address that does not resolve
    # reaches it only through HTTP_PROXY.
    with OdsServer() as ods:
        monkeypatch.setenv("HTTP_PROXY", ods.url)
        report = fetch("S/PV.8699", tmp_path, "en", base="http://ods.invalid", delay=0)
    assert not report.missing
    assert ods.requests[0][0].startswith("http://ods.invalid/api/symbol/access?")


def test_a_server_that_cannot_be_reached_stops_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv("DIPLOSEARCH_ODS_URL", "http://127.0.0.1:9")   # the base from the env
    with pytest.raises(FetchError, match="cannot reach http://127.0.0.1:9"):
        fetch(["S/PV.8699", "S/PV.8700"], tmp_path, "en", delay=0, retries=1, backoff=0)

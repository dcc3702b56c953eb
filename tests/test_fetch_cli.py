"""`diplosearch fetch … --add-to INDEX` against a real local server that answers as the
UN's Official Document System does (tests/ods_server.py); never the internet."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from diplosearch.cli import app
from diplosearch.ingest import fetch as fetch_module
from tests.ods_server import OdsServer


@pytest.fixture
def ods(monkeypatch):
    monkeypatch.setattr(fetch_module, "_sleep", lambda seconds: None)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with OdsServer() as server:
        monkeypatch.setenv("DIPLOSEARCH_ODS_URL", server.url)
        yield server


def run(*args):
    return CliRunner().invoke(app, list(args))


def test_fetch_then_add_to_an_index(ods, tmp_path):
    out = run("fetch", "S/PV.8699", "--lang", "en,fr", "--add-to", "un", "--to", str(tmp_path / "un"),
              "--model", "hashing", "--no-progress")
    assert out.exit_code == 0, out.output
    assert "2 fetched, 0 already there, 0 not found" in out.output
    info = json.loads(run("index", "info", "-i", "un", "--documents", "-f", "json").output)
    assert sorted(d["key"] for d in info["documents_list"]) == ["S_PV.8699_E.pdf", "S_PV.8699_F.pdf"]
    assert {d["symbol"] for d in info["documents_list"]} == {"S/PV.8699"}
    hits = json.loads(run("search", "Libya", "-i", "un", "-k", "40", "-f", "json").stdout)
    assert {h["language"] for h in hits} >= {"en", "fr"}   # from metadata.jsonl

    # Again, with a symbol ODS does not have: one line for it, the rest kept, exit 1.
    again = run("fetch", "S/PV.8699", "S/PV.1", "--lang", "en", "--add-to", "un",
                "--to", str(tmp_path / "un"), "--no-progress", "-f", "json")
    assert again.exit_code == 1
    assert "error: S/PV.1 (en): no PDF for this symbol in this language" in again.output
    report = json.loads(again.stdout)
    assert [d["symbol"] for d in report["kept"]] == ["S/PV.8699"] and not report["fetched"]
    assert report["added"]["unchanged"] == 1


@pytest.mark.parametrize("args, message", [
    (["S/PV.8699", "--lang", "en,ja"], "not an official UN language code"),
    (["S/PV.8699-8000"], "the range runs backwards"),
    (["not a symbol"], "is not a UN document symbol"),
])
def test_unusable_symbols_and_languages_exit_2(ods, args, message):
    out = run("fetch", *args, "--no-progress")
    assert out.exit_code == 2 and message in out.output and not ods.requests

"""`diplosearch mcp` through the MCP SDK's own client: the server spawned as a subprocess
over stdio as an assistant's client starts it, its tools listed and called; then the
bounds on what a call may ask, in process. The SDK is the `mcp` extra: where it is missing
these tests skip, except in CI (the test extra installs it), where that fails."""

from __future__ import annotations

import importlib
import os
import sys

import anyio
import pytest
from typer.testing import CliRunner

import diplosearch as ds
from tests.conftest import QUESTION

mcp = importlib.import_module("mcp") if os.environ.get("CI") else pytest.importorskip("mcp")

from diplosearch.mcp_server import MAX_K, create_server

CSTO = "Collective Security Treaty Organization"
TOOLS = {"search", "show_passage", "list_indexes", "index_facets"}


def _stdio_params(*args: str):
    # the client starts the server with a minimal environment: pass on where the code,
    # the test's index home and model cache are
    keep = ("PYTHONPATH", "DIPLOSEARCH_HOME", "DIPLOSEARCH_CACHE", "HF_HUB_OFFLINE")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return mcp.StdioServerParameters(command=sys.executable,
                                     args=["-m", "diplosearch", "mcp", *args], env=env)


@pytest.mark.model
def test_an_assistant_finds_the_cited_answer_over_stdio():
    """The founding question, asked by an MCP client of the bundled default index."""
    async def session():
        async with mcp.stdio_client(_stdio_params()) as (read, write), \
                mcp.ClientSession(read, write) as client:
            init = await client.initialize()
            tools = (await client.list_tools()).tools
            found = await client.call_tool("search", {"query": QUESTION, "k": 5})
            top = found.structured_content["hits"][0]
            shown = await client.call_tool("show_passage", {"ref": top["citation"]})
            too_many = await client.call_tool("search", {"query": QUESTION, "k": MAX_K + 1})
            return init, tools, found, shown, too_many

    init, tools, found, shown, too_many = anyio.run(session)
    assert init.server_info.name == "diplosearch"
    assert {t.name for t in tools} == TOOLS
    assert all(t.annotations.read_only_hint and not t.annotations.destructive_hint for t in tools)
    search = next(t for t in tools if t.name == "search")
    assert search.input_schema["properties"]["k"]["maximum"] == MAX_K
    assert {"mode", "country", "speaker", "doc", "body", "since", "until", "index"} <= set(
        search.input_schema["properties"])

    assert not found.is_error
    hits = found.structured_content["hits"]
    assert len(hits) == 5 and found.structured_content["index"] == "default"
    top = hits[0]
    assert top["speaker"] == "Mr. Semerikov" and top["affiliation"] == CSTO
    assert top["paragraph"] == 9 and "foreign terrorist fighters" in top["text"]
    assert "¶9" in top["citation"] and top["citation"].endswith(f"Mr. Semerikov ({CSTO})")
    assert top["citation"] in found.content[0].text   # the text form carries it too

    assert not shown.is_error
    numbers = [p["paragraph"] for p in shown.structured_content["paragraphs"]]
    assert numbers == [8, 9, 10] and shown.structured_content["hit"]["citation"] == top["citation"]
    assert too_many.is_error and "less than or equal to 50" in too_many.content[0].text


@pytest.fixture
def seed_server(seed_dir, hashing):
    ds.build_index([seed_dir], "seed", model=hashing)
    return create_server("seed")


def _call(server, tool: str, arguments: dict):
    async def call():
        async with mcp.Client(server) as client:
            return await client.call_tool(tool, arguments)
    return anyio.run(call)


def test_filters_and_modes_reach_the_library(seed_server):
    result = _call(seed_server, "search", {"query": QUESTION, "k": 3, "mode": "keyword",
                                           "country": [CSTO], "since": "2019", "until": "2019-12"})
    hits = result.structured_content["hits"]
    assert not result.is_error and len(hits) == 3
    assert all(h["affiliation"] == CSTO and h["citation"] for h in hits)
    unknown = _call(seed_server, "search", {"query": QUESTION, "country": "Atlantis"})
    assert unknown.is_error and CSTO in unknown.content[0].text   # it names what there is


def test_lists_indexes_without_their_paths(seed_server, isolated_home):
    listed = _call(seed_server, "list_indexes", {}).structured_content
    names = [i["name"] for i in listed["indexes"]]
    assert "seed" in names and "default" in names and listed["default"] == "seed"
    assert str(isolated_home) not in str(listed)
    facets = _call(seed_server, "index_facets", {"limit": 5}).structured_content
    assert CSTO in facets["countries"]


@pytest.mark.parametrize("tool, arguments, message", [
    ("search", {"query": "x", "k": 0}, "greater than or equal to 1"),
    ("search", {"query": "x", "k": 51}, "less than or equal to 50"),
    ("search", {"query": ""}, "at least 1 character"),
    ("search", {"query": "x" * 2001}, "at most 2000 characters"),
    ("search", {"query": "x", "mode": "bogus"}, "'hybrid', 'semantic' or 'keyword'"),
    ("search", {"query": "x", "country": ["c"] * 21}, "at most 20 items"),
    ("search", {"query": "x", "index": "/etc"}, "no index named '/etc'; there are: "),
    ("search", {"query": "x", "index": "../seed"}, "no index named"),
    ("search", {"query": "x", "since": "2020-13"}, "month"),
    ("show_passage", {"ref": "x", "context": 11}, "less than or equal to 10"),
    ("show_passage", {"ref": "99999"}, "no passage"),
    ("show_passage", {"ref": "not a citation"}, "neither a passage id nor a citation"),
])
def test_bad_calls_are_clear_errors(seed_server, tool, arguments, message):
    result = _call(seed_server, tool, arguments)
    assert result.is_error and message in result.content[0].text, result.content[0].text
    assert "Traceback" not in result.content[0].text


def test_cli_says_how_to_install_the_sdk_when_missing(monkeypatch):
    from diplosearch.cli import app

    monkeypatch.setitem(sys.modules, "mcp.server.mcpserver", None)   # as if not installed
    result = CliRunner().invoke(app, ["mcp"])
    assert result.exit_code == 1
    assert "pip install 'diplosearch[mcp]'" in result.output and "Traceback" not in result.output

"""`diplosearch mcp`: indexes as tools for AI assistants, over the Model Context Protocol on
stdio, with the official SDK (`mcp`). Needs the mcp extra: pip install 'diplosearch[mcp]'.

    from diplosearch.mcp_server import create_server
    create_server("unsc2020").run("stdio")

Four read-only tools, each one library call: `search` (the CLI's modes and filters),
`show_passage` (a passage with the paragraphs around it), `list_indexes` and
`index_facets` (what the filters can take). Every hit carries its citation. Inputs are
bounded (k, query length, filters), with the bounds in each tool's schema; an index is
named, never given as a path, so an assistant reads the indexes `list_indexes` shows and
nothing else on disk. Nothing is ever written to stdout but the protocol.
"""

# No `from __future__ import annotations`: the SDK reads each tool's parameters from its
# annotations, which name types made inside `create_server` (the SDK is imported only there).
import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, Literal, TypeVar

from .errors import DiplosearchError
from .index import Index, list_indexes, open_index

T = TypeVar("T")
log = logging.getLogger(__name__)

MAX_K = 50
MAX_QUERY = 2000       # characters: a question or a paragraph to find others like
MAX_CONTEXT = 10       # paragraphs on either side of a shown passage
MAX_VALUES = 20        # values of one filter
MAX_VALUE = 200        # characters of one filter value
INSTALL = "`diplosearch mcp` needs the MCP SDK: pip install 'diplosearch[mcp]'"
INSTRUCTIONS = (
    "Semantic and keyword search over UN records (Security Council and General Assembly "
    "meetings, resolutions) and other diplomatic transcripts. Every hit has a citation "
    "(document symbol, paragraph, speaker and whom they spoke for): cite it when you use "
    "the text. show_passage reads the paragraphs around a hit (pass its citation or id); "
    "index_facets lists the exact country, speaker and body names the filters match.")


class Indexes:
    """Indexes opened by name on first use and kept open, all read on one worker thread:
    SQLite connections belong to the thread that opened them, and the model embeds one
    batch at a time. The event loop stays free to answer the client meanwhile."""

    def __init__(self, default: str | None = None) -> None:
        self.default = default
        self._open: dict[str | None, Index] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplosearch-mcp")

    def get(self, name: str | None) -> Index:
        """The index `name` (one of `list_indexes`), or the server's default for None."""
        if name is not None and name != self.default:
            names = [i["name"] for i in list_indexes()]
            if name not in names:
                raise DiplosearchError(f"no index named {name!r}; there are: {', '.join(names)}")
        key = self.default if name is None else name
        if key not in self._open:
            self._open[key] = open_index(key)
        return self._open[key]

    async def call(self, name: str | None, fn: Callable[[Index], T]) -> T:
        """`fn(index)` on the index thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(self.get(name)))

    def warm(self) -> None:
        """Open the default index and load every model a search may need (`Index.warm`)
        in the background, so the first search, in any language, is not the slow one; a
        failure is left for that search to report."""
        def load() -> None:
            try:
                self.get(None).warm()
            except Exception as exc:  # noqa: BLE001 - the first search reports it instead
                log.debug("warming the index failed: %s", exc)
        self._pool.submit(load)


def create_server(index: str | None = None, warm: bool = False):
    """The MCP server (an `mcp.server.mcpserver.MCPServer`) over `index` (a name or path;
    default: the bundled index), which the tools read when the assistant names none.

    The tools are declared in here, not at module level, because their signatures are the
    schemas the SDK publishes, written with pydantic, which comes with the optional SDK;
    each tool body is one library call."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
        from mcp.types import ToolAnnotations
        from pydantic import Field
    except ImportError:
        raise DiplosearchError(INSTALL) from None
    indexes = Indexes(index)
    if warm:
        indexes.warm()
    server = MCPServer("diplosearch", version=_version(), instructions=INSTRUCTIONS,
                       log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False,
                                idempotent_hint=True, open_world_hint=False)

    async def run(name: str | None, fn: Callable[[Index], T]) -> T:
        try:
            return await indexes.call(name, fn)
        except DiplosearchError as exc:   # the assistant's to read and correct
            raise ToolError(str(exc)) from None

    Value = Annotated[str, Field(max_length=MAX_VALUE)]
    Filter = Value | Annotated[list[Value], Field(max_length=MAX_VALUES)] | None
    IndexName = Annotated[str | None, Field(
        max_length=MAX_VALUE, description="An index name from list_indexes; default: the "
                                          "server's index.")]

    @server.tool(annotations=read_only)
    async def search(
        query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY,
                                    description="A question or statement in plain language.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many hits.")] = 10,
        mode: Annotated[Literal["hybrid", "semantic", "keyword"], Field(
            description="hybrid (keyword + semantic, fused), semantic, or keyword (BM25).")
        ] = "hybrid",
        country: Annotated[Filter, Field(description=(
            "Country or organisation spoken for, e.g. 'Russian Federation'; one or a list."))] = None,
        speaker: Annotated[Filter, Field(description="Speaker name contains this.")] = None,
        doc: Annotated[Filter, Field(description=(
            "Document symbol or its start, e.g. 'S/PV.87' or 'S/RES/2178'."))] = None,
        body: Annotated[Filter, Field(description=(
            "'Security Council', 'General Assembly'."))] = None,
        since: Annotated[str | None, Field(max_length=40, description=(
            "From this date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD."))] = None,
        until: Annotated[str | None, Field(max_length=40, description=(
            "Up to this date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD."))] = None,
        index: IndexName = None,
    ) -> dict[str, Any]:
        """Find the passages that best answer a question, best first, each with its
        citation, text, speaker, country, date and document. The question may be in any of
        the six UN languages; a "note" says how a question in another language was read
        in English, or that this index can only read English."""
        results = await run(index, lambda idx: idx.search(
            query, k=k, mode=mode, country=country, speaker=speaker, doc=doc, body=body,
            since=since, until=until))
        out = {"query": query, "index": results.index, "hits": results.to_dicts()}
        if results.note:
            out["note"] = results.note
        return out

    @server.tool(annotations=read_only)
    async def show_passage(
        ref: Annotated[str, Field(min_length=1, max_length=MAX_VALUE, description=(
            "A hit's citation (e.g. 'S/PV.8699 ¶12') or its id."))],
        context: Annotated[int, Field(ge=0, le=MAX_CONTEXT, description=(
            "Paragraphs to show on either side."))] = 1,
        index: IndexName = None,
        lang: Annotated[Literal["ar", "en", "es", "fr", "ru", "zh"] | None, Field(description=(
            "Show the same paragraph of the record in this official language, when the "
            "index holds that version; `note` says how it was aligned."))] = None,
    ) -> dict[str, Any]:
        """A passage with its citation and the paragraphs around it, in document order;
        with `lang`, the same paragraph in the record's version in that language."""
        return await run(index, lambda idx: idx.show(ref, context=context, lang=lang).to_dict())

    @server.tool(name="list_indexes", annotations=read_only)
    async def indexes_tool() -> dict[str, Any]:
        """The indexes this server can search: name, documents, passages, model."""
        return {"indexes": [{k: v for k, v in i.items() if k != "path"}
                            for i in list_indexes()], "default": index or "default"}

    @server.tool(annotations=read_only)
    async def index_facets(
        index: IndexName = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Values per facet.")] = 20,
    ) -> dict[str, Any]:
        """What an index can be filtered by: its most frequent countries, speakers and
        bodies with their passage counts, and its date range."""
        return await run(index, lambda idx: idx.facets(limit=limit))

    return server


def _version() -> str:
    # Not `from . import __version__`: the package root names every layer's exports, so
    # importing it from here would break the layers contract (pyproject.toml).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("diplosearch")
    except PackageNotFoundError:   # run from a source tree that was never installed
        return "unknown"


def serve(index: str | None = None) -> None:
    """Serve over stdio until the client closes the connection."""
    create_server(index, warm=True).run("stdio")

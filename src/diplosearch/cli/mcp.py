"""`mcp`: the Model Context Protocol server for AI assistants (stdio)."""

from __future__ import annotations

import sys

from .base import IndexOpt, app, fail_cleanly


@app.command("mcp")
@fail_cleanly
def mcp_command(index: IndexOpt = None) -> None:
    """Serve the indexes to an AI assistant over the Model Context Protocol (stdio).

    Tools: search (same modes and filters as `search`), show_passage, list_indexes and
    index_facets; all read-only, every hit with its citation. The assistant's client starts
    this command itself: add it to the client's MCP configuration (see the README).
    Needs the mcp extra: pip install 'diplosearch[mcp]'.

    \b
    Example (a client's configuration):
      {"mcpServers": {"diplosearch": {"command": "diplosearch", "args": ["mcp"]}}}
    """
    from ..mcp_server import serve

    if sys.stdin.isatty():
        print("diplosearch mcp: serving the Model Context Protocol on stdin/stdout; an MCP "
              "client starts this for you (Ctrl-C stops)", file=sys.stderr)
    serve(index)

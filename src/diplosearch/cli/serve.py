"""`serve`: the local web page and JSON API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .base import IndexOpt, app, fail_cleanly


@app.command()
@fail_cleanly
def serve(
    index: IndexOpt = None,
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535,
                                      help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default, 127.0.0.1, answers only this machine; "
             "0.0.0.0 opens the page to your network.")] = "127.0.0.1",
) -> None:
    """Search from a local web page, with a JSON API under /api (described at /openapi.json).

    Needs the web extra: pip install 'diplosearch[web]'. The page is read-only.

    \b
    Example:
      diplosearch serve --index unsc2020 --port 8000, then open http://127.0.0.1:8000
    """
    from ..index import open_index
    from ..web import is_loopback, require_web_extra
    from ..web import serve as serve_web

    require_web_extra()          # nothing said to be served that cannot be
    open_index(index).close()    # an index that is not there fails here, in one line
    if not is_loopback(host):
        print(f"warning: listening on {host}: anyone who can reach this machine can read "
              "the index", file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"diplosearch: serving {index or 'the default index'} at http://{shown}:{port} "
          "(Ctrl-C stops)", file=sys.stderr)
    serve_web(index, host=host, port=port)

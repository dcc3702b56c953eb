"""The `diplosearch` command: a thin shell over the library. Each command checks its
arguments, makes one library call and renders the result.

`base` holds the Typer apps, shared options and the error wrapper; `query` the search,
show and eval commands; `indexes` the `index` subcommands; `export` writes the passages to
a file; `fetch` downloads UN documents by symbol; `serve` the web page; `mcp` the server
for AI assistants (Model Context Protocol); `interrupt` makes Ctrl-C end the program at
once."""

from . import indexes, query, serve  # noqa: F401  (each registers its commands)
from . import export, mcp  # noqa: F401  (after indexes: `index --help` lists export last)
from . import fetch  # noqa: F401
from .base import app

__all__ = ["app", "main"]


def main() -> None:
    """The `diplosearch` program (its console script and `python -m diplosearch`)."""
    from .interrupt import run

    run(app)

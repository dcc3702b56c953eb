"""The `diplosearch` command: a thin shell over the library. Each command checks its
arguments, makes one library call and renders the result.

`base` holds the Typer apps, shared options and the error wrapper; `query` the search,
show and eval commands; `indexes` the `index` subcommands; `serve` the web page."""

from . import indexes, query, serve  # noqa: F401  (each registers its commands)
from .base import app

__all__ = ["app"]

"""Where indexes live. Every path decision is made here, in one order:
an explicit argument, then an environment variable, then the default."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import IndexNotFoundError

HOME_ENV = "DIPLOSEARCH_HOME"
DEFAULT_INDEX_ENV = "DIPLOSEARCH_INDEX"
BUNDLED_NAME = "default"


def index_home() -> Path:
    """The folder that index *names* resolve under: `$DIPLOSEARCH_HOME`, else `./indexes`."""
    env = os.environ.get(HOME_ENV)
    return Path(env).expanduser() if env else Path.cwd() / "indexes"


def bundled_index_path() -> Path:
    """The default index shipped with the package.

    A wheel carries it as package data (`diplosearch/_default_index`); an editable
    install or a source checkout finds it in the repository's `indexes/default`.
    """
    package = Path(__file__).resolve().parents[1]      # src/diplosearch (this is store/)
    packaged = package / "_default_index"
    if (packaged / "manifest.json").is_file():
        return packaged
    return package.parent.parent / "indexes" / BUNDLED_NAME


def looks_like_path(name_or_path: str) -> bool:
    return os.sep in name_or_path or name_or_path.startswith(".") or name_or_path.startswith("~")


def resolve_index(name_or_path: str | os.PathLike[str] | None) -> Path:
    """Resolve `--index`: a path (contains a separator, or exists), a name under
    `index_home()`, or, when None, `$DIPLOSEARCH_INDEX` and then the bundled index."""
    if name_or_path is None:
        env = os.environ.get(DEFAULT_INDEX_ENV)
        if env:
            return resolve_index(env)
        return bundled_index_path()
    text = os.fspath(name_or_path)
    if not text.strip():
        raise IndexNotFoundError("index name is empty")
    if isinstance(name_or_path, Path) or looks_like_path(text):
        return Path(text).expanduser()
    named = index_home() / text
    if not named.exists() and text == BUNDLED_NAME:
        return bundled_index_path()
    return named


def is_bundled(path: Path) -> bool:
    try:
        return path.resolve() == bundled_index_path().resolve()
    except OSError:
        return False

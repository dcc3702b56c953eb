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
    """The folder that index *names* resolve under: `$DIPLOSEARCH_HOME`, else `indexes/` in
    the platform's user data folder (`~/.local/share/diplosearch/indexes` on Linux), so a
    name means the same index from any folder, script or notebook."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("diplosearch", appauthor=False) / "indexes"


def legacy_home() -> Path | None:
    """`./indexes`, where names resolved before there was an index home: still searched,
    after the home, when `$DIPLOSEARCH_HOME` is not set (it replaced `./indexes` then too)."""
    if os.environ.get(HOME_ENV):
        return None
    old = Path.cwd() / "indexes"
    try:
        if not old.is_dir() or old.resolve() == index_home().resolve():
            return None
    except OSError:
        return None
    return old


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


def resolve_index(name_or_path: str | os.PathLike[str] | None, new: bool = False) -> Path:
    """Resolve `--index`: a path (contains a separator, or exists), a name under
    `index_home()` (or, for an index made before the home existed, under `legacy_home()`),
    or, when None, `$DIPLOSEARCH_INDEX` and then the bundled index. `new`: a name for an
    index about to be built, which always goes to the home."""
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
    if named.exists():
        return named
    if text == BUNDLED_NAME:
        return bundled_index_path()
    old = None if new else legacy_home()
    if old is not None and (old / text / "manifest.json").is_file():
        return old / text
    return named


def is_bundled(path: Path) -> bool:
    try:
        return path.resolve() == bundled_index_path().resolve()
    except OSError:
        return False

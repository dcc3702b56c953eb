"""The indexes a name can open: in the index home, the bundled one, and any left in an old
`./indexes` folder, each with where it lives."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import IndexNotFoundError
from .manifest import Manifest, read_manifest
from .paths import (BUNDLED_NAME, bundled_index_path, index_home, is_bundled, legacy_home,
                    looks_like_path)


def list_indexes(home: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Every index a name can open: those in `home` (default: the index home, see
    `store.paths.index_home`), the bundled one, and any left in an old `./indexes` folder.
    Each row says where the index lives (`path`, `location`); an old-folder row says how to
    move it home."""
    folder = Path(home) if home else index_home()
    bundled = bundled_index_path()
    seen: set[Path] = set()
    found = []

    def add(path: Path, location: str, **extra: Any) -> None:
        if path.resolve() in seen:
            return
        seen.add(path.resolve())
        try:
            m = read_manifest(path)
        except Exception as exc:  # a damaged folder is listed as such, not fatal to the listing
            found.append({"name": path.name, "location": location, "path": str(path),
                          "error": str(exc)})
            return
        found.append({"name": BUNDLED_NAME if is_bundled(path) else path.name,
                      "location": location, "path": str(path), "model": m.model,
                      "bundled": is_bundled(path), **m.counts, "updated_at": m.updated_at,
                      **extra})

    for path in _index_dirs(folder):
        add(path, "home")
    if bundled.is_dir():
        add(bundled, "bundled")
    old = None if home else legacy_home()
    for path in _index_dirs(old) if old else []:
        if (path / "manifest.json").is_file() and not (folder / path.name).exists() \
                and path.name != BUNDLED_NAME:   # "default" opens the bundled index
            add(path, "old ./indexes",
                note=f"found by name from this folder only; move it home: mv {path} {folder}/")
    return found


def _index_dirs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if folder.is_dir() else []


def open_manifest(path: Path, asked: str | os.PathLike[str] | None) -> Manifest:
    """The manifest of the index at `path` (resolved from `asked`). Where there is none
    and `asked` was a name, the error lists the names that open one, as the MCP server
    does: a typo is then seen at once."""
    try:
        return read_manifest(path)
    except IndexNotFoundError as exc:
        if asked is None or isinstance(asked, Path) or looks_like_path(os.fspath(asked)):
            raise
        names = [row["name"] for row in list_indexes() if "error" not in row]
        raise IndexNotFoundError(f"{exc}; the indexes you can name: {', '.join(names)}"
                                 if names else str(exc)) from None

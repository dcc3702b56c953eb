"""Telling the user about slow one-time work inside the library (the first ONNX export of
the model), without the library printing anything.

The library announces such work with `announce(message)`: it is logged (logger
`diplosearch`, level INFO) and, when an application has registered a hook with `set_hook`,
the hook shows it for as long as the work lasts. The CLI registers one that prints one line
on stderr, or a spinner with the seconds elapsed on a terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

log = logging.getLogger("diplosearch")
Hook = Callable[[str], AbstractContextManager]
_hook: Hook | None = None


def set_hook(hook: Hook | None) -> None:
    """Show announced work with `hook(message)`, a context manager around the work."""
    global _hook
    _hook = hook


@contextmanager
def announce(message: str) -> Iterator[None]:
    log.info(message)
    if _hook is None:
        yield
        return
    with _hook(message):
        yield

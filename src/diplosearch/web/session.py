"""The one index a server reads, and the one thread that reads it.

SQLite connections belong to the thread that opened them and the model is best fed one
batch at a time, so every index call runs on a single worker thread; the event loop stays
free to answer other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..index import Index

T = TypeVar("T")
log = logging.getLogger(__name__)


class IndexSession:
    """Opens the index on first use and again after a failure, so a server started before
    its index was built (or while it was being upgraded) works once the index is there."""

    def __init__(self, ref: str | os.PathLike[str] | None) -> None:
        self.ref = ref
        self._index: Index | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="diplosearch-index")

    @property
    def label(self) -> str:
        if self._index is not None:
            return self._index.name
        return os.fspath(self.ref) if self.ref is not None else "the default index"

    def _open(self) -> Index:
        from ..index import open_index

        if self._index is None:
            index = open_index(self.ref)
            index.db  # noqa: B018 - a missing or outdated database fails here, not mid-search
            self._index = index
        return self._index

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(index, *args, **kwargs)` on the index thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(self._open(), *args, **kwargs))

    def warm(self) -> None:
        """Open the index and load every model a search may need (`Index.warm`) in the
        background, so the first search a person makes, in any language, is as fast as the
        rest. Failures are left for that search to report."""
        def load() -> None:
            try:
                self._open().warm()
            except Exception as exc:  # noqa: BLE001 - the first request reports it instead
                log.debug("warming %s failed: %s", self.label, exc)
        self._pool.submit(load)

    def close(self) -> None:
        def shut() -> None:
            if self._index is not None:
                self._index.close()
        self._pool.submit(shut)
        self._pool.shutdown(wait=True)

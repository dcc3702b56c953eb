"""diplosearch: semantic search over diplomatic texts, with citations you can check.

    import diplosearch as ds
    hits = ds.search("what measures target foreign terrorist fighters")
    idx, report = ds.build_index(["transcripts/"], "my-index")
    idx.search("sanctions on arms transfers", k=5).to_frame()

Names are imported on first use (PEP 562), so `import diplosearch` and the CLI's
`--help` stay instant; `from diplosearch import Hit` works as usual.
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING
from typing import Any as _Any

from ._version import __version__

_EXPORTS = {
    "embed.models": ["DEFAULT_MODEL", "Embedder", "HashingEmbedder", "load_embedder"],
    "errors": ["DiplosearchError", "FilterValueError", "IndexAccessError", "IndexDamagedError",
               "IndexExistsError",
               "IndexLockedError", "IndexNotFoundError", "ModelLoadError", "ModelMismatchError",
               "FetchError", "NoSourcesError", "NotFoundError", "QueryError",
               "ReadOnlyIndexError", "SameNameError", "SourceError"],
    "index": ["Context", "Index", "build_index", "fetch", "list_indexes", "open_index", "search"],
    "ingest.fetch": ["FetchReport"],
    "store.writer": ["BuildReport"],
    "retrieval.results": ["Hit", "SearchResults", "cite", "parse_citation"],
    "store.verify": ["VerifyReport", "verify_index"],
    "store.repair": ["RepairReport", "repair_index"],
    "store.upgrade": ["UpgradeReport", "upgrade_index"],
    "retrieval.timeline": ["Positions", "positions"],
    "scale.ray_build": ["add_index_ray", "build_index_ray"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> _Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'diplosearch' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # The public names once each (whether imported yet or not), not the helpers above.
    return sorted({*__all__, "__version__"})


if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from .embed.models import DEFAULT_MODEL, Embedder, HashingEmbedder, load_embedder  # noqa: F401
    from .errors import (  # noqa: F401
        DiplosearchError,
        FetchError,
        FilterValueError,
        IndexAccessError,
        IndexDamagedError,
        IndexExistsError,
        IndexLockedError,
        IndexNotFoundError,
        ModelLoadError,
        ModelMismatchError,
        NoSourcesError,
        NotFoundError,
        QueryError,
        ReadOnlyIndexError,
        SameNameError,
        SourceError,
    )
    from .index import (  # noqa: F401
        Context,
        Index,
        build_index,
        fetch,
        list_indexes,
        open_index,
        search,
    )
    from .ingest.fetch import FetchReport  # noqa: F401
    from .retrieval.results import Hit, SearchResults, cite, parse_citation  # noqa: F401
    from .retrieval.timeline import Positions, positions  # noqa: F401
    from .scale.ray_build import add_index_ray, build_index_ray  # noqa: F401
    from .store.repair import RepairReport, repair_index  # noqa: F401
    from .store.upgrade import UpgradeReport, upgrade_index  # noqa: F401
    from .store.verify import VerifyReport, verify_index  # noqa: F401
    from .store.writer import BuildReport  # noqa: F401

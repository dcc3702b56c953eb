"""Typed errors raised by the library. The CLI turns each into one line on stderr."""

from __future__ import annotations

from pathlib import Path


class DiplosearchError(Exception):
    """Base class: every error the library raises on purpose."""


class SourceError(DiplosearchError):
    """A source file could not be read into passages (missing, binary, empty, undecodable)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class NoSourcesError(DiplosearchError):
    """A build or add was given nothing that could be indexed."""


class IndexNotFoundError(DiplosearchError):
    """No index exists at the resolved location."""


class IndexExistsError(DiplosearchError):
    """`build` would overwrite an existing index without `replace=True`."""


class IndexDamagedError(DiplosearchError):
    """The index directory exists but its files are missing, unreadable or inconsistent."""


class IndexLockedError(DiplosearchError):
    """Another process is writing to this index."""


class ReadOnlyIndexError(DiplosearchError):
    """The index (e.g. the bundled default) may not be written to."""


class IndexAccessError(DiplosearchError):
    """This user may not read what the index needs read (a file's permissions, or the
    changes of an unfinished write, which only a user who may write can read). Nothing is
    wrong with the index itself."""


class ModelMismatchError(DiplosearchError):
    """A query or add uses a different model from the one the index was built with."""


class ModelLoadError(DiplosearchError):
    """The embedding model could not be found or loaded."""


class QueryError(DiplosearchError):
    """The query (or a search option) is unusable, e.g. empty."""


class NotFoundError(DiplosearchError):
    """A passage, citation or document asked for does not exist in the index."""


class SegmentMissingError(IndexDamagedError):
    """A vector segment file the database names is not on disk (a reader may retry: a
    concurrent compaction deletes the files it replaced)."""


class SameNameError(DiplosearchError):
    """Files to index have the same key (name) as different documents: adding them would
    replace those documents. Nothing was written.

    Attributes:
        clashes: (key, path of the file being added, path of the document holding the key).
    """

    def __init__(self, clashes: list[tuple[str, str, str]], indexed: bool = True) -> None:
        self.clashes = clashes
        key, new, old = clashes[0]
        more = f" (and {len(clashes) - 1} more)" if len(clashes) > 1 else ""
        if indexed:
            gone = "" if Path(old).exists() else " (no longer there)"
            what = (f"adding {new} would replace the document indexed under that name from "
                    f"{old}{gone}{more}; nothing was changed. To keep both, add them through "
                    "a common parent folder so their names differ; to replace it, pass "
                    "--replace-same-name (Python: replace_same_name=True)")
        else:
            what = (f"{old} and {new} would both be indexed under that name{more}; nothing "
                    "was changed. Add their common parent folder instead, so their names differ")
        super().__init__(f"{key}: {what}")


class FilterValueError(NotFoundError):
    """A filter value (a country, a body) matches nothing the index holds; the message
    names the closest values it does hold. Not bad usage: the same value may match in
    another index (exit 1, where a QueryError exits 2)."""


class FetchError(DiplosearchError):
    """A document could not be downloaded (no such symbol in that language, an answer that
    is not a PDF, a server that kept failing), or the server could not be reached at all."""

    def __init__(self, symbol: str, language: str, problem: str) -> None:
        self.symbol = symbol
        self.language = language
        self.problem = problem
        super().__init__(f"{symbol} ({language}): {problem}" if symbol else problem)

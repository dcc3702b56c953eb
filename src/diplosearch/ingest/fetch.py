"""Download UN documents by symbol from the Official Document System (ODS), into a folder
that `index build` or `index add` then reads.

ODS's public endpoint `/api/symbol/access?s=<symbol>&l=<language>&t=pdf` answers with a
redirect to the PDF (`/doc/undoc/gen/n20/001/23/pdf/n2000123.pdf`), and an unknown symbol
with a small HTML page (the site's single-page app) and status 200, so only the `%PDF`
magic tells a document from a miss. Harvesters that use it report a redirect to `/error`
for requests it refuses, occasional 502s, and a path that came back in upper case but was
served in lower case; each is handled below.

The folder keeps two files beside the PDFs: `fetched.jsonl`, one line per download
(symbol, language, file, URL, sha256, date), which lets a second run skip what is already
there and intact; and `metadata.jsonl` (`ingest.metadata` reads it when indexing), which
gives every file its symbol and language.

httpx does the HTTP: already a dependency of the web extra and its tests, it reads proxies
from the environment (HTTPS_PROXY, NO_PROXY...), has per-request timeouts and streams a
download to disk; redirects are followed here, one hop at a time, so that each can be
checked (and retried on 429 or 5xx like the first request).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from .._version import __version__
from ..errors import FetchError
from .metadata import MANIFEST_NAMES
from .symbols import expand, file_name, languages as checked_languages, ods_symbol

DEFAULT_BASE_URL = "https://documents.un.org"
BASE_URL_ENV = "DIPLOSEARCH_ODS_URL"
ACCESS_PATH = "/api/symbol/access"
MANIFEST = "fetched.jsonl"
METADATA = MANIFEST_NAMES[1]            # metadata.jsonl, which indexing reads
USER_AGENT = f"diplosearch/{__version__} (UN document search; +https://pypi.org/project/diplosearch/)"
USER_AGENT_ENV = "DIPLOSEARCH_USER_AGENT"   # e.g. with a contact address, as polite harvesters do
MAX_HOPS = 5
RETRY_AFTER_CAP = 120.0                 # seconds; a server asking for longer is not waited on
BODIES = {"S": "Security Council", "A": "General Assembly", "E": "Economic and Social Council"}

Progress = Callable[[int, int], None]   # (documents done, documents asked for)
_sleep = time.sleep                     # tests record the pauses instead of waiting


@dataclass(frozen=True)
class Fetched:
    """One document on disk: fetched now, or kept from an earlier run (same checksum)."""

    symbol: str
    language: str
    path: Path
    url: str
    sha256: str
    date: str           # when it was downloaded (UTC, ISO 8601)


@dataclass
class FetchReport:
    """What `fetch` did. `missing` holds one `FetchError` per document not fetched;
    `added` is the index's `BuildReport` when the documents were also added."""

    folder: Path
    fetched: list[Fetched] = field(default_factory=list)
    kept: list[Fetched] = field(default_factory=list)
    missing: list[FetchError] = field(default_factory=list)
    added: Any = None

    @property
    def files(self) -> list[Path]:
        """Every document now on disk that this run asked for, fetched or kept."""
        return [d.path for d in self.fetched + self.kept]

    def to_dict(self) -> dict[str, Any]:
        def row(d: Fetched) -> dict[str, str]:
            return {"symbol": d.symbol, "language": d.language, "path": str(d.path),
                    "url": d.url, "sha256": d.sha256, "date": d.date}
        return {"folder": str(self.folder), "fetched": [row(d) for d in self.fetched],
                "kept": [row(d) for d in self.kept],
                "missing": [{"symbol": e.symbol, "language": e.language, "problem": e.problem}
                            for e in self.missing]}


def base_url(explicit: str | None = None) -> str:
    """The ODS server: `explicit`, else $DIPLOSEARCH_ODS_URL, else documents.un.org."""
    return (explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def fetch(symbols: list[str] | str, folder: str | os.PathLike[str] = "un-documents",
          languages: list[str] | str = "en", *, base: str | None = None, delay: float = 1.0,
          retries: int = 4, backoff: float = 2.0, timeout: float = 60.0,
          progress: Progress | None = None, user_agent: str | None = None) -> FetchReport:
    """Download each symbol's PDF in each language into `folder`.

    Args:
        symbols: as users write them: `S/PV.8699`, `S/RES/2396 (2017)`,
            `S/PV.8699 (Resumption 1)`, ranges such as `S/PV.8690-8699`.
        folder: where the PDFs, `fetched.jsonl` and `metadata.jsonl` go (made if needed).
        languages: ODS codes, `"en,fr"` or a list: ar, en, es, fr, ru, zh.
        base: the ODS server (default: $DIPLOSEARCH_ODS_URL, else https://documents.un.org).
        delay: seconds between documents, to be polite to a public server.
        retries: further tries after a 429, a 5xx, a timeout or a dropped connection,
            waiting `backoff`, then twice that, and so on (or what Retry-After asks).
        timeout: seconds each request may wait for the server.
        progress: called with (documents done, documents asked for).
        user_agent: sent with every request; default $DIPLOSEARCH_USER_AGENT, else
            `USER_AGENT` (diplosearch and its version).

    Returns:
        A `FetchReport`; a document that could not be fetched is one `FetchError` in its
        `missing` list and the others go on.

    Raises:
        QueryError: a symbol or language that cannot be one.
        FetchError: the server cannot be reached at all (no connection after the retries).
    """
    import httpx

    wanted = [(s, lang) for s in expand([symbols] if isinstance(symbols, str) else symbols)
              for lang in checked_languages(languages)]
    target = Path(folder).expanduser()
    target.mkdir(parents=True, exist_ok=True)
    report, done = FetchReport(target), _manifest(target)
    session = _Session(base_url(base), delay, retries, backoff)
    agent = user_agent or os.environ.get(USER_AGENT_ENV) or USER_AGENT
    with httpx.Client(headers={"User-Agent": agent, "Accept": "application/pdf"},
                      timeout=timeout, follow_redirects=False, trust_env=True) as client:
        for n, (symbol, lang) in enumerate(wanted, start=1):
            if (kept := _intact(target, done.get((symbol, lang)))) is not None:
                report.kept.append(kept)
            else:
                try:
                    report.fetched.append(session.download(client, target, symbol, lang))
                except FetchError as exc:
                    if exc.symbol == "":       # unreachable: nothing else would work either
                        _write_metadata(target, report.fetched)
                        raise
                    report.missing.append(exc)
            if progress is not None:
                progress(n, len(wanted))
    _write_metadata(target, report.fetched + report.kept)
    return report


class _Session:
    """Requests to one ODS server: the pause between documents, retries with backoff."""

    def __init__(self, base: str, delay: float, retries: int, backoff: float) -> None:
        self.base, self.delay, self.retries, self.backoff = base, delay, retries, backoff
        self.last = 0.0

    def download(self, client, folder: Path, symbol: str, lang: str) -> Fetched:
        wait = self.last + self.delay - time.monotonic()
        if self.last and wait > 0:
            _sleep(wait)
        self.last = time.monotonic()
        query = client.build_request("GET", self.base + ACCESS_PATH,
                                     params={"s": ods_symbol(symbol), "l": lang, "t": "pdf"})
        dest = folder / file_name(symbol, lang)
        url, sha = self._follow(client, str(query.url), dest, symbol, lang)
        record = Fetched(symbol, lang, dest, url, sha,
                         dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        with open(folder / MANIFEST, "a", encoding="utf-8") as out:
            out.write(json.dumps({"symbol": symbol, "language": lang, "file": dest.name,
                                  "url": url, "sha256": sha, "date": record.date},
                                 ensure_ascii=False) + "\n")
        return record

    def _follow(self, client, url: str, dest: Path, symbol: str, lang: str) -> tuple[str, str]:
        """GET `url`, following redirects a hop at a time; each hop retried on its own."""
        lowered = False
        for _ in range(MAX_HOPS):
            answer = self._retried(client, url, dest, symbol, lang)
            if isinstance(answer, tuple):
                return answer
            if answer == 404 and not lowered and _has_upper(url):
                url, lowered = _lower_path(url), True     # an upper-case ODS path
                continue
            if isinstance(answer, int):
                raise FetchError(symbol, lang, f"the server answered HTTP {answer} ({url})")
            if urlsplit(answer).path.rstrip("/").endswith("/error"):
                raise FetchError(symbol, lang, "ODS redirected to its error page: no such "
                                               "document, or the request was refused")
            url = answer
        raise FetchError(symbol, lang, f"more than {MAX_HOPS} redirects ({url})")

    def _retried(self, client, url: str, dest: Path, symbol: str, lang: str):
        import httpx

        for attempt in range(self.retries + 1):
            pause = self.backoff * 2 ** attempt
            try:
                answer = _get(client, url, dest, symbol, lang)
                if not isinstance(answer, _Busy):
                    return answer
                problem, pause = answer.problem, answer.wait if answer.wait is not None else pause
            except httpx.ConnectError as exc:
                if attempt == self.retries:
                    raise FetchError("", lang, f"cannot reach {self.base}: {exc}") from exc
                problem = str(exc)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            if attempt == self.retries:
                raise FetchError(symbol, lang, f"gave up after {self.retries + 1} tries: {problem}")
            _sleep(pause)
        raise AssertionError("unreachable")


@dataclass
class _Busy:
    problem: str
    wait: float | None


def _get(client, url: str, dest: Path, symbol: str, lang: str):
    """One request: the (final URL, sha256) of a PDF saved to `dest`; a redirect's target;
    an HTTP status to act on (404...); or `_Busy` (429, 5xx) to retry."""
    with client.stream("GET", url) as resp:
        if resp.is_redirect and "location" in resp.headers:
            return urljoin(url, resp.headers["location"])
        if resp.status_code == 429 or resp.status_code >= 500:
            return _Busy(f"HTTP {resp.status_code}", _retry_after(resp.headers))
        if resp.status_code != 200:
            return resp.status_code
        chunks = resp.iter_bytes()
        head = b""
        for chunk in chunks:
            head += chunk
            if len(head) >= 1024:
                break
        if b"%PDF-" not in head[:1024]:
            kind = resp.headers.get("content-type", "no content type").split(";")[0]
            raise FetchError(symbol, lang, f"no PDF for this symbol in this language (the "
                                           f"server answered {kind}, not a PDF)")
        return url, _save(dest, head, chunks)


def _save(dest: Path, head: bytes, rest) -> str:
    """Write the body to `dest` through a `.part` file (a dropped connection leaves no
    half PDF under the real name); its sha256."""
    digest, part = hashlib.sha256(head), dest.with_name(dest.name + ".part")
    try:
        with open(part, "wb") as out:
            out.write(head)
            for chunk in rest:
                digest.update(chunk)
                out.write(chunk)
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
    return digest.hexdigest()


def _retry_after(headers) -> float | None:
    try:
        return min(max(float(headers.get("retry-after", "")), 0.0), RETRY_AFTER_CAP)
    except ValueError:
        return None


def _has_upper(url: str) -> bool:
    path = urlsplit(url).path
    return path != path.lower()


def _lower_path(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.lower()))


def _manifest(folder: Path) -> dict[tuple[str, str], dict]:
    """The last line recorded for each (symbol, language) in `fetched.jsonl`."""
    rows: dict[tuple[str, str], dict] = {}
    path = folder / MANIFEST
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                rows[(row["symbol"], row["language"])] = row
            except (json.JSONDecodeError, KeyError, TypeError):
                continue        # a line cut short by an interrupted run: fetched again
    return rows


def _intact(folder: Path, row: dict | None) -> Fetched | None:
    """The recorded document, when its file is still there with the recorded checksum."""
    if not row or not (path := folder / str(row.get("file", ""))).is_file():
        return None
    if hashlib.sha256(path.read_bytes()).hexdigest() != row.get("sha256"):
        return None
    return Fetched(row["symbol"], row["language"], path, row.get("url", ""), row["sha256"],
                   row.get("date", ""))


def _write_metadata(folder: Path, docs: list[Fetched]) -> None:
    """Rows of `metadata.jsonl` for these documents (symbol, language, body), keeping every
    other line as it was; replaced whole, so a reader never sees half of it."""
    path, lines = folder / METADATA, {}
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            try:
                key = json.loads(line)["file"]
            except (json.JSONDecodeError, KeyError, TypeError):
                key = n                 # not ours to judge: indexing reports it
            lines[key] = line
    for d in docs:
        row = {"file": d.path.name, "symbol": d.symbol, "language": d.language}
        if body := BODIES.get(d.symbol.split("/")[0]):
            row["body"] = body
        lines[d.path.name] = json.dumps(row, ensure_ascii=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines.values()), encoding="utf-8")
    os.replace(tmp, path)

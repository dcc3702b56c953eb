"""`diplosearch fetch`: UN documents by symbol from the Official Document System, into a
folder (and, with --add-to, into an index)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .base import FormatOpt, ModelOpt, app, check_format, fail_cleanly
from .indexes import _report


@app.command("fetch")
@fail_cleanly
def fetch(
    symbols: Annotated[list[str], typer.Argument(
        metavar="SYMBOL...", help="UN document symbols: S/PV.8699, \"S/RES/2396 (2017)\", "
                                  "\"S/PV.8699 (Resumption 1)\", ranges such as S/PV.8690-8699.")],
    lang: Annotated[str, typer.Option(
        "--lang", "-l", metavar="CODES",
        help="Official languages, comma-separated: ar, en, es, fr, ru, zh.")] = "en",
    to: Annotated[Path, typer.Option(
        "--to", "-o", metavar="FOLDER",
        help="Folder for the PDFs, fetched.jsonl (symbol, language, URL, sha256, date) and "
             "metadata.jsonl (read when indexing).")] = Path("un-documents"),
    add_to: Annotated[Optional[str], typer.Option(
        "--add-to", metavar="INDEX",
        help="Then add the documents to this index (built if it does not exist).")] = None,
    model: ModelOpt = None,
    delay: Annotated[float, typer.Option(min=0, metavar="SECONDS",
                                         help="Seconds between documents.")] = 1.0,
    retries: Annotated[int, typer.Option(
        min=0, metavar="N", help="Further tries after a 429, a 5xx, a timeout or a dropped connection, "
                    "with a doubling wait.")] = 4,
    timeout: Annotated[float, typer.Option(min=1, metavar="SECONDS",
                                           help="Seconds each request may wait.")] = 60.0,
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", metavar="URL", envvar="DIPLOSEARCH_ODS_URL",
        help="The ODS server. Default: https://documents.un.org.")] = None,
    user_agent: Annotated[Optional[str], typer.Option(
        "--user-agent", metavar="TEXT", envvar="DIPLOSEARCH_USER_AGENT",
        help="User-Agent header. Default: diplosearch and its version.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Download UN documents by symbol (PDF, from the UN's Official Document System).

    Proxies come from the environment (HTTPS_PROXY, NO_PROXY). A second run fetches only
    what is not already in the folder with its recorded checksum. A symbol ODS does not
    have in a language is one line on stderr; the others go on (exit 1 at the end).

    \b
    Examples:
      diplosearch fetch S/PV.8699 "S/PV.8699 (Resumption 1)" --lang en,fr --add-to un
      diplosearch fetch S/PV.8690-8699 --to records/
      diplosearch fetch "S/RES/2396 (2017)" --lang ar,zh
    """
    import json

    from .. import render
    from ..index import add_fetched, fetch as fetch_documents

    check_format(fmt)
    with render.export_progress(progress, doing="fetching", unit="documents") as bar:
        report = fetch_documents(symbols, to, lang, progress=bar, base=base_url, delay=delay,
                                 retries=retries, timeout=timeout, user_agent=user_agent)
    for error in report.missing:
        render.error(str(error))
    print(f"{report.folder}: {len(report.fetched)} fetched, {len(report.kept)} already there, "
          f"{len(report.missing)} not found", file=sys.stderr)
    idx = None
    if add_to is not None:
        with render.build_progress(progress) as adding:
            idx = add_fetched(report, add_to, model, progress=adding)
    if fmt in ("json", "jsonl"):
        data = report.to_dict()
        if report.added is not None:
            added = report.added
            data["added"] = {"index": str(idx.path), "added": len(added.added),
                             "updated": len(added.updated), "unchanged": len(added.unchanged)}
        print(json.dumps(data, ensure_ascii=False, indent=2 if fmt == "json" else None))
    elif idx is not None:
        _report(report.added, fmt, idx.path)
    if report.missing:
        raise typer.Exit(code=1)

"""The `diplosearch` command: a thin shell over the library. Each command checks its
arguments, makes one library call and renders the result."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import DiplosearchError

app = typer.Typer(
    help="Semantic search over diplomatic texts (UN Security Council and General Assembly "
         "records, resolutions, your own transcripts), with a citation for every passage.\n\n"
         "Try:  diplosearch search \"what measures target foreign terrorist fighters\"",
    no_args_is_help=True, rich_markup_mode=None, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
index_app = typer.Typer(help="Build, grow and inspect indexes.", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(index_app, name="index")

IndexOpt = Annotated[Optional[str], typer.Option(
    "--index", "-i", help="Index name (under $DIPLOSEARCH_HOME or ./indexes) or path. "
                          "Default: the bundled default index.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", help="table (for people), json, jsonl (one hit per line) or markdown.")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m", help="Embedding model: a sentence-transformers name (needs hub access), a "
                          "local model folder, or 'hashing' (no weights). Default: the bundled "
                          "all-MiniLM-L6-v2.")]
WaitOpt = Annotated[float, typer.Option("--wait", help="Seconds to wait for another writer.")]


def _fail_cleanly(fn):
    """Library errors become one line on stderr and exit code 1; Ctrl-C exits 130."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from . import render

        try:
            return fn(*args, **kwargs)
        except DiplosearchError as exc:
            render.error(str(exc))
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            render.error("interrupted; the index is unchanged since its last completed commit")
            raise typer.Exit(code=130) from None
    return wrapper


def _check_format(fmt: str) -> str:
    from .render import FORMATS

    if fmt not in FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    return fmt


def _version(value: bool) -> None:
    if value:
        print(f"diplosearch {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False) -> None:
    """Semantic search over diplomatic texts."""


@app.command()
@_fail_cleanly
def search(
    query: Annotated[str, typer.Argument(help="A question or statement in plain language.")],
    index: IndexOpt = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=1000, help="Number of hits.")] = 10,
    fmt: FormatOpt = "table",
    model: ModelOpt = None,
    highlight: Annotated[bool, typer.Option(help="Emphasise each hit's best-matching sentence.")] = True,
) -> None:
    """Find the passages that best answer QUERY, each with its citation.

    Example: diplosearch search "sanctions on arms transfers" -k 5 --format json
    """
    from . import render
    from .index import open_index

    _check_format(fmt)
    res = open_index(index, model).search(query, k=k, highlight=highlight)
    render.results(res, fmt)


@app.command()
@_fail_cleanly
def show(
    ref: Annotated[str, typer.Argument(help="A passage id (from JSON output) or a citation, "
                                            "e.g. 'S/PV.8699 ¶12' or 'S/PV.8699 #12 ¶1'.")],
    index: IndexOpt = None,
    context: Annotated[int, typer.Option("--context", "-c", min=0, max=50,
                                         help="Paragraphs to show on each side.")] = 1,
    fmt: FormatOpt = "table",
) -> None:
    """Show a passage in its place in the document, with neighbouring paragraphs."""
    from . import render
    from .index import open_index

    _check_format(fmt)
    render.context(open_index(index).show(ref, context=context), fmt)


def _report(report, fmt: str, index_path: Path) -> None:
    import json

    data = {"index": str(index_path), "added": len(report.added), "updated": len(report.updated),
            "unchanged": len(report.unchanged), "skipped": [{"path": p, "reason": r}
                                                           for p, r in report.skipped],
            "passages_embedded": report.passages_embedded,
            "passages_reused": report.passages_reused,
            "passages_removed": report.passages_removed, "seconds": round(report.seconds, 2)}
    if fmt in ("json", "jsonl"):
        print(json.dumps(data, ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    rate = report.passages_embedded / report.seconds if report.seconds else 0
    print(f"{index_path}: {data['added']} added, {data['updated']} updated, "
          f"{data['unchanged']} unchanged, {len(report.skipped)} skipped; "
          f"{report.passages_embedded} passages embedded ({rate:.0f}/s), "
          f"{report.passages_reused} reused, {report.passages_removed} removed "
          f"in {report.seconds:.1f} s", file=sys.stderr)
    for path, reason in report.skipped:
        print(f"skipped: {path}: {reason}", file=sys.stderr)


@index_app.command("build")
@_fail_cleanly
def index_build(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders (.txt).")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name (or path) of the new index.")],
    model: ModelOpt = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing index of that name.")] = False,
    max_tokens: Annotated[int, typer.Option(
        min=16, help="Word pieces per passage (capped at the model's limit).")] = 128,
    max_file_mb: Annotated[int, typer.Option(min=1, help="Skip files larger than this.")] = 200,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any file was skipped.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Build a new index from transcripts: split into cited passages, embed, store.

    Example: diplosearch index build ../shared/corpus/unsc_2020_pires/speeches_txt_2020 --name unsc2020
    """
    from . import render
    from .index import build_index

    _check_format(fmt)
    with render.build_progress(progress and sys.stderr.isatty()) as bar:
        idx, report = build_index(paths, name, model=model, replace=replace,
                                  max_tokens=max_tokens, progress=bar,
                                  max_bytes=max_file_mb * 2**20)
    _report(report, fmt, idx.path)
    if strict and report.skipped:
        raise typer.Exit(code=1)


@index_app.command("add")
@_fail_cleanly
def index_add(
    paths: Annotated[list[Path], typer.Argument(help="Transcript files or folders to add.")],
    index: Annotated[str, typer.Option("--index", "-i", help="Index name or path.")],
    model: ModelOpt = None,
    wait: WaitOpt = 0.0,
    max_file_mb: Annotated[int, typer.Option(min=1, help="Skip files larger than this.")] = 200,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any file was skipped.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Add new or changed files to an index. Unchanged passages are not embedded again."""
    from . import render
    from .index import open_index

    _check_format(fmt)
    idx = open_index(index, model)
    with render.build_progress(progress and sys.stderr.isatty()) as bar:
        report = idx.add(paths, progress=bar, wait=wait, max_bytes=max_file_mb * 2**20)
    _report(report, fmt, idx.path)
    if strict and report.skipped:
        raise typer.Exit(code=1)


@index_app.command("remove")
@_fail_cleanly
def index_remove(
    doc: Annotated[str, typer.Argument(help="Document key, UN symbol or source path.")],
    index: Annotated[str, typer.Option("--index", "-i", help="Index name or path.")],
    wait: WaitOpt = 0.0,
) -> None:
    """Remove a document and its passages from an index."""
    from .index import open_index

    idx = open_index(index)
    removed = idx.remove(doc, wait=wait)
    print(f"{idx.path}: removed {', '.join(removed)}", file=sys.stderr)


@index_app.command("list")
@_fail_cleanly
def index_list(fmt: FormatOpt = "table") -> None:
    """List indexes under $DIPLOSEARCH_HOME (or ./indexes) and the bundled default."""
    from . import render
    from .index import list_indexes

    _check_format(fmt)
    render.mapping(list_indexes(), fmt, title="indexes")


@index_app.command("info")
@_fail_cleanly
def index_info(index: IndexOpt = None, fmt: FormatOpt = "table",
               documents: Annotated[bool, typer.Option(help="Also list every document.")] = False
               ) -> None:
    """Counts, model, passage settings and size on disk of an index."""
    from . import render
    from .index import open_index

    _check_format(fmt)
    idx = open_index(index)
    info = idx.info()
    if documents:
        info["documents_list"] = idx.documents()
    render.mapping(info, fmt, title=f"index {idx.name}")

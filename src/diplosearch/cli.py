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
    "--index", "-i", metavar="NAME", help="Index name (under $DIPLOSEARCH_HOME or ./indexes) or path. "
                          "Default: the bundled default index.")]
FormatOpt = Annotated[str, typer.Option(
    "--format", "-f", metavar="FORMAT", help="table (for people), json, jsonl (one hit per line) or markdown.")]
ModelOpt = Annotated[Optional[str], typer.Option(
    "--model", "-m", metavar="MODEL", help="Embedding model: a sentence-transformers name (needs hub access), a "
                          "local model folder, or 'hashing' (no weights). Default: the bundled "
                          "all-MiniLM-L6-v2.")]
IndexTypeOpt = Annotated[str, typer.Option(
    "--index-type", metavar="TYPE",
    help="Search structure: auto (exact when small, IVF-SQ8 from 200k passages), flat, "
         "ivf-sq8 or ivf-pq.")]
WaitOpt = Annotated[float, typer.Option("--wait", metavar="SECONDS", help="Seconds to wait for another writer.")]


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


def _backend(value: Optional[str]) -> Optional[str]:
    if value is not None:
        import os

        from .embedding import BACKEND_ENV, BACKENDS

        if value not in BACKENDS:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(BACKENDS)}")
        os.environ[BACKEND_ENV] = value  # read by embedding.load_embedder in this process
    return value


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
         backend: Annotated[Optional[str], typer.Option(
             "--backend", callback=_backend, envvar="DIPLOSEARCH_BACKEND",
             help="How the model runs: auto (the bundled model through ONNX, without torch: "
                  "fp32 to search, int8 to build), torch, onnx (fp32) or onnx-int8.")] = None) -> None:
    """Semantic search over diplomatic texts."""


Many = Optional[list[str]]


@app.command()
@_fail_cleanly
def search(
    query: Annotated[str, typer.Argument(metavar="QUERY",
                                         help="A question or statement in plain language.")],
    index: IndexOpt = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=1000, metavar="N",
                                   help="Number of hits (with --group-by: of groups).")] = 10,
    mode: Annotated[str, typer.Option(
        "--mode", metavar="MODE", help="hybrid (keyword + semantic, fused), semantic or keyword (BM25).")] = "hybrid",
    fusion: Annotated[str, typer.Option(
        metavar="METHOD",
        help="How hybrid fuses the two lists: score (normalised scores, 50:50) or rrf "
             "(reciprocal rank).")] = "score",
    speaker: Annotated[Many, typer.Option(metavar="NAME", help="Speaker name contains this (repeatable).")] = None,
    country: Annotated[Many, typer.Option(
        metavar="NAME", help="Country or organisation spoken for, e.g. 'Russian Federation' (repeatable).")] = None,
    doc: Annotated[Many, typer.Option(
        metavar="SYMBOL", help="Document symbol or its start, e.g. S/PV.87 or S/RES/2178 (repeatable).")] = None,
    body: Annotated[Many, typer.Option(
        metavar="BODY", help="'Security Council', 'General Assembly' (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(metavar="DATE", help="From this date: YYYY[-MM[-DD]].")] = None,
    until: Annotated[Optional[str], typer.Option(metavar="DATE", help="Up to this date: YYYY[-MM[-DD]].")] = None,
    group_by: Annotated[Optional[str], typer.Option(
        "--group-by", metavar="FIELD", help="country, speaker or doc: the best passage of each, side by side.")] = None,
    per_group: Annotated[int, typer.Option("--per-group", min=1, help="Hits per group.")] = 1,
    rerank: Annotated[Optional[str], typer.Option(
        metavar="MODEL", help="Rescore candidates with this CrossEncoder (model folder, or a hub name).")] = None,
    fmt: FormatOpt = "table",
    model: ModelOpt = None,
    highlight: Annotated[bool, typer.Option(help="Emphasise each hit's best-matching sentence.")] = True,
) -> None:
    """Find the passages that best answer QUERY, each with its citation.

    \b
    Examples:
      diplosearch search "sanctions on arms transfers" -k 5 --format json
      diplosearch search "return of foreign fighters" --country "Russian Federation" --since 2020
      diplosearch search "climate and security" --group-by country --mode semantic
    """
    from . import render
    from .index import open_index

    _check_format(fmt)
    res = open_index(index, model).search(
        query, k=k, mode=mode, fusion=fusion, speaker=speaker, country=country, doc=doc,
        body=body, since=since, until=until, group_by=group_by, per_group=per_group,
        rerank=rerank, highlight=highlight)
    render.results(res, fmt)


@app.command()
@_fail_cleanly
def show(
    ref: Annotated[str, typer.Argument(metavar="REF", help="A passage id (from JSON output) or a citation, "
                                            "e.g. 'S/PV.8699 ¶12' or 'S/PV.8699 #12 ¶1'.")],
    index: IndexOpt = None,
    context: Annotated[int, typer.Option("--context", "-c", min=0, max=50,
                                         help="Paragraphs to show on each side.")] = 1,
    fmt: FormatOpt = "table",
) -> None:
    """Show a passage in context, with the paragraphs around it."""
    from . import render
    from .index import open_index

    _check_format(fmt)
    render.context(open_index(index).show(ref, context=context), fmt)


@app.command("eval")
@_fail_cleanly
def eval_(
    dataset: Annotated[Path, typer.Argument(metavar="DIR",
        help="A BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.")],
    mode: Annotated[Many, typer.Option(
        "--mode", metavar="MODE", help="Modes to score (repeatable). Default: semantic, keyword, hybrid.")] = None,
    fusion: Annotated[str, typer.Option(metavar="METHOD",
                                        help="Fusion for hybrid: score or rrf.")] = "score",
    index: Annotated[Optional[str], typer.Option(
        "--index", "-i", help="Eval index name or path (default eval-<folder>); reused.")] = None,
    model: ModelOpt = None,
    max_tokens: Annotated[Optional[int], typer.Option(
        min=16, help="Passage budget (default: the model's limit, as in published runs).")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Score only the first N queries.")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Measure ranking quality (nDCG@10, MRR@10, Recall@100) per search mode on a BEIR set.

    \b
    Example:
      diplosearch eval ../shared/beir/arguana --format json
    """
    import time

    from . import render
    from .evaluate import as_dicts, evaluate

    _check_format(fmt)
    started = time.perf_counter()
    with render.build_progress(progress) as bar:
        results = evaluate(dataset, modes=tuple(mode or ("semantic", "keyword", "hybrid")),
                           fusion=fusion, index=index, model=model, max_tokens=max_tokens,
                           limit=limit, progress=bar)
    render.scores(as_dicts(results), fmt, title=f"{dataset} (fusion {fusion})")
    print(f"eval took {time.perf_counter() - started:.1f} s", file=sys.stderr)


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
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Transcript files or folders (.txt, .pdf).")],
    name: Annotated[str, typer.Option("--name", "-n", metavar="NAME", help="Name (or path) of the new index.")],
    model: ModelOpt = None,
    replace: Annotated[bool, typer.Option(help="Replace an existing index of that name.")] = False,
    max_tokens: Annotated[int, typer.Option(
        min=16, help="Word pieces per passage (capped at the model's limit).")] = 128,
    max_file_mb: Annotated[int, typer.Option(min=1, help="Skip files larger than this.")] = 200,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any file was skipped.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
    index_type: IndexTypeOpt = "auto",
    engine: Annotated[str, typer.Option(
        metavar="ENGINE", help="'local' (this process) or 'ray' (a Ray cluster; "
                               "pip install 'diplosearch[ray]').")] = "local",
    address: Annotated[Optional[str], typer.Option(
        metavar="ADDRESS", help="Ray cluster for --engine ray ('auto', 'ray://head:10001'); "
                                "default: a local Ray.")] = None,
    device: Annotated[str, typer.Option(
        metavar="DEVICE", help="Torch device to embed on: 'cpu' or 'cuda' (with --engine "
                               "ray: one GPU per worker).")] = "cpu",
) -> None:
    """Build a new index from transcripts: split into cited passages, embed, store.

    \b
    Example:
      diplosearch index build ../shared/corpus/unsc_2020_pires/speeches_txt_2020 --name unsc2020
      diplosearch index build CORPUS --name un --engine ray --address auto --device cuda
    """
    from . import render
    from .index import build_index

    _check_format(fmt)
    if engine not in ("local", "ray"):
        raise typer.BadParameter("use 'local' or 'ray'", param_hint="--engine")
    if address and engine != "ray":
        raise typer.BadParameter("only with --engine ray", param_hint="--address")
    if engine == "ray":
        from .distributed import build_index_ray

        idx, report = build_index_ray(paths, name, model=model, replace=replace,
                                      max_tokens=max_tokens, max_bytes=max_file_mb * 2**20,
                                      address=address, device=device, index_type=index_type)
    else:
        if device != "cpu":
            from .embedding import load_embedder

            model = load_embedder(model, device=device)
        with render.build_progress(progress) as bar:
            idx, report = build_index(paths, name, model=model, replace=replace,
                                      max_tokens=max_tokens, progress=bar,
                                      max_bytes=max_file_mb * 2**20, index_type=index_type)
    _report(report, fmt, idx.path)
    if strict and report.skipped:
        raise typer.Exit(code=1)


@index_app.command("add")
@_fail_cleanly
def index_add(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Transcript files or folders to add.")],
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
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
    with render.build_progress(progress) as bar:
        report = idx.add(paths, progress=bar, wait=wait, max_bytes=max_file_mb * 2**20)
    _report(report, fmt, idx.path)
    if strict and report.skipped:
        raise typer.Exit(code=1)


@index_app.command("optimize")
@_fail_cleanly
def index_optimize(
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    index_type: Annotated[Optional[str], typer.Option(
        "--index-type", metavar="TYPE", help="auto|flat|ivf-sq8|ivf-pq (default: keep).")] = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Build the index's search structure now (an ANN for large indexes; minutes at 1M)."""
    from .index import open_index

    idx = open_index(index)
    kind = idx.optimize(index_type, wait=wait)
    print(f"{idx.path}: search structure {kind}", file=sys.stderr)


@index_app.command("remove")
@_fail_cleanly
def index_remove(
    doc: Annotated[str, typer.Argument(metavar="DOC", help="Document key, UN symbol or source path.")],
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
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


@index_app.command("verify")
@_fail_cleanly
def index_verify(index: IndexOpt = None, fmt: FormatOpt = "table",
                 checksums: Annotated[bool, typer.Option(
                     help="Hash every vector file (slower on big indexes).")] = True) -> None:
    """Check an index is whole: one vector per passage, files as recorded, manifest in step.

    Exits 1 when something is wrong, saying what and how to repair it.
    """
    import json

    from .verify import describe, verify_index

    _check_format(fmt)
    report = verify_index(index, checksums=checksums)
    if fmt in ("json", "jsonl"):
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None))
    else:
        print("\n".join(describe(report)))
    if not report.ok:
        raise typer.Exit(code=1)


@index_app.command("repair")
@_fail_cleanly
def index_repair(
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    model: ModelOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Repair an index in place: rebuild its vector file from the stored vectors (re-embedding
    any lost ones from the stored text), rewrite its manifest, delete leftovers."""
    from .repair import repair_index

    report = repair_index(index, model=model, wait=wait)
    for action in report.actions or ["nothing to repair"]:
        print(f"{report.path}: {action}", file=sys.stderr)


@app.command()
@_fail_cleanly
def serve(
    index: IndexOpt = None,
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535,
                                      help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(
        help="Address to listen on. The default, 127.0.0.1, answers only this machine; "
             "0.0.0.0 opens the page to your network.")] = "127.0.0.1",
) -> None:
    """Search from a local web page, with a JSON API under /api (described at /openapi.json).

    Needs the web extra: pip install 'diplosearch[web]'. The page is read-only.

    \b
    Example:
      diplosearch serve --index unsc2020 --port 8000, then open http://127.0.0.1:8000
    """
    from .web import is_loopback, serve as serve_web

    if not is_loopback(host):
        print(f"warning: listening on {host}: anyone who can reach this machine can read "
              "the index", file=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"diplosearch: serving {index or 'the default index'} at http://{shown}:{port} "
          "(Ctrl-C stops)", file=sys.stderr)
    serve_web(index, host=host, port=port)

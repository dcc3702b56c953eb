"""`diplosearch index …`: build, add, optimize, remove, list, info, verify, repair, upgrade."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .base import (
    FormatOpt,
    IndexOpt,
    IndexTypeOpt,
    ModelOpt,
    WaitOpt,
    check_format,
    fail_cleanly,
    index_app,
)


EngineOpt = Annotated[str, typer.Option(
    metavar="ENGINE", help="'local' (this process) or 'ray' (a Ray cluster; "
                           "pip install 'diplosearch[ray]').")]
AddressOpt = Annotated[Optional[str], typer.Option(
    metavar="ADDRESS", help="Ray cluster for --engine ray ('auto', 'ray://head:10001'); "
                            "default: $RAY_ADDRESS, else a local Ray.")]
DeviceOpt = Annotated[str, typer.Option(
    metavar="DEVICE", help="Torch device to embed on: 'cpu' or 'cuda' (with --engine "
                           "ray: one GPU per worker).")]


def _check_engine(engine: str, address: str | None) -> None:
    if engine not in ("local", "ray"):
        raise typer.BadParameter("use 'local' or 'ray'", param_hint="--engine")
    if address and engine != "ray":
        raise typer.BadParameter("only with --engine ray", param_hint="--address")


def _report(report, fmt: str, index_path: Path) -> None:
    import json

    data = {"index": str(index_path), "added": len(report.added), "updated": len(report.updated),
            "unchanged": len(report.unchanged), "moved": len(report.moved), "skipped": [{"path": p, "reason": r}
                                                           for p, r in report.skipped],
            "warnings": list(report.warnings),
            "passages_embedded": report.passages_embedded,
            "passages_reused": report.passages_reused,
            "passages_removed": report.passages_removed, "seconds": round(report.seconds, 2)}
    if fmt in ("json", "jsonl"):
        print(json.dumps(data, ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    rate = report.passages_embedded / report.seconds if report.seconds else 0
    print(f"{index_path}: {data['added']} added, {data['updated']} updated, "
          f"{data['unchanged']} unchanged"
          f"{f' ({len(report.moved)} moved)' if report.moved else ''}, {len(report.skipped)} skipped; "
          f"{report.passages_embedded} passages embedded ({rate:.0f}/s), "
          f"{report.passages_reused} reused, {report.passages_removed} removed "
          f"in {report.seconds:.1f} s", file=sys.stderr)
    for path, reason in report.skipped:
        print(f"skipped: {path}: {reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)


@index_app.command("build")
@fail_cleanly
def index_build(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Transcript files or folders (.txt, .pdf, .docx).")],
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
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    device: DeviceOpt = "cpu",
    multilingual: Annotated[Optional[bool], typer.Option(
        "--multilingual/--no-multilingual",
        help="Also store multilingual vectors, so questions in French, Spanish, Russian, "
             "Arabic or Chinese find these records. Default: with the bundled model, "
             "yes.")] = None,
) -> None:
    """Build a new index from transcripts: split into cited passages, embed, store.

    \b
    Example:
      diplosearch index build ../shared/corpus/unsc_2020_pires/speeches_txt_2020 --name unsc2020
      diplosearch index build CORPUS --name un --engine ray --address auto --device cuda
    """
    from .. import render
    from ..index import build_index

    check_format(fmt)
    _check_engine(engine, address)
    if engine == "ray":
        from ..scale.ray_build import build_index_ray

        with render.build_progress(progress) as bar:
            idx, report = build_index_ray(paths, name, model=model, replace=replace,
                                          max_tokens=max_tokens, max_bytes=max_file_mb * 2**20,
                                          address=address, device=device,
                                          index_type=index_type, multilingual=multilingual,
                                          progress=bar)
    else:
        if device != "cpu":
            from ..embed.models import load_embedder

            model = load_embedder(model, device=device)
        with render.build_progress(progress) as bar:
            idx, report = build_index(paths, name, model=model, replace=replace,
                                      max_tokens=max_tokens, progress=bar,
                                      max_bytes=max_file_mb * 2**20, index_type=index_type,
                                      multilingual=multilingual)
    _report(report, fmt, idx.path)
    if strict and report.skipped:
        raise typer.Exit(code=1)


@index_app.command("add")
@fail_cleanly
def index_add(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Transcript files or folders to add.")],
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    model: ModelOpt = None,
    wait: WaitOpt = 0.0,
    max_file_mb: Annotated[int, typer.Option(min=1, help="Skip files larger than this.")] = 200,
    strict: Annotated[bool, typer.Option(help="Exit 1 if any file was skipped (without it, "
                                               "only when nothing given could be read).")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
    replace_same_name: Annotated[bool, typer.Option(
        "--replace-same-name",
        help="Let a file replace a different document indexed under the same name (key) "
             "from another path. Without it such an add is refused and nothing changes.")] = False,
    engine: EngineOpt = "local",
    address: AddressOpt = None,
    device: DeviceOpt = "cpu",
) -> None:
    """Add new or changed files to an index. Unchanged passages are not embedded again.

    A file re-added from the path it was indexed from updates that document. A file from
    another path whose name is already indexed with different text is refused (exit 1),
    unless --replace-same-name; with the same text it is the same document, moved.
    """
    from .. import render
    from ..index import open_index

    check_format(fmt)
    _check_engine(engine, address)
    idx = open_index(index, model)
    if engine == "local" and device != "cpu":
        from ..embed.models import load_embedder

        idx = open_index(index, load_embedder(idx.manifest.model, device=device))
    with render.build_progress(progress) as bar:
        if engine == "ray":
            from ..scale.ray_build import add_index_ray

            report = add_index_ray(paths, idx.path, max_bytes=max_file_mb * 2**20,
                                   replace_same_name=replace_same_name, wait=wait,
                                   address=address, device=device, progress=bar)
        else:
            report = idx.add(paths, progress=bar, wait=wait, max_bytes=max_file_mb * 2**20,
                             replace_same_name=replace_same_name)
    _report(report, fmt, idx.path)
    # Nothing given could be read: a failure, as for `index build`, though the index is unchanged.
    if report.skipped and (strict or not (report.indexed or report.moved)):
        raise typer.Exit(code=1)


@index_app.command("optimize")
@fail_cleanly
def index_optimize(
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    index_type: Annotated[Optional[str], typer.Option(
        "--index-type", metavar="TYPE", help="auto|flat|ivf-sq8|ivf-pq (default: keep).")] = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Build the index's search structure now (an ANN for large indexes; minutes at 1M)."""
    from ..index import open_index

    idx = open_index(index)
    kind = idx.optimize(index_type, wait=wait)
    print(f"{idx.path}: search structure {kind}", file=sys.stderr)


@index_app.command("remove")
@fail_cleanly
def index_remove(
    doc: Annotated[str, typer.Argument(metavar="DOC", help="Document key, UN symbol or source path.")],
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    wait: WaitOpt = 0.0,
) -> None:
    """Remove a document and its passages from an index."""
    from ..index import open_index

    idx = open_index(index)
    removed = idx.remove(doc, wait=wait)
    print(f"{idx.path}: removed {', '.join(removed)}", file=sys.stderr)


@index_app.command("list")
@fail_cleanly
def index_list(fmt: FormatOpt = "table") -> None:
    """List the indexes a name opens, and where each lives: the index home
    ($DIPLOSEARCH_HOME, else your user data folder), the bundled default, and any left in an
    old ./indexes folder (with how to move them home)."""
    from .. import render
    from ..index import list_indexes
    from ..store.paths import index_home

    check_format(fmt)
    rows = list_indexes()
    if fmt in ("json", "jsonl"):
        render.mapping(rows, fmt)
        return
    shown = [{"name": r["name"], "passages": r.get("passages", ""),
              "documents": r.get("documents", ""), "where": r["location"],
              "path": r["path"]} for r in rows]
    render.mapping(shown, fmt, title=f"indexes (home: {index_home()})")
    for r in rows:
        for key in ("error", "note"):
            if r.get(key):
                print(f"{r['name']}: {r[key]}", file=sys.stderr)


@index_app.command("info")
@fail_cleanly
def index_info(index: IndexOpt = None, fmt: FormatOpt = "table",
               documents: Annotated[bool, typer.Option(help="Also list every document.")] = False
               ) -> None:
    """Counts, model, passage settings and size on disk of an index."""
    from .. import render
    from ..index import open_index

    check_format(fmt)
    idx = open_index(index)
    info = idx.info()
    if documents and fmt in ("json", "jsonl"):
        info["documents_list"] = idx.documents()
    render.mapping(info, fmt, title=f"index {idx.name}")
    if documents and fmt not in ("json", "jsonl"):   # for people: a table of their own
        render.mapping(idx.documents(), fmt, title=f"documents of index {idx.name}")


@index_app.command("verify")
@fail_cleanly
def index_verify(index: IndexOpt = None, fmt: FormatOpt = "table",
                 checksums: Annotated[bool, typer.Option(
                     help="Hash every vector file (slower on big indexes).")] = True) -> None:
    """Check an index is whole: one vector per passage, files as recorded, manifest in step.

    Exits 1 when something is wrong, saying what and how to repair it.
    """
    import json

    from ..store.verify import describe, verify_index

    check_format(fmt)
    report = verify_index(index, checksums=checksums)
    if fmt in ("json", "jsonl"):
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None))
    else:
        print("\n".join(describe(report)))
    if not report.ok:
        raise typer.Exit(code=1)


@index_app.command("repair")
@fail_cleanly
def index_repair(
    index: Annotated[str, typer.Option("--index", "-i", metavar="NAME", help="Index name or path.")],
    model: ModelOpt = None,
    wait: WaitOpt = 0.0,
) -> None:
    """Repair an index in place: rebuild its vector file from the stored vectors (re-embedding
    any lost ones from the stored text), rewrite its manifest, delete leftovers."""
    from ..store.repair import repair_index

    report = repair_index(index, model=model, wait=wait)
    for action in report.actions or ["nothing to repair"]:
        print(f"{report.path}: {action}", file=sys.stderr)


@index_app.command("upgrade")
@fail_cleanly
def index_upgrade(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Index name or path.")],
    multilingual: Annotated[Optional[bool], typer.Option(
        "--multilingual/--no-multilingual",
        help="Add multilingual vectors (questions in French, Spanish, Russian, Arabic or "
             "Chinese). Default: yes for an index of the bundled model, as a build does.")] = None,
    model: ModelOpt = None,
    wait: WaitOpt = 0.0,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    fmt: FormatOpt = "table",
) -> None:
    """Add what an index built by an older diplosearch lacks, in place: multilingual
    vectors, sentence vectors for marking, the keyword table for Chinese, Arabic and
    Russian, the English words that questions in other languages are glossed into. The
    English vectors are kept, not embedded again.

    Safe to stop (Ctrl-C) and run again: it goes on where it stopped. Searches keep
    working meanwhile; questions in other languages use the new vectors once all are in.

    \b
    Example:
      diplosearch index upgrade unsc2020
    """
    import json

    from .. import render
    from ..store.upgrade import upgrade_index

    check_format(fmt)
    with render.build_progress(progress) as bar:
        report = upgrade_index(name, multilingual=multilingual, model=model, progress=bar,
                               wait=wait)
    if fmt in ("json", "jsonl"):
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2 if fmt == "json" else None))
        return
    for line in report.actions or ["nothing to add: the index has everything a build makes"]:
        print(f"{report.path}: {line}", file=sys.stderr)
    for note in report.notes:
        print(f"{report.path}: {note}", file=sys.stderr)

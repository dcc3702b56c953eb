"""Building and growing an index with Ray: files are read, split and embedded by a pool of
Ray actors that each keep the models loaded, and the results are merged into an ordinary
index by the same code as a local build or add.

The driver lists the files, groups them, in order, into shards of a few dozen files, and
tells each shard what the index already holds of its files and which earlier records of
the same meetings to read for their invitations (`worker`). Ray Data sends each shard to an
actor (`map_batches` with a callable class on an actor pool), which reads its files,
hashes them into a shard key, and, unless the driver already holds that shard, splits and
embeds them with the English model (vectors and sentence vectors) and the multilingual
model. The driver writes each shard as it arrives (see `shards`), so a rerun after an
interruption re-embeds only the shards it never received. Finally the shards are merged, in
file order, through the local add's commit path: a build gives the index a local build
writes (same passages, citations, ids, vectors, warnings), and an add does what a local add
does (same-name refusal, moved files, unchanged files skipped by their hash), committing a
batch of whole documents at a time under the writer lock, so a kill leaves every document
at its old or new state. The embedding backend is chosen once on the driver
(`_backend`), so nodes with different CPUs cannot mix int8 and fp32.

Ray Data restarts an actor that dies and retries its unfinished batch (its defaults for
actor pools: `max_restarts=-1`, `max_task_retries=-1`); an exception raised by our code is
not retried but fails the build, as it would locally. Ray is an optional dependency:
`pip install 'diplosearch[ray]'`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from ..errors import DiplosearchError
from ..store import identity, vocabulary, writer
from . import shards
from .worker import ShardWorker  # noqa: F401  (the actor class; tests subclass it)

FILES_PER_SHARD = 32


class RayUnavailableError(DiplosearchError):
    """`--engine ray` was asked for but Ray (Ray Data) is not installed."""


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayUnavailableError("the Ray engine needs Ray Data: "
                                  "pip install 'diplosearch[ray]'") from exc
    return ray


class Pool:
    """Where and how shards are embedded: the Ray cluster, the actors, the shard folder."""

    def __init__(self, address: str | None = None, device: str = "cpu",
                 workers: int | None = None, shard_dir: str | os.PathLike[str] | None = None,
                 files_per_shard: int = FILES_PER_SHARD, worker: type | None = None,
                 progress: writer.Progress | None = None) -> None:
        self.address, self.device, self.workers = address, device, workers
        self.shard_dir = Path(shard_dir) if shard_dir else None
        self.files_per_shard, self.worker = files_per_shard, worker or ShardWorker
        self.progress = progress

    def folder(self, target: Path) -> Path:
        return self.shard_dir or target.with_name(f".{target.name}.shards")

    def run(self, specs: list[dict], folder: Path, settings: dict) -> list[str]:
        """Shard keys in file order; every shard is on disk under `folder` when this
        returns. Starts a local Ray when none is running in this process (and stops it)."""
        ray = _ray()
        started_here = not ray.is_initialized()
        if started_here:   # an existing cluster: --address, else $RAY_ADDRESS
            local = self.address is None and not os.environ.get("RAY_ADDRESS")
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     num_cpus=self.workers if local else None, logging_level="WARNING")
        try:
            return _run_pool(ray, specs, folder, self, settings)
        finally:
            if started_here:
                ray.shutdown()


def build_index_ray(paths, index, model=None, *, replace: bool = False,
                    max_tokens: int = 128, min_tokens: int = 16,
                    max_bytes: int = writer.MAX_BYTES_DEFAULT, address: str | None = None,
                    device: str = "cpu", workers: int | None = None,
                    shard_dir: str | os.PathLike[str] | None = None,
                    files_per_shard: int = FILES_PER_SHARD, worker: type | None = None,
                    index_type: str = "auto", multilingual: bool | None = None,
                    progress: writer.Progress | None = None):
    """`index.build_index` on Ray: the same index, built by a pool of Ray actors.

    Args:
        paths, index, model, replace, max_tokens, min_tokens, max_bytes, index_type,
            multilingual, progress: as `build_index` (`model` is a name or folder every
            worker can load, not an Embedder; `multilingual` True, False or None).
        address: a Ray cluster ("auto", "ray://head:10001"); None starts a local Ray
            unless one is already running in this process.
        device: torch device of each worker ("cuda" gives each actor one GPU).
        workers: actors in the pool; default one per CPU (or GPU) of the cluster.
        shard_dir: where shards are kept between runs; default `.<name>.shards` beside
            the index, removed after a successful build.
        files_per_shard: files per shard, the unit of work and of resumption.
        worker: the actor class, a `ShardWorker` subclass (tests use it to kill workers).

    Returns:
        The opened index and a report of what was indexed and skipped.
    """
    import time

    from .. import index as index_mod
    from ..embed.models import canonical_name
    from ..ingest.sources import discover
    from ..store.aside import build_aside

    started = time.perf_counter()
    _ray()
    target = index_mod.resolve_index(index, new=True)
    _check_target(target, replace, index_type)   # before hours of embedding, not after
    what = ", ".join(map(str, index_mod._as_list(paths)))
    files = discover(index_mod._as_list(paths))
    pool = Pool(address, device, workers, shard_dir, files_per_shard, worker, progress)
    second = _multilingual_name(multilingual, canonical_name(model))
    settings = {"model": model, "device": device, "max_tokens": max_tokens,
                "min_tokens": min_tokens, "max_bytes": max_bytes,
                "backend": _backend(model, device, "build"), "multilingual": second}
    folder = pool.folder(target)
    keys = pool.run(_specs(files, pool.files_per_shard), folder, settings)
    _check_target(target, replace, index_type)
    manifest = _new_manifest(shards.read_shard(folder, keys[0])[0], min_tokens, index_type)
    report = build_aside(target, manifest, what, lambda tmp, m: _merge(
        tmp, m, folder, keys, identity.Claims()))
    shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return index_mod.Index(target), report


def add_index_ray(paths, index, *, max_bytes: int = writer.MAX_BYTES_DEFAULT,
                  replace_same_name: bool = False, wait: float = 0.0,
                  address: str | None = None, device: str = "cpu", workers: int | None = None,
                  shard_dir: str | os.PathLike[str] | None = None,
                  files_per_shard: int = FILES_PER_SHARD, worker: type | None = None,
                  progress: writer.Progress | None = None) -> writer.BuildReport:
    """`Index.add` on Ray: new and changed files are read, split and embedded by the pool;
    the same identity rules as a local add (see `store.identity`: a different document under
    a taken name is refused before any work, `SameNameError`, unless `replace_same_name`;
    moved files keep their key; unchanged files cost a hash). Holds the writer lock; commits
    a batch of whole documents at a time, so a kill loses no committed document and a rerun
    finishes the job. Other arguments as `build_index_ray`."""
    import time

    from .. import index as index_mod
    from ..ingest.sources import discover
    from ..store import recovery
    from ..store.locking import writer_lock
    from ..store.manifest import read_manifest

    started = time.perf_counter()
    _ray()
    idx = index_mod.open_index(index)
    idx._check_writable()
    files = discover(index_mod._as_list(paths))
    pool = Pool(address, device, workers, shard_dir, files_per_shard, worker, progress)
    folder = pool.folder(idx.path)
    with writer_lock(idx.path, wait):
        manifest = read_manifest(idx.path)
        db = recovery.open_for_writing(idx.path, manifest)
        try:
            claims = identity.check(db, [(f, _loader(max_bytes)) for f in files],
                                    replace_same_name)
            settings = {"model": manifest.model, "device": device,
                        "max_tokens": manifest.max_tokens, "min_tokens": manifest.min_tokens,
                        "max_bytes": max_bytes, "purpose": "query",   # as `Index.embedder`
                        "backend": _backend(manifest.model, device, "query"),
                        "multilingual": manifest.multilingual_model}
            specs = _specs(files, pool.files_per_shard, lambda f: _known(db, claims, f),
                           lambda meeting: _indexed_invitations(db, meeting))
            keys = pool.run(specs, folder, settings)
            report = _merge(idx.path, manifest, folder, keys, claims, db)
        finally:
            db.close()
    shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return report


def _loader(max_bytes: int):
    import functools

    return functools.partial(writer._load_file, max_bytes=max_bytes)


def _known(db, claims: identity.Claims, file) -> dict:
    """What the index holds of `file`, for its worker: the document it updates (sha256 and
    metadata), or that its name is another document's."""
    path = str(file.path.resolve())
    if claims.clashes(db, file.key, path):
        return {"clash": True}
    existing = claims.existing(db, file.key, path)
    return {"existing": None if existing is None else
            {"sha256": existing["sha256"], "metadata": json.loads(existing["metadata"])}}


def _indexed_invitations(db, meeting: str) -> dict:
    """The invitations of a meeting's indexed first record, as JSON for the workers."""
    import dataclasses

    found: dict = {}
    writer.indexed_invitations(db, {"symbol": f"{meeting} (Resumption 1)"}, found)
    return {name: dataclasses.asdict(s) for name, s in found.get(meeting, {}).items()}


def _specs(files, per_shard: int, known: Callable | None = None,
           indexed: Callable | None = None) -> list[dict]:
    """Each shard's files (as the worker reads them) and its context: the files before it
    of the meetings its resumptions belong to, for their invitations (see `worker`; only a
    resumption reads a meeting's invitations), and, in an add, those of their meetings'
    indexed first records (`indexed`)."""
    from ..ingest.documents import meeting_of
    from ..ingest.sources import metadata_from_name

    def entry(f) -> dict:
        # Workers read absolute paths (their working folder is not the driver's on a
        # cluster); problems are reported under the path as given, as locally.
        return {"path": str(f.path), "key": f.key, "absolute": str(f.path.resolve()),
                **(known(f) if known else {"existing": None})}

    cache: dict[str, dict] = {}

    def looked(meeting: str) -> dict:   # one query per meeting, however many shards
        if meeting not in cache:
            cache[meeting] = indexed(meeting)
        return cache[meeting]

    entries = [entry(f) for f in files]
    symbols = [metadata_from_name(f.path.name).get("symbol", "") for f in files]
    meetings = [meeting_of({"symbol": s}) for s in symbols]
    specs = []
    for start in range(0, len(files), per_shard):
        own = {m for m, s in zip(meetings[start:start + per_shard], symbols[start:start + per_shard])
               if m and "(Resumption" in s}
        context = [e for e, m in zip(entries[:start], meetings) if m in own and
                   not e.get("clash")]
        specs.append({"files": entries[start:start + per_shard], "context": context,
                      "indexed": {m: looked(m) for m in sorted(own)} if indexed else {}})
    return specs


def _run_pool(ray, specs: list[dict], folder: Path, pool: Pool, settings: dict) -> list[str]:
    gpu = pool.device.startswith("cuda")
    workers = pool.workers or max(1, int(ray.cluster_resources().get("GPU" if gpu else "CPU", 1)))
    done = frozenset(p.stem for p in folder.glob("*.json")) if folder.is_dir() else frozenset()
    rows = [{"shard": i, "spec": json.dumps(s)} for i, s in enumerate(specs)]
    ds = ray.data.from_items(rows).map_batches(
        pool.worker, batch_size=1, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(workers, max(1, len(rows)))),
        fn_constructor_kwargs={**settings, "done": done}, num_gpus=1 if gpu else 0)
    if pool.progress:
        pool.progress("files", sum(len(s["files"]) for s in specs))
        pool.progress("bytes", sum(_size(f["absolute"]) for s in specs for f in s["files"]))
    keys: dict[int, str] = {}
    for row in ds.iter_rows():
        key, shard = str(row["key"]), int(row["shard"])
        if row["payload"] and not shards.has_shard(folder, key):
            shards.write_shard(folder, key, str(row["payload"]), bytes(row["arrays"]))
        keys[shard] = key
        if pool.progress:
            _report_progress(pool.progress, folder, key, specs[shard]["files"])
    return [keys[i] for i in range(len(rows))]


def _report_progress(progress, folder: Path, key: str, files: list[dict]) -> None:
    """A shard in: its files read and its passages embedded, as `writer.Progress` counts."""
    payload = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    n = sum(len(r.get("passages", ())) for r in payload["records"])
    progress("file", len(files))
    progress("read", sum(_size(f["absolute"]) for f in files))
    progress("planned", n)
    progress("passages", n)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:   # its worker will say what is wrong
        return 0


def _merge(index_dir: Path, manifest, folder: Path, keys: list[str],
           claims: identity.Claims, db=None) -> writer.BuildReport:
    """Commit the shards into the index at `index_dir` (its writer lock held), then compact
    and refresh the search structure as a local add does."""
    from ..store import recovery

    own = db is None
    db = recovery.open_for_writing(index_dir, manifest) if own else db
    try:
        report = writer.BuildReport()
        if manifest.multilingual_model:
            vocabulary.backfill(db)     # an index made before its English words were kept
        shards.Merge(index_dir, db, manifest, claims, report).add(
            shards.read_shard(folder, k) for k in keys)
        writer.embed_words(db, manifest)    # on the driver: a few thousand words, not passages
        writer.compact(index_dir, db, manifest)
        writer.refresh_ann(index_dir, db, manifest)   # trains an IVF index when asked for
        return report
    finally:
        if own:
            db.close()


def _multilingual_name(multilingual: bool | None, english: str) -> str:
    """The multilingual model a build stores vectors from, as `embed.multilingual.
    second_model` decides it, by name (each worker loads it)."""
    from ..embed.models import DEFAULT_MODEL
    from ..embed.multilingual import MULTILINGUAL_MODEL

    wanted = english == DEFAULT_MODEL if multilingual is None else multilingual
    return MULTILINGUAL_MODEL if wanted else ""


def _backend(model, device: str, purpose: str) -> str:
    """The backend a local build (or add) would use, chosen once here: left to each worker,
    "auto" could pick int8 on one node and fp32 on another and mix them in one index."""
    from ..embed.models import BACKEND_ENV, auto_backend, canonical_name

    choice = os.environ.get(BACKEND_ENV) or "auto"
    return auto_backend(canonical_name(model), device, purpose) if choice == "auto" else choice


def _new_manifest(first: dict, min_tokens: int, index_type: str):
    """The manifest of a new index, from what the workers say of the models (a shard)."""
    from ..store import database
    from ..store.manifest import Manifest

    now = database.now()
    return Manifest(model=first["model"], dimension=first["dimension"],
                    max_tokens=first["max_tokens"], min_tokens=min_tokens, created_at=now,
                    updated_at=now, index_type=index_type,
                    multilingual_model=first["multilingual"],
                    multilingual_dimension=first["multilingual_dimension"])


def _check_target(target: Path, replace: bool, index_type: str) -> None:
    """Refuse what `index.build_from_sources` refuses."""
    from ..errors import IndexExistsError, ReadOnlyIndexError
    from ..store import ann, recovery
    from ..store.locking import check_writable
    from ..store.paths import is_bundled

    if is_bundled(target):
        raise ReadOnlyIndexError("the bundled default index is rebuilt by "
                                 "scripts/build_default_index.py, not by `index build`")
    ann.check_type(index_type)
    check_writable(target.parent, f"the index {target.name}")
    recovery.clean_stale(target)  # what builds killed earlier left beside the target
    if target.exists() and not replace:
        raise IndexExistsError(f"{target}: an index already exists; use `index add` to grow it "
                               "or --replace to rebuild it")

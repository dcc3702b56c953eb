"""Building an index with Ray: files are read, split and embedded by a pool of Ray actors
that each keep the model loaded, and the results are merged into an ordinary index.

The driver lists the files and groups them, in order, into shards of a few dozen files.
Ray Data sends each group to an actor (`map_batches` with a callable class on an actor
pool), which reads the files, hashes them into a shard key, and, unless the driver already
holds that shard, splits them into passages with `documents.to_passages` and embeds them.
The driver writes each shard as it arrives (see `shards`), so a rerun after an
interruption re-embeds only the shards it never received. Finally the shards are merged,
in file order, through the local build's commit path: the index is the one a local build
writes, with the same passages, citations and ids. The embedding backend is chosen once
on the driver (`_build_backend`), so nodes with different CPUs cannot mix int8 and fp32.

Ray Data restarts an actor that dies and retries its unfinished batch (its defaults for
actor pools: `max_restarts=-1`, `max_task_retries=-1`); an exception raised by our code
is not retried but fails the build, as it would locally. A file that cannot be read is
reported in `BuildReport.skipped` as in a local build. Ray is an optional dependency: `pip install 'diplosearch[ray]'`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import DiplosearchError, SourceError
from ..store import writer
from . import shards

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


class ShardWorker:
    """One Ray actor: loads the model once, then reads, splits and embeds groups of files."""

    def __init__(self, model, device: str, max_tokens: int, min_tokens: int, max_bytes: int,
                 done: frozenset[str], backend: str | None = None) -> None:
        from ..embed.models import canonical_name

        self.model, self.device, self.max_bytes, self.done = model, device, max_bytes, done
        self.backend = backend
        self.name = canonical_name(model)
        self.max_tokens, self.min_tokens = max_tokens, min_tokens
        self._embedder = None

    @property
    def embedder(self):
        if self._embedder is None:   # not for a shard already written: no load at all
            from ..embed.models import load_embedder

            self._embedder = load_embedder(self.model, device=self.device,
                                           backend=self.backend, purpose="build")
        return self._embedder

    def __call__(self, batch: dict) -> dict:
        out: dict[str, list] = {"shard": [], "key": [], "payload": [], "vectors": []}
        for shard, paths, keys, absolute in zip(batch["shard"], batch["paths"], batch["keys"],
                                                batch["absolute"]):
            key, payload, vecs = self.run(list(paths), list(keys), list(absolute))
            out["shard"].append(int(shard))
            out["key"].append(key)
            out["payload"].append(payload)
            out["vectors"].append(vecs)
        return out

    def run(self, paths: list[str], keys: list[str],
            absolute: list[str] | None = None) -> tuple[str, str, bytes]:
        """Read, split and embed one shard's files; returns its key, its JSON payload and
        its vectors' bytes, or the key alone when the driver already holds that shard."""
        import json

        from ..embed.models import embed_all
        from ..ingest.documents import to_passages
        from ..ingest.sources import SourceFile, read_source

        sources, failed, shown = [], {}, {}
        for path, key, real in zip(paths, keys, absolute or paths):
            shown[real] = path
            try:
                sources.append(read_source(SourceFile(Path(real), key), self.max_bytes))
            except SourceError as exc:
                failed[path] = exc.problem
        key = shards.shard_key(self.name, self.max_tokens, self.min_tokens, sources,
                               sorted(failed.items()))
        if key in self.done:
            return key, "", b""
        docs, texts = [], []
        max_tokens = min(self.max_tokens, self.embedder.max_tokens)   # as a local build caps it
        for source in sources:
            try:
                passages = to_passages(source, self.embedder.count_tokens, max_tokens,
                                       self.min_tokens)
                if not passages:
                    raise SourceError(source.file.path, "no text to index")
            except SourceError as exc:
                failed[shown[str(source.file.path)]] = exc.problem
                continue
            docs.append(shards.shard_record(source, passages))
            texts.extend(p.text for p in passages)
        vecs = embed_all(self.embedder, texts)
        payload = {"model": self.embedder.name, "dimension": self.embedder.dimension,
                   "backend": getattr(self.embedder, "backend", None),
                   "max_tokens": max_tokens, "documents": docs,
                   "skipped": [(p, failed[p]) for p in paths if p in failed]}
        return key, json.dumps(payload), vecs.tobytes()


def build_index_ray(paths, index, model=None, *, replace: bool = False,
                    max_tokens: int = 128, min_tokens: int = 16,
                    max_bytes: int = writer.MAX_BYTES_DEFAULT, address: str | None = None,
                    device: str = "cpu", workers: int | None = None,
                    shard_dir: str | os.PathLike[str] | None = None,
                    files_per_shard: int = FILES_PER_SHARD, worker: type | None = None,
                    index_type: str = "auto"):
    """`index.build_index` on Ray: the same index, built by a pool of Ray actors.

    Args:
        paths, index, model, replace, max_tokens, min_tokens, max_bytes: as `build_index`
            (`model` is a name or folder every worker can load, not an Embedder).
        address: a Ray cluster ("auto", "ray://head:10001"); None starts a local Ray
            unless one is already running in this process.
        device: torch device of each worker ("cuda" gives each actor one GPU).
        workers: actors in the pool; default one per CPU (or GPU) of the cluster.
        shard_dir: where shards are kept between runs; default `.<name>.shards` beside
            the index, removed after a successful build.
        files_per_shard: files per shard, the unit of work and of resumption.
        worker: the actor class, a `ShardWorker` subclass (tests use it to kill workers).
        index_type: as `build_index`: "auto", "flat", or a trained compressed FAISS index
            ("ivf-sq8", "ivf-pq") for very large corpora, trained once after the merge.

    Returns:
        The opened index and a report of what was indexed and skipped.
    """
    import time

    from .. import index as index_mod
    from ..ingest.sources import discover

    started = time.perf_counter()
    ray = _ray()
    target = index_mod.resolve_index(index, new=True)
    _check_target(target, replace, index_type)   # before hours of embedding, not after
    paths = index_mod._as_list(paths)
    what = ", ".join(map(str, paths))
    files = discover(paths)
    if not files:
        raise writer.NoSourcesError(f"nothing could be indexed from {what} (no files)")
    folder = Path(shard_dir) if shard_dir else target.with_name(f".{target.name}.shards")
    groups = [files[i:i + files_per_shard] for i in range(0, len(files), files_per_shard)]
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=workers if address is None else None,
                 include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    try:
        settings = {"model": model, "device": device, "max_tokens": max_tokens,
                    "min_tokens": min_tokens, "max_bytes": max_bytes,
                    "backend": _build_backend(model, device)}
        keys = _run_pool(ray, groups, folder, worker or ShardWorker, settings, workers)
    finally:
        if started_here:
            ray.shutdown()
    idx, report = _merge_into(target, folder, keys, replace, min_tokens, index_type, what)
    shutil.rmtree(folder, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    return idx, report


def _build_backend(model, device: str) -> str:
    """The backend a local build would use, chosen once here: left to each worker, "auto"
    could pick int8 on one node and fp32 on another and mix them in one index."""
    from ..embed.models import BACKEND_ENV, auto_backend, canonical_name

    choice = os.environ.get(BACKEND_ENV) or "auto"
    return auto_backend(canonical_name(model), device, "build") if choice == "auto" else choice


def _run_pool(ray, groups, folder: Path, worker: type, settings: dict,
              workers: int | None) -> list[str]:
    """Shard keys in file order; every shard is on disk under `folder` when this returns."""
    import json

    import numpy as np

    gpu = settings["device"].startswith("cuda")
    workers = workers or max(1, int(ray.cluster_resources().get("GPU" if gpu else "CPU", 1)))
    done = frozenset(p.stem for p in folder.glob("*.json")) if folder.is_dir() else frozenset()
    # Workers read absolute paths (their working folder is not the driver's on a cluster);
    # problems are reported under the path as given, like a local build does.
    rows = [{"shard": i, "paths": [str(f.path) for f in g], "keys": [f.key for f in g],
             "absolute": [str(f.path.resolve()) for f in g]} for i, g in enumerate(groups)]
    ds = ray.data.from_items(rows).map_batches(
        worker, batch_size=1, batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=min(workers, max(1, len(rows)))),
        fn_constructor_kwargs={**settings, "done": done}, num_gpus=1 if gpu else 0)
    keys: dict[int, str] = {}
    for row in ds.iter_rows():
        key = str(row["key"])
        if row["payload"] and not shards.has_shard(folder, key):
            payload = json.loads(row["payload"])
            vecs = np.frombuffer(row["vectors"], dtype=np.float32).reshape(
                -1, payload["dimension"])
            shards.write_shard(folder, key, payload, vecs)
        keys[int(row["shard"])] = key
    return [keys[i] for i in range(len(rows))]


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


def _merge_into(target: Path, folder: Path, keys: list[str], replace: bool, min_tokens: int,
                index_type: str, what: str):
    """Merge shards into a new index at `target`, built aside and swapped in like
    `index.build_from_sources` does."""
    from .. import index as index_mod
    from ..store import database
    from ..store.aside import build_aside
    from ..store.manifest import Manifest

    _check_target(target, replace, index_type)
    first = next((shards.read_shard(folder, k)[0] for k in keys), None)
    if first is None:
        raise writer.NoSourcesError(f"nothing could be indexed from {what} (no files)")
    now = database.now()
    manifest = Manifest(model=first["model"], dimension=first["dimension"],
                        max_tokens=first["max_tokens"], min_tokens=min_tokens,
                        created_at=now, updated_at=now, index_type=index_type)
    report = build_aside(target, manifest, what, lambda tmp, m: shards.merge_shards(
        tmp, m, (shards.read_shard(folder, k) for k in keys)))
    return index_mod.Index(target), report

"""The Ray build (`--engine ray`) gives the local build's answer, survives a dead worker,
reports unreadable files, and resumes without re-embedding the shards it already holds.

These start a local Ray (`ray.init(num_cpus=2)`, ~10 s) and are marked `ray`. They run
when `CI` or `DIPLOSEARCH_RAY_TESTS` is set (CI runs them; there a missing Ray is a
failure, not a skip) and are skipped with a reason otherwise, so the everyday run stays fast.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from diplosearch.scale import ray_build
from diplosearch.errors import IndexExistsError
from diplosearch.index import build_index

from tests.scale.parity import (assert_same_index, english_vectors as vectors,
                                fails_on_binary, on_ray)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / \
    "unsc_2020_pires" / "speeches_txt_2020"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """40 speeches (two shards of 16 and one of 8 below) and one binary file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in sorted(os.listdir(CORPUS))[:40]:
        shutil.copy(CORPUS / name, folder / name)
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01binary")
    return folder


def rows(idx) -> list[tuple]:
    return [tuple(r) for r in idx.db.execute("SELECT * FROM passages ORDER BY id")]


@on_ray[0]
@on_ray[1]
def test_same_index_as_a_local_build(ray_local, corpus, tmp_path):
    local, lrep = build_index(corpus, tmp_path / "local", model="hashing")
    remote, rrep = ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing",
                                               workers=2, files_per_shard=16)
    assert_same_index(local, remote)
    assert rrep.skipped == lrep.skipped and len(rrep.skipped) == 1
    assert rrep.added == lrep.added and rrep.passages_embedded == lrep.passages_embedded
    assert not (tmp_path / ".ray.shards").exists()   # shards go once merged
    hit = remote.search("terrorism", k=1, mode="semantic")[0]
    assert hit.text == local.search("terrorism", k=1, mode="semantic")[0].text


@on_ray[0]
@on_ray[1]
def test_a_worker_that_dies_is_retried(ray_local, corpus, tmp_path):
    marker = tmp_path / "died"

    class DiesOnce(ray_build.ShardWorker):
        def run(self, spec):
            if not marker.exists():
                marker.touch()
                os._exit(1)   # the actor process dies mid-batch
            return super().run(spec)

    local, _ = build_index(corpus, tmp_path / "local", model="hashing")
    remote, _ = ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing",
                                            workers=2, files_per_shard=16, worker=DiesOnce)
    assert marker.exists()
    assert_same_index(local, remote)


@on_ray[0]
@on_ray[1]
def test_a_rerun_skips_shards_already_written(ray_local, corpus, tmp_path):
    shard_dir, log = tmp_path / "shards", tmp_path / "embedded.log"

    class Logs(ray_build.ShardWorker):
        def run(self, spec):
            key, payload, vecs = super().run(spec)
            if payload:
                with open(log, "a") as fh:
                    fh.write(key + "\n")
            return key, payload, vecs

    with pytest.raises(Exception, match="interrupted"):
        ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing", workers=1,
                                    files_per_shard=16, shard_dir=shard_dir,
                                    worker=fails_on_binary(3))
    written = {p.stem for p in shard_dir.glob("*.json")}
    assert 1 <= len(written) <= 2 and not (tmp_path / "ray").exists()
    remote, _ = ray_build.build_index_ray(corpus, tmp_path / "ray", model="hashing",
                                            workers=2, files_per_shard=16, shard_dir=shard_dir,
                                            worker=Logs)
    embedded = set(log.read_text().split())
    assert len(embedded) == 3 - len(written) and not embedded & written   # only the missing
    local, _ = build_index(corpus, tmp_path / "local", model="hashing")
    assert_same_index(local, remote)


@on_ray[0]
@on_ray[1]
def test_an_existing_index_is_refused_before_any_work(ray_local, corpus, tmp_path):
    build_index(corpus, tmp_path / "there", model="hashing")
    with pytest.raises(IndexExistsError, match="--replace"):
        ray_build.build_index_ray(corpus, tmp_path / "there", model="hashing",
                                    shard_dir=tmp_path / "shards")
    assert not (tmp_path / "shards").exists()


@on_ray[0]
@on_ray[1]
@pytest.mark.model
def test_int8_vectors_agree_with_a_local_build(ray_local, corpus, tmp_path, monkeypatch):
    """int8 (the default build backend on VNNI CPUs) quantizes activations per batch, so a
    vector depends on its batch-mates, in a local build too: the same passages and cosine
    >= 0.99. (fp32 is held to 1e-5 in test_ray_parity.py.)"""
    monkeypatch.setenv("DIPLOSEARCH_BACKEND", "onnx-int8")
    for path in sorted(corpus.iterdir())[10:]:
        path.unlink()
    local, _ = build_index(corpus, tmp_path / "local", multilingual=False)
    remote, _ = ray_build.build_index_ray(corpus, tmp_path / "ray", workers=2,
                                          files_per_shard=5, multilingual=False)
    assert rows(remote) == rows(local)
    assert np.min(np.sum(vectors(remote) * vectors(local), axis=1)) >= 0.99


def test_without_ray_the_message_says_what_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ray_build.RayUnavailableError, match=r"diplosearch\[ray\]"):
        ray_build.build_index_ray(["x"], "y")


@pytest.mark.parametrize("args, message", [
    (["--engine", "spark"], "use 'local' or 'ray'"),
    (["--address", "auto"], "only with --engine ray"),
])
def test_cli_refuses_bad_engine_options(corpus, args, message):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    result = CliRunner().invoke(app, ["index", "build", str(corpus), "--name", "x", *args])
    assert result.exit_code == 2 and message in result.output


@on_ray[0]
@on_ray[1]
def test_cli_builds_with_ray(ray_local, corpus, tmp_path):
    import json

    from typer.testing import CliRunner

    from diplosearch.cli import app

    result = CliRunner().invoke(app, ["index", "build", str(corpus), "--name", str(tmp_path / "i"),
                                      "--model", "hashing", "--engine", "ray", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{"):])
    assert report["added"] == 40 and report["skipped"][0]["path"].endswith("zz_binary.txt")

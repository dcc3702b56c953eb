"""`index add --engine ray` does what a local add does: new and changed files indexed,
unchanged ones skipped by their hash, moved ones found, a different document under a taken
name refused before any work; and a failure leaves the index as it was. Marked `ray`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import diplosearch as ds
from diplosearch.errors import SameNameError
from diplosearch.scale import ray_build
from tests.scale.parity import SPEECHES, assert_same_index, fails_on_binary, on_ray


def report_of(r) -> dict:
    return {"added": sorted(r.added), "updated": sorted(r.updated),
            "unchanged": sorted(r.unchanged), "moved": sorted(r.moved), "skipped": r.skipped,
            "warnings": r.warnings, "embedded": r.passages_embedded,
            "reused": r.passages_reused, "removed": r.passages_removed}


@pytest.fixture
def setup(tmp_path) -> tuple[Path, Path]:
    """A base index of 4 speeches (built locally), and a folder to add: those 4 (one
    changed), 3 new ones and a file that cannot be read."""
    names = sorted(os.listdir(SPEECHES))[:7]
    folder = tmp_path / "speeches"
    folder.mkdir()
    for name in names[:4]:
        shutil.copy(SPEECHES / name, folder / name)
    ds.build_index(folder, tmp_path / "base", model="hashing")
    for name in names[4:]:
        shutil.copy(SPEECHES / name, folder / name)
    changed = folder / names[1]
    changed.write_bytes(changed.read_bytes() + b"\r\nA further paragraph on the "
                        b"humanitarian situation, added later.\r\n")
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01binary")
    return tmp_path / "base", folder


def copy(index: Path, name: str) -> Path:
    shutil.copytree(index, index.with_name(name))
    return index.with_name(name)


@on_ray[0]
@on_ray[1]
def test_an_add_on_ray_is_a_local_add(ray_local, setup):
    base, folder = setup
    local, remote = copy(base, "local"), copy(base, "ray")
    lrep = ds.open_index(local).add(folder)
    rrep = ray_build.add_index_ray(folder, remote, workers=2, files_per_shard=3)
    assert report_of(rrep) == report_of(lrep)
    assert len(lrep.added) == 3 and len(lrep.updated) == 1 and len(lrep.unchanged) == 3
    assert_same_index(ds.open_index(local), ds.open_index(remote))
    again = ray_build.add_index_ray(folder, remote, workers=2, files_per_shard=3)
    assert again.passages_embedded == 0 and len(again.unchanged) == 7


@on_ray[0]
@on_ray[1]
def test_moved_files_and_a_taken_name(ray_local, setup, tmp_path):
    base, folder = setup
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in sorted(os.listdir(SPEECHES))[:4]:    # the indexed files, now elsewhere
        shutil.copy(SPEECHES / name, moved / name)
    shutil.rmtree(folder)
    report = ray_build.add_index_ray(moved, base, workers=2, files_per_shard=3)
    assert len(report.moved) == 4 and report.passages_embedded == report.passages_removed == 0
    assert {d["key"] for d in ds.open_index(base).documents()} == set(os.listdir(moved))

    other = tmp_path / "other"
    other.mkdir()
    name = sorted(os.listdir(moved))[0]
    (other / name).write_text("Mr. Smith (Fiji): a different statement altogether.\n",
                              encoding="utf-8")
    before = ds.open_index(base).info()
    shards = tmp_path / "shards"
    with pytest.raises(SameNameError):
        ray_build.add_index_ray(other, base, shard_dir=shards)
    assert not shards.exists()                 # refused before any work
    after = ds.open_index(base).info()
    assert (after["generation"], after["passages"]) == (before["generation"], before["passages"])


@on_ray[0]
@on_ray[1]
def test_a_failed_add_leaves_the_index_as_it_was(ray_local, setup, tmp_path):
    base, folder = setup
    before = copy(base, "before")

    shards = tmp_path / "shards"
    with pytest.raises(Exception, match="interrupted"):
        ray_build.add_index_ray(folder, base, workers=1, files_per_shard=3, shard_dir=shards,
                                worker=fails_on_binary(2))
    assert ds.verify_index(base).ok
    assert_same_index(ds.open_index(before), ds.open_index(base))
    report = ray_build.add_index_ray(folder, base, workers=2, files_per_shard=3,
                                     shard_dir=shards)
    assert len(report.added) == 3 and not shards.exists()
    local = copy(before, "local")
    ds.open_index(local).add(folder)
    assert_same_index(ds.open_index(local), ds.open_index(base))


@on_ray[0]
@on_ray[1]
def test_cli_add_with_ray(ray_local, setup):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    base, folder = setup
    result = CliRunner().invoke(app, ["index", "add", str(folder), "-i", str(base),
                                      "--engine", "ray", "--format", "json", "--no-progress"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["added"], report["updated"], report["unchanged"]) == (3, 1, 3)
    assert report["skipped"][0]["path"].endswith("zz_binary.txt")


@on_ray[0]
@on_ray[1]
def test_an_add_stopped_in_its_merge_keeps_whole_documents(ray_local, setup, tmp_path,
                                                           monkeypatch):
    """Ctrl-C after the merge's first commit (the changed file's update): that document is
    whole, the rest are as they were (the index verifies), and the same add then finishes
    the job, the updated document now unchanged."""
    from diplosearch.scale import shards
    from diplosearch.store import writer

    base, folder = setup
    before = copy(base, "before")
    monkeypatch.setattr(shards, "BATCH_PASSAGES", 1)     # a commit per document
    real, calls = writer._commit, []

    def stops_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "_commit", stops_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        ray_build.add_index_ray(folder, base, workers=2, files_per_shard=3)
    monkeypatch.setattr(writer, "_commit", real)
    assert ds.verify_index(base).ok
    assert len(ds.open_index(base).documents()) == 4   # the changed file's update went in
    report = ray_build.add_index_ray(folder, base, workers=2, files_per_shard=3)
    assert (len(report.added), len(report.updated), len(report.unchanged)) == (3, 0, 4)
    local = copy(before, "local")
    ds.open_index(local).add(folder)
    assert_same_index(ds.open_index(local), ds.open_index(base), same_commits=False)


@on_ray[0]
@on_ray[1]
def test_a_resumption_added_later_reads_the_indexed_first_record(ray_local, tmp_path):
    """As a local add does (tests/store/test_resumption_add.py): S/PV.8699 invites Mr.
    Mardini of the ICRC; its resumption, added on Ray to an index holding the first record,
    names his affiliation, though no worker reads the first record."""
    from tests.scale.parity import PDFS

    folder = tmp_path / "pdf"
    folder.mkdir()
    first = shutil.copy(PDFS / "S_PV.8699_E.pdf", folder / "S_PV.8699_E.pdf")
    ds.build_index([first], tmp_path / "local", model="hashing")
    shutil.copy(PDFS / "S_PV.8699(Resumption1)_E.pdf", folder / "S_PV.8699(Resumption1)_E.pdf")
    remote = copy(tmp_path / "local", "ray")
    lrep = ds.open_index(tmp_path / "local").add(folder)
    rrep = ray_build.add_index_ray(folder, remote, workers=1)
    assert report_of(rrep) == report_of(lrep) and len(rrep.unchanged) == 1
    assert_same_index(ds.open_index(tmp_path / "local"), ds.open_index(remote))
    assert {h.affiliation for h in ds.open_index(remote).iter_passages()
            if h.speaker == "Mr. Mardini"} == {"International Committee of the Red Cross"}

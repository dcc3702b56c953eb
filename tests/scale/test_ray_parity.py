"""A Ray build is the same index as a local build, row by row: passages, citations,
speakers and affiliations (a meeting's invitations reach its resumptions whichever worker
reads them), warnings, sentence vectors, multilingual vectors, keyword tables; and a
question in English and one in Russian get the same hits. Marked `ray` (see
test_distributed.py for when they run)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from diplosearch.index import build_index
from diplosearch.scale import ray_build
from tests.scale.parity import PDFS, SPEECHES, assert_same_index, on_ray

MEETING = ["UNSC_2020_SPV.8699_spch001.txt", "UNSC_2020_SPV.8699_spch002.txt",
           "UNSC_2020_SPV.8699Resumption1_spch025.txt",
           "UNSC_2020_SPV.8699Resumption1_spch026.txt",
           "UNSC_2020_SPV.8699Resumption1_spch027.txt"]
RESOLUTION = (SPEECHES.parents[1] / "unsc_resolutions_2005_2015" /
              "Resolutions Textfiles Complete, 1946-2015 - Ohne Annex" / "S-RES-2140(2014).txt")
RUSSIAN = "Какую роль играет Международный комитет Красного Креста в защите гражданских лиц?"
ENGLISH = "the role of the International Committee of the Red Cross in protecting civilians"


def affiliations(idx, doc: str, speaker: str) -> set:
    return {r[0] for r in idx.db.execute(
        "SELECT p.affiliation FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE d.key = ? AND p.speaker = ?", (doc, speaker))}


@pytest.fixture
def slice_2020(tmp_path) -> Path:
    """A meeting and its resumption (S/PV.8699: the President invites Mr. Mardini of the
    ICRC in the first record; he speaks in the resumption), a PDF record, a resolution
    (its passages read with their context: Yemen, a subparagraph's lead-in), a file that
    cannot be read. Copied out of the corpus, so the reader warns that the metadata table
    is missing: a warning to report."""
    folder = tmp_path / "slice"
    folder.mkdir()
    for name in MEETING:
        shutil.copy(SPEECHES / name, folder / name)
    shutil.copy(PDFS / "S_PV.8701_E.pdf", folder / "S_PV.8701_E.pdf")
    shutil.copy(RESOLUTION, folder / RESOLUTION.name)
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01binary")
    return folder


@on_ray[0]
@on_ray[1]
@pytest.mark.model
def test_same_index_as_a_local_build_with_the_real_models(ray_local, slice_2020, tmp_path,
                                                          monkeypatch):
    """The bundled English model (fp32 ONNX: vectors within 1e-5) and the multilingual
    model; two files a shard, so the meeting's first record and its resumption go to
    different shards."""
    monkeypatch.setenv("DIPLOSEARCH_BACKEND", "onnx")
    local, lrep = build_index(slice_2020, tmp_path / "local")
    remote, rrep = ray_build.build_index_ray(slice_2020, tmp_path / "ray", workers=2,
                                             files_per_shard=2)
    assert_same_index(local, remote, exact=False)   # contexts and their vectors included
    assert remote.db.execute("SELECT count(*) FROM passages WHERE context LIKE 'Yemen: %'"
                             ).fetchone()[0] > 10
    assert remote.manifest.multilingual_model and remote.info()["multilingual_vectors"] > 0
    resumption = "UNSC_2020_SPV.8699Resumption1_spch026.txt"
    assert affiliations(remote, resumption, "Mr. Mardini") == \
        {"International Committee of the Red Cross"}
    assert rrep.warnings == lrep.warnings and any("not found" in w for w in rrep.warnings)
    assert rrep.skipped == lrep.skipped and len(rrep.skipped) == 1
    for question in (ENGLISH, RUSSIAN):
        want = [(h.id, round(h.score, 4)) for h in local.search(question, k=5)]
        assert [(h.id, round(h.score, 4)) for h in remote.search(question, k=5)] == want


@on_ray[0]
@on_ray[1]
def test_invitations_reach_a_resumption_read_by_another_worker(ray_local, tmp_path):
    """The PDF records of S/PV.8699 and its first resumption, one a shard."""
    folder = tmp_path / "pdf"
    folder.mkdir()
    for name in ("S_PV.8699_E.pdf", "S_PV.8699(Resumption1)_E.pdf"):
        shutil.copy(PDFS / name, folder / name)
    local, _ = build_index(folder, tmp_path / "local", model="hashing")
    remote, _ = ray_build.build_index_ray(folder, tmp_path / "ray", model="hashing",
                                          workers=2, files_per_shard=1)
    assert_same_index(local, remote)
    assert affiliations(remote, "S_PV.8699(Resumption1)_E.pdf", "Mr. Mardini") == \
        {"International Committee of the Red Cross"}


@on_ray[0]
@on_ray[1]
def test_the_cli_reports_a_ray_build_as_a_local_one(ray_local, slice_2020, tmp_path):
    from typer.testing import CliRunner

    from diplosearch.cli import app

    (slice_2020 / "S_PV.8701_E.pdf").unlink()
    out = {}
    for engine in ("local", "ray"):
        result = CliRunner().invoke(app, ["index", "build", str(slice_2020), "--name",
                                          str(tmp_path / engine), "--model", "hashing",
                                          "--engine", engine, "--no-progress"])
        assert result.exit_code == 0, result.output
        out[engine] = [line for line in result.stderr.splitlines()
                       if line.startswith(("warning:", "skipped:"))]
        json_out = CliRunner().invoke(app, ["index", "info", "-i", str(tmp_path / engine),
                                            "--format", "json"])
        out[engine + " info"] = {k: v for k, v in json.loads(json_out.stdout).items()
                                 if k in ("documents", "passages", "backends")}
    assert out["ray"] == out["local"] and len(out["local"]) == 2
    assert out["ray info"] == out["local info"]
